//! Behaviour of gadget-api's safe layer, end to end: the `api_coverage` test
//! gadget (test-gadgets/api-coverage) calls every safe function and logs each
//! result as `key=<Debug of the result>`; these tests run it in the emulator
//! and assert on those lines, on the events it leaves behind and on the
//! host's state (maps, config).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use gadget_host::spec::{MapSpec, SyscallDecl, SyscallParam};
use gadget_host::{
    DataSourceSpec, Event, FieldKind, Gadget, Host, HostBuilder, HostError, LogLevel, PerfRecord,
    PerfWhen, Value,
};

fn wasm() -> &'static PathBuf {
    static WASM: OnceLock<PathBuf> = OnceLock::new();
    WASM.get_or_init(|| {
        let dir = gadget_build::workspace_root().join("test-gadgets/api-coverage");
        gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn load(builder: HostBuilder, scenario: &str) -> Gadget {
    let host = builder
        .param("scenario", scenario)
        .build()
        .expect("host builds");
    host.load_file(wasm()).expect("api_coverage loads")
}

/// Every `key=value` line the gadget logged at info level, by key, in order.
fn reports(g: &Gadget) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in g.gadget_logs() {
        if record.level != LogLevel::Info {
            continue;
        }
        if let Some((key, value)) = record.message.split_once('=') {
            out.entry(key.to_owned())
                .or_default()
                .push(value.to_owned());
        }
    }
    out
}

/// The one value reported under `key`.
fn one<'a>(r: &'a BTreeMap<String, Vec<String>>, key: &str) -> &'a str {
    match r.get(key).map(Vec::as_slice) {
        Some([value]) => value,
        other => panic!("expected one report for `{key}`, found {other:?}\nall: {r:#?}"),
    }
}

fn assert_err(r: &BTreeMap<String, Vec<String>>, key: &str, fragments: &[&str]) {
    let value = one(r, key);
    assert!(
        value.starts_with("Err("),
        "{key}: expected an error, got {value}"
    );
    for f in fragments {
        assert!(value.contains(f), "{key}: `{value}` should contain `{f}`");
    }
}

fn events_source() -> DataSourceSpec {
    DataSourceSpec::single("events")
        .field("b", FieldKind::Bool)
        .field("i8", FieldKind::Int8)
        .field("i16", FieldKind::Int16)
        .field("i32", FieldKind::Int32)
        .field("i64", FieldKind::Int64)
        .field("u8", FieldKind::Uint8)
        .field("u16", FieldKind::Uint16)
        .field("u32", FieldKind::Uint32)
        .field("u64", FieldKind::Uint64)
        .field("f32", FieldKind::Float32)
        .field("f64", FieldKind::Float64)
        .field("s", FieldKind::String)
        .field_fixed("fixed", FieldKind::String, 16)
        .field("raw", FieldKind::Bytes)
}

fn sample_event() -> Event {
    Event::new()
        .set("b", true)
        .set("i8", -5i8)
        .set("i16", -300i16)
        .set("i32", -70_000i32)
        .set("i64", -5_000_000_000_000i64)
        .set("u8", 200u8)
        .set("u16", 60_000u16)
        .set("u32", 4_000_000_000u32)
        .set("u64", 1u64 << 63)
        .set("f32", 1.5f32)
        .set("f64", -2.25f64)
        .set("s", "hello")
        .set("fixed", "bash")
        .set("raw", vec![1u8, 2, 3])
}

