use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(key = "pid")]
    #[field(datasource = "exec")]
    pid: u32,
}

#[gadget]
impl G {}

fn main() {}
