//! Data sources: registration, look-up, subscriptions and their order,
//! fields, packets, emission, referencing.

mod common;

use common::*;
use gadget_host::{DataSourceSpec, Emission, Event, FieldKind, Host, Value};

fn exec_host() -> Host {
    Host::builder()
        .datasource(
            DataSourceSpec::single("exec")
                .field("pid", FieldKind::Uint32)
                .field("comm", FieldKind::String),
        )
        .datasource(DataSourceSpec::array("procs").field("pid", FieldKind::Uint32))
        .enrichment_field("exec", "k8s.namespace", FieldKind::String)
        .build()
        .unwrap()
}

#[test]
fn new_data_source_types_and_duplicates() {
    let mut g = plain();
    let name = g.put(SCRATCH, b"mine");
    assert_eq!(g.ig("newDataSource", &[name, 0]), 0, "type 0 fails");
    assert_eq!(g.ig("newDataSource", &[name, 3]), 0, "type 3 fails");
    let first = g.ig("newDataSource", &[name, 1]);
    assert_ne!(first, 0);
    let f = g.put(SCRATCH + 16, b"x");
    assert_ne!(g.ig("dataSourceAddField", &[first, f, 8]), 0);
    // A duplicate replaces the registration; the old handle keeps the old object.
    let second = g.ig("newDataSource", &[name, 2]);
    assert_ne!(second, 0);
    assert_ne!(second, first);
    assert_eq!(
        g.datasource("mine").unwrap().ds_type,
        gadget_host::DataSourceType::Array
    );
    assert!(g.datasource("mine").unwrap().fields.is_empty());
    assert_ne!(
        g.ig("dataSourceGetField", &[first, f]),
        0,
        "old handle still names the old source"
    );
    assert_eq!(g.ig("dataSourceGetField", &[second, f]), 0);
}

#[test]
fn get_data_source_gives_new_handles_and_skips_unreferenced() {
    let mut g = load(&exec_host(), "", "");
    let name = g.put(SCRATCH, b"exec");
    let a = g.ig("getDataSource", &[name]);
    let b = g.ig("getDataSource", &[name]);
    assert!(a != 0 && b != 0 && a != b, "a new handle on every call");
    assert_eq!(g.ig("dataSourceIsReferenced", &[a]), 1);
    assert_eq!(g.ig("dataSourceUnreference", &[a]), 0);
    assert_eq!(g.ig("dataSourceIsReferenced", &[b]), 0);
    assert_eq!(
        g.ig("getDataSource", &[name]),
        0,
        "unreferenced sources are not found"
    );
    assert!(!g.datasource("exec").unwrap().referenced);
    assert_eq!(g.ig("dataSourceIsReferenced", &[12345]), 2);
    assert_eq!(g.ig("dataSourceUnreference", &[12345]), 1);
    let unknown = g.put(SCRATCH, b"nope");
    assert_eq!(g.ig("getDataSource", &[unknown]), 0);
}

#[test]
fn subscribe_types_and_validation() {
    let mut g = load(&exec_host(), "", "");
    let exec = g.get_datasource("exec");
    let procs = g.get_datasource("procs");
    assert_eq!(
        g.ig("dataSourceSubscribe", &[exec, 0, 0, 1]),
        1,
        "type 0 invalid"
    );
    assert_eq!(
        g.ig("dataSourceSubscribe", &[exec, 4, 0, 1]),
        1,
        "type 4 invalid"
    );
    assert_eq!(
        g.ig("dataSourceSubscribe", &[exec, 2, 0, 1]),
        1,
        "array subscription on a single source"
    );
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, 0, 1]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 3, 0, 2]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[procs, 2, 0, 3]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[procs, 1, 0, 4]), 0);
    assert_eq!(
        g.ig("dataSourceSubscribe", &[999, 1, 0, 1]),
        1,
        "unknown handle"
    );
}

#[test]
fn subscribe_without_callback_export_fails() {
    let wat = format!(
        "(module {} (memory (export \"memory\") 1) (func (export \"gadgetAPIVersion\") (result i64) i64.const 1))",
        imports_and_trampolines()
    );
    let mut g = exec_host().load(&wat::parse_str(wat).unwrap()).unwrap();
    let exec = g.get_datasource("exec");
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, 0, 1]), 1);
}

