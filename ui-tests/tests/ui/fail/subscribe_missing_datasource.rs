use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(priority = 1)]
    fn on_exec(&mut self, _data: Data<'_>) {}
}

fn main() {}
