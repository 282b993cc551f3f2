//! trace_open: the shape of most ig gadgets' user-space half. The eBPF
//! program sends one event per `open`/`openat`; this gadget reads the
//! process, the file, the flags and the result, and adds a `summary` column
//! that says it all in one line:
//!
//! `cat[1000] uid=0 open("/etc/passwd", 0o100000) = 3 mntns=4026531840`
//!
//! Written the way the README teaches: string fields read with `get`, which
//! borrows from a buffer each field keeps, and the added field written with
//! `set_fmt`, which formats into a buffer the field keeps. Once the buffers
//! have grown to the values seen, an event costs no allocation and exactly
//! the host calls a hand-written gadget makes (7 reads, 1 write; see
//! `bench/` and the README's "Performance" section).

use gadget_api::prelude::*;

#[gadget]
struct TraceOpen {
    #[field(datasource = "open")]
    comm: Field<String>,
    #[field(datasource = "open")]
    pid: Field<u32>,
    #[field(datasource = "open")]
    uid: Field<u32>,
    #[field(datasource = "open")]
    fname: Field<String>,
    #[field(datasource = "open")]
    flags: Field<u32>,
    #[field(datasource = "open")]
    ret: Field<i32>,
    #[field(datasource = "open")]
    mntns_id: Field<u64>,
    #[field(datasource = "open", add)]
    summary: Field<String>,
}

#[gadget]
impl TraceOpen {
    #[subscribe(datasource = "open")]
    fn on_open(&mut self, data: Data<'_>) -> Result<()> {
        let pid = self.pid.get(data)?;
        let uid = self.uid.get(data)?;
        let flags = self.flags.get(data)?;
        let ret = self.ret.get(data)?;
        let mntns_id = self.mntns_id.get(data)?;
        let comm = self.comm.get(data)?;
        let fname = self.fname.get(data)?;
        self.summary.set_fmt(
            data,
            format_args!(
                "{comm}[{pid}] uid={uid} open(\"{fname}\", {flags:#o}) = {ret} mntns={mntns_id}"
            ),
        )
    }
}
