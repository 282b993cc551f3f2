use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start(priority = 1)]
    fn start(&mut self) {}
}

fn main() {}
