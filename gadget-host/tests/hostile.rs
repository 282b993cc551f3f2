//! Hostile guests: bad pointers and lengths, unknown and wrong-type
//! handles, a bad error pointer, the memory cap, broken exports, the handle
//! limit. The host never panics and answers as ig does.

mod common;

use common::*;
use gadget_host::abi::{AbiTable, WasmType};
use gadget_host::{
    DataSourceSpec, Event, FieldKind, Hazard, Host, HostError, MAX_HANDLES, MapSpec,
};

fn host() -> Host {
    Host::builder()
        .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32))
        .map(MapSpec::hash("counts", 4, 4, 4))
        .map(MapSpec::perf_event_array("events"))
        .param("p", "v")
        .build()
        .unwrap()
}

#[test]
fn every_import_survives_garbage_arguments() {
    let table = AbiTable::embedded().unwrap();
    let i32s = [0i64, 1, 2, 3, 0x7fff_ffff, -1, 0x8000_0001, 0xFFFF];
    let i64s = [
        0i64,
        -1,
        bp(0xFFFF_FFFF, 0xFFFF_FFFF),
        bp(0x1_FFF0, 0x100),
        bp(0, 0x7fff_ffff),
        bp(0x3000, 0),
        0x1_0000_0000,
    ];
    let host = host();
    let module = host
        .compile(&wat::parse_str(gadget_wat("", "")).unwrap())
        .unwrap();
    for f in &table.imports {
        // Traps, hazards (a blocking perf read) and a closed module (a bad
        // error pointer) are answers too; a panic is not.
        for round in 0..8 {
            let mut g = host.instantiate(&module).unwrap();
            g.run_to_started().unwrap();
            // some real objects to hit
            let n = g.put(SCRATCH, b"exec");
            g.ig("getDataSource", &[n]);
            let args: Vec<i64> = f
                .params
                .iter()
                .enumerate()
                .map(|(i, t)| match t {
                    WasmType::I64 => i64s[(round + i) % i64s.len()],
                    _ => i32s[(round * 3 + i) % i32s.len()],
                })
                .collect();
            match g.call_export(&format!("t.{}", f.name), &args) {
                Ok(_) => {}
                Err(
                    HostError::HookTrap { .. }
                    | HostError::Hazard(_)
                    | HostError::ModuleClosed { .. },
                ) => {}
                Err(other) => panic!("{}: unexpected error {other}", f.name),
            }
        }
    }
}

#[test]
fn out_of_bounds_pointers_fail_the_call() {
    let mut g = load(&host(), "", "");
    g.run_to_started().unwrap();
    let oob = bp(0x1_FFFE, 4); // straddles the end of 2 pages
    assert_eq!(g.ig("newDataSource", &[oob, 1]), 0);
    assert_eq!(g.ig("getDataSource", &[oob]), 0);
    assert_eq!(g.ig("getParamValue", &[oob, bp(0x3000, 4)]), 1);
    let p = g.put(SCRATCH, b"p");
    // ig checks only the bytes it writes: a value of 1 byte fits before the end
    assert_eq!(g.ig("getParamValue", &[p, oob]), 0);
    assert_eq!(
        g.ig("getParamValue", &[p, bp(0x2_0000, 4)]),
        1,
        "destination past the end"
    );
    assert_eq!(g.ig("setConfig", &[oob, p, 12]), 1);
    assert_eq!(g.ig("getSyscallName", &[1, bp(0x2_0000, 16)]), 1);
    assert_eq!(g.ig("getSyscallID", &[oob]), -1);
    assert_eq!(g.ig("getMap", &[oob]), 0);
    assert_eq!(g.ig("newMap", &[oob, 1, 4, 4, 1]), 0);
    assert_eq!(g.ig("kallsymsSymbolExists", &[oob]), 0);
    let n = g.put(SCRATCH, b"counts");
    let m = g.ig("getMap", &[n]);
    let k = g.put(0x3000, &[0; 4]);
    assert_eq!(g.ig("mapLookup", &[m, oob, bp(0x3100, 4)]), 1);
    assert_eq!(g.ig("mapLookup", &[m, k, oob]), 1);
    assert_eq!(g.ig("mapUpdate", &[m, k, oob, 0]), 1);
    assert_eq!(g.ig("mapDelete", &[m, oob]), 1);
    // the length overflowing the address space
    assert_eq!(g.ig("getDataSource", &[bp(0xFFFF_FFFF, 0xFFFF_FFFF)]), 0);
    assert!(
        g.logs()
            .iter()
            .any(|l| l.message.contains("outside memory"))
    );
}

