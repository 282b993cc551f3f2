use gadget_api::prelude::*;

#[gadget]
struct G<T> {
    value: T,
}

#[gadget]
impl<T> G<T> {
    #[on_start]
    fn start(&mut self) {}
}

fn main() {}
