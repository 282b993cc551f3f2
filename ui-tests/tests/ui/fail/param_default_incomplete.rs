use gadget_api::prelude::*;

#[gadget]
struct G {
    #[param(default = 1 +)]
    max: u32,
}

#[gadget]
impl G {}

fn main() {}
