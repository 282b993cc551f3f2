use gadget_api::prelude::*;

struct Plain {
    seen: u64,
}

#[gadget]
impl Plain {
    #[on_start]
    fn start(&mut self) {}
}

fn main() {}
