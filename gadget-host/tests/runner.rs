//! The command-line runner expresses every set-up the test API can: phases,
//! perf records, host-side subscribers, map entries and dumps, CPUs, fuel,
//! traps, consumed data sources, hex bytes, floats, config call order, tags.
//! Driven through its library entry point ([`runner::run`]) and, for exit
//! codes, the binary.

mod common;
mod originals;

use std::path::{Path, PathBuf};
use std::process::Command;

use gadget_host::runner::{self, RunError, RunOptions, Summary};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gadget-host-runner-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A WAT test gadget (every `ig` import declared) written as a `.wasm`.
fn wat_gadget(dir: &Path, extra: &str) -> PathBuf {
    let wasm = wat::parse_str(common::gadget_wat(extra, "")).unwrap();
    let path = dir.join("gadget.wasm");
    std::fs::write(&path, wasm).unwrap();
    path
}

struct Outcome {
    result: Result<Summary, RunError>,
    out: String,
    log: String,
}

impl Outcome {
    fn ok(&self) -> &Summary {
        match &self.result {
            Ok(s) => s,
            Err(e) => panic!("{e}\n--- log:\n{}", self.log),
        }
    }

    fn out_lines(&self) -> Vec<&str> {
        self.out.lines().collect()
    }
}

fn run(opts: &RunOptions) -> Outcome {
    let (mut out, mut log) = (Vec::new(), Vec::new());
    let result = runner::run(opts, &mut out, &mut log);
    Outcome {
        result,
        out: String::from_utf8(out).unwrap(),
        log: String::from_utf8(log).unwrap(),
    }
}

fn opts(gadget: PathBuf, schema: PathBuf, events: Option<PathBuf>) -> RunOptions {
    RunOptions {
        schema: Some(schema),
        events,
        ..RunOptions::new(gadget)
    }
}

const SOURCES_SCHEMA: &str = r#"{"datasources": [
  {"name": "exec", "fields": [{"name": "pid", "kind": "uint32"}, {"name": "comm", "kind": "string"}]},
  {"name": "open", "fields": [{"name": "fname", "kind": "string"}]}
]}"#;

#[test]
fn consumed_data_sources_are_shown_only_when_asked_and_marked() {
    let dir = scratch("consumed");
    let schema = write(&dir, "schema.json", SOURCES_SCHEMA);
    let events = write(
        &dir,
        "events.jsonl",
        "{\"datasource\": \"exec\", \"event\": {\"pid\": 7, \"comm\": \"sh\"}}\n{\"datasource\": \"open\", \"event\": {\"fname\": \"/etc/hosts\"}}\n",
    );
    let gadget = root().join("test-gadgets/macro-datasources");
    let plain = run(&opts(gadget.clone(), schema.clone(), Some(events.clone())));
    let summary = plain.ok();
    assert_eq!(summary.consumed, 1, "the exec packet");
    assert!(
        !plain.out.contains("\"datasource\":\"exec\""),
        "{}",
        plain.out
    );
    assert!(
        plain.out.contains("\"datasource\":\"open\""),
        "{}",
        plain.out
    );
    assert!(
        plain.out.contains("\"datasource\":\"summary\""),
        "{}",
        plain.out
    );
    assert!(
        summary
            .line(false)
            .contains("1 on consumed data sources, not shown"),
        "{}",
        summary.line(false)
    );
    // Tags and the consumed mark in the schema print (after gadgetPreStart).
    assert!(
        plain
            .log
            .contains("SCHEMA exec (single, consumed): pid uint32; comm string\n"),
        "{}",
        plain.log
    );
    assert!(
        plain.log.contains("last_comm string tags=columns.width:16"),
        "{}",
        plain.log
    );

    let shown = run(&RunOptions {
        show_consumed: true,
        ..opts(gadget, schema, Some(events))
    });
    shown.ok();
    let exec: Vec<&str> = shown
        .out_lines()
        .into_iter()
        .filter(|l| l.contains("\"datasource\":\"exec\""))
        .collect();
    assert_eq!(exec.len(), 1, "{}", shown.out);
    assert!(exec[0].ends_with(",\"consumed\":true}"), "{}", exec[0]);
}