#[test]
fn fields_read_and_write_every_kind() {
    let mut g = load(Host::builder().datasource(events_source()), "fields");
    g.run_to_started().unwrap();
    g.push("events", sample_event()).unwrap();
    let r = reports(&g);

    assert_eq!(one(&r, "ds_name"), "\"events\"");
    assert_eq!(one(&r, "ds_raw_nonzero"), "true");
    assert_eq!(one(&r, "add_tag"), "Ok(())");
    assert_eq!(one(&r, "out_s_name"), "(\"out_s\", \"events\", true, true)");
    assert_eq!(one(&r, "add_field_raw_cstring"), "Ok(true)");
    assert_err(
        &r,
        "add_field_duplicate",
        &[
            "field `out_u32` of data source `events`",
            "(dataSourceAddField)",
        ],
    );
    assert_err(
        &r,
        "field_missing",
        &[
            "field `nope` of data source `events`: not found",
            "(dataSourceGetField)",
        ],
    );
    assert_eq!(one(&r, "late_resolved"), "false");

    for (key, want) in [
        ("b", "Ok(true)"),
        ("i8", "Ok(-5)"),
        ("i16", "Ok(-300)"),
        ("i32", "Ok(-70000)"),
        ("i64", "Ok(-5000000000000)"),
        ("u8", "Ok(200)"),
        ("u16", "Ok(60000)"),
        ("u32", "Ok(4000000000)"),
        ("u64", "Ok(9223372036854775808)"),
        ("f32", "Ok(1.5)"),
        ("f64", "Ok(-2.25)"),
        ("s", "Ok(\"hello\")"),
        ("s_get", "Ok(5)"),
        ("s_get_bytes", "Ok(5)"),
        ("s_read_into", "Ok(5)"),
        // A 16-byte string field is NUL-padded: every read cuts at the NUL.
        ("fixed", "Ok(\"bash\")"),
        ("fixed_get_bytes", "Ok([98, 97, 115, 104])"),
        ("fixed_get_owned", "Ok(\"bash\")"),
        ("fixed_read_into", "Ok(4)"),
        ("raw", "Ok([1, 2, 3])"),
        ("raw_get", "Ok([1, 2, 3])"),
        ("raw_read_into", "Ok(3)"),
        ("out_s_readback", "Ok(\"HELLO\")"),
        ("out_s_set_fmt", "Ok(())"),
        ("out_s_fmt_readback", "Ok(\"fmt-7\")"),
        ("out_raw_readback", "Ok([3, 2, 1])"),
        ("out_s_set_bytes", "Ok(())"),
        ("out_s_lossy", "Ok(\"\u{fffd}RAW\")"),
        ("out_s_lossy_bytes", "Ok([255, 82, 65, 87])"),
        ("out_s_lossy_owned", "Ok(\"\u{fffd}RAW\")"),
        ("buffer_str", "\"ab\""),
    ] {
        assert_eq!(one(&r, key), want, "{key}");
    }
    assert_err(
        &r,
        "s_read_into_small",
        &[
            "field `s` of data source `events`",
            "2-byte buffer",
            "(fieldGetBuffer)",
        ],
    );
    assert_err(
        &r,
        "u32_as_u8",
        &[
            "field `u32` of data source `events`",
            "cannot be read as uint8",
            "(fieldGetScalar)",
        ],
    );
    assert_err(
        &r,
        "set_u32_as_u8",
        &["cannot be written as uint8", "(fieldSet)"],
    );
    assert_err(
        &r,
        "late_get",
        &["field `k8s.late` of data source `events`: used before it was looked up"],
    );
    assert_err(&r, "late_set", &["field `k8s.late`", "(fieldSet)"]);

    let events = g.emitted_events("events");
    assert_eq!(events.len(), 1);
    let e = events[0];
    assert_eq!(e.get("out_b"), Some(&Value::Bool(false)));
    assert_eq!(e.get("out_i8"), Some(&Value::I8(5)));
    assert_eq!(e.get("out_u32"), Some(&Value::U32(4_000_000_001)));
    assert_eq!(e.get("out_f64"), Some(&Value::F64(-4.5)));
    assert_eq!(e.get("out_raw"), Some(&Value::Bytes(vec![3, 2, 1])));
    assert_eq!(e.get("out_s"), Some(&Value::Str("\u{fffd}RAW".into())));
    let tags = g.datasource("events").expect("events exists");
    assert!(
        format!("{tags:?}").contains("columns.width:40"),
        "out_s carries its tag: {tags:?}"
    );
}

