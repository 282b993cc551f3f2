use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(default)]
    width: u32,
}

#[gadget]
impl G {}

fn main() {}
