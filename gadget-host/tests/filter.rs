//! The container filter as in ig: `mntns_filter` is the set of selected mount
//! namespaces. Checked from inside a gadget built in the repository
//! (`test-gadgets/filter-check`), through the test API and the runner.

use std::path::{Path, PathBuf};

use gadget_host::runner::{self, RunOptions};
use gadget_host::{DataSourceSpec, Event, FieldKind, Gadget, Host, HostBuilder, Value};

fn gadget_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-gadgets/filter-check")
}

fn load(builder: HostBuilder) -> Gadget {
    let wasm = gadget_build::build_wasm(&gadget_dir())
        .unwrap_or_else(|e| panic!("building test gadget `filter-check`: {e}"));
    builder
        .datasource(DataSourceSpec::single("events").field("mntns_id", FieldKind::Uint64))
        .build()
        .unwrap()
        .load_file(wasm)
        .unwrap()
}

/// Pushes 777 then 555; returns the mount namespaces forwarded on `kept`.
fn kept(g: &mut Gadget) -> Vec<u64> {
    g.run_to_started().unwrap();
    for id in [777u64, 555] {
        g.push("events", Event::new().set("mntns_id", id)).unwrap();
    }
    g.stop().unwrap();
    g.emitted_events("kept")
        .iter()
        .map(|e| match e.get("mntns_id") {
            Some(Value::U64(v)) => *v,
            other => panic!("kept event without a uint64 mntns_id: {other:?}"),
        })
        .collect()
}

fn messages(g: &Gadget) -> Vec<String> {
    g.gadget_logs().iter().map(|l| l.message.clone()).collect()
}

#[test]
fn a_filter_keeps_the_selected_mount_namespaces_only() {
    let mut g = load(Host::builder().mntns_filter([777]));
    assert_eq!(kept(&mut g), [777]);
    let logs = messages(&g);
    for want in [
        "init: discard 777=false 555=false",
        "start: discard 777=false 555=true",
        "dropped mntns 555",
        "stop: 1 dropped",
    ] {
        assert!(logs.iter().any(|m| m == want), "no `{want}` in {logs:?}");
    }
}

#[test]
fn no_filter_keeps_everything() {
    let mut g = load(Host::builder());
    assert_eq!(kept(&mut g), [777, 555]);
    let logs = messages(&g);
    assert!(
        logs.iter()
            .any(|m| m == "start: discard 777=false 555=false"),
        "{logs:?}"
    );
    assert!(logs.iter().any(|m| m == "stop: 0 dropped"), "{logs:?}");
}

#[test]
fn the_runner_schema_selects_mount_namespaces() {
    let dir = gadget_dir();
    let mut opts = RunOptions::new(&dir);
    opts.schema = Some(dir.join("demo/schema.json"));
    opts.events = Some(dir.join("demo/events.jsonl"));
    let (mut out, mut log) = (Vec::new(), Vec::new());
    runner::run(&opts, &mut out, &mut log).unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8(out).unwrap();
    let log = String::from_utf8(log).unwrap();
    let kept: Vec<&str> = out.lines().filter(|l| l.contains("\"kept\"")).collect();
    assert_eq!(
        kept,
        [r#"{"datasource":"kept","event":{"mntns_id":777}}"#],
        "{out}"
    );
    assert!(log.contains("dropped mntns 555"), "{log}");
}
