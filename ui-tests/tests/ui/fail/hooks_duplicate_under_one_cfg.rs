use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[cfg(all())]
    #[on_start]
    fn start(&mut self) {}

    #[cfg(all())]
    #[on_start]
    fn begin(&mut self) {}
}

fn main() {}
