use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_strat]
    fn start(&mut self) {}

    #[subscibe(datasource = "exec")]
    fn on_exec(&mut self, _data: Data<'_>) {}
}

fn main() {}
