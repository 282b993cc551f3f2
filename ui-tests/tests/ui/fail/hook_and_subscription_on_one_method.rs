use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    #[on_stop]
    fn lifecycle(&mut self) {}

    #[on_init]
    #[subscribe(datasource = "exec")]
    fn both(&mut self) {}
}

fn main() {}
