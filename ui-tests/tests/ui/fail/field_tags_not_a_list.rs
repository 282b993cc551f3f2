use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", add, tags = [columns.width])]
    upper: Field<String>,
}

#[gadget]
impl G {}

fn main() {}
