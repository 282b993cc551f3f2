use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    comm: Field<&'static str>,
    #[field(datasource = "exec")]
    args: Field<Vec<u8>>,
    #[field(datasource = "exec")]
    size: Field<usize>,
}

#[gadget]
impl G {}

fn main() {}
