use gadget_api::prelude::*;

#[gadget]
struct G;

#[gadget]
impl G {
    #[field(datasource = "exec")]
    fn pid(&self) {}

    #[on_start]
    const LIMIT: u32 = 1;
}

fn main() {}
