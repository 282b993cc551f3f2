// `#[gadget(datasource = "..")]` on the struct: the data source of every
// `#[field]` and `#[subscribe]` without its own.
use gadget_api::prelude::*;

#[gadget(datasource = "exec")]
struct G {
    #[field]
    pid: Field<u32>,
    #[field(name = "comm")]
    command: Field<String>,
    #[field(datasource = "open", name = "fname")]
    file: Field<String>,
}

#[gadget]
impl G {
    #[subscribe]
    fn on_exec(&mut self, _data: Data<'_>) {
        let _ = (&self.pid, &self.command, &self.file);
    }

    #[subscribe(datasource = "open")]
    fn on_open(&mut self, _data: Data<'_>) {}
}

fn main() {}