#[test]
fn subscribers_run_by_priority_then_subscription_order_with_test_observers() {
    let mut g = load(&exec_host(), "", "");
    let exec = g.get_datasource("exec");
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, 10, 100]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, -5, 200]), 0);
    let obs = g.observe("exec", 0).unwrap();
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, 10, 300]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[exec, 1, 0, 400]), 0);
    g.push("exec", Event::new().set("pid", 7u32)).unwrap();
    let ids: Vec<u64> = g.callbacks().iter().map(|c| c.0).collect();
    assert_eq!(ids, [200, 400, 100, 300]);
    assert_eq!(g.observed(obs).len(), 1);
    assert_eq!(g.emitted_events("exec")[0].get("pid"), Some(&Value::U32(7)));
}

#[test]
fn observer_sees_changes_of_earlier_subscribers_only() {
    // The gadget's callback sets comm; an observer before it sees the old
    // value, one after it the new one.
    let extra = r#"(data (i32.const 0x3000) "comm") (data (i32.const 0x3010) "set-by-wasm")
        (global $f (mut i32) (i32.const 0))
        (func (export "setup") (param $ds i32) (result i32)
          (global.set $f (call $dataSourceGetField (local.get $ds) (i64.or (i64.shl (i64.const 4) (i64.const 32)) (i64.const 0x3000))))
          (call $dataSourceSubscribe (local.get $ds) (i32.const 1) (i32.const 5) (i64.const 9)))"#;
    let on_event = "(drop (call $fieldSet (global.get $f) (local.get $h) (i32.const 12) (i64.or (i64.shl (i64.const 11) (i64.const 32)) (i64.const 0x3010))))";
    let mut g = load(&exec_host(), extra, on_event);
    let exec = g.get_datasource("exec");
    let before = g.observe("exec", 4).unwrap();
    assert_eq!(g.call_export("setup", &[exec]).unwrap(), [0]);
    let after = g.observe("exec", 5).unwrap();
    g.push("exec", Event::new().set("comm", "bash")).unwrap();
    assert_eq!(
        g.observed(before)[0].single().unwrap().get("comm"),
        Some(&Value::from("bash"))
    );
    assert_eq!(
        g.observed(after)[0].single().unwrap().get("comm"),
        Some(&Value::from("set-by-wasm"))
    );
    assert_eq!(
        g.emitted_events("exec")[0].get("comm"),
        Some(&Value::from("set-by-wasm"))
    );
}

