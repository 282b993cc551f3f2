//! Runs ig's own Go gadgets (compiled to wasm, not part of this repo) in the
//! emulator, from `$IG_ORIGINALS` (default: `../shared/ig-originals` beside
//! the workspace). Without that folder each test prints why it skips.

mod originals;

use gadget_host::{DataSourceSpec, Event, FieldKind, Host, Value};

#[test]
fn trace_exec_original_runs() {
    let Some(wasm) = originals::original_or_skip("trace_exec_original_runs", "trace_exec.wasm")
    else {
        return;
    };
    // trace_exec needs the `exec` data source with `args` (bytes) and
    // `args_size` (uint32); it rewrites `args` in place, turning the NUL
    // separators into U+00A0 and dropping the trailing NUL.
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
    let mut g = host.load_file(wasm).unwrap();
    g.init().unwrap();
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
    eprintln!(
        "emitted: {:#?}\nlogs: {:#?}\ntraps: {:#?}",
        g.emitted_events("exec"),
        g.logs(),
        g.callback_traps()
    );
    let ds = g.datasource("exec").unwrap();
    eprintln!("fields: {:#?}", ds.fields);
    assert!(g.callback_traps().is_empty());
    let ev = g.emitted_events("exec")[0].clone();
    assert_eq!(ev.get("pid"), Some(&Value::U32(42)));
    g.stop().unwrap();
}

/// Every original imports only functions of the ABI table, with the table's
/// types, and exports `gadgetAPIVersion`.
#[test]
fn originals_import_only_table_functions() {
    let Some(dir) = originals::dir_or_skip("originals_import_only_table_functions") else {
        return;
    };
    let table = gadget_host::abi::AbiTable::embedded().unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        count += 1;
        let bytes = std::fs::read(&path).unwrap();
        let mut types = Vec::new();
        let mut exports = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            match payload.unwrap() {
                wasmparser::Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        types.push(ty.unwrap());
                    }
                }
                wasmparser::Payload::ImportSection(r) => {
                    for imp in r {
                        let imp = imp.unwrap();
                        if imp.module != "ig" {
                            assert_eq!(imp.module, "wasi_snapshot_preview1", "{}", path.display());
                            continue;
                        }
                        let wasmparser::TypeRef::Func(idx) = imp.ty else {
                            panic!("non-function ig import")
                        };
                        let f = table.import(imp.name).unwrap_or_else(|| {
                            panic!("{}: `{}` is not in the table", path.display(), imp.name)
                        });
                        let ty = &types[idx as usize];
                        let conv = |t: &[wasmparser::ValType]| -> Vec<String> {
                            t.iter().map(|v| v.to_string()).collect()
                        };
                        let want = |t: &[gadget_host::abi::WasmType]| -> Vec<String> {
                            t.iter().map(|v| format!("{v:?}").to_lowercase()).collect()
                        };
                        assert_eq!(
                            conv(ty.params()),
                            want(&f.params),
                            "{}: {}",
                            path.display(),
                            imp.name
                        );
                        assert_eq!(
                            conv(ty.results()),
                            want(&f.results),
                            "{}: {}",
                            path.display(),
                            imp.name
                        );
                    }
                }
                wasmparser::Payload::ExportSection(r) => {
                    exports.extend(r.into_iter().map(|e| e.unwrap().name.to_owned()));
                }
                _ => {}
            }
        }
        assert!(
            exports.iter().any(|e| e == "gadgetAPIVersion"),
            "{}",
            path.display()
        );
    }
    assert!(count >= 9, "expected ig's 9 originals, found {count}");
}

/// Every original loads (it compiles, instantiates, runs `_initialize` and
/// says API version 1) and runs `gadgetInit` with an empty world without
/// trapping; what each one logs (what it needs) is printed.
#[test]
fn originals_load_and_init() {
    let Some(dir) = originals::dir_or_skip("originals_load_and_init") else {
        return;
    };
    let host = Host::builder()
        .log_level(gadget_host::LogLevel::Debug)
        .build()
        .unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut g = host
            .load_file(&path)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let init = g.init();
        let logs: Vec<String> = g
            .logs()
            .iter()
            .map(|l| format!("{:?} {}", l.level, l.message))
            .collect();
        eprintln!(
            "== {name}: init {:?}\n   {}",
            init.as_ref().err().map(|e| e.to_string()),
            logs.join("\n   ")
        );
        // A missing data source makes gadgetInit fail; it must not trap.
        if let Err(e) = init {
            assert!(
                matches!(e, gadget_host::HostError::HookFailed { .. }),
                "{name}: {e}"
            );
        }
    }
}
