//! Loading the gadgets of one pair into the same world, and measuring them
//! on the same events.

use std::path::Path;
use std::time::{Duration, Instant};

use gadget_host::runner::Schema;
use gadget_host::{Event, Gadget, Host, HostCalls};

/// Events pushed before anything is measured, so that buffers have grown
/// to the values seen (the steady path).
const WARM_UP: usize = 1_000;

/// Events over which calls and allocations are counted.
const COUNTED: usize = 10_000;

/// The world and the events of a pair: a gadget's `demo/` folder.
pub struct Workload {
    schema: Schema,
    datasource: String,
    events: Vec<Event>,
}

impl Workload {
    /// `schema.json` (one data source) and `events.jsonl` (its events).
    pub fn from_demo(dir: &Path) -> Result<Workload, String> {
        let schema = Schema::load(&dir.join("schema.json")).map_err(|e| e.to_string())?;
        let [ds] = schema.datasources.as_slice() else {
            return Err(format!(
                "{}: the benchmark needs exactly one data source",
                dir.join("schema.json").display()
            ));
        };
        let file = dir.join("events.jsonl");
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let events = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str(line)
                    .map_err(|e| e.to_string())
                    .and_then(|json| Event::from_json(&json))
                    .map_err(|e| format!("{}:{}: {e}", file.display(), i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if events.is_empty() {
            return Err(format!("{}: no events", file.display()));
        }
        Ok(Workload {
            datasource: ds.name.clone(),
            schema,
            events,
        })
    }

    /// A module that subscribes to the data source and does nothing with
    /// its events: what the host alone costs per event, subtracted from the
    /// other subjects' times.
    pub fn null_gadget(&self) -> Result<Vec<u8>, String> {
        let name = &self.datasource;
        let pointer = ((name.len() as u64) << 32) | 16;
        let text = format!(
            r#"(module
              (import "ig" "getDataSource" (func $get (param i64) (result i32)))
              (import "ig" "dataSourceSubscribe" (func $sub (param i32 i32 i32 i64) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "{name}")
              (func (export "gadgetAPIVersion") (result i64) i64.const 1)
              (func (export "gadgetInit") (result i32)
                (call $sub (call $get (i64.const {pointer})) (i32.const 1) (i32.const 0) (i64.const 0)))
              (func (export "dataSourceCallback") (param i64 i32 i32)))"#
        );
        wat::parse_str(text).map_err(|e| format!("the null gadget: {e}"))
    }

    /// `n` events, cycling through the demo's.
    fn batch(&self, n: usize) -> Vec<Event> {
        self.events.iter().cycle().take(n).cloned().collect()
    }

    fn load(&self, label: &str, wasm: &[u8]) -> Result<Gadget, String> {
        let host = self
            .schema
            .apply(Host::builder())
            .build()
            .map_err(|e| e.to_string())?;
        let mut g = host.load(wasm).map_err(|e| format!("{label}: {e}"))?;
        g.run_to_started().map_err(|e| format!("{label}: {e}"))?;
        Ok(g)
    }

    fn push(&self, label: &str, g: &mut Gadget, events: Vec<Event>) -> Result<(), String> {
        for e in events {
            g.push(&self.datasource, e)
                .map_err(|e| format!("{label}: {e}"))?;
        }
        if let Some(trap) = g.callback_traps().first() {
            return Err(format!("{label}: the callback trapped: {}", trap.message));
        }
        g.take_emitted();
        Ok(())
    }
}

/// One gadget under test.
pub struct Subject {
    label: String,
    gadget: Gadget,
    wasm_bytes: usize,
    build: Option<Duration>,
    calls: HostCalls,
    fuel_per_event: f64,
    allocs_per_event: Option<f64>,
    best: Option<Duration>,
}

impl Subject {
    /// Loads `wasm`, warms it up and counts its host calls per event; with a
    /// `count-allocs` build, counts its allocations per event too.
    pub fn new(
        label: String,
        workload: &Workload,
        wasm: &[u8],
        counting: Option<&[u8]>,
        build: Option<Duration>,
    ) -> Result<Subject, String> {
        let mut gadget = workload.load(&label, wasm)?;
        workload.push(&label, &mut gadget, workload.batch(WARM_UP))?;
        gadget.reset_host_calls();
        let fuel_before = gadget.fuel_used();
        workload.push(&label, &mut gadget, workload.batch(COUNTED))?;
        let fuel_per_event = (gadget.fuel_used() - fuel_before) as f64 / COUNTED as f64;
        let calls = gadget.host_calls();
        let allocs_per_event = match counting {
            Some(counting) => Some(allocations_per_event(&label, workload, counting)?),
            None => None,
        };
        Ok(Subject {
            label,
            gadget,
            wasm_bytes: wasm.len(),
            build,
            calls,
            fuel_per_event,
            allocs_per_event,
            best: None,
        })
    }
}

/// Allocations of the `count-allocs` build over [`COUNTED`] events after
/// the warm-up, per event.
fn allocations_per_event(label: &str, workload: &Workload, wasm: &[u8]) -> Result<f64, String> {
    let mut g = workload.load(label, wasm)?;
    let count = |g: &mut Gadget| {
        g.call_export("benchAllocations", &[])
            .map_err(|e| format!("{label}: {e}"))
            .and_then(|r| {
                r.first()
                    .copied()
                    .ok_or_else(|| format!("{label}: benchAllocations returned nothing"))
            })
    };
    workload.push(label, &mut g, workload.batch(WARM_UP))?;
    let before = count(&mut g)?;
    workload.push(label, &mut g, workload.batch(COUNTED))?;
    let after = count(&mut g)?;
    Ok((after - before) as f64 / COUNTED as f64)
}

/// Times `events` events through every subject, `runs` times, interleaved
/// (subjects 1, 2, 3, then 3, 2, 1, and so on, so that no subject always
/// runs right after another), keeping each one's best run.
pub fn run(
    subjects: &mut [Subject],
    workload: &Workload,
    events: usize,
    runs: usize,
) -> Result<Vec<Row>, String> {
    for run in 0..runs {
        eprintln!("run {}/{runs}", run + 1);
        let order: Vec<usize> = if run % 2 == 0 {
            (0..subjects.len()).collect()
        } else {
            (0..subjects.len()).rev().collect()
        };
        for i in order {
            let s = &mut subjects[i];
            let batch = workload.batch(events);
            let start = Instant::now();
            for e in batch {
                s.gadget
                    .push(&workload.datasource, e)
                    .map_err(|e| format!("{}: {e}", s.label))?;
            }
            let elapsed = start.elapsed();
            s.gadget.take_emitted();
            s.best = Some(s.best.map_or(elapsed, |b| b.min(elapsed)));
        }
    }
    let per_event = |s: &Subject| s.best.unwrap_or_default().as_nanos() as f64 / events as f64;
    // Subject 0 is the null gadget, subject 2 the raw twin.
    let host = subjects.first().map_or(0.0, per_event);
    let raw = subjects.get(2).map(|s| per_event(s) - host);
    Ok(subjects
        .iter()
        .enumerate()
        .map(|(i, s)| Row {
            label: s.label.clone(),
            ns_per_event: per_event(s),
            guest_ns_per_event: per_event(s) - host,
            ratio: raw
                .filter(|_| i > 0)
                .map(|raw| (per_event(s) - host) / raw.max(f64::MIN_POSITIVE)),
            calls_per_event: s.calls.total() as f64 / COUNTED as f64,
            calls: s.calls.clone(),
            fuel_per_event: s.fuel_per_event,
            allocs_per_event: s.allocs_per_event,
            wasm_bytes: s.wasm_bytes,
            build: s.build,
        })
        .collect())
}

/// One line of the table.
pub struct Row {
    label: String,
    ns_per_event: f64,
    /// `ns_per_event` minus the null gadget's: the time spent in the gadget
    /// and in the host calls it makes.
    guest_ns_per_event: f64,
    /// `guest_ns_per_event` relative to the raw twin's.
    ratio: Option<f64>,
    calls_per_event: f64,
    calls: HostCalls,
    /// Wasm run per event, in wasmtime fuel (about one per instruction).
    fuel_per_event: f64,
    allocs_per_event: Option<f64>,
    wasm_bytes: usize,
    build: Option<Duration>,
}

/// The rows as a Markdown table, then each gadget's host calls by import.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| gadget | ns/event | gadget ns/event | vs raw | wasm instructions/event | host calls/event | allocations/event | .wasm bytes | clean build |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out += &format!(
            "| {} | {:.0} | {:.0} | {} | {:.0} | {:.2} | {} | {} | {} |\n",
            r.label,
            r.ns_per_event,
            r.guest_ns_per_event,
            r.ratio.map_or("-".into(), |x| format!("{x:.2}x")),
            r.fuel_per_event,
            r.calls_per_event,
            r.allocs_per_event
                .map_or("n/a".into(), |a| format!("{a:.2}")),
            r.wasm_bytes,
            r.build
                .map_or("-".into(), |d| format!("{:.1} s", d.as_secs_f64())),
        );
    }
    out += &format!("\nHost calls over {COUNTED} events after a warm-up of {WARM_UP}:\n\n");
    for r in rows {
        out += &format!("- {}: {}\n", r.label, r.calls);
    }
    out
}
