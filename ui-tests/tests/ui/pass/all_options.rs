// Every member option, every hook.
use gadget_api::prelude::*;

#[gadget]
#[derive(Debug)]
struct All {
    #[datasource(name = "exec", unreference)]
    exec: DataSource,
    #[datasource]
    open: DataSource,
    #[datasource(name = "out", new, single)]
    out: DataSource,
    #[datasource(name = "rows", new, array)]
    rows: DataSource,
    #[field(datasource = "exec")]
    comm: Field<String>,
    #[field(datasource = "open", name = "fname")]
    file: Field<Bytes>,
    #[field(datasource = "out", name = "n", add, tags = ["columns.width:8"])]
    n: Field<u64>,
    #[field(datasource = "rows", add)]
    ok: Field<bool>,
    #[field(datasource = "exec", name = "k8s.node", phase = "pre_start", tags = ["columns.hidden"])]
    node: Field<String>,
    #[field(datasource = "exec", name = "runtime.containerId", phase = "start")]
    container: Field<String>,
    #[param(default = 1.5)]
    scale: f64,
    #[param(key = "mode", default = "fast")]
    mode: String,
    #[param(key = "addr", default = std::net::Ipv4Addr::LOCALHOST)]
    addr: std::net::Ipv4Addr,
    #[param]
    required: i8,
    state: std::collections::BTreeMap<u32, String>,
}

#[gadget]
impl All {
    #[on_init]
    fn init(&mut self) {}
    #[on_pre_start]
    fn pre_start(&mut self) -> Result<()> {
        Ok(())
    }
    #[on_start]
    fn start(&self) -> std::result::Result<(), String> {
        Ok(())
    }
    #[on_stop]
    fn stop(&mut self) {}
    #[on_post_stop]
    fn post_stop(&mut self) -> () {}
    fn helper(&self) -> usize {
        self.state.len()
    }
}

fn main() {}
