use gadget_api::prelude::*;

#[gadget]
struct Upper {
    #[field(datasource = "exec")]
    comm: Field<String>,
    #[field(datasource = "exec", name = "comm_upper", add, tags = ["columns.width:16"])]
    upper: Field<String>,
    #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start")]
    ns: Field<String>,
    #[param(default = 16)]
    width: u32,
    buf: Vec<u8>,
}

#[gadget]
impl Upper {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        self.buf.reserve(self.width as usize);
        Ok(())
    }

    #[subscribe(datasource = "exec", priority = 10)]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        let comm = self.comm.get(data)?;
        self.buf.clear();
        self.buf.extend(comm.bytes().map(|b| b.to_ascii_uppercase()));
        self.upper.set_bytes(data, &self.buf)?;
        let _ = self.ns.name();
        Ok(())
    }

    #[on_stop]
    fn stop(&mut self) {
        log::info!("bye");
    }
}

fn main() {}
