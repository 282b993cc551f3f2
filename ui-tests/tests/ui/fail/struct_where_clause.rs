use gadget_api::prelude::*;

#[gadget]
struct G
where
    u32: Copy,
{
    seen: u32,
}

#[gadget]
impl G {}

fn main() {}
