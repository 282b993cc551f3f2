use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(default = Vec::new())]
    list: Vec<u8>,
}

#[gadget]
impl G {}

fn main() {}
