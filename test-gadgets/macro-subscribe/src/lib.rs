//! Test gadget for `#[subscribe]`: every option, run by
//! `gadget-host/tests/macro_e2e.rs`.
//!
//! Expects single data sources `exec` (`pid` uint32), `open` and `close`
//! (any fields) and an array data source `procs` (`pid` uint32). Each
//! callback on `exec` and `procs` appends its name to the added string field
//! `trail`, so an emitted event shows which callbacks ran and in which
//! order; `on_file` (subscribed to `open` in pre-start and to `close` in
//! start) logs `on_file: call <n>`.

use gadget_api::prelude::*;

/// Aliases hide the argument's kind from the macro: `kind` says it.
type Record<'a> = Data<'a>;
type Batch<'a> = DataArray<'a>;

#[gadget]
struct Subscriptions {
    #[field(datasource = "exec", name = "trail", add)]
    exec_trail: Field<String>,
    #[field(datasource = "procs", name = "trail", add)]
    procs_trail: Field<String>,
    file_calls: u32,
    /// The trail being extended (reused by every callback).
    trail: String,
}

/// Appends `what` to `field`'s trail; `trail` is a reused scratch buffer.
fn append(field: &mut Field<String>, trail: &mut String, data: Data<'_>, what: &str) -> Result<()> {
    trail.clear();
    trail.push_str(field.get(data).unwrap_or_default());
    if !trail.is_empty() {
        trail.push(',');
    }
    trail.push_str(what);
    field.set(data, trail)
}

/// [`append`] for `&self` callbacks: reads with `get_owned` (allocates).
fn append_shared(field: &Field<String>, data: Data<'_>, what: &str) -> Result<()> {
    let mut trail = field.get_owned(data).unwrap_or_default();
    if !trail.is_empty() {
        trail.push(',');
    }
    trail.push_str(what);
    field.set(data, &trail)
}

#[gadget]
impl Subscriptions {
    /// Declared third, runs last of the data subscriptions.
    #[subscribe(datasource = "exec", priority = 10, kind = "data")]
    fn late(&mut self, data: Record<'_>) -> Result<()> {
        append(&mut self.exec_trail, &mut self.trail, data, "late")
    }

    /// Negative priority, `phase = "init"` spelled out.
    #[subscribe(datasource = "exec", priority = -5, phase = "init")]
    fn early(&mut self, data: Data<'_>) -> Result<()> {
        append(&mut self.exec_trail, &mut self.trail, data, "early")
    }

    /// Default priority (0); a `&self` callback.
    #[subscribe(datasource = "exec")]
    fn middle(&self, data: Data<'_>) -> Result<()> {
        append_shared(&self.exec_trail, data, "middle")
    }

    /// A packet subscription on a single data source.
    #[subscribe(datasource = "exec", kind = "packet", priority = 20)]
    fn whole_exec(&mut self, packet: Packet<'_>) -> Result<()> {
        append(
            &mut self.exec_trail,
            &mut self.trail,
            packet.data(),
            "packet",
        )
    }

    /// A data subscription on an array data source: once per element.
    #[subscribe(datasource = "procs")]
    fn per_element(&mut self, data: Data<'_>) -> Result<()> {
        append(&mut self.procs_trail, &mut self.trail, data, "element")
    }

    /// An array subscription, through an alias: all elements at once.
    #[subscribe(datasource = "procs", priority = 1, kind = "array")]
    fn whole_array(&mut self, array: Batch<'_>) -> Result<()> {
        let len = array.len();
        for element in array {
            append(
                &mut self.procs_trail,
                &mut self.trail,
                element,
                &format!("array{len}"),
            )?;
        }
        Ok(())
    }

    /// A packet subscription on an array data source (kind from the type).
    #[subscribe(datasource = "procs", priority = 2)]
    fn procs_packet(&mut self, packet: Packet<'_>) -> Result<()> {
        for element in packet.array() {
            append(&mut self.procs_trail, &mut self.trail, element, "packet")?;
        }
        Ok(())
    }

    /// One method, two subscriptions, made in later phases.
    #[subscribe(datasource = "open", phase = "pre_start")]
    #[subscribe(datasource = "close", phase = "start", priority = -1)]
    fn on_file(&mut self, data: Data<'_>) -> Result<()> {
        let _ = data;
        self.file_calls += 1;
        log::info!("on_file: call {}", self.file_calls);
        Ok(())
    }
}
