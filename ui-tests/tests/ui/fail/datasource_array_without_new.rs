use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "exec", array)]
    exec: DataSource,
}

#[gadget]
impl G {}

fn main() {}
