// `#[cfg]` and `#[cfg_attr]` on members, hooks and subscriptions: what is
// configured out is neither looked up nor called; alternatives are no
// duplicates.
use gadget_api::prelude::*;

#[gadget]
struct G {
    #[cfg(any())]
    #[field(datasource = "exec")]
    uid: Field<u32>,
    #[cfg(all())]
    #[field(datasource = "exec")]
    pid: Field<u32>,
    #[cfg_attr(all(), field(datasource = "exec", name = "comm"))]
    comm: Field<String>,
    #[cfg_attr(any(), param(default = 1))]
    level: u32,
    #[cfg(test)]
    #[param(default = 2)]
    only_in_tests: u32,
}

#[gadget]
impl G {
    #[cfg(all())]
    #[on_start]
    fn start(&mut self) {
        let _ = (&self.pid, &self.comm, self.level);
    }

    #[cfg(any())]
    #[on_start]
    fn start(&mut self) {
        let _ = &self.uid;
    }

    #[cfg(any())]
    #[on_stop]
    fn stop(&mut self) {}

    #[cfg_attr(all(), subscribe(datasource = "exec"))]
    fn on_exec(&mut self, _data: Data<'_>) {}

    #[cfg(any())]
    #[subscribe(datasource = "open")]
    fn on_open(&mut self, _data: Data<'_>) {}
}

fn main() {}
