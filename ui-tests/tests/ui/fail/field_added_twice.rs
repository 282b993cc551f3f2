use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", name = "upper", add)]
    upper: Field<String>,
    #[field(datasource = "exec", name = "upper", add)]
    upper_again: Field<String>,
}

#[gadget]
impl G {}

fn main() {}
