use gadget_api::prelude::*;

#[gadget]
struct NoHooks {
    seen: u64,
}

fn main() {}
