use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", add, phase = "pre_start")]
    upper: Field<String>,
}

#[gadget]
impl G {}

fn main() {}
