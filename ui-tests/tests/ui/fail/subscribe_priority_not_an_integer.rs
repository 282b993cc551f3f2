use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "exec", priority = "high")]
    fn on_exec(&mut self, _data: Data<'_>) {}

    #[subscribe(datasource = "open", priority = 3000000000)]
    fn on_open(&mut self, _data: Data<'_>) {}
}

fn main() {}
