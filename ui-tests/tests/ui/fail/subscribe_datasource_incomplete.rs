use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = )]
    fn on_exec(&mut self, _data: Data<'_>) {}
}

fn main() {}
