use gadget_api::prelude::*;

#[gadget]
struct G(u32);

#[gadget]
impl G {}

fn main() {}
