use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, _line: String) {}
}

fn main() {}
