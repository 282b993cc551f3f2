use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    pid: u32,
    #[field(datasource = "exec")]
    comm: Option<Field<String>>,
}

#[gadget]
impl G {}

fn main() {}
