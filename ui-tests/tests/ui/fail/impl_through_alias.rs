use gadget_api::prelude::*;

#[gadget]
struct G;

type Alias = G;

#[gadget]
impl Alias {}

fn main() {}
