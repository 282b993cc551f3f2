use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(name = "pid")]
    pid: Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
