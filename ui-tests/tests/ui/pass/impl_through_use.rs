// The impl block may reach the struct through a `use`.
use gadget_api::prelude::*;

mod inner {
    use gadget_api::prelude::*;

    #[gadget]
    pub struct G {
        #[field(datasource = "exec", phase = "start")]
        pub pid: Field<u32>,
    }
}

use inner::G;

#[gadget]
impl G {
    #[on_stop]
    fn stop(&mut self) {
        let _ = &self.pid;
    }
}

fn main() {}