#[test]
fn ig_deadlock_original_prints_only_what_it_emits() {
    let Some(wasm) = originals::original_or_skip(
        "ig_deadlock_original_prints_only_what_it_emits",
        "deadlock.wasm",
    ) else {
        return;
    };
    let dir = scratch("deadlock");
    let schema = write(
        &dir,
        "schema.json",
        r#"{"datasources": [
  {"name": "mutex", "type": "array", "fields": [
    {"name": "mutex1", "kind": "uint64"}, {"name": "mutex2", "kind": "uint64"},
    {"name": "tid", "kind": "uint32"}, {"name": "pid", "kind": "uint32"},
    {"name": "mutex1_stack_id", "kind": "uint64"}, {"name": "mutex2_stack_id", "kind": "uint64"},
    {"name": "comm", "kind": "string"}, {"name": "mntns_id", "kind": "uint64"}]},
  {"name": "process_exit", "fields": [{"name": "pid", "kind": "uint32"}]}
]}"#,
    );
    // Thread 1 takes A then B, thread 2 B then A: a cycle A -> B -> A.
    let events = write(
        &dir,
        "events.jsonl",
        concat!(
            r#"{"datasource": "mutex", "events": [{"mutex1": 10, "mutex2": 20, "tid": 1, "pid": 100, "comm": "app", "mntns_id": 5}]}"#,
            "\n",
            r#"{"datasource": "mutex", "events": [{"mutex1": 20, "mutex2": 10, "tid": 2, "pid": 100, "comm": "app", "mntns_id": 5}]}"#,
            "\n",
        ),
    );
    let o = run(&opts(wasm.clone(), schema.clone(), Some(events.clone())));
    let summary = o.ok();
    let lines = o.out_lines();
    assert!(!lines.is_empty(), "no deadlock reported\n{}", o.log);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("{\"datasource\":\"deadlock\"")),
        "{}",
        o.out
    );
    assert!(lines[0].contains("\"pid\":100"), "{}", lines[0]);
    assert_eq!(summary.consumed, 2, "both mutex packets");

    let shown = run(&RunOptions {
        show_consumed: true,
        ..opts(wasm, schema, Some(events))
    });
    shown.ok();
    let mutex: Vec<&str> = shown
        .out_lines()
        .into_iter()
        .filter(|l| l.contains("\"datasource\":\"mutex\""))
        .collect();
    assert_eq!(mutex.len(), 2, "{}", shown.out);
    assert!(mutex.iter().all(|l| l.contains("\"consumed\":true")));
}

