use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    async fn start(&mut self) {}
}

fn main() {}
