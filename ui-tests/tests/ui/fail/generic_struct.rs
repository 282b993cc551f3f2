use gadget_api::prelude::*;

#[gadget]
struct G<T> {
    value: T,
}

fn main() {}