#[test]
fn a_perf_gadget_runs_from_the_events_file_alone() {
    let dir = scratch("perf");
    // A perf event array needs no max_entries.
    let schema = write(
        &dir,
        "schema.json",
        r#"{"maps": [{"name": "events", "type": 4, "key_size": 4, "value_size": 4}]}"#,
    );
    let events = write(
        &dir,
        "events.jsonl",
        concat!(
            "{\"after\": \"init\"}\n",
            "# no reader yet: lost, as in ig\n",
            "{\"perf\": \"events\", \"data\": \"dead\"}\n",
            "# written by the write() of the gadget's next log call\n",
            "{\"perf\": \"events\", \"data\": \"0a0b0c\", \"when\": \"next_log\"}\n",
            "# a map the gadget creates with newMap, by its name\n",
            "{\"perf\": \"per_container\", \"cpu\": 1, \"data\": [255, 1], \"when\": \"reader_created\"}\n",
        ),
    );
    let o = run(&RunOptions {
        dump_maps: true,
        ..opts(
            root().join("test-gadgets/perf-reader"),
            schema,
            Some(events),
        )
    });
    let summary = o.ok();
    assert!(o.log.contains("INFO  events: 0a0b0c\n"), "{}", o.log);
    assert!(o.log.contains("INFO  per_container: ff01\n"), "{}", o.log);
    assert_eq!(summary.perf_records, 3);
    assert_eq!(summary.perf_lost, 1);
    assert_eq!(summary.perf_never_written, 0);
    assert!(
        o.out
            .contains(r#"{"map":"events","entries":[],"perf_unread":0,"perf_lost":1}"#),
        "{}",
        o.out
    );
    assert!(
        o.out
            .contains(r#"{"map":"per_container","entries":[],"perf_unread":0,"perf_lost":0}"#),
        "{}",
        o.out
    );
}

#[test]
fn a_record_whose_point_never_comes_is_reported() {
    let dir = scratch("perf-never");
    let schema = write(
        &dir,
        "schema.json",
        r#"{"maps": [{"name": "events", "type": 4, "key_size": 4, "value_size": 4}]}"#,
    );
    let events = write(
        &dir,
        "events.jsonl",
        "{\"perf\": \"events\", \"lost\": 2, \"when\": \"reader_created\"}\n",
    );
    let gadget = wat_gadget(&dir, "");
    let o = run(&opts(gadget, schema, Some(events)));
    let summary = o.ok();
    assert_eq!(summary.perf_never_written, 1);
    assert!(
        summary.line(false).contains("1 perf records never written"),
        "{}",
        summary.line(false)
    );
}

const FILTER_SCHEMA: &str = r#"{
  "datasources": [{"name": "events", "fields": [
    {"name": "mntns_id", "kind": "uint64"},
    {"name": "ratio", "kind": "float32"},
    {"name": "wide", "kind": "float64"},
    {"name": "raw", "kind": "bytes"}]}],
  "mntns_filter": [777],
  "subscribers": [
    {"datasource": "events", "priority": 10},
    {"datasource": "kept"}
  ]
}"#;

#[test]
fn phases_subscribers_hex_bytes_and_floats() {
    let dir = scratch("phases");
    let schema = write(&dir, "schema.json", FILTER_SCHEMA);
    let events = write(
        &dir,
        "events.jsonl",
        concat!(
            "{\"after\": \"pre_start\"}\n",
            "# before gadgetStart no filter is active: 555 is kept\n",
            "{\"mntns_id\": 555, \"ratio\": 3.14159, \"wide\": 0.1, \"raw\": \"00ff10\"}\n",
            "{\"after\": \"start\"}\n",
            "{\"mntns_id\": 555, \"raw\": [1, 2]}\n",
            "{\"mntns_id\": 777}\n",
        ),
    );
    let o = run(&opts(
        root().join("test-gadgets/filter-check"),
        schema,
        Some(events),
    ));
    let summary = o.ok();
    assert_eq!(summary.pushed, 3);
    let lines = o.out_lines();
    assert_eq!(
        lines[0], r#"{"datasource":"kept","event":{"mntns_id":555}}"#,
        "{}",
        o.out
    );
    assert_eq!(
        lines[1],
        r#"{"datasource":"events","event":{"mntns_id":555,"ratio":3.14159,"wide":0.1,"raw":"00ff10"}}"#
    );
    assert!(lines[2].contains(r#""raw":"0102""#), "{}", lines[2]);
    assert_eq!(
        lines[3..],
        [
            r#"{"datasource":"kept","event":{"mntns_id":777}}"#,
            r#"{"datasource":"events","event":{"mntns_id":777,"ratio":0.0,"wide":0.0,"raw":""}}"#
        ]
    );
    assert!(o.log.contains("dropped mntns 555"), "{}", o.log);
    assert!(
        o.log.contains("SUBSCRIBER events priority 10: 3 packets"),
        "{}",
        o.log
    );
    assert!(
        o.log.contains("SUBSCRIBER kept priority 0: 2 packets"),
        "{}",
        o.log
    );
    assert_eq!(
        summary.subscribers,
        [("events".into(), 10, 3), ("kept".into(), 0, 2)]
    );
}

#[test]
fn maps_get_initial_entries_and_are_dumped() {
    let dir = scratch("maps");
    let schema = write(
        &dir,
        "schema.json",
        r#"{
  "possible_cpus": 2,
  "maps": [
    {"name": "counts", "type": 1, "key_size": 4, "value_size": 8, "max_entries": 16,
     "entries": [{"key": "01000000", "value": "0500000000000000"},
                 {"key": [2, 0, 0, 0], "value": [6, 0, 0, 0, 0, 0, 0, 0]}]},
    {"name": "per_cpu", "type": 6, "key_size": 4, "value_size": 4, "max_entries": 1,
     "entries": [{"key": "00000000", "value": "01000000000000000200000000000000"}]},
    {"name": "outer", "type": 13, "key_size": 4, "value_size": 4, "max_entries": 4,
     "inner": {"type": 1, "key_size": 4, "value_size": 4, "max_entries": 8},
     "entries": [{"key": "07000000", "inner": [{"key": "01000000", "value": "02000000"}]}]}
  ]
}"#,
    );
    // The gadget doubles counts[1] in gadgetStart: a map write shows.
    let gadget = wat_gadget(
        &dir,
        r#"(data (i32.const 0x5000) "counts")
(data (i32.const 0x5010) "\01\00\00\00")
(func (export "gadgetStart") (result i32) (local $m i32)
  (local.set $m (call $getMap (i64.const 0x0000000600005000)))
  (drop (call $mapLookup (local.get $m) (i64.const 0x0000000400005010) (i64.const 0x0000000800005020)))
  (i64.store (i32.const 0x5020) (i64.mul (i64.load (i32.const 0x5020)) (i64.const 2)))
  (drop (call $mapUpdate (local.get $m) (i64.const 0x0000000400005010) (i64.const 0x0000000800005020) (i64.const 0)))
  i32.const 0)"#,
    );
    let o = run(&RunOptions {
        dump_maps: true,
        ..opts(gadget, schema.clone(), None)
    });
    o.ok();
    let lines = o.out_lines();
    assert_eq!(
        lines,
        [
            r#"{"map":"counts","entries":[{"key":"01000000","value":"0a00000000000000"},{"key":"02000000","value":"0600000000000000"}]}"#,
            r#"{"map":"per_cpu","entries":[{"key":"00000000","value":"01000000000000000200000000000000"}]}"#,
            r#"{"map":"outer","entries":[{"key":"07000000","inner":[{"key":"01000000","value":"02000000"}]}]}"#,
        ],
        "{}",
        o.log
    );

    // With one CPU the per-CPU value is too long: the schema is refused.
    let one_cpu = write(
        &dir,
        "one.json",
        &std::fs::read_to_string(&schema)
            .unwrap()
            .replace("\"possible_cpus\": 2,", ""),
    );
    let e = run(&opts(dir.join("gadget.wasm"), one_cpu, None))
        .result
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "map `per_cpu`: entry 00000000: the value has 16 bytes, the map's values have 8"
        ),
        "{e}"
    );
}

