//! Test gadget for `#[datasource]`: every option, run by
//! `gadget-host/tests/macro_e2e.rs`.
//!
//! Expects single data sources `exec` (`pid` uint32, `comm` string) and
//! `open` (`fname` string). Consumes `exec` (unreference), creates `summary`
//! and `stages` (single) and `batches` (array). `gadgetStart` emits a
//! `stages` packet; `gadgetStop` emits one packet on each created data source:
//! the number of `exec` and `open` events and the last command, one
//! `batches` element per pid seen, and a last `stages` packet.

use gadget_api::prelude::*;

#[gadget]
struct Sources {
    /// An existing data source, consumed: later operators do not get it.
    #[datasource(name = "exec", unreference)]
    exec: DataSource,
    /// The name defaults to the member's (`open`).
    #[datasource]
    open: DataSource,
    /// Created, single by default.
    #[datasource(name = "summary", new)]
    summary: DataSource,
    /// Created, single spelled out.
    #[datasource(name = "stages", new, single)]
    stages: DataSource,
    #[datasource(name = "batches", new, array)]
    batches: DataSource,

    /// Fields of the consumed data source, through its member.
    #[field(datasource = "exec")]
    pid: Field<u32>,
    #[field(datasource = "exec")]
    comm: Field<String>,
    #[field(datasource = "open")]
    fname: Field<String>,

    /// A created data source only has the fields the gadget adds.
    #[field(datasource = "summary", name = "execs", add)]
    execs: Field<u64>,
    #[field(datasource = "summary", name = "opens", add)]
    opens: Field<u64>,
    #[field(datasource = "summary", name = "last_comm", add, tags = ["columns.width:16"])]
    last_comm: Field<String>,
    #[field(datasource = "stages", name = "stage", add)]
    stage: Field<String>,
    #[field(datasource = "batches", name = "pid", add)]
    batch_pid: Field<u32>,
    #[field(datasource = "batches", name = "index", add)]
    batch_index: Field<u16>,

    pids: Vec<u32>,
    open_count: u64,
    last: String,
}

impl Sources {
    fn emit_stage(&self, stage: &str) -> Result<()> {
        let packet = self.stages.new_packet_single()?;
        self.stage.set(packet.data(), stage)?;
        packet.emit()
    }
}

#[gadget]
impl Sources {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        log::info!(
            "init: exec referenced={} open referenced={} data sources {} {} {} {} {}",
            self.exec.is_referenced()?,
            self.open.is_referenced()?,
            self.exec.name(),
            self.open.name(),
            self.summary.name(),
            self.stages.name(),
            self.batches.name()
        );
        Ok(())
    }

    #[on_start]
    fn start(&mut self) -> Result<()> {
        // The consumed data source is not found by name any more; the
        // member still works.
        match DataSource::get("exec") {
            Ok(_) => log::info!("start: exec found by name"),
            Err(e) => log::info!("start: exec not found by name: {e}"),
        }
        self.emit_stage("start")
    }

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        self.pids.push(self.pid.get(data)?);
        self.last.clear();
        self.last.push_str(self.comm.get(data)?);
        Ok(())
    }

    #[subscribe(datasource = "open")]
    fn on_open(&mut self, data: Data<'_>) -> Result<()> {
        self.open_count += 1;
        log::info!("open: {}", self.fname.get(data)?);
        Ok(())
    }

    #[on_stop]
    fn stop(&mut self) -> Result<()> {
        let packet = self.summary.new_packet_single()?;
        self.execs.set(packet.data(), self.pids.len() as u64)?;
        self.opens.set(packet.data(), self.open_count)?;
        self.last_comm.set(packet.data(), &self.last)?;
        packet.emit()?;

        let packet = self.batches.new_packet_array()?;
        for (i, pid) in self.pids.iter().enumerate() {
            let element = packet.array().new_element()?;
            self.batch_pid.set(element.data(), *pid)?;
            self.batch_index.set(element.data(), i as u16)?;
            element.append()?;
        }
        packet.emit()?;

        self.emit_stage("stop")
    }
}
