use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = )]
    pid: Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
