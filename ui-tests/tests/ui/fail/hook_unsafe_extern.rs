use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    unsafe fn start(&mut self) {}

    #[on_stop]
    extern "C" fn stop(&mut self) {}
}

fn main() {}
