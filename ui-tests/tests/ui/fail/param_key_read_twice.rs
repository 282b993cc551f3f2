use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(key = "width")]
    width: u32,
    #[param(key = "width")]
    width_again: u64,
}

#[gadget]
impl G {}

fn main() {}
