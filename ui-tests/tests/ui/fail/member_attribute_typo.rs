use gadget_api::prelude::*;

#[gadget]
struct G {
    #[feild(datasource = "exec")]
    pid: Field<u32>,
    #[params(default = 1)]
    width: u32,
}

#[gadget]
impl G {}

fn main() {}
