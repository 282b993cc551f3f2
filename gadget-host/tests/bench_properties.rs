//! What the benchmark (`bench/gadget-bench`) shows that does not depend on
//! the machine, pinned for both pairs: a macro gadget written the way the
//! README teaches makes exactly the host calls of its hand-written raw-ABI
//! twin, produces the same events, and allocates nothing per event once
//! warm. The gadgets are built with their `count-allocs` feature, which adds
//! a counting global allocator and a `benchAllocations` export.

use std::path::{Path, PathBuf};

use gadget_host::runner::Schema;
use gadget_host::{Event, Gadget, Host, HostCalls};

/// Events pushed before counting: enough for every buffer to have grown to
/// the demo's largest value.
const WARM_UP: usize = 20;
/// Events counted.
const COUNTED: usize = 200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A `count-allocs` build of a gadget crate of the workspace.
fn counting_build(dir: &str, feature: &str) -> Vec<u8> {
    let wasm = gadget_build::build_wasm_with_features(&root().join(dir), &[feature])
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::read(wasm).unwrap()
}

/// The world and events of a gadget's `demo/` folder.
fn demo(dir: &str) -> (Schema, String, Vec<Event>) {
    let demo = root().join(dir).join("demo");
    let schema = Schema::load(&demo.join("schema.json")).unwrap_or_else(|e| panic!("{e}"));
    let datasource = schema.datasources[0].name.clone();
    let events = std::fs::read_to_string(demo.join("events.jsonl"))
        .unwrap()
        .lines()
        .map(|l| Event::from_json(&serde_json::from_str(l).unwrap()).unwrap())
        .collect();
    (schema, datasource, events)
}

/// What one gadget did over the counted events.
#[derive(Debug)]
struct Measured {
    calls: HostCalls,
    allocations: i64,
    emitted: Vec<Event>,
}

fn measure(wasm: &[u8], dir: &str) -> Measured {
    let (schema, datasource, events) = demo(dir);
    let host = schema.apply(Host::builder()).build().unwrap();
    let mut g = host.load(wasm).unwrap();
    g.run_to_started().unwrap();
    let push = |g: &mut Gadget, n: usize| {
        for e in events.iter().cycle().take(n) {
            g.push(&datasource, e.clone()).unwrap();
        }
        assert_eq!(g.callback_traps(), &[]);
    };
    push(&mut g, WARM_UP);
    g.take_emitted();
    g.reset_host_calls();
    let before = g.call_export("benchAllocations", &[]).unwrap()[0];
    push(&mut g, COUNTED);
    let after = g.call_export("benchAllocations", &[]).unwrap()[0];
    Measured {
        calls: g.host_calls(),
        allocations: after - before,
        emitted: g
            .take_emitted()
            .iter()
            .flat_map(|e| e.emission.events().to_vec())
            .collect(),
    }
}

/// Runs the pair and checks the properties; `calls_per_event` is the raw
/// twin's count, by construction of its code.
fn check_pair(gadget: &str, raw: &str, calls_per_event: u64) {
    let macro_built = measure(&counting_build(gadget, "gadget-api/count-allocs"), gadget);
    let raw_built = measure(&counting_build(raw, "count-allocs"), gadget);
    assert_eq!(
        raw_built.calls.total(),
        calls_per_event * COUNTED as u64,
        "{raw}: {}",
        raw_built.calls
    );
    assert_eq!(
        macro_built.calls, raw_built.calls,
        "{gadget} makes other host calls than {raw}"
    );
    assert_eq!(macro_built.emitted.len(), COUNTED);
    assert_eq!(
        macro_built.emitted, raw_built.emitted,
        "{gadget} and {raw} do not produce the same events"
    );
    assert_eq!(raw_built.allocations, 0, "{raw} allocates per event");
    assert_eq!(
        macro_built.allocations, 0,
        "{gadget} allocates on the steady path ({} allocations over {COUNTED} events)",
        macro_built.allocations
    );
}

#[test]
fn trace_exec_costs_what_its_raw_twin_costs() {
    // Per event: args_size, args_count, args read; args written.
    check_pair("examples/trace-exec", "bench/raw-trace-exec", 4);
}

#[test]
fn trace_open_costs_what_its_raw_twin_costs() {
    // Per event: five scalars and two strings read; summary written.
    check_pair("examples/trace-open", "bench/raw-trace-open", 8);
}

/// The counters see what a gadget does: a gadget that allocates per event
/// reports it (so the zeros above are not a counter that never moves).
#[test]
fn the_allocation_counter_counts() {
    let wasm = counting_build("bench/raw-trace-open", "count-allocs");
    let (schema, datasource, events) = demo("examples/trace-open");
    let host = schema.apply(Host::builder()).build().unwrap();
    let mut g = host.load(&wasm).unwrap();
    // Loading and the first event grow the gadget's buffers: allocations.
    let start = g.call_export("benchAllocations", &[]).unwrap()[0];
    g.run_to_started().unwrap();
    let fuel = g.fuel_used();
    g.push(&datasource, events[0].clone()).unwrap();
    let after = g.call_export("benchAllocations", &[]).unwrap()[0];
    assert!(after > start, "{start} -> {after}");
    // And the event ran wasm, which the host's fuel count sees.
    assert!(g.fuel_used() > fuel, "{fuel} -> {}", g.fuel_used());
}

/// The twins are gadgets ig would load: their plain builds import only
/// functions of the ABI table, with its types, and export what ig expects
/// (the counting builds add `benchAllocations`, which ig ignores).
#[test]
fn the_raw_twins_conform_to_the_abi() {
    let table = gadget_build::AbiTable::load();
    for dir in ["bench/raw-trace-exec", "bench/raw-trace-open"] {
        let wasm = gadget_build::build_wasm(&root().join(dir)).unwrap_or_else(|e| panic!("{e}"));
        let module = gadget_build::Interface::read(&std::fs::read(&wasm).unwrap()).unwrap();
        assert_eq!(
            module.conformance_problems(&table),
            Vec::<String>::new(),
            "{dir}"
        );
    }
}
