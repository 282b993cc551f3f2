use gadget_api::prelude::*;

#[gadget(crate = )]
struct G;

#[gadget]
impl G {}

fn main() {}
