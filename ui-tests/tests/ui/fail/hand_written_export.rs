// An ig export written by hand next to a #[gadget]: the generated one lives
// in an anonymous block, so `cargo check` cannot see the clash; the build
// reports it on the #[gadget] impl (documented in attributes.md).
use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {}

#[unsafe(no_mangle)]
extern "C" fn gadgetInit() -> i32 {
    0
}

fn main() {}