#[test]
fn arrays_iterate_append_and_release() {
    let mut g = load(
        Host::builder().datasource(
            DataSourceSpec::array("arr")
                .field("n", FieldKind::Uint32)
                .field("name", FieldKind::String),
        ),
        "arrays",
    );
    g.run_to_started().unwrap();
    g.push_array(
        "arr",
        vec![
            Event::new().set("n", 1u32).set("name", "a"),
            Event::new().set("n", 2u32).set("name", "b"),
        ],
    )
    .unwrap();
    let r = reports(&g);
    assert_eq!(one(&r, "len"), "2");
    assert_eq!(one(&r, "is_empty"), "false");
    assert_eq!(one(&r, "values"), "[1, 2]");
    assert_eq!(one(&r, "names"), "[\"a\", \"b\"]");
    assert_eq!(one(&r, "get_past_end"), "false");
    assert_eq!(one(&r, "get_too_far"), "false");
    assert_eq!(one(&r, "raw_nonzero"), "true");
    assert_eq!(one(&r, "append"), "Ok(())");
    assert_eq!(
        one(&r, "len_after"),
        "3",
        "the appended element counts, the dropped one does not"
    );
    // The data subscription (priority 1) runs per element, after the array
    // subscription (priority 0) appended one.
    assert_eq!(r["element_n"], ["Ok(1)", "Ok(2)", "Ok(99)"]);
    let emitted = g.emitted("arr");
    assert_eq!(emitted.len(), 1);
    let ns: Vec<_> = emitted[0]
        .events()
        .iter()
        .map(|e| e.get("n").cloned())
        .collect();
    assert_eq!(
        ns,
        [
            Some(Value::U32(1)),
            Some(Value::U32(2)),
            Some(Value::U32(99))
        ]
    );
}

#[test]
fn packets_emit_release_and_unreference() {
    let mut g = load(
        Host::builder()
            .datasource(DataSourceSpec::single("events").field("u32", FieldKind::Uint32))
            .datasource(DataSourceSpec::single("consumed").field("x", FieldKind::Uint8)),
        "packets",
    );
    g.init().unwrap();
    let r = reports(&g);
    assert_eq!(one(&r, "unreference"), "Ok(())");
    assert_eq!(one(&r, "consumed_is_referenced"), "Ok(false)");
    assert_err(
        &r,
        "get_consumed",
        &["data source `consumed`", "(getDataSource)"],
    );
    assert_err(
        &r,
        "get_missing",
        &["data source `missing`: no such data source"],
    );
    assert!(one(&r, "out_is_referenced").starts_with("Ok("));

    g.pre_start().unwrap();
    g.start().unwrap();
    let r = reports(&g);
    assert_eq!(one(&r, "emit"), "Ok(())");
    assert_eq!(one(&r, "release"), "Ok(())");
    assert_eq!(one(&r, "array_packet_len"), "2");
    assert_eq!(one(&r, "emit_array"), "Ok(())");
    assert_eq!(one(&r, "release_array"), "Ok(())");
    assert_err(
        &r,
        "single_on_array",
        &["data source `outarr`", "(dataSourceNewPacketSingle)"],
    );
    assert_err(
        &r,
        "array_on_single",
        &["data source `out`", "(dataSourceNewPacketArray)"],
    );
    let out: Vec<_> = g
        .emitted_events("out")
        .iter()
        .map(|e| e.get("v").cloned())
        .collect();
    assert_eq!(
        out,
        [Some(Value::U32(1))],
        "released and dropped packets are not emitted"
    );
    let outarr = g.emitted("outarr");
    assert_eq!(outarr.len(), 1);
    let vs: Vec<_> = outarr[0]
        .events()
        .iter()
        .map(|e| e.get("v").cloned())
        .collect();
    assert_eq!(vs, [Some(Value::U32(10)), Some(Value::U32(11))]);

    g.push("events", Event::new().set("u32", 7u32)).unwrap();
    let r = reports(&g);
    assert_eq!(one(&r, "packet_raw_nonzero"), "true");
    assert_eq!(one(&r, "packet_u32"), "Ok(7)");
    assert_eq!(one(&r, "packet_as_array_len"), "0");
}

