// `crate = "..."` for a re-export of gadget_api under another path.
mod sdk {
    pub use gadget_api as api;
}

use gadget_api::{Data, Field};

#[gadget_api::gadget(crate = "crate::sdk::api")]
struct Renamed {
    #[field(datasource = "exec")]
    pid: Field<u32>,
}

#[gadget_api::gadget(crate = "crate::sdk::api")]
impl Renamed {
    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) {
        let _ = self.pid.get(data);
    }
}

fn main() {}
