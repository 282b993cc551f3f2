use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "open", kind = "data")]
    fn on_open(&mut self, p: u32) {
        let _ = p;
    }
}

fn main() {}
