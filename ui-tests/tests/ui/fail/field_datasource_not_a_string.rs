use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = exec)]
    pid: Field<u32>,
    #[field(datasource = 5)]
    tid: Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
