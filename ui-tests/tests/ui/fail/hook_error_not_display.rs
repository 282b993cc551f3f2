use gadget_api::prelude::*;

#[derive(Debug)]
struct Oops;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    fn start(&mut self) -> std::result::Result<(), Oops> {
        Err(Oops)
    }
}

fn main() {}
