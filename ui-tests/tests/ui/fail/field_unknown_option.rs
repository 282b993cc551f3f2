use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", nme = "pid")]
    pid: Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
