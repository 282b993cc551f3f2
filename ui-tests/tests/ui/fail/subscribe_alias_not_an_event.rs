use gadget_api::prelude::*;

type Line<'a> = &'a str;

#[gadget]
struct G;

#[gadget]
impl G {
    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, _line: Line<'_>) {}
}

fn main() {}
