use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_init]
    fn new() -> Option<Self> {
        Some(G)
    }
}

fn main() {}
