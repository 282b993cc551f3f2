// A field type that is no field type, in a gadget with other members and
// hooks: one error, on the type.
use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    pid: Field<u32>,
    #[field(datasource = "exec")]
    comm: Field<Vec<u32>>,
    #[param(default = 16)]
    width: u32,
    buf: Vec<u8>,
}

#[gadget]
impl G {
    #[on_init]
    fn init(&mut self) {
        self.buf.reserve(self.width as usize);
    }

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, _data: Data<'_>) {}
}

fn main() {}
