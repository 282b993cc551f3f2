use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    fn start<T: Default>(&mut self) {}
}

fn main() {}