#[test]
fn wrong_type_handles_fail() {
    let mut g = load(&host(), "", "");
    g.run_to_started().unwrap();
    let n = g.put(SCRATCH, b"exec");
    let ds = g.ig("getDataSource", &[n]);
    let pid = g.put(SCRATCH, b"pid");
    let field = g.ig("dataSourceGetField", &[ds, pid]);
    let mn = g.put(SCRATCH, b"counts");
    let map = g.ig("getMap", &[mn]);
    assert_eq!(g.ig("dataSourceSubscribe", &[field, 1, 0, 1]), 1);
    assert_eq!(g.ig("dataSourceNewPacketSingle", &[map]), 0);
    assert_eq!(g.ig("dataSourceAddField", &[field, pid, 8]), 0);
    assert_eq!(g.ig("dataSourceIsReferenced", &[map]), 2);
    assert_eq!(g.ig("dataArrayNew", &[ds]), 0);
    assert_eq!(g.ig("mapLookup", &[ds, 0, 0]), 1);
    assert_eq!(g.ig("mapRelease", &[field]), 1);
    assert_eq!(g.ig("perfReaderPause", &[map]), 1);
    assert_eq!(g.ig("perfReaderRead", &[ds, bp(0x3000, 4)]), 1);
    assert_eq!(
        g.ig("newPerfReader", &[ds, 4096, 0]),
        1,
        "not a map: ig answers 1"
    );
    assert_eq!(g.ig("fieldAddTag", &[map, pid]), 1);
    g.put(0x3000, &[0; 4]);
    g.ig("fieldGetScalar", &[field, ds, 8, 0x3000]);
    assert_eq!(g.u32_at(0x3000), 1, "a data source is not data");
    assert_eq!(g.ig("fieldGetBuffer", &[ds, field, 14, bp(0x3100, 4)]), -1);
    assert_eq!(g.ig("fieldSet", &[map, field, 8, 1]), 1);
    assert_eq!(g.ig("releaseHandle", &[0]), 1);
}

#[test]
fn bad_error_pointer_closes_the_module_for_good() {
    let mut g = load(&host(), "", "");
    let err = g
        .call_export("t.fieldGetScalar", &[1, 2, 8, 0x7fff_fff0])
        .unwrap_err();
    assert!(err.to_string().contains("exit code 1"), "{err}");
    assert!(g.closed().unwrap().contains("error pointer"));
    assert!(
        g.logs()
            .iter()
            .any(|l| l.level == gadget_host::LogLevel::Error)
    );
    assert!(matches!(
        g.call_export("t.gadgetShouldLog", &[0]),
        Err(HostError::ModuleClosed { .. })
    ));
    assert!(matches!(g.init(), Err(HostError::ModuleClosed { .. })));
    assert!(matches!(
        g.push("exec", Event::new()),
        Err(HostError::ModuleClosed { .. })
    ));
}

#[test]
fn bad_error_pointer_inside_a_callback_ends_delivery() {
    let extra = r#"(data (i32.const 0x3000) "exec")
        (func (export "gadgetInit") (result i32)
          (call $dataSourceSubscribe (call $getDataSource (i64.or (i64.shl (i64.const 4) (i64.const 32)) (i64.const 0x3000))) (i32.const 1) (i32.const 0) (i64.const 1)))"#;
    let on_event =
        "(drop (call $fieldGetScalar (i32.const 0) (local.get $h) (i32.const 8) (i32.const -4)))";
    let mut g = load(&host(), extra, on_event);
    g.init().unwrap();
    let err = g.push("exec", Event::new()).unwrap_err();
    assert!(matches!(err, HostError::ModuleClosed { .. }), "{err:?}");
    assert!(g.push("exec", Event::new()).is_err());
}

#[test]
fn memory_is_capped_at_256_pages() {
    let extra = r#"(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))"#;
    let mut g = load(&host(), extra, "");
    // 17 MiB more than the 2 pages we have: refused
    assert_eq!(g.call_export("grow", &[272]).unwrap(), [-1]);
    // up to 256 pages in all is fine
    assert_eq!(g.call_export("grow", &[254]).unwrap(), [2]);
    assert_eq!(g.call_export("grow", &[1]).unwrap(), [-1]);
    assert_eq!(g.memory().len(), gadget_host::MEMORY_LIMIT_BYTES);
    // a module that needs more than 256 pages up front does not load
    let wat = r#"(module (memory (export "memory") 257) (func (export "gadgetAPIVersion") (result i64) i64.const 1))"#;
    let err = host().load(&wat::parse_str(wat).unwrap()).unwrap_err();
    assert!(matches!(err, HostError::Instantiate(_)), "{err}");
}

