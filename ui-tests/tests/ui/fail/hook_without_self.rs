use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_stop]
    fn stop() {}
}

fn main() {}
