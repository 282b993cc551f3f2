use gadget_api::prelude::*;

#[gadget]
struct G {
    #[subscribe(datasource = "exec")]
    pid: Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
