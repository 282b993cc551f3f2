use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_init]
    fn init(&mut self) {}

    #[on_init]
    fn init_more(&mut self) {}
}

fn main() {}
