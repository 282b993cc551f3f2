use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "exec", kind = "packets")]
    fn on_exec(&mut self, _packet: Packet<'_>) {}
}

fn main() {}
