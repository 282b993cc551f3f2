// An #[on_init] without `self` builds the value itself.
use gadget_api::prelude::*;

#[gadget]
struct Built {
    exec: DataSource,
    pid: Field<u32>,
}

#[gadget]
impl Built {
    #[on_init]
    fn new() -> Result<Self> {
        let exec = DataSource::get("exec")?;
        let pid = exec.field("pid")?;
        Ok(Self { exec, pid })
    }

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        let _ = (self.pid.get(data)?, self.exec.name());
        Ok(())
    }
}

fn main() {}
