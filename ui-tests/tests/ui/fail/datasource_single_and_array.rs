use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "out", new, single, array)]
    out: DataSource,
}

#[gadget]
impl G {}

fn main() {}
