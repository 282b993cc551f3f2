//! How the runner shows a run: logs as they happen, events as JSON lines or,
//! on a terminal, as one table per data source at the end.

use std::collections::BTreeMap;
use std::io::Write;

use super::Schema;
use crate::{CallbackTrap, Emission, Emitted, Event, Gadget, LogSource, to_hex};

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
    show_consumed: bool,
    logs_printed: usize,
    config_printed: usize,
    traps_seen: usize,
    /// Bytes of the module's stdout and stderr printed so far.
    module_printed: [usize; 2],
    tables: BTreeMap<String, Vec<Event>>,
}

/// What one [`Printer::step`] saw.
#[derive(Debug, Default)]
pub(super) struct StepCounts {
    pub emitted: Counts,
    /// Callback traps new since the last step.
    pub traps: Vec<CallbackTrap>,
}

/// What [`Printer::emitted`] saw.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    /// Packets emitted.
    pub emitted: usize,
    /// Of which on consumed data sources.
    pub consumed: usize,
}

impl Printer {
    pub(super) fn new(format: Format, show_consumed: bool) -> Self {
        Self {
            format,
            show_consumed,
            logs_printed: 0,
            config_printed: 0,
            traps_seen: 0,
            module_printed: [0; 2],
            tables: BTreeMap::new(),
        }
    }

    /// Prints everything new since the last step, in the order a reader
    /// wants: what the module wrote (a panic message), the logs, the
    /// configuration set, the packets emitted. Returns the counts and the
    /// new callback traps.
    pub(super) fn step(
        &mut self,
        g: &mut Gadget,
        out: &mut dyn Write,
        log: &mut dyn Write,
    ) -> std::io::Result<StepCounts> {
        self.module_output(g, log, false)?;
        self.logs(g, log)?;
        self.config_calls(g, log)?;
        let emitted = self.emitted(g, out)?;
        let traps = g.callback_traps()[self.traps_seen.min(g.callback_traps().len())..].to_vec();
        self.traps_seen = g.callback_traps().len();
        Ok(StepCounts { emitted, traps })
    }

    /// The data sources as the gadget will run with them (after
    /// `gadgetPreStart`): fields, kinds and tags.
    pub(super) fn schema(&self, g: &Gadget, log: &mut dyn Write) -> std::io::Result<()> {
        for name in g.datasource_names() {
            let Some(ds) = g.datasource(&name) else {
                continue;
            };
            let fields: Vec<String> = ds
                .fields
                .iter()
                .map(|f| {
                    let mut text = format!("{} {}", f.name, f.kind.name());
                    if let Some(size) = f.size {
                        text += &format!("[{size}]");
                    }
                    if !f.tags.is_empty() {
                        text += &format!(" tags={}", f.tags.join(","));
                    }
                    text
                })
                .collect();
            let consumed = if ds.referenced { "" } else { ", consumed" };
            writeln!(
                log,
                "SCHEMA {name} ({}{consumed}): {}",
                ds.ds_type.name(),
                fields.join("; ")
            )?;
        }
        Ok(())
    }

    /// Prints the `setConfig` calls not printed yet, in call order.
    fn config_calls(&mut self, g: &Gadget, log: &mut dyn Write) -> std::io::Result<()> {
        let calls = g.config_calls();
        for (key, value) in &calls[self.config_printed.min(calls.len())..] {
            writeln!(log, "CONFIG {key} = {value}")?;
        }
        self.config_printed = calls.len();
        Ok(())
    }

    /// Prints the module's new complete lines of stdout and stderr (ig
    /// discards both); `all` also prints a last unterminated line.
    fn module_output(&mut self, g: &Gadget, log: &mut dyn Write, all: bool) -> std::io::Result<()> {
        for (i, (name, text)) in [("stdout", g.stdout()), ("stderr", g.stderr())]
            .into_iter()
            .enumerate()
        {
            let new = &text[self.module_printed[i].min(text.len())..];
            let upto = if all {
                new.len()
            } else {
                new.rfind('\n').map_or(0, |n| n + 1)
            };
            for line in new[..upto].lines() {
                writeln!(log, "[module {name}, discarded by ig] {line}")?;
            }
            self.module_printed[i] += upto;
        }
        Ok(())
    }

