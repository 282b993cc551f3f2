use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", add = "yes")]
    upper: Field<String>,
}

#[gadget]
impl G {}

fn main() {}
