//! Runs ig's own Go gadgets (compiled to wasm, not part of this repo) in the
//! emulator. Ignored by default: run with
//! `cargo test -p gadget-host --test ig_originals -- --ignored`
//! with the binaries in `$IG_ORIGINALS` (default: `../shared/ig-originals`
//! relative to the workspace root).

use std::path::PathBuf;

use gadget_host::{DataSourceSpec, Event, FieldKind, Host, Value};

fn originals_dir() -> PathBuf {
    match std::env::var_os("IG_ORIGINALS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ig-originals"),
    }
}

fn original(name: &str) -> PathBuf {
    let path = originals_dir().join(name);
    assert!(
        path.is_file(),
        "{} not found: set IG_ORIGINALS to the folder holding ig's original gadgets",
        path.display()
    );
    path
}

#[test]
#[ignore = "needs /work/shared/ig-originals (set IG_ORIGINALS)"]
fn trace_exec_original_runs() {
    let host = Host::builder()
        .datasource(
            DataSourceSpec::single("exec")
                .field("pid", FieldKind::Uint32)
                .field_fixed("comm", FieldKind::String, 16)
                .field("args", FieldKind::Bytes)
                .field("args_size", FieldKind::Uint32)
                .field("args_count", FieldKind::Uint32),
        )
        .log_level(gadget_host::LogLevel::Trace)
        .build()
        .unwrap();
    let mut g = host.load_file(original("trace_exec.wasm")).unwrap();
    let r = g.init();
    eprintln!("init: {r:?}\nlogs: {:#?}\nstderr: {}", g.logs(), g.stderr());
    r.unwrap();
    g.pre_start().unwrap();
    g.start().unwrap();
    let args = b"/bin/ls\0-l\0/tmp\0".to_vec();
    g.push(
        "exec",
        Event::new()
            .set("pid", 42u32)
            .set("comm", "ls")
            .set("args_size", args.len() as u32)
            .set("args_count", 3u32)
            .set("args", args),
    )
    .unwrap();
    eprintln!("emitted: {:#?}\nlogs: {:#?}\ntraps: {:#?}", g.emitted_events("exec"), g.logs(), g.callback_traps());
    let ds = g.datasource("exec").unwrap();
    eprintln!("fields: {:#?}", ds.fields);
    assert!(g.callback_traps().is_empty());
    let ev = g.emitted_events("exec")[0].clone();
    assert_eq!(ev.get("pid"), Some(&Value::U32(42)));
    g.stop().unwrap();
}
