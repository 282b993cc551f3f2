use gadget_api::prelude::*;

#[gadget]
fn init() {}

fn main() {}
