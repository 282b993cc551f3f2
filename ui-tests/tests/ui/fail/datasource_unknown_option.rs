use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "exec", unreferenced)]
    exec: DataSource,
}

#[gadget]
impl G {}

fn main() {}
