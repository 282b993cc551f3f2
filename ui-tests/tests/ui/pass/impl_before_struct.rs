// The impl block may come first, and a later-phase look-up still gets its export.
use gadget_api::prelude::*;

#[gadget]
impl Early {
    #[on_stop]
    fn stop(&mut self) {}
}

#[gadget]
struct Early {
    #[field(datasource = "exec", name = "k8s.podName", phase = "start")]
    pod: Field<String>,
}

fn main() {}
