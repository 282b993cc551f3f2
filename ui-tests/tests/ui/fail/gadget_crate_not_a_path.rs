use gadget_api::prelude::*;

#[gadget(crate = 5)]
struct G;

#[gadget]
impl G {}

fn main() {}
