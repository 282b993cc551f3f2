//! Test gadget for `#[field]`: every option, run by
//! `gadget-host/tests/macro_e2e.rs`.
//!
//! Expects a single data source `exec` with `pid` (uint32), `comm` (string),
//! `args` (bytes) and `uid` (uint32), and the enrichment fields
//! `k8s.namespace` and `runtime.containerName` (strings, added at pre-start).
//! For every `exec` event it writes the fields it adds; `ns_copy` and
//! `container_copy` get the later-phase fields' values, or the error of using
//! them before their phase (`error: <message>`).

use gadget_api::prelude::*;

/// `datasource = "exec"` on the struct: the data source of every `#[field]`
/// and `#[subscribe]` that names none (the first members and `on_exec`).
#[gadget(datasource = "exec")]
struct Fields {
    /// Looked up in gadgetInit; the name defaults to the member's (`pid`),
    /// the data source to the struct's.
    #[field]
    pid: Field<u32>,
    #[field(name = "comm")]
    command: Field<String>,
    /// A looked-up field that gets a tag.
    #[field(datasource = "exec", name = "args", tags = ["columns.hidden"])]
    arguments: Field<Bytes>,
    /// `phase = "init"` spelled out.
    #[field(datasource = "exec", name = "uid", phase = "init")]
    user: Field<u32>,

    /// Added, with tags.
    #[field(datasource = "exec", name = "comm_upper", add, tags = ["columns.width:16", "columns.alignment:left"])]
    upper: Field<String>,
    /// Added; the name defaults to the member's (`doubled`).
    #[field(datasource = "exec", add)]
    doubled: Field<u64>,
    #[field(datasource = "exec", name = "pid_is_even", add, tags = ["columns.width:5"])]
    even: Field<bool>,
    #[field(datasource = "exec", name = "half", add)]
    half: Field<f64>,
    #[field(datasource = "exec", name = "negated", add)]
    negated: Field<i64>,
    #[field(datasource = "exec", name = "args_len", add)]
    args_len: Field<u16>,
    #[field(datasource = "exec", name = "uid_plus_one", add)]
    uid_plus_one: Field<u32>,
    #[field(datasource = "exec", name = "ns_copy", add)]
    ns_copy: Field<String>,
    #[field(datasource = "exec", name = "container_copy", add)]
    container_copy: Field<String>,

    /// Added by another operator: looked up in gadgetPreStart.
    #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start")]
    namespace: Field<String>,
    /// Looked up in gadgetStart, and tagged there.
    #[field(datasource = "exec", name = "runtime.containerName", phase = "start", tags = ["columns.hidden", "columns.width:30"])]
    container: Field<String>,

    buf: Vec<u8>,
}

/// Writes `from`'s value into `to`, or the error of reading it.
fn copy_or_error(from: &mut Field<String>, to: &mut Field<String>, data: Data<'_>) -> Result<()> {
    match from.get(data) {
        Ok(v) => to.set(data, v),
        Err(e) => to.set_fmt(data, format_args!("error: {e}")),
    }
}

#[gadget]
impl Fields {
    #[on_init]
    fn init(&mut self) {
        log::info!(
            "init: namespace resolved={} container resolved={}",
            self.namespace.is_resolved(),
            self.container.is_resolved()
        );
    }

    #[on_pre_start]
    fn pre_start(&self) {
        log::info!(
            "pre_start: namespace resolved={} container resolved={}",
            self.namespace.is_resolved(),
            self.container.is_resolved()
        );
    }

    #[on_start]
    fn start(&self) {
        log::info!(
            "start: namespace resolved={} container resolved={}",
            self.namespace.is_resolved(),
            self.container.is_resolved()
        );
    }

    /// On the struct's data source.
    #[subscribe]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        let pid = self.pid.get(data)?;
        let comm = self.command.get(data)?;
        self.buf.clear();
        self.buf
            .extend(comm.bytes().map(|b| b.to_ascii_uppercase()));
        self.upper.set_bytes(data, &self.buf)?;
        self.doubled.set(data, u64::from(pid) * 2)?;
        self.even.set(data, pid % 2 == 0)?;
        self.half.set(data, f64::from(pid) / 2.0)?;
        self.negated.set(data, -i64::from(pid))?;
        let args = self.arguments.get(data)?;
        self.args_len.set(data, args.len() as u16)?;
        self.uid_plus_one.set(data, self.user.get(data)? + 1)?;
        copy_or_error(&mut self.namespace, &mut self.ns_copy, data)?;
        copy_or_error(&mut self.container, &mut self.container_copy, data)?;
        Ok(())
    }
}
