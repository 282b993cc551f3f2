use gadget_api::prelude::*;

mod mine {
    pub struct Field<T>(pub T);
}

#[gadget]
struct G {
    #[field(datasource = "exec")]
    pid: mine::Field<u32>,
}

#[gadget]
impl G {}

fn main() {}
