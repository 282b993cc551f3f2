use gadget_api::prelude::*;

#[gadget]
#[gadget]
struct G;

#[gadget]
impl G {}

fn main() {}
