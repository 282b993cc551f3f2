use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    pid: Field<u32>,
}

#[gadget]
impl G {
    #[on_init]
    fn new() -> Result<Self> {
        let pid = DataSource::get("exec")?.field("pid")?;
        Ok(Self { pid })
    }
}

fn main() {}