#[test]
fn maps_typed_raw_map_of_maps_and_perf_readers() {
    let inner = MapSpec::hash("inner", 4, 4, 8);
    let host = Host::builder()
        .map(MapSpec::hash("hash", 4, 8, 16))
        .map(MapSpec::array("array", 8, 4))
        .map(MapSpec::hash_of_maps("outer", 4, 4, inner))
        .map(MapSpec::perf_event_array("perf"));
    let mut g = load(host, "maps");
    g.map_insert_inner("outer", &1u32.to_le_bytes()).unwrap();
    g.inner_map_update(
        "outer",
        &1u32.to_le_bytes(),
        &7u32.to_le_bytes(),
        &70u32.to_le_bytes(),
    )
    .unwrap();
    // The gadget opens its reader in gadgetStart: the record is written
    // into it as soon as it exists.
    g.schedule_perf(
        "perf",
        PerfWhen::ReaderCreated,
        PerfRecord::Sample {
            cpu: 0,
            data: vec![1u8, 2, 3, 4],
        },
    )
    .unwrap();
    g.run_to_started().unwrap();
    let r = reports(&g);
    for (key, want) in [
        ("hash_name", "\"hash\""),
        ("hash_raw_nonzero", "true"),
        ("insert", "Ok(())"),
        ("get_1", "Ok(Some(100))"),
        ("get_2", "Ok(None)"),
        ("exist_on_existing", "Ok(())"),
        ("get_1_after", "Ok(Some(6))"),
        ("insert_pattern", "Ok(())"),
        ("get_pattern", "Ok(Some(11936128518282651045))"),
        ("remove", "Ok(())"),
        (
            "lookup_raw",
            "Ok((true, [165, 165, 165, 165, 165, 165, 165, 165]))",
        ),
        ("update_raw", "Ok(())"),
        ("delete_raw", "Ok(())"),
        ("delete", "Ok(())"),
        ("update", "Ok(())"),
        ("lookup", "Ok(Some(50))"),
        ("close_borrowed", "Ok(())"),
        ("array_update", "Ok(())"),
        ("array_lookup", "Ok(Some((1, 2)))"),
        ("inner_name", "\"outer[inner]\""),
        ("inner_lookup", "Ok(Some(70))"),
        ("update_map", "Ok(())"),
        ("inner_via_2", "Ok(Some(70))"),
        ("created_update", "Ok(())"),
        ("created_lookup", "Ok(Some(2))"),
        ("created_close", "Ok(())"),
        ("release_handle", "Ok(())"),
        ("reader_raw_nonzero", "true"),
        ("pause", "Ok(())"),
        ("read", "Ok((Record, [1, 2, 3, 4, 0, 0, 0, 0]))"),
        ("read_empty", "Ok(true)"),
        ("resume", "Ok(())"),
        ("close_reader", "Ok(())"),
    ] {
        assert_eq!(one(&r, key), want, "{key}");
    }
    assert_err(
        &r,
        "noexist_on_existing",
        &["map `hash`", "NoExist", "(mapUpdate)"],
    );
    assert_err(
        &r,
        "exist_on_missing",
        &["map `hash`", "Exist", "(mapUpdate)"],
    );
    assert_err(
        &r,
        "remove_again",
        &["map `hash`", "missing", "(mapDelete)"],
    );
    assert_err(
        &r,
        "wrong_key_size",
        &["map `hash`", "key 8 bytes", "(mapLookup)"],
    );
    assert_err(&r, "create_map_of_maps", &["map `bad`", "(newMap)"]);
    assert_err(&r, "get_missing", &["map `missing`", "(getMap)"]);
    assert_err(
        &r,
        "release_handle_again",
        &["unknown handle", "(releaseHandle)"],
    );
    assert_err(
        &r,
        "read_unpaused",
        &[
            "perf reader on map `perf`",
            "must be paused",
            "(perfReaderRead)",
        ],
    );
    assert_err(
        &r,
        "reader_on_hash",
        &["perf reader on map `array`", "(newPerfReader)"],
    );

    let hash = g.map("hash").expect("hash exists");
    assert_eq!(
        hash.get(&5u32.to_le_bytes()),
        Some(50u64.to_le_bytes().to_vec())
    );
    assert_eq!(hash.get(&1u32.to_le_bytes()), None);
    assert_eq!(hash.len(), 1);
    assert!(g.open_guest_maps().is_empty(), "the created map was closed");
}

