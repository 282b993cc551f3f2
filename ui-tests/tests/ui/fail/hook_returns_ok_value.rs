use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[on_start]
    fn start(&mut self) -> Result<u32> {
        Ok(1)
    }
}

fn main() {}
