use gadget_api::prelude::*;

#[gadget]
struct G {
    #[datasource(name = "exec")]
    exec: DataSource,
    #[datasource(name = "exec")]
    exec_again: DataSource,
}

#[gadget]
impl G {}

fn main() {}
