//! How the runner shows a run: logs as they happen, events as JSON lines or,
//! on a terminal, as one table per data source at the end.

use std::collections::BTreeMap;
use std::io::Write;

use crate::{Emission, Event, Gadget, LogSource};

/// How events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: `{"datasource": ..., "event": {...}}`, or
    /// `"events": [...]` for an array packet.
    Json,
    /// A table per data source, printed at the end.
    Table,
}

/// Remembers what has been printed so far.
pub(super) struct Printer {
    format: Format,
    logs_printed: usize,
    tables: BTreeMap<String, Vec<Event>>,
}

impl Printer {
    pub(super) fn new(format: Format) -> Self {
        Self {
            format,
            logs_printed: 0,
            tables: BTreeMap::new(),
        }
    }

    /// Prints the log records not printed yet.
    pub(super) fn logs(&mut self, g: &Gadget, log: &mut dyn Write) -> std::io::Result<()> {
        for record in &g.logs()[self.logs_printed.min(g.logs().len())..] {
            let who = match record.source {
                LogSource::Gadget => "",
                LogSource::Host => "[host] ",
            };
            writeln!(
                log,
                "{:<5} {who}{}",
                record.level.name().to_uppercase(),
                record.message
            )?;
        }
        self.logs_printed = g.logs().len();
        Ok(())
    }

    /// Prints (or collects) the packets emitted since the last call.
    pub(super) fn emitted(
        &mut self,
        g: &mut Gadget,
        out: &mut dyn Write,
    ) -> std::io::Result<usize> {
        let packets = g.take_emitted();
        let count = packets.len();
        for (datasource, emission) in packets {
            match self.format {
                Format::Json => {
                    let line = match &emission {
                        Emission::Single(e) => {
                            serde_json::json!({ "datasource": datasource, "event": e.to_json() })
                        }
                        Emission::Array(_) => {
                            serde_json::json!({ "datasource": datasource, "events": emission.to_json() })
                        }
                    };
                    writeln!(out, "{line}")?;
                }
                Format::Table => self
                    .tables
                    .entry(datasource)
                    .or_default()
                    .extend(emission.events().iter().cloned()),
            }
        }
        Ok(count)
    }

    /// Prints the tables collected in table mode.
    pub(super) fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        for (datasource, events) in std::mem::take(&mut self.tables) {
            writeln!(out, "\n{datasource} ({} events)", events.len())?;
            write_table(&events, out)?;
        }
        Ok(())
    }

    /// Shows the configuration keys the gadget set or changed (`setConfig`),
    /// e.g. what an eBPF program attaches to.
    pub(super) fn config_changes(
        &self,
        g: &Gadget,
        before: Option<&BTreeMap<String, String>>,
        log: &mut dyn Write,
    ) -> std::io::Result<()> {
        for (key, value) in g.config_entries().into_iter().flatten() {
            if before.and_then(|b| b.get(key)) != Some(value) {
                writeln!(log, "CONFIG {key} = {value}")?;
            }
        }
        Ok(())
    }

    /// Shows what the module wrote to stdout and stderr (ig discards both).
    pub(super) fn module_output(&self, g: &Gadget, log: &mut dyn Write) -> std::io::Result<()> {
        for (name, text) in [("stdout", g.stdout()), ("stderr", g.stderr())] {
            for line in text.lines() {
                writeln!(log, "[module {name}, discarded by ig] {line}")?;
            }
        }
        Ok(())
    }
}

/// Columns in first-seen order, values as compact JSON (strings unquoted).
fn write_table(events: &[Event], out: &mut dyn Write) -> std::io::Result<()> {
    let mut columns: Vec<&str> = Vec::new();
    for e in events {
        for (name, _) in e.iter() {
            if !columns.contains(&name) {
                columns.push(name);
            }
        }
    }
    let cell = |e: &Event, c: &str| -> String {
        match e.get(c).map(|v| v.to_json()) {
            Some(serde_json::Value::String(s)) => s.escape_debug().to_string(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    };
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            events
                .iter()
                .map(|e| cell(e, c).chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let row = |cells: Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())
    };
    row(columns.iter().map(|c| c.to_uppercase()).collect(), out)?;
    for e in events {
        row(columns.iter().map(|c| cell(e, c)).collect(), out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_in_first_seen_order() {
        let events = [
            Event::new().set("pid", 1u32).set("comm", "bash"),
            Event::new().set("pid", 12345u32).set("extra", true),
        ];
        let mut out = Vec::new();
        write_table(&events, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "PID    COMM  EXTRA\n1      bash\n12345        true\n"
        );
    }
}
