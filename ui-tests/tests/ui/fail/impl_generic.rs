use gadget_api::prelude::*;

struct Wrapper<T>(T);

#[gadget]
impl<T> Wrapper<T> {
    #[on_start]
    fn start(&mut self) {}
}

fn main() {}
