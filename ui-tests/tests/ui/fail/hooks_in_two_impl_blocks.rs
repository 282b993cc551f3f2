use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    fn start(&mut self) {}
}

#[gadget]
impl G {
    #[on_stop]
    fn stop(&mut self) {}
}

fn main() {}
