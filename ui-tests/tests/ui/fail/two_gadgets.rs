use gadget_api::prelude::*;

#[gadget]
struct First;

#[gadget]
impl First {}

#[gadget]
struct Second;

#[gadget]
impl Second {}

fn main() {}