#[test]
fn data_subscription_on_array_source_runs_per_element() {
    let mut g = load(&exec_host(), "", "");
    let procs = g.get_datasource("procs");
    assert_eq!(g.ig("dataSourceSubscribe", &[procs, 1, 0, 1]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[procs, 2, 0, 2]), 0);
    assert_eq!(g.ig("dataSourceSubscribe", &[procs, 3, 0, 3]), 0);
    g.push_array(
        "procs",
        vec![
            Event::new().set("pid", 1u32),
            Event::new().set("pid", 2u32),
            Event::new().set("pid", 3u32),
        ],
    )
    .unwrap();
    let calls = g.callbacks();
    let ids: Vec<u64> = calls.iter().map(|c| c.0).collect();
    assert_eq!(ids, [1, 1, 1, 2, 3]);
    // Every callback gets a fresh handle and ds = 0 (ig's is unreliable).
    let handles: std::collections::BTreeSet<u32> = calls.iter().map(|c| c.2).collect();
    assert_eq!(handles.len(), 5);
    assert!(calls.iter().all(|c| c.1 == 0));
    assert_eq!(
        g.open_handles(),
        1,
        "per-event handles are freed after each call"
    );
    match g.emitted("procs")[0] {
        Emission::Array(evs) => assert_eq!(evs.len(), 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn get_field_exact_then_case_insensitive_and_add_field_rules() {
    let host = Host::builder()
        .datasource(
            DataSourceSpec::single("s")
                .field("Comm", FieldKind::String)
                .field("comm", FieldKind::Uint8),
        )
        .build()
        .unwrap();
    let mut g = load(&host, "", "");
    let s = g.get_datasource("s");
    let name = g.put(SCRATCH, b"comm");
    let exact = g.ig("dataSourceGetField", &[s, name]);
    let again = g.ig("dataSourceGetField", &[s, name]);
    assert!(exact != 0 && again != exact, "a new handle per call");
    let upper = g.put(SCRATCH, b"COMM");
    let ci = g.ig("dataSourceGetField", &[s, upper]);
    assert_ne!(ci, 0, "case-insensitive fallback");
    let missing = g.put(SCRATCH, b"nope");
    assert_eq!(g.ig("dataSourceGetField", &[s, missing]), 0);
    // "comm" exact is the uint8: reading it as uint8 works.
    let pkt = g.ig("dataSourceNewPacketSingle", &[s]);
    assert_eq!(g.ig("fieldSet", &[exact, pkt, 6, 5]), 0);
    // add field: kinds 0..=14, above fails, duplicates fail
    let n = g.put(SCRATCH, b"new.dotted");
    assert_eq!(g.ig("dataSourceAddField", &[s, n, 15]), 0);
    assert_ne!(g.ig("dataSourceAddField", &[s, n, 8]), 0);
    assert_eq!(g.ig("dataSourceAddField", &[s, n, 8]), 0, "duplicate");
    for (i, kind) in (0..=14).enumerate() {
        let n = g.put(SCRATCH, format!("k{i}").as_bytes());
        assert_ne!(g.ig("dataSourceAddField", &[s, n, kind]), 0, "kind {kind}");
    }
    let info = g.datasource("s").unwrap();
    let dotted = info.fields.iter().find(|f| f.name == "new.dotted").unwrap();
    assert_eq!(dotted.kind, FieldKind::Uint32);
    let k12 = info.fields.iter().find(|f| f.name == "k12").unwrap();
    assert_eq!(k12.size, None, "added string fields are variable-size");
}

#[test]
fn packets_emit_release_and_type_rules() {
    let mut g = load(&exec_host(), "", "");
    let exec = g.get_datasource("exec");
    let procs = g.get_datasource("procs");
    assert_eq!(
        g.ig("dataSourceNewPacketArray", &[exec]),
        0,
        "array packet on single source"
    );
    assert_eq!(
        g.ig("dataSourceNewPacketSingle", &[procs]),
        0,
        "single packet on array source"
    );
    let pid = g.put(SCRATCH, b"pid");
    let pid_field = g.ig("dataSourceGetField", &[exec, pid]);
    let p = g.ig("dataSourceNewPacketSingle", &[exec]);
    assert_ne!(p, 0);
    assert_eq!(g.ig("fieldSet", &[pid_field, p, 8, 99]), 0);
    // bad ds: 1 and the packet stays
    assert_eq!(g.ig("dataSourceEmitAndRelease", &[4242, p]), 1);
    assert_eq!(g.ig("dataSourceEmitAndRelease", &[exec, p]), 0);
    assert_eq!(
        g.ig("dataSourceEmitAndRelease", &[exec, p]),
        1,
        "freed after emitting"
    );
    assert_eq!(
        g.emitted_events("exec")[0].get("pid"),
        Some(&Value::U32(99))
    );
    let p2 = g.ig("dataSourceNewPacketSingle", &[exec]);
    assert_eq!(g.ig("dataSourceRelease", &[exec, p2]), 0);
    assert_eq!(g.ig("dataSourceRelease", &[exec, p2]), 1);
    assert_eq!(
        g.emitted("exec").len(),
        1,
        "released packets are not emitted"
    );
    // an array packet with two elements
    let a = g.ig("dataSourceNewPacketArray", &[procs]);
    let ppid = g.ig("dataSourceGetField", &[procs, pid]);
    for v in [10, 20] {
        let e = g.ig("dataArrayNew", &[a]);
        assert_eq!(g.ig("fieldSet", &[ppid, e, 8, v]), 0);
        assert_eq!(g.ig("dataArrayAppend", &[a, e]), 0);
        assert_eq!(
            g.ig("dataArrayAppend", &[a, e]),
            1,
            "element handle freed by append"
        );
    }
    let dropped = g.ig("dataArrayNew", &[a]);
    assert_eq!(g.ig("dataArrayRelease", &[a, dropped]), 0);
    assert_eq!(g.ig("dataArrayRelease", &[a, dropped]), 1);
    assert_eq!(g.ig("dataArrayLen", &[a]), 2);
    assert_eq!(g.ig("dataSourceEmitAndRelease", &[procs, a]), 0);
    let evs = g.emitted_events("procs");
    assert_eq!(
        evs.iter()
            .map(|e| e.get("pid").cloned())
            .collect::<Vec<_>>(),
        [Some(Value::U32(10)), Some(Value::U32(20))]
    );
    assert_eq!(g.open_handles(), 4, "2 data sources + 2 field handles");
}

#[test]
fn data_array_append_with_foreign_data_handle_traps() {
    let mut g = load(&exec_host(), "", "");
    let exec = g.get_datasource("exec");
    let procs = g.get_datasource("procs");
    let a = g.ig("dataSourceNewPacketArray", &[procs]);
    let single = g.ig("dataSourceNewPacketSingle", &[exec]);
    let err = g
        .call_export("t.dataArrayAppend", &[a, single])
        .unwrap_err();
    assert!(err.to_string().contains("dataArrayNew"), "{err}");
    assert_eq!(
        g.ig("dataArrayAppend", &[a, 777]),
        1,
        "unknown handle is an error, not a trap"
    );
}

#[test]
fn enrichment_fields_appear_at_pre_start() {
    let mut g = load(&exec_host(), "", "");
    g.init().unwrap();
    assert!(
        g.datasource("exec")
            .unwrap()
            .fields
            .iter()
            .all(|f| f.name != "k8s.namespace")
    );
    let err = g
        .push("exec", Event::new().set("k8s.namespace", "default"))
        .unwrap_err();
    assert!(err.to_string().contains("k8s.namespace"), "{err}");
    g.pre_start().unwrap();
    assert!(
        g.datasource("exec")
            .unwrap()
            .fields
            .iter()
            .any(|f| f.name == "k8s.namespace")
    );
    g.push("exec", Event::new().set("k8s.namespace", "default"))
        .unwrap();
    assert_eq!(
        g.emitted_events("exec")[0].get("k8s.namespace"),
        Some(&Value::from("default"))
    );
}

#[test]
fn gadget_created_data_source_emissions_are_recorded() {
    let extra = r#"(data (i32.const 0x3000) "out") (data (i32.const 0x3010) "n")
        (func (export "gadgetInit") (result i32) (local $ds i32) (local $f i32) (local $p i32)
          (local.set $ds (call $newDataSource (i64.or (i64.shl (i64.const 3) (i64.const 32)) (i64.const 0x3000)) (i32.const 1)))
          (local.set $f (call $dataSourceAddField (local.get $ds) (i64.or (i64.shl (i64.const 1) (i64.const 32)) (i64.const 0x3010)) (i32.const 5)))
          (local.set $p (call $dataSourceNewPacketSingle (local.get $ds)))
          (drop (call $fieldSet (local.get $f) (local.get $p) (i32.const 5) (i64.const -3)))
          (call $dataSourceEmitAndRelease (local.get $ds) (local.get $p)))"#;
    let mut g = load(&Host::new().unwrap(), extra, "");
    g.init().unwrap();
    assert_eq!(g.emitted_events("out")[0].get("n"), Some(&Value::I64(-3)));
    assert_eq!(g.all_emitted().count(), 1);
}

#[test]
fn push_checks_names_kinds_and_types() {
    let mut g = load(&exec_host(), "", "");
    assert!(matches!(
        g.push("nope", Event::new()),
        Err(gadget_host::HostError::UnknownDataSource { .. })
    ));
    assert!(matches!(
        g.push("procs", Event::new()),
        Err(gadget_host::HostError::DataSourceType { .. })
    ));
    let err = g.push("exec", Event::new().set("pid", -1)).unwrap_err();
    assert!(err.to_string().contains("pid"), "{err}");
    g.push_json("exec", &serde_json::json!({"pid": 5, "comm": "sh"}))
        .unwrap();
    assert_eq!(
        g.emitted_events("exec")[0].to_json(),
        serde_json::json!({"pid": 5, "comm": "sh"})
    );
}