    /// Prints what the module wrote and was not printed yet.
    pub(super) fn rest_of_module_output(
        &mut self,
        g: &Gadget,
        log: &mut dyn Write,
    ) -> std::io::Result<()> {
        self.module_output(g, log, true)
    }

    /// Prints the log records not printed yet.
    fn logs(&mut self, g: &Gadget, log: &mut dyn Write) -> std::io::Result<()> {
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

    /// Prints (or collects) the packets emitted since the last call. As in
    /// ig, packets of data sources the gadget consumed
    /// (`dataSourceUnreference`) are not shown, unless `--show-consumed`
    /// asked for them: then they are marked `"consumed": true` (a table
    /// title says `consumed`).
    fn emitted(&mut self, g: &mut Gadget, out: &mut dyn Write) -> std::io::Result<Counts> {
        let packets = g.take_emitted();
        let mut counts = Counts {
            emitted: packets.len(),
            consumed: 0,
        };
        for Emitted {
            datasource,
            emission,
            consumed,
        } in packets
        {
            if consumed {
                counts.consumed += 1;
                if !self.show_consumed {
                    continue;
                }
            }
            match self.format {
                Format::Json => {
                    let mut line = serde_json::Map::new();
                    line.insert("datasource".into(), datasource.into());
                    let key = match emission {
                        Emission::Single(_) => "event",
                        Emission::Array(_) => "events",
                    };
                    line.insert(key.into(), emission.to_json());
                    if consumed {
                        line.insert("consumed".into(), true.into());
                    }
                    writeln!(out, "{}", serde_json::Value::Object(line))?;
                }
                Format::Table => {
                    let title = if consumed {
                        format!("{datasource} (consumed)")
                    } else {
                        datasource
                    };
                    self.tables
                        .entry(title)
                        .or_default()
                        .extend(emission.events().iter().cloned());
                }
            }
        }
        Ok(counts)
    }

    /// Prints the tables collected in table mode.
    pub(super) fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        for (datasource, events) in std::mem::take(&mut self.tables) {
            writeln!(out, "\n{datasource} ({} events)", events.len())?;
            write_table(&events, out)?;
        }
        Ok(())
    }
}

/// Prints every map's entries as JSON lines: declared maps in schema order,
/// then maps the gadget created with `newMap` that are still open. Keys and
/// values are hex; a map-of-maps shows its inner maps' entries.
pub(super) fn dump_maps(g: &Gadget, schema: &Schema, out: &mut dyn Write) -> std::io::Result<()> {
    let names = schema
        .maps
        .iter()
        .map(|m| m.name.clone())
        .chain(g.open_guest_maps());
    for name in names {
        let Some(map) = g.map(&name) else { continue };
        writeln!(out, "{}", map_json(&name, map))?;
    }
    Ok(())
}

fn map_json(name: &str, map: crate::MapView<'_>) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = map
        .keys()
        .into_iter()
        .map(|key| match map.inner(&key) {
            Some(inner) => serde_json::json!({
                "key": to_hex(&key),
                "inner": map_json(&inner.spec().name, inner)["entries"].clone(),
            }),
            None => serde_json::json!({
                "key": to_hex(&key),
                "value": map.get(&key).map(|v| to_hex(&v)),
            }),
        })
        .collect();
    let mut json = serde_json::json!({ "map": name, "entries": entries });
    if map.spec().map_type == crate::spec::map_type::PERF_EVENT_ARRAY {
        json["perf_unread"] = map.pending_perf_records().into();
        json["perf_lost"] = map.lost_perf_records().into();
    }
    json
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
