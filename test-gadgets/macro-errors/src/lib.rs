//! Test gadget for the runtime's error paths, built by an `#[on_init]`
//! constructor; run by `gadget-host/tests/macro_e2e.rs`.
//!
//! Expects a single data source `exec` (`pid` uint32). The param `mode`
//! switches behaviours:
//!
//! - `refuse`: the constructor fails.
//! - `reentrant`: `gadgetStart` emits a packet onto `feedback`, a data source
//!   the gadget creates and subscribes to: the nested callback is refused.
//!
//! The param `lookup` names an extra `exec` field the constructor looks up.
//! On `exec`, pid 0 makes the callback return `Err` and pid 13 makes it
//! panic; every other event sets the added field `seen` to the number of
//! events the callback has counted.

use gadget_api::params;
use gadget_api::prelude::*;

/// Built by the constructor: no member needs `Default`.
#[gadget]
struct Errors {
    mode: String,
    exec: DataSource,
    pid: Field<u32>,
    seen: Field<u32>,
    feedback: DataSource,
    n: Field<u32>,
    events: u32,
    feedback_events: u32,
}

#[gadget]
impl Errors {
    #[on_init]
    fn new() -> Result<Self> {
        let mode = match params::get("mode") {
            Ok(mode) => mode,
            Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        if mode == "refuse" {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "new",
                "mode `refuse`: the constructor refuses to build the gadget",
            ));
        }
        let exec = DataSource::get("exec")?;
        let pid = exec.field("pid")?;
        if let Ok(name) = params::get("lookup") {
            let extra: Field<u32> = exec.field(&name)?;
            log::info!("new: found {}", extra.name());
        }
        let seen = exec.add_field("seen")?;
        let feedback = DataSource::new("feedback", DataSourceType::Single)?;
        let n = feedback.add_field("n")?;
        log::info!("new: built in mode `{mode}`");
        Ok(Self {
            mode,
            exec,
            pid,
            seen,
            feedback,
            n,
            events: 0,
            feedback_events: 0,
        })
    }

    #[on_start]
    fn start(&mut self) -> Result<()> {
        if self.mode == "reentrant" {
            let packet = self.feedback.new_packet_single()?;
            self.n.set(packet.data(), 1)?;
            // The host runs `on_feedback` inside this call: the runtime
            // refuses it, because this hook holds the gadget.
            packet.emit()?;
            log::info!(
                "start: emitted onto feedback, feedback events seen: {}",
                self.feedback_events
            );
        }
        Ok(())
    }

    #[subscribe(datasource = "feedback")]
    fn on_feedback(&mut self, data: Data<'_>) -> Result<()> {
        self.feedback_events += 1;
        log::info!(
            "feedback: n={} total={}",
            self.n.get(data)?,
            self.feedback_events
        );
        Ok(())
    }

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        let pid = self.pid.get(data)?;
        self.events += 1;
        if pid == 0 {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "on_exec",
                "pid 0 is not a process",
            ));
        }
        if pid == 13 {
            panic!("unlucky pid {pid} after {} events", self.events);
        }
        self.seen.set(data, self.events)
    }

    #[on_stop]
    fn stop(&mut self) {
        log::info!(
            "stop: events={} feedback={} exec={}",
            self.events,
            self.feedback_events,
            self.exec.name()
        );
    }
}
