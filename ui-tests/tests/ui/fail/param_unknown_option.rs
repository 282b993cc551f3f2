use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(defualt = 16)]
    width: u32,
}

#[gadget]
impl G {}

fn main() {}