#[test]
fn syscalls_kallsyms_filter_config_params_and_logging() {
    let host = Host::builder()
        .syscall_declaration(SyscallDecl {
            name: "openat".into(),
            params: vec![
                SyscallParam::value("dfd"),
                SyscallParam::pointer("filename"),
                SyscallParam::value("flags"),
                SyscallParam::value("mode"),
            ],
        })
        .kallsyms(["present_symbol"])
        .mntns_filter([1])
        .config("programs.p.attach_to", "")
        .param("str", "hello")
        .param("num", "42")
        .param("empty", "")
        .param("long", "x".repeat(1000))
        .log_level(LogLevel::Debug);
    let mut g = load(host, "misc");
    g.run_to_started().unwrap();
    let r = reports(&g);
    for (key, want) in [
        ("syscall_name_0", "Ok(\"read\")"),
        ("syscall_name_59", "Ok(\"execve\")"),
        ("syscall_name_unknown", "Ok(\"syscall_7fff\")"),
        ("syscall_id", "Ok(59)"),
        ("kallsyms_present", "true"),
        ("kallsyms_absent", "false"),
        // The filter {1} selects mount namespace 1: kept, 2 dropped.
        ("discard_1", "false"),
        ("discard_2", "true"),
        ("config", "Ok(())"),
        ("param_str", "Ok(\"hello\")"),
        ("param_num", "Ok(42)"),
        ("param_or_missing", "Ok(7)"),
        ("param_empty", "Ok(\"\")"),
        ("param_long", "Ok(1000)"),
        ("should_log_debug", "true"),
    ] {
        assert_eq!(one(&r, key), want, "{key}");
    }
    let decl = one(&r, "declaration");
    assert!(
        decl.starts_with("Ok(SyscallDeclaration { name: \"openat\""),
        "{decl}"
    );
    assert!(
        decl.contains("SyscallParam { name: \"filename\", is_pointer: true }"),
        "{decl}"
    );
    assert!(
        decl.contains("SyscallParam { name: \"mode\", is_pointer: false }"),
        "{decl}"
    );
    assert_err(
        &r,
        "syscall_id_missing",
        &["syscall `nope`", "(getSyscallID)"],
    );
    assert_err(
        &r,
        "declaration_missing",
        &["syscall `nope`", "(getSyscallDeclaration)"],
    );
    assert_err(
        &r,
        "param_num_bad",
        &[
            "param `str`: value \"hello\" is not a valid u32: invalid digit found in string (getParamValue)",
        ],
    );
    assert_err(&r, "param_or_bad", &["param `str`", "not a valid u32"]);
    assert_err(
        &r,
        "param_missing",
        &["param `missing`: not set", "params.wasm"],
    );
    assert_err(
        &r,
        "parse_value",
        &["param `k`: value \"yes\" is not a valid bool"],
    );
    assert_eq!(
        g.config("programs.p.attach_to"),
        Some("fsnotify_insert_event")
    );

    let logs: Vec<(LogLevel, &str)> = g
        .gadget_logs()
        .iter()
        .map(|l| (l.level, l.message.as_str()))
        .collect();
    assert!(logs.contains(&(LogLevel::Warn, "direct warning")));
    assert!(logs.contains(&(LogLevel::Debug, "debug 1")));
    assert!(logs.contains(&(LogLevel::Error, "error 3")));
    assert!(
        !logs.iter().any(|(_, m)| *m == "trace 2"),
        "trace is above the host's level: the logger must not send it"
    );
}

#[test]
fn a_panic_reaches_igs_log_before_the_trap() {
    let mut g = load(Host::builder(), "panic");
    g.init().unwrap();
    g.pre_start().unwrap();
    let err = g.start().unwrap_err();
    assert!(matches!(err, HostError::HookTrap { .. }), "{err}");
    let panics: Vec<_> = g
        .gadget_logs()
        .into_iter()
        .filter(|l| l.level == LogLevel::Error && l.message.contains("gadget panicked at"))
        .collect();
    assert_eq!(panics.len(), 1, "{:?}", g.gadget_logs());
    assert!(
        panics[0].message.contains("src/lib.rs"),
        "{}",
        panics[0].message
    );
    assert!(
        panics[0].message.ends_with("boom at index 3"),
        "{}",
        panics[0].message
    );
}
