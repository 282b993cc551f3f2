use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "exec")]
    exec: String,
}

#[gadget]
impl G {}

fn main() {}
