use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl Default for G {
    fn default() -> Self {
        G
    }
}

fn main() {}
