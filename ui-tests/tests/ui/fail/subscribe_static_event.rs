use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "open")]
    fn on_open(&mut self, _d: Data<'static>) {}
}

fn main() {}
