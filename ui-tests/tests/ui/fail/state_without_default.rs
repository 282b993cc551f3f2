use gadget_api::prelude::*;

struct Table {
    rows: Vec<u32>,
}

#[gadget]
struct G {
    table: Table,
}

#[gadget]
impl G {}

fn main() {}
