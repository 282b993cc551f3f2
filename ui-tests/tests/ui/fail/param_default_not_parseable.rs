use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(default = "abc")]
    max: u32,
}

#[gadget]
impl G {}

fn main() {}
