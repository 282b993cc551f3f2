use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "summary", new)]
    summary: DataSource,
    #[field(datasource = "summary")]
    count: Field<u64>,
}

#[gadget]
impl G {}

fn main() {}
