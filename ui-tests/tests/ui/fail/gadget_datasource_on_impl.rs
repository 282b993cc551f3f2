use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget(datasource = "exec")]
impl G {}

fn main() {}