#[test]
fn allocator_abort_after_failed_grow_is_reported_as_a_trap() {
    // What a guest allocator does when memory.grow fails: abort.
    let extra = r#"(func (export "gadgetInit") (result i32)
        (if (i32.eq (memory.grow (i32.const 272)) (i32.const -1)) (then unreachable)) (i32.const 0))"#;
    let mut g = load(&host(), extra, "");
    let err = g.init().unwrap_err();
    assert!(
        matches!(
            err,
            HostError::HookTrap {
                hook: "gadgetInit",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn hook_signatures() {
    let cases = [
        (
            r#"(func (export "gadgetInit") (param i32) (result i32) i32.const 0)"#,
            "parameters",
        ),
        (r#"(func (export "gadgetInit"))"#, "crash"),
        (
            r#"(func (export "gadgetInit") (result v128) v128.const i64x2 0 0)"#,
            "number",
        ),
    ];
    for (extra, needle) in cases {
        let mut g = load(&host(), extra, "");
        let err = g.init().unwrap_err();
        assert!(err.to_string().contains("gadgetInit"), "{err}");
        let text = err.to_string();
        match needle {
            "crash" => assert!(
                matches!(err, HostError::Hazard(Hazard::HookWithoutResult { .. }))
                    && text.contains("Go panic"),
                "{text}"
            ),
            _ => assert!(matches!(err, HostError::HookSignature { .. }), "{text}"),
        }
    }
    // extra results are ignored; the first one counts
    let mut g = load(
        &host(),
        r#"(func (export "gadgetInit") (result i32 i32) i32.const 0 i32.const 9)"#,
        "",
    );
    g.init().unwrap();
    let mut g = load(
        &host(),
        r#"(func (export "gadgetInit") (result i64) i64.const 2)"#,
        "",
    );
    assert!(matches!(
        g.init(),
        Err(HostError::HookFailed { code: 2, .. })
    ));
}

#[test]
fn api_version_is_mandatory_and_must_be_1() {
    let no_version = r#"(module (memory (export "memory") 1))"#;
    let err = host()
        .load(&wat::parse_str(no_version).unwrap())
        .unwrap_err();
    assert!(matches!(err, HostError::MissingApiVersion), "{err}");
    let two = r#"(module (func (export "gadgetAPIVersion") (result i64) i64.const 2))"#;
    let err = host().load(&wat::parse_str(two).unwrap()).unwrap_err();
    assert!(
        matches!(err, HostError::ApiVersion { .. }) && err.to_string().contains("returned 2"),
        "{err}"
    );
    let none = r#"(module (func (export "gadgetAPIVersion")))"#;
    assert!(matches!(
        host().load(&wat::parse_str(none).unwrap()),
        Err(HostError::ApiVersion { .. })
    ));
    let trapping = r#"(module (func (export "gadgetAPIVersion") (result i64) unreachable))"#;
    assert!(matches!(
        host().load(&wat::parse_str(trapping).unwrap()),
        Err(HostError::ApiVersion { .. })
    ));
    // the type is not checked: an i32 1 passes
    let i32_one = r#"(module (func (export "gadgetAPIVersion") (result i32) i32.const 1))"#;
    host().load(&wat::parse_str(i32_one).unwrap()).unwrap();
    assert!(matches!(
        host().load(b"not wasm"),
        Err(HostError::Compile(_))
    ));
    let missing = host().load_file("/nonexistent/x.wasm").unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/x.wasm"));
}

#[test]
fn handle_limit_and_callback_with_handle_0() {
    let extra = r#"(data (i32.const 0x3000) "exec")
        (func $exec (result i64) (i64.or (i64.shl (i64.const 4) (i64.const 32)) (i64.const 0x3000)))
        (func (export "fill") (result i32) (local $n i32)
          (block $done (loop $more
            (br_if $done (i32.eqz (call $getDataSource (call $exec))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $more)))
          (local.get $n))"#;
    let mut g = load(&host(), extra, "");
    let n = g.put(SCRATCH, b"exec");
    let ds = g.ig("getDataSource", &[n]);
    assert_eq!(g.ig("dataSourceSubscribe", &[ds, 1, 0, 1]), 0);
    assert_eq!(
        g.call_export("fill", &[]).unwrap(),
        [MAX_HANDLES as i64 - 1]
    );
    assert_eq!(g.open_handles(), MAX_HANDLES);
    assert_eq!(
        g.ig("dataSourceNewPacketSingle", &[ds]),
        0,
        "creating calls return 0"
    );
    g.push("exec", Event::new()).unwrap();
    assert_eq!(
        g.callbacks(),
        [(1, 0, 0)],
        "the callback is still called, with handle 0"
    );
    // freeing one makes room; numbers keep growing
    let last = g.callbacks().len();
    assert_eq!(g.ig("releaseHandle", &[ds]), 0);
    g.push("exec", Event::new()).unwrap();
    let (_, _, h) = g.callbacks()[last];
    assert!(h as usize > MAX_HANDLES, "handle numbers keep growing: {h}");
}

#[test]
fn unknown_data_source_in_enrichment_is_reported() {
    let host = Host::builder()
        .enrichment_field("nope", "k8s.pod", FieldKind::String)
        .build()
        .unwrap();
    let mut g = load(&host, "", "");
    g.init().unwrap();
    assert!(matches!(
        g.pre_start(),
        Err(HostError::UnknownDataSource { .. })
    ));
}

#[test]
fn invalid_specs_are_rejected() {
    let dup = Host::builder()
        .datasource(DataSourceSpec::single("a"))
        .datasource(DataSourceSpec::single("a"))
        .build();
    assert!(matches!(dup, Err(HostError::Spec(_))));
    let dup_field = Host::builder()
        .datasource(
            DataSourceSpec::single("a")
                .field("x", FieldKind::Bool)
                .field("x", FieldKind::Bool),
        )
        .build();
    assert!(matches!(dup_field, Err(HostError::Spec(_))));
    let mom = Host::builder().map(MapSpec::new("m", 13, 4, 4, 1)).build();
    assert!(matches!(mom, Err(HostError::Spec(_))));
}