#[test]
fn config_keys_print_in_call_order() {
    let dir = scratch("config");
    let schema = write(&dir, "schema.json", "{}");
    let gadget = wat_gadget(
        &dir,
        r#"(data (i32.const 0x5000) "z.lastA")
(data (i32.const 0x5010) "a.firstB")
(func (export "gadgetPreStart") (result i32)
  (drop (call $setConfig (i64.const 0x0000000600005000) (i64.const 0x0000000100005006) (i32.const 12)))
  (drop (call $setConfig (i64.const 0x0000000700005010) (i64.const 0x0000000100005017) (i32.const 12)))
  i32.const 0)"#,
    );
    let o = run(&opts(gadget, schema, None));
    o.ok();
    let z = o.log.find("CONFIG z.last = A\n").expect(&o.log);
    let a = o.log.find("CONFIG a.first = B\n").expect(&o.log);
    assert!(z < a, "{}", o.log);
}

#[test]
fn fuel_per_call_bounds_a_runaway_hook() {
    let dir = scratch("fuel");
    let schema = write(&dir, "schema.json", r#"{"fuel_per_call": 100000}"#);
    let gadget = wat_gadget(
        &dir,
        r#"(func (export "gadgetStart") (result i32) (loop $l (br $l)) i32.const 0)"#,
    );
    let e = run(&opts(gadget, schema, None))
        .result
        .unwrap_err()
        .to_string();
    assert!(e.contains("gadgetStart") && e.contains("100000"), "{e}");
}

#[test]
fn a_trapping_callback_fails_the_run_unless_keep_going() {
    let dir = scratch("trap");
    let schema = write(
        &dir,
        "schema.json",
        r#"{"datasources": [{"name": "exec", "fields": [{"name": "pid", "kind": "uint32"}]}]}"#,
    );
    let events = write(&dir, "events.jsonl", "{\"pid\": 13}\n{\"pid\": 14}\n");
    let gadget = root().join("test-gadgets/macro-errors");
    let o = run(&opts(gadget.clone(), schema.clone(), Some(events.clone())));
    let e = o.result.as_ref().unwrap_err().to_string();
    assert!(e.contains("trapped on an event of `exec` at "), "{e}");
    assert!(e.contains("events.jsonl:1"), "{e}");
    // The panic message is printed where the trap happened, before the
    // trap line, and the second event is never pushed.
    let panic_at = o.log.find("unlucky pid 13").expect(&o.log);
    let trap_at = o.log.find("TRAP  callback").expect(&o.log);
    assert!(panic_at < trap_at, "{}", o.log);
    assert!(!o.out.contains("\"pid\":14"), "{}", o.out);

    let o = run(&RunOptions {
        keep_going: true,
        ..opts(gadget.clone(), schema.clone(), Some(events.clone()))
    });
    let summary = o.ok();
    assert_eq!(summary.traps, 1);
    assert!(o.out.contains("\"pid\":14"), "{}", o.out);
    assert!(summary.line(false).ends_with(", 1 callback traps"));

    // The command exits non-zero.
    let status = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
        .arg("run")
        .arg(&gadget)
        .arg("--schema")
        .arg(&schema)
        .arg("--events")
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(1));
    let status = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
        .arg("run")
        .arg(&gadget)
        .arg("--schema")
        .arg(&schema)
        .arg("--events")
        .arg(&events)
        .arg("--keep-going")
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}
