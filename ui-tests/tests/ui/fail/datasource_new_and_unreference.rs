use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "out", new, unreference)]
    out: DataSource,
}

#[gadget]
impl G {}

fn main() {}
