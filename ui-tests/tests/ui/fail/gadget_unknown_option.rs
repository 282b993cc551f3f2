use gadget_api::prelude::*;

#[gadget(crat = "gadget_api")]
struct G;

#[gadget]
impl G {}

fn main() {}
