use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    letter: Field<char>,
}

#[gadget]
impl G {}

fn main() {}
