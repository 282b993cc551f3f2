//! Every option of `#[gadget]` in one gadget, to prove that a macro-built
//! gadget builds for wasm32-wasip1 with exactly ig's exports and imports.

use gadget_api as api;
use gadget_api::prelude::*;

#[gadget(crate = "api")]
struct KitchenSink {
    /// An existing data source, consumed: later operators do not get it.
    #[datasource(name = "exec", unreference)]
    exec: DataSource,
    /// The name defaults to the member's.
    #[datasource]
    open: DataSource,
    #[datasource(name = "summary", new)]
    summary: DataSource,
    #[datasource(name = "batches", new, single)]
    batches: DataSource,
    #[datasource(name = "totals", new, array)]
    totals: DataSource,

    /// Looked up in gadgetInit; the name defaults to the member's.
    #[field(datasource = "exec")]
    comm: Field<String>,
    #[field(datasource = "exec", name = "pid")]
    process: Field<u32>,
    #[field(datasource = "open", name = "fname")]
    file: Field<Bytes>,
    /// A data source that no member declares.
    #[field(datasource = "signal", name = "sig")]
    signal: Field<i32>,
    /// Added by the gadget, with tags.
    #[field(datasource = "exec", name = "comm_upper", add, tags = ["columns.width:16", "columns.alignment:left"])]
    upper: Field<String>,
    #[field(datasource = "summary", add)]
    count: Field<u64>,
    #[field(datasource = "totals", name = "ratio", add)]
    ratio: Field<f64>,
    /// Added by another operator: looked up in gadgetPreStart.
    #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start")]
    namespace: Field<String>,
    /// Looked up in gadgetStart, and tagged there.
    #[field(datasource = "signal", name = "runtime.containerName", phase = "start", tags = ["columns.hidden"])]
    container: Field<String>,
    #[field(datasource = "open", name = "flags", phase = "init")]
    flags: Field<i64>,

    /// The key defaults to the member's name; a typed default.
    #[param(default = 16)]
    width: u32,
    /// A string default, parsed like a value given to ig.
    #[param(key = "prefix", default = "gadget")]
    label: String,
    #[param(key = "verbose", default = false)]
    verbose: bool,
    #[param(key = "ratio", default = "0.5")]
    threshold: f32,
    /// Without a default the param must be set.
    #[param]
    limit: i64,

    /// Plain state: `Default`.
    seen: u64,
    buf: Vec<u8>,
}

#[gadget(crate = "api")]
impl KitchenSink {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        self.buf = vec![0; 256];
        log::info!(
            "{} width {} verbose {} threshold {} limit {}",
            self.label,
            self.width,
            self.verbose,
            self.threshold,
            self.limit
        );
        Ok(())
    }

    #[on_start]
    fn start(&self) {
        log::info!("started after {} events", self.seen);
    }

    #[on_stop]
    fn stop(&mut self) -> Result<(), String> {
        if self.seen > u64::MAX / 2 {
            return Err(format!("{} events", self.seen));
        }
        Ok(())
    }

    #[on_post_stop]
    fn post_stop(&mut self) {
        log::info!("bye");
    }

    #[subscribe(datasource = "exec", priority = 10)]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        self.seen += 1;
        let comm = self.comm.get(data)?;
        self.buf.clear();
        self.buf.extend(comm.bytes().map(|b| b.to_ascii_uppercase()));
        self.upper.set_bytes(data, &self.buf)?;
        let _ = (self.process.get(data)?, self.namespace.name());
        Ok(())
    }

    #[subscribe(datasource = "totals", priority = -5)]
    fn on_totals(&mut self, array: DataArray<'_>) {
        for element in array {
            let _ = self.ratio.set(element, 0.5);
        }
    }

    #[subscribe(datasource = "open", kind = "packet", phase = "pre_start")]
    #[subscribe(datasource = "summary", kind = "packet")]
    fn on_packet(&mut self, packet: Packet<'_>) -> Result<()> {
        let _ = (self.file.name(), self.flags.name(), packet.as_raw());
        let _ = (&self.exec, &self.open, &self.summary, &self.batches, self.count.name());
        Ok(())
    }

    #[subscribe(datasource = "signal", kind = "data", phase = "start")]
    fn on_signal(&mut self, data: Data<'_>) -> Result<()> {
        let _ = (self.signal.get(data)?, self.container.name());
        Ok(())
    }
}
