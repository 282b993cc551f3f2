use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G
where
    u32: Copy,
{
}

fn main() {}
