use gadget_api::prelude::*;

#[gadget]
enum G {
    Fast,
    Slow,
}

fn main() {}
