//! End-to-end tests of the `#[gadget]` macros: the gadgets in
//! `test-gadgets/macro-*` are built for wasm32-wasip1 (release, as ig's
//! builder does) and run in the emulated host, with assertions on what every
//! attribute option does, including its error paths. The build never skips:
//! a missing wasm target that cannot be installed fails the tests.
//!
//! Every option of `gadget-api/src/attributes.md` and the test(s) that prove
//! its effect:
//!
//! | attribute / option | gadget | test(s) |
//! |---|---|---|
//! | `#[gadget]` on struct + impl | all | every test; `every_macro_gadget_exports_exactly_what_ig_expects` |
//! | `#[gadget(crate = "...")]` | macro-hooks | `hooks_run_in_order_and_self_hooks_keep_state` |
//! | `#[datasource]` (name defaults to the member's) | macro-datasources | `datasource_members_find_create_and_unreference` |
//! | `Field<String>::get` in a callback: one host call per read once warm | macro-datasources | `string_reads_cost_one_host_call_once_the_field_buffer_has_grown` |
//! | `#[datasource(name = ...)]` | macro-datasources | `datasource_members_find_create_and_unreference` |
//! | `#[datasource(new)]` (single by default) | macro-datasources | `datasource_members_find_create_and_unreference`, `hooks_emit_packets_on_created_datasources` |
//! | `#[datasource(new, single)]` | macro-datasources | same two |
//! | `#[datasource(new, array)]` | macro-datasources | same two |
//! | `#[datasource(unreference)]` | macro-datasources | `datasource_members_find_create_and_unreference`, `hooks_emit_packets_on_created_datasources` (member still used after) |
//! | `#[field(datasource = ...)]` (look-up) | macro-fields | `field_members_read_and_write_values`; missing: `missing_field_fails_gadget_init_naming_field_and_datasource` |
//! | `#[gadget(datasource = ...)]` on the struct (default of `#[field]` / `#[subscribe]`) | macro-fields | `field_members_read_and_write_values` |
//! | `#[field(name = ...)]` / name defaulting to the member's | macro-fields | `field_members_read_and_write_values`, `added_and_looked_up_fields_carry_their_tags` |
//! | `#[field(add)]` | macro-fields, macro-datasources | `field_members_read_and_write_values`, `added_and_looked_up_fields_carry_their_tags`, `datasource_members_find_create_and_unreference` |
//! | `#[field(tags = [...])]` (added, looked up, later phase) | macro-fields | `added_and_looked_up_fields_carry_their_tags` |
//! | `#[field(phase = "init")]` | macro-fields | `field_members_read_and_write_values` |
//! | `#[field(phase = "pre_start")]` / `"start"` | macro-fields | `later_phase_fields_resolve_only_in_their_phase`, `missing_enrichment_fields_fail_the_phase_that_looks_them_up` |
//! | `#[param]` (required, key = member name) | macro-params | `params_defaults_apply_when_missing_or_empty`, `missing_required_param_fails_init_naming_key` |
//! | `#[param(key = ...)]` | macro-params | `params_given_values_override_defaults`, `missing_required_param_fails_init_naming_key` |
//! | `#[param(default = <expr>)]` | macro-params | `params_defaults_apply_when_missing_or_empty` |
//! | `#[param(default = "<string>")]` | macro-params | `params_defaults_apply_when_missing_or_empty`, `bad_param_value_fails_init_naming_key_value_and_type` |
//! | bad param value | macro-params | `bad_param_value_fails_init_naming_key_value_and_type` |
//! | other members from `Default` | macro-params, macro-hooks, macro-datasources | `params_defaults_apply_when_missing_or_empty` (`logged`), `hooks_run_in_order_and_self_hooks_keep_state` (`runs`) |
//! | `#[on_init]` (`&mut self`) | macro-hooks, macro-fields, macro-params | `hooks_run_in_order_and_self_hooks_keep_state`, `hook_errors_are_logged_and_fail_the_export` |
//! | `#[on_init]` constructor (`fn new() -> Result<Self>`) | macro-errors | `constructor_builds_the_gadget`, `constructor_errors_fail_init_naming_the_method` |
//! | `#[on_pre_start]`, `#[on_start]`, `#[on_stop]`, `#[on_post_stop]` | macro-hooks | `hooks_run_in_order_and_self_hooks_keep_state`, `hook_errors_are_logged_and_fail_the_export` |
//! | hooks taking `&self` / returning `()` | macro-hooks, macro-fields | `hooks_run_in_order_and_self_hooks_keep_state`, `later_phase_fields_resolve_only_in_their_phase` |
//! | hook returning `Err` (any `E: Display`) | macro-hooks | `hook_errors_are_logged_and_fail_the_export` |
//! | hook panicking (logged, traps; state taken over later) | macro-hooks | `panicking_hook_traps_and_a_later_hook_takes_the_state_over` |
//! | `#[subscribe(datasource = ...)]` | macro-subscribe | `subscriptions_run_in_priority_order_with_observers` |
//! | `#[subscribe(priority = ...)]` (default 0, negative) | macro-subscribe | `subscriptions_run_in_priority_order_with_observers` |
//! | `#[subscribe(kind = "data")]` (alias) / `Data` on an array source | macro-subscribe | `subscriptions_run_in_priority_order_with_observers`, `array_sources_get_per_element_array_and_packet_callbacks` |
//! | `#[subscribe(kind = "array")]` (alias) | macro-subscribe | `array_sources_get_per_element_array_and_packet_callbacks` |
//! | `#[subscribe(kind = "packet")]` / `Packet` argument | macro-subscribe | `subscriptions_run_in_priority_order_with_observers`, `array_sources_get_per_element_array_and_packet_callbacks` |
//! | `#[subscribe(phase = "init")]` | macro-subscribe | `subscriptions_run_in_priority_order_with_observers` |
//! | `#[subscribe(phase = "pre_start")]` / `"start"`, several on one method | macro-subscribe | `later_phase_subscriptions_start_in_their_phase` |
//! | `&self` callback | macro-subscribe | `subscriptions_run_in_priority_order_with_observers` (`middle`) |
//! | callback returning `Err` | macro-errors | `callback_errors_are_logged_with_method_and_datasource` |
//! | re-entrant call refused | macro-errors | `reentrant_callback_is_refused_and_state_stays_usable` |
//! | trapped callback taken over | macro-errors | `panicking_callback_traps_and_the_state_is_taken_over` |
//! | exports generated only when needed | all | `every_macro_gadget_exports_exactly_what_ig_expects` |

#[path = "macro_e2e/support.rs"]
mod support;

use gadget_host::{
    DataSourceSpec, DataSourceType, Emission, Event, FieldKind, Host, HostError, LogLevel, Value,
};
use support::{dump_logs, errors, infos, load, messages};

fn text(ev: &Event, field: &str) -> String {
    match ev.get(field) {
        Some(Value::Str(s)) => s.clone(),
        other => panic!("field `{field}` is not text: {other:?} in {ev:?}"),
    }
}

fn assert_hook_failed(result: Result<(), HostError>, hook: &str) {
    match result {
        Err(HostError::HookFailed { hook: h, code: 1 }) if h == hook => {}
        other => panic!("expected `{hook}` to fail with 1, got {other:?}"),
    }
}

fn assert_logged(g: &gadget_host::Gadget, level: LogLevel, wanted: &str) {
    assert!(
        messages(g, level).iter().any(|m| m == wanted),
        "no {} log `{wanted}`; logs:\n{}",
        level.name(),
        dump_logs(g)
    );
}

fn assert_logged_containing(g: &gadget_host::Gadget, level: LogLevel, parts: &[&str]) -> String {
    messages(g, level)
        .into_iter()
        .find(|m| parts.iter().all(|p| m.contains(p)))
        .unwrap_or_else(|| {
            panic!(
                "no {} log containing {parts:?}; logs:\n{}",
                level.name(),
                dump_logs(g)
            )
        })
}

// ---------------------------------------------------------------- #[field]

fn fields_host(exec: DataSourceSpec, namespace: bool, container: bool) -> Host {
    let mut b = Host::builder().datasource(exec);
    if namespace {
        b = b.enrichment_field("exec", "k8s.namespace", FieldKind::String);
    }
    if container {
        b = b.enrichment_field("exec", "runtime.containerName", FieldKind::String);
    }
    b.build().unwrap()
}

fn exec_spec() -> DataSourceSpec {
    DataSourceSpec::single("exec")
        .field("pid", FieldKind::Uint32)
        .field("comm", FieldKind::String)
        .field("args", FieldKind::Bytes)
        .field("uid", FieldKind::Uint32)
}

fn exec_event(pid: u32) -> Event {
    Event::new()
        .set("pid", pid)
        .set("comm", "bash")
        .set("args", vec![1u8, 2, 3])
        .set("uid", 1000u32)
}

#[test]
fn field_members_read_and_write_values() {
    let host = fields_host(exec_spec(), true, true);
    let mut g = load(&host, "macro-fields");
    g.run_to_started().unwrap();
    g.push(
        "exec",
        exec_event(42)
            .set("k8s.namespace", "default")
            .set("runtime.containerName", "web"),
    )
    .unwrap();
    let out = g.emitted_events("exec");
    assert_eq!(out.len(), 1);
    let ev = out[0];
    assert_eq!(text(ev, "comm_upper"), "BASH");
    assert_eq!(ev.get("doubled"), Some(&Value::U64(84)));
    assert_eq!(ev.get("pid_is_even"), Some(&Value::Bool(true)));
    assert_eq!(ev.get("half"), Some(&Value::F64(21.0)));
    assert_eq!(ev.get("negated"), Some(&Value::I64(-42)));
    assert_eq!(ev.get("args_len"), Some(&Value::U16(3)));
    assert_eq!(ev.get("uid_plus_one"), Some(&Value::U32(1001)));
    assert_eq!(text(ev, "ns_copy"), "default");
    assert_eq!(text(ev, "container_copy"), "web");
    g.push("exec", exec_event(7).set("comm", "sh")).unwrap();
    let ev = g.emitted_events("exec")[1];
    assert_eq!(text(ev, "comm_upper"), "SH");
    assert_eq!(ev.get("pid_is_even"), Some(&Value::Bool(false)));
    assert_eq!(ev.get("half"), Some(&Value::F64(3.5)));
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
    g.stop().unwrap();
}

#[test]
fn added_and_looked_up_fields_carry_their_tags() {
    let host = fields_host(exec_spec(), true, true);
    let mut g = load(&host, "macro-fields");
    g.init().unwrap();
    let info = g.datasource("exec").unwrap();
    let names: Vec<&str> = info.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pid",
            "comm",
            "args",
            "uid",
            "comm_upper",
            "doubled",
            "pid_is_even",
            "half",
            "negated",
            "args_len",
            "uid_plus_one",
            "ns_copy",
            "container_copy"
        ],
        "fields are added in init, in declaration order, under their names"
    );
    let tags = |g: &gadget_host::Gadget, name: &str| -> Vec<String> {
        g.datasource("exec")
            .unwrap()
            .fields
            .into_iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field `{name}`"))
            .tags
    };
    let kind = |name: &str| info.fields.iter().find(|f| f.name == name).unwrap().kind;
    assert_eq!(kind("comm_upper"), FieldKind::String);
    assert_eq!(kind("doubled"), FieldKind::Uint64);
    assert_eq!(kind("pid_is_even"), FieldKind::Bool);
    assert_eq!(kind("half"), FieldKind::Float64);
    assert_eq!(kind("negated"), FieldKind::Int64);
    assert_eq!(kind("args_len"), FieldKind::Uint16);
    assert_eq!(
        tags(&g, "comm_upper"),
        ["columns.width:16", "columns.alignment:left"]
    );
    assert_eq!(tags(&g, "pid_is_even"), ["columns.width:5"]);
    assert_eq!(tags(&g, "args"), ["columns.hidden"], "a looked-up field");
    assert!(tags(&g, "doubled").is_empty());
    assert!(tags(&g, "pid").is_empty());
    g.pre_start().unwrap();
    assert!(
        tags(&g, "runtime.containerName").is_empty(),
        "tagged when looked up, in start"
    );
    g.start().unwrap();
    assert_eq!(
        tags(&g, "runtime.containerName"),
        ["columns.hidden", "columns.width:30"]
    );
    assert!(tags(&g, "k8s.namespace").is_empty());
}

#[test]
fn later_phase_fields_resolve_only_in_their_phase() {
    let host = fields_host(exec_spec(), true, true);
    let mut g = load(&host, "macro-fields");
    g.init().unwrap();
    assert_logged(
        &g,
        LogLevel::Info,
        "init: namespace resolved=false container resolved=false",
    );
    // Before pre-start neither later-phase field can be used: every use
    // fails with an error naming it.
    g.push("exec", exec_event(1)).unwrap();
    let ev = g.emitted_events("exec")[0].clone();
    let ns = text(&ev, "ns_copy");
    assert!(
        ns.starts_with(
            "error: field `k8s.namespace` of data source `exec`: used before it was looked up"
        ),
        "{ns}"
    );
    let container = text(&ev, "container_copy");
    assert!(
        container.starts_with(
            "error: field `runtime.containerName` of data source `exec`: used before it was looked up"
        ),
        "{container}"
    );
    assert_eq!(text(&ev, "comm_upper"), "BASH", "init fields work already");

    g.pre_start().unwrap();
    assert_logged(
        &g,
        LogLevel::Info,
        "pre_start: namespace resolved=true container resolved=false",
    );
    g.push(
        "exec",
        exec_event(2)
            .set("k8s.namespace", "kube-system")
            .set("runtime.containerName", "db"),
    )
    .unwrap();
    let ev = g.emitted_events("exec")[1].clone();
    assert_eq!(text(&ev, "ns_copy"), "kube-system");
    assert!(
        text(&ev, "container_copy")
            .starts_with("error: field `runtime.containerName` of data source `exec`"),
        "{ev:?}"
    );

    g.start().unwrap();
    assert_logged(
        &g,
        LogLevel::Info,
        "start: namespace resolved=true container resolved=true",
    );
    g.push(
        "exec",
        exec_event(3)
            .set("k8s.namespace", "prod")
            .set("runtime.containerName", "api"),
    )
    .unwrap();
    let ev = g.emitted_events("exec")[2].clone();
    assert_eq!(text(&ev, "ns_copy"), "prod");
    assert_eq!(text(&ev, "container_copy"), "api");
    g.stop().unwrap();
}

#[test]
fn missing_field_fails_gadget_init_naming_field_and_datasource() {
    // No `uid` in `exec`.
    let exec = DataSourceSpec::single("exec")
        .field("pid", FieldKind::Uint32)
        .field("comm", FieldKind::String)
        .field("args", FieldKind::Bytes);
    let host = fields_host(exec, true, true);
    let mut g = load(&host, "macro-fields");
    assert_hook_failed(g.init(), "gadgetInit");
    let msg = assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "gadgetInit: ",
            "field `uid` of data source `exec`",
            "dataSourceGetField",
        ],
    );
    assert!(msg.contains("not found"), "{msg}");
    assert!(
        !infos(&g).iter().any(|m| m.starts_with("init:")),
        "#[on_init] does not run when a look-up fails: {}",
        dump_logs(&g)
    );

    // No `exec` at all: the data source is named.
    let host = Host::builder().build().unwrap();
    let mut g = load(&host, "macro-fields");
    assert_hook_failed(g.init(), "gadgetInit");
    assert_logged_containing(&g, LogLevel::Error, &["gadgetInit: ", "data source `exec`"]);
}

#[test]
fn missing_enrichment_fields_fail_the_phase_that_looks_them_up() {
    // `k8s.namespace` never added: gadgetPreStart fails.
    let host = fields_host(exec_spec(), false, true);
    let mut g = load(&host, "macro-fields");
    g.init().unwrap();
    assert_hook_failed(g.pre_start(), "gadgetPreStart");
    assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "gadgetPreStart: ",
            "field `k8s.namespace` of data source `exec`",
        ],
    );
    assert!(
        !infos(&g).iter().any(|m| m.starts_with("pre_start:")),
        "the hook runs after the phase's look-ups: {}",
        dump_logs(&g)
    );

    // `runtime.containerName` never added: gadgetStart fails.
    let host = fields_host(exec_spec(), true, false);
    let mut g = load(&host, "macro-fields");
    g.init().unwrap();
    g.pre_start().unwrap();
    assert_hook_failed(g.start(), "gadgetStart");
    assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "gadgetStart: ",
            "field `runtime.containerName` of data source `exec`",
        ],
    );
    assert!(!infos(&g).iter().any(|m| m.starts_with("start:")));
}

// ----------------------------------------------------------- #[datasource]

fn datasources_host() -> Host {
    Host::builder()
        .datasource(
            DataSourceSpec::single("exec")
                .field("pid", FieldKind::Uint32)
                .field("comm", FieldKind::String),
        )
        .datasource(DataSourceSpec::single("open").field("fname", FieldKind::String))
        .build()
        .unwrap()
}

/// `Field<String>::get` reads into a buffer the field keeps: the first read
/// reserves 256 bytes, a longer value grows it x4 until it fits, and from
/// then on every read, short or long, is exactly one `fieldGetBuffer`.
#[test]
fn string_reads_cost_one_host_call_once_the_field_buffer_has_grown() {
    let mut g = load(&datasources_host(), "macro-datasources");
    g.run_to_started().unwrap();
    let long = "x".repeat(3000);
    let mut reads = |comm: &str| {
        g.reset_host_calls();
        g.push("exec", Event::new().set("pid", 1u32).set("comm", comm))
            .unwrap();
        g.host_calls().get("fieldGetBuffer")
    };
    assert_eq!(reads("bash"), 1, "a short value fits the first 256 bytes");
    assert_eq!(reads(&long), 3, "256 -> 1024 -> 4096 bytes");
    for comm in ["sh", long.as_str(), "", "bash"] {
        assert_eq!(reads(comm), 1, "warm read of {} bytes", comm.len());
    }
    g.stop().unwrap();
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
    let summary = g.emitted("summary");
    assert_eq!(text(summary[0].single().unwrap(), "last_comm"), "bash");
}

#[test]
fn datasource_members_find_create_and_unreference() {
    let mut g = load(&datasources_host(), "macro-datasources");
    g.init().unwrap();
    assert_logged(
        &g,
        LogLevel::Info,
        "init: exec referenced=false open referenced=true data sources exec open summary stages batches",
    );
    let exec = g.datasource("exec").unwrap();
    assert!(
        !exec.referenced,
        "unreference: later operators do not get it"
    );
    assert_eq!(exec.wasm_subscriptions, 1, "subscribed through the member");
    let open = g.datasource("open").unwrap();
    assert!(open.referenced);
    assert_eq!(open.wasm_subscriptions, 1);

    let shape = |name: &str| {
        let info = g
            .datasource(name)
            .unwrap_or_else(|| panic!("`{name}` created"));
        let fields: Vec<(String, FieldKind)> = info
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.kind))
            .collect();
        (info.ds_type, info.referenced, fields)
    };
    let f = |n: &str, k| (n.to_owned(), k);
    assert_eq!(
        shape("summary"),
        (
            DataSourceType::Single,
            true,
            vec![
                f("execs", FieldKind::Uint64),
                f("opens", FieldKind::Uint64),
                f("last_comm", FieldKind::String)
            ]
        ),
        "new: single by default, only the added fields"
    );
    assert_eq!(
        shape("stages"),
        (
            DataSourceType::Single,
            true,
            vec![f("stage", FieldKind::String)]
        )
    );
    assert_eq!(
        shape("batches"),
        (
            DataSourceType::Array,
            true,
            vec![f("pid", FieldKind::Uint32), f("index", FieldKind::Uint16)]
        )
    );
    let last_comm = g.datasource("summary").unwrap().fields[2].tags.clone();
    assert_eq!(last_comm, ["columns.width:16"]);
    assert_eq!(
        g.datasource_names(),
        ["batches", "exec", "open", "stages", "summary"]
    );
}

#[test]
fn hooks_emit_packets_on_created_datasources() {
    let mut g = load(&datasources_host(), "macro-datasources");
    g.run_to_started().unwrap();
    assert_logged_containing(
        &g,
        LogLevel::Info,
        &["start: exec not found by name: data source `exec`"],
    );
    let stages: Vec<String> = g
        .emitted_events("stages")
        .into_iter()
        .map(|e| text(e, "stage"))
        .collect();
    assert_eq!(stages, ["start"], "gadgetStart emitted on `stages`");

    for (pid, comm) in [(10u32, "a"), (11, "b"), (12, "c")] {
        g.push("exec", Event::new().set("pid", pid).set("comm", comm))
            .unwrap();
    }
    for fname in ["/etc/passwd", "/tmp/x"] {
        g.push("open", Event::new().set("fname", fname)).unwrap();
    }
    assert_logged(&g, LogLevel::Info, "open: /tmp/x");
    g.stop().unwrap();
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));

    let summary = g.emitted("summary");
    assert_eq!(summary.len(), 1);
    let ev = summary[0].single().expect("a single packet");
    assert_eq!(ev.get("execs"), Some(&Value::U64(3)));
    assert_eq!(ev.get("opens"), Some(&Value::U64(2)));
    assert_eq!(text(ev, "last_comm"), "c");

    let batches = g.emitted("batches");
    assert_eq!(batches.len(), 1, "one array packet");
    let Emission::Array(elements) = batches[0] else {
        panic!("`batches` emits array packets: {:?}", batches[0]);
    };
    let pids: Vec<(Option<&Value>, Option<&Value>)> = elements
        .iter()
        .map(|e| (e.get("pid"), e.get("index")))
        .collect();
    assert_eq!(
        pids,
        [
            (Some(&Value::U32(10)), Some(&Value::U16(0))),
            (Some(&Value::U32(11)), Some(&Value::U16(1))),
            (Some(&Value::U32(12)), Some(&Value::U16(2))),
        ]
    );
    let stages: Vec<String> = g
        .emitted_events("stages")
        .into_iter()
        .map(|e| text(e, "stage"))
        .collect();
    assert_eq!(stages, ["start", "stop"]);
}

// ---------------------------------------------------------------- #[param]

fn params_host(params: &[(&str, &str)]) -> Host {
    params
        .iter()
        .fold(Host::builder(), |b, (k, v)| b.param(*k, *v))
        .build()
        .unwrap()
}

fn params_line(params: &[(&str, &str)]) -> String {
    let mut g = load(&params_host(params), "macro-params");
    g.init()
        .unwrap_or_else(|e| panic!("{e}\n{}", dump_logs(&g)));
    g.stop().unwrap();
    assert_logged(&g, LogLevel::Info, "stop: logged=true");
    infos(&g)
        .into_iter()
        .find(|m| m.starts_with("params: "))
        .unwrap_or_else(|| panic!("no params line:\n{}", dump_logs(&g)))
}

#[test]
fn params_defaults_apply_when_missing_or_empty() {
    assert_eq!(
        params_line(&[("threshold", "0.25"), ("max-count", "7")]),
        "params: width=16 level=info ratio=0.5 listen=127.0.0.1 verbose=false threshold=0.25 max-count=7"
    );
    // An empty value means the default too.
    assert_eq!(
        params_line(&[
            ("threshold", "2"),
            ("max-count", "0"),
            ("width", ""),
            ("level", ""),
            ("ratio", ""),
            ("listen", ""),
            ("verbose", ""),
        ]),
        "params: width=16 level=info ratio=0.5 listen=127.0.0.1 verbose=false threshold=2 max-count=0"
    );
}

#[test]
fn params_given_values_override_defaults() {
    assert_eq!(
        params_line(&[
            ("width", "80"),
            ("level", "debug"),
            ("ratio", "0.75"),
            ("listen", "10.0.0.1"),
            ("verbose", "true"),
            ("threshold", "1.5"),
            ("max-count", "-3"),
        ]),
        "params: width=80 level=debug ratio=0.75 listen=10.0.0.1 verbose=true threshold=1.5 max-count=-3"
    );
}

#[test]
fn bad_param_value_fails_init_naming_key_value_and_type() {
    for (key, value, ty) in [
        ("width", "wide", "u32"),
        ("ratio", "half", "f32"),
        ("listen", "nowhere", "Ipv4Addr"),
        ("verbose", "yes", "bool"),
        ("threshold", "high", "f64"),
        ("max-count", "9.5", "i64"),
    ] {
        let mut params = vec![("threshold", "1"), ("max-count", "1")];
        params.retain(|(k, _)| *k != key);
        params.push((key, value));
        let mut g = load(&params_host(&params), "macro-params");
        assert_hook_failed(g.init(), "gadgetInit");
        let msg = assert_logged_containing(
            &g,
            LogLevel::Error,
            &[
                "gadgetInit: ",
                &format!("param `{key}`"),
                &format!("{value:?}"),
                ty,
            ],
        );
        assert!(msg.contains("is not a valid"), "{msg}");
        assert!(
            !infos(&g).iter().any(|m| m.starts_with("params:")),
            "#[on_init] does not run: {}",
            dump_logs(&g)
        );
    }
}

#[test]
fn missing_required_param_fails_init_naming_key() {
    for (given, missing) in [
        (("max-count", "1"), "threshold"),
        (("threshold", "1"), "max-count"),
    ] {
        let mut g = load(&params_host(&[given]), "macro-params");
        assert_hook_failed(g.init(), "gadgetInit");
        assert_logged_containing(
            &g,
            LogLevel::Error,
            &["gadgetInit: ", &format!("param `{missing}`"), "not set"],
        );
    }
}

// ------------------------------------------------------------------ hooks

const HOOKS: [(&str, &str); 5] = [
    ("init", "gadgetInit"),
    ("pre_start", "gadgetPreStart"),
    ("start", "gadgetStart"),
    ("stop", "gadgetStop"),
    ("post_stop", "gadgetPostStop"),
];

fn run_hook(g: &mut gadget_host::Gadget, export: &str) -> Result<(), HostError> {
    match export {
        "gadgetInit" => g.init(),
        "gadgetPreStart" => g.pre_start(),
        "gadgetStart" => g.start(),
        "gadgetStop" => g.stop(),
        "gadgetPostStop" => g.post_stop(),
        other => unreachable!("{other}"),
    }
}

#[test]
fn hooks_run_in_order_and_self_hooks_keep_state() {
    let mut g = load(&Host::new().unwrap(), "macro-hooks");
    for (_, export) in HOOKS {
        run_hook(&mut g, export).unwrap_or_else(|e| panic!("{e}\n{}", dump_logs(&g)));
    }
    // `runs` is a Cell counted by `&self` and `&mut self` hooks alike.
    assert_eq!(
        infos(&g),
        [
            "init: run 1",
            "pre_start: run 2",
            "start: run 3",
            "stop: run 4",
            "post_stop: run 5"
        ]
    );
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
}

#[test]
fn hook_errors_are_logged_and_fail_the_export() {
    let expected = [
        "gadgetInit: `init` failed: init asked to fail (init)",
        "gadgetPreStart: `pre_start` failed: pre_start asked to fail (fail=pre_start)",
        "gadgetStart: `start` failed: start refused after 3 runs",
        "gadgetStop: `stop` failed: stop asked to fail",
        "gadgetPostStop: `post_stop` failed: post_stop asked to fail (post_stop)",
    ];
    for ((hook, export), message) in HOOKS.into_iter().zip(expected) {
        let mut g = load(
            &Host::builder().param("fail", hook).build().unwrap(),
            "macro-hooks",
        );
        for (_, earlier) in HOOKS.iter().take_while(|(h, _)| *h != hook) {
            run_hook(&mut g, earlier).unwrap_or_else(|e| panic!("{e}\n{}", dump_logs(&g)));
        }
        let err = run_hook(&mut g, export).unwrap_err();
        assert!(
            matches!(err, HostError::HookFailed { hook: h, code: 1 } if h == export),
            "{hook}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("`{export}` failed (it returned 1)")
        );
        assert_eq!(errors(&g), [message], "{hook}:\n{}", dump_logs(&g));
        // A failed stop still lets post-stop run, with the state intact.
        if hook == "stop" {
            g.post_stop().unwrap();
            assert_logged(&g, LogLevel::Info, "post_stop: run 5");
        }
    }
    // Several at once: only the listed hooks fail.
    let mut g = load(
        &Host::builder()
            .param("fail", "pre_start, post_stop")
            .build()
            .unwrap(),
        "macro-hooks",
    );
    g.init().unwrap();
    assert_hook_failed(g.pre_start(), "gadgetPreStart");
}

#[test]
fn panicking_hook_traps_and_a_later_hook_takes_the_state_over() {
    let host = Host::builder().param("panic", "start").build().unwrap();
    let mut g = load(&host, "macro-hooks");
    g.init().unwrap();
    g.pre_start().unwrap();
    let err = g.start().unwrap_err();
    assert!(
        matches!(
            err,
            HostError::HookTrap {
                hook: "gadgetStart",
                ..
            }
        ),
        "{err:?}"
    );
    // ig drops the module's stderr: the panic hook logged the message first.
    assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "gadget panicked at ",
            "src/lib.rs:",
            ": start asked to panic",
        ],
    );
    // The trapped hook never gave the state back; gadgetStop takes it over,
    // keeping what the trapped hook changed (`runs` is 3 after start).
    g.stop().unwrap();
    let warnings = messages(&g, LogLevel::Warn);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "gadgetStop: taking over the gadget from `gadgetStart`, which trapped before returning (its changes up to the trap are kept; 1 trapped call(s) so far, about "
        ),
        "{}",
        warnings[0]
    );
    assert_logged(&g, LogLevel::Info, "stop: run 4");
    g.post_stop().unwrap();
    assert_logged(&g, LogLevel::Info, "post_stop: run 5");
    assert_eq!(messages(&g, LogLevel::Warn).len(), 1);
}

// ------------------------------------------------------------ #[subscribe]

fn subscribe_host() -> Host {
    Host::builder()
        .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32))
        .datasource(DataSourceSpec::array("procs").field("pid", FieldKind::Uint32))
        .datasource(DataSourceSpec::single("open").field("fname", FieldKind::String))
        .datasource(DataSourceSpec::single("close").field("fname", FieldKind::String))
        .build()
        .unwrap()
}

fn trail(ev: &Event) -> String {
    text(ev, "trail")
}

#[test]
fn subscriptions_run_in_priority_order_with_observers() {
    let mut g = load(&subscribe_host(), "macro-subscribe");
    g.init().unwrap();
    assert_eq!(g.datasource("exec").unwrap().wasm_subscriptions, 4);
    // Observers ordered together with the gadget's subscriptions; a tie
    // runs after the earlier subscription (the gadget's, made in init).
    let first = g.observe("exec", -100).unwrap();
    let tie = g.observe("exec", 0).unwrap();
    let between = g.observe("exec", 5).unwrap();
    let before_packet = g.observe("exec", 15).unwrap();
    let last = g.observe("exec", 100).unwrap();
    g.push("exec", Event::new().set("pid", 1u32)).unwrap();
    let seen = |id| {
        let seen = g.observed(id);
        assert_eq!(seen.len(), 1);
        trail(seen[0].single().unwrap())
    };
    assert_eq!(seen(first), "");
    assert_eq!(seen(tie), "early,middle");
    assert_eq!(seen(between), "early,middle");
    assert_eq!(seen(before_packet), "early,middle,late");
    assert_eq!(seen(last), "early,middle,late,packet");
    assert_eq!(
        trail(g.emitted_events("exec")[0]),
        "early,middle,late,packet",
        "priority -5, 0, 10 (data) then 20 (packet)"
    );
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
}

#[test]
fn array_sources_get_per_element_array_and_packet_callbacks() {
    let mut g = load(&subscribe_host(), "macro-subscribe");
    g.init().unwrap();
    assert_eq!(g.datasource("procs").unwrap().wasm_subscriptions, 3);
    g.push_array(
        "procs",
        (1..=3u32).map(|p| Event::new().set("pid", p)).collect(),
    )
    .unwrap();
    let emitted = g.emitted("procs");
    assert_eq!(emitted.len(), 1);
    let Emission::Array(elements) = emitted[0] else {
        panic!("{:?}", emitted[0]);
    };
    let trails: Vec<String> = elements.iter().map(trail).collect();
    assert_eq!(
        trails, ["element,array3,packet"; 3],
        "a data subscription runs once per element, then the array one, then the packet one"
    );
    assert_eq!(elements[2].get("pid"), Some(&Value::U32(3)));
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
}

#[test]
fn later_phase_subscriptions_start_in_their_phase() {
    let mut g = load(&subscribe_host(), "macro-subscribe");
    let file_calls = |g: &gadget_host::Gadget| -> Vec<String> {
        infos(g)
            .into_iter()
            .filter(|m| m.starts_with("on_file:"))
            .collect()
    };
    let open = || Event::new().set("fname", "/etc/hosts");
    g.init().unwrap();
    assert_eq!(g.datasource("open").unwrap().wasm_subscriptions, 0);
    g.push("open", open()).unwrap();
    g.push("close", open()).unwrap();
    assert!(file_calls(&g).is_empty(), "{}", dump_logs(&g));

    g.pre_start().unwrap();
    assert_eq!(g.datasource("open").unwrap().wasm_subscriptions, 1);
    assert_eq!(g.datasource("close").unwrap().wasm_subscriptions, 0);
    g.push("open", open()).unwrap();
    g.push("close", open()).unwrap();
    assert_eq!(file_calls(&g), ["on_file: call 1"]);

    g.start().unwrap();
    assert_eq!(g.datasource("close").unwrap().wasm_subscriptions, 1);
    g.push("close", open()).unwrap();
    g.push("open", open()).unwrap();
    assert_eq!(
        file_calls(&g),
        ["on_file: call 1", "on_file: call 2", "on_file: call 3"],
        "one method serves both subscriptions"
    );
    g.stop().unwrap();
    assert!(g.closed().is_none(), "{:?}", g.closed());
    assert!(errors(&g).is_empty(), "{}", dump_logs(&g));
}

// ------------------------------------------- constructor and error paths

fn errors_host(params: &[(&str, &str)]) -> Host {
    params
        .iter()
        .fold(
            Host::builder()
                .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32)),
            |b, (k, v)| b.param(*k, *v),
        )
        .build()
        .unwrap()
}

fn seen(g: &gadget_host::Gadget, index: usize) -> Option<Value> {
    g.emitted_events("exec")[index].get("seen").cloned()
}

#[test]
fn constructor_builds_the_gadget() {
    let mut g = load(&errors_host(&[("lookup", "pid")]), "macro-errors");
    g.run_to_started().unwrap();
    assert_eq!(infos(&g), ["new: found pid", "new: built in mode ``"]);
    assert_eq!(
        g.datasource("feedback").unwrap().wasm_subscriptions,
        1,
        "subscriptions of a constructed gadget are made after the constructor"
    );
    g.push("exec", Event::new().set("pid", 5u32)).unwrap();
    g.push("exec", Event::new().set("pid", 6u32)).unwrap();
    assert_eq!(seen(&g, 1), Some(Value::U32(2)));
    g.stop().unwrap();
    assert_logged(&g, LogLevel::Info, "stop: events=2 feedback=0 exec=exec");
}

#[test]
fn constructor_errors_fail_init_naming_the_method() {
    let mut g = load(&errors_host(&[("mode", "refuse")]), "macro-errors");
    assert_hook_failed(g.init(), "gadgetInit");
    assert_eq!(
        errors(&g),
        [
            "gadgetInit: `new` failed: mode `refuse`: the constructor refuses to build the gadget (new)"
        ]
    );

    // A field the constructor looks up and that does not exist.
    let mut g = load(&errors_host(&[("lookup", "nope")]), "macro-errors");
    assert_hook_failed(g.init(), "gadgetInit");
    let msg = assert_logged_containing(
        &g,
        LogLevel::Error,
        &["gadgetInit: `new` failed: field `nope` of data source `exec`: not found"],
    );
    assert!(msg.ends_with("(dataSourceGetField)"), "{msg}");
}

#[test]
fn reentrant_callback_is_refused_and_state_stays_usable() {
    let mut g = load(&errors_host(&[("mode", "reentrant")]), "macro-errors");
    g.run_to_started()
        .unwrap_or_else(|e| panic!("{e}\n{}", dump_logs(&g)));
    let msg = assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "dataSourceCallback: `on_feedback` failed: ",
            "the gadget is in use by `gadgetStart`, which emitted a packet that came back to this module",
            "(data source `feedback`)",
        ],
    );
    assert_eq!(errors(&g).len(), 1, "{}", dump_logs(&g));
    assert!(!msg.contains("taking over"), "{msg}");
    // The hook went on after its emit returned; the nested callback never
    // touched the state.
    assert_logged(
        &g,
        LogLevel::Info,
        "start: emitted onto feedback, feedback events seen: 0",
    );
    assert!(g.callback_traps().is_empty(), "{:?}", g.callback_traps());
    let fed = g.emitted_events("feedback");
    assert_eq!(fed.len(), 1);
    assert_eq!(
        fed[0].get("n"),
        Some(&Value::U32(1)),
        "the event goes on unchanged"
    );

    // The state is usable afterwards: not left locked.
    g.push("exec", Event::new().set("pid", 7u32)).unwrap();
    assert_eq!(seen(&g, 0), Some(Value::U32(1)));
    g.push("feedback", Event::new().set("n", 2u32)).unwrap();
    assert_logged(&g, LogLevel::Info, "feedback: n=2 total=1");
    g.stop().unwrap();
    assert_logged(&g, LogLevel::Info, "stop: events=1 feedback=1 exec=exec");
    assert_eq!(errors(&g).len(), 1, "{}", dump_logs(&g));
    assert!(messages(&g, LogLevel::Warn).is_empty(), "{}", dump_logs(&g));
}

#[test]
fn callback_errors_are_logged_with_method_and_datasource() {
    let mut g = load(&errors_host(&[]), "macro-errors");
    g.run_to_started().unwrap();
    g.push("exec", Event::new().set("pid", 0u32)).unwrap();
    assert_eq!(
        errors(&g),
        [
            "dataSourceCallback: `on_exec` failed: pid 0 is not a process (on_exec) (data source `exec`)"
        ]
    );
    // ig ignores a callback's result: the event goes on, without `seen`.
    assert_eq!(g.emitted_events("exec").len(), 1);
    assert_eq!(seen(&g, 0), Some(Value::U32(0)), "unset");
    g.push("exec", Event::new().set("pid", 8u32)).unwrap();
    assert_eq!(seen(&g, 1), Some(Value::U32(2)));
    assert!(g.callback_traps().is_empty());
    g.stop().unwrap();
}

/// ig never resets a module's stack pointer after a trap, so each panic
/// costs the stack its frames used (measured: about 850 bytes per panicking
/// callback; after about 1,240 of them every call traps). The runtime says
/// so in each takeover warning and raises an error past a quarter of the
/// stack.
#[test]
fn panics_cost_stack_for_good_and_the_runtime_says_how_much() {
    let mut g = load(&errors_host(&[]), "macro-errors");
    g.run_to_started().unwrap();
    let lost_kib = |message: &str| -> f64 {
        let (_, after) = message
            .split_once("so far, about ")
            .expect("the loss is reported");
        after.split(' ').next().unwrap().parse().unwrap()
    };
    let mut previous = 0.0;
    for round in 1..=4 {
        for _ in 0..100 {
            g.push("exec", Event::new().set("pid", 13u32)).unwrap();
        }
        g.push("exec", Event::new().set("pid", 2u32)).unwrap();
        let warnings = messages(&g, LogLevel::Warn);
        let last = warnings.last().expect("a takeover warning");
        assert!(
            last.contains(&format!("{} trapped call(s) so far", round * 100)),
            "{last}"
        );
        let lost = lost_kib(last);
        assert!(
            lost > previous + 40.0,
            "the loss grows with every trap: {previous} -> {lost} KiB"
        );
        previous = lost;
    }
    // The gadget still works, and the alarm has been raised.
    let seen_now = g
        .emitted_events("exec")
        .last()
        .unwrap()
        .get("seen")
        .cloned();
    assert_eq!(seen_now, Some(Value::U32(404)));
    assert!(
        errors(&g).iter().any(
            |e| e.contains("of the module's stack, which ig never gives back")
                && e.contains("make `dataSourceCallback` return an error instead of panicking")
        ),
        "{}",
        dump_logs(&g)
    );
}

#[test]
fn panicking_callback_traps_and_the_state_is_taken_over() {
    let mut g = load(&errors_host(&[]), "macro-errors");
    g.run_to_started().unwrap();
    g.push("exec", Event::new().set("pid", 1u32)).unwrap();
    g.push("exec", Event::new().set("pid", 13u32)).unwrap();
    let traps = g.callback_traps();
    assert_eq!(traps.len(), 1, "the panic traps the callback");
    assert_eq!(traps[0].datasource, "exec");
    // The panic hook logged the message through gadgetLog before the trap.
    let panic = assert_logged_containing(
        &g,
        LogLevel::Error,
        &[
            "gadget panicked at ",
            "src/lib.rs:",
            ": unlucky pid 13 after 2 events",
        ],
    );
    assert!(panic.starts_with("gadget panicked at "), "{panic}");
    assert_eq!(g.emitted_events("exec").len(), 2, "the event still goes on");

    // The next event takes the state over, with a warning, keeping the
    // trapped callback's changes (`events` was counted before the panic).
    g.push("exec", Event::new().set("pid", 2u32)).unwrap();
    let warnings = messages(&g, LogLevel::Warn);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "dataSourceCallback: taking over the gadget from `dataSourceCallback`, which trapped before returning (its changes up to the trap are kept; 1 trapped call(s) so far, about "
        ),
        "{}",
        warnings[0]
    );
    assert_eq!(seen(&g, 2), Some(Value::U32(3)));
    g.push("exec", Event::new().set("pid", 4u32)).unwrap();
    assert_eq!(seen(&g, 3), Some(Value::U32(4)));
    assert_eq!(messages(&g, LogLevel::Warn).len(), 1, "taken over once");
    g.stop().unwrap();
    assert_logged(&g, LogLevel::Info, "stop: events=4 feedback=0 exec=exec");
    assert_eq!(g.callback_traps().len(), 1);
    assert_eq!(errors(&g).len(), 1, "only the panic: {}", dump_logs(&g));
}

// ------------------------------------------------------------ conformance

#[test]
fn every_macro_gadget_exports_exactly_what_ig_expects() {
    use std::collections::{BTreeMap, BTreeSet};

    use gadget_build::{AbiTable, Interface};

    let table = AbiTable::load();
    // Hooks each gadget needs: an export exists only when something needs it.
    let needs: BTreeMap<&str, &[&str]> = BTreeMap::from([
        (
            "macro-fields",
            &[
                "gadgetInit",
                "gadgetPreStart",
                "gadgetStart",
                "dataSourceCallback",
            ][..],
        ),
        (
            "macro-datasources",
            &[
                "gadgetInit",
                "gadgetStart",
                "gadgetStop",
                "dataSourceCallback",
            ][..],
        ),
        ("macro-params", &["gadgetInit", "gadgetStop"][..]),
        (
            "macro-hooks",
            &[
                "gadgetInit",
                "gadgetPreStart",
                "gadgetStart",
                "gadgetStop",
                "gadgetPostStop",
            ][..],
        ),
        (
            "macro-subscribe",
            &[
                "gadgetInit",
                "gadgetPreStart",
                "gadgetStart",
                "dataSourceCallback",
            ][..],
        ),
        (
            "macro-errors",
            &[
                "gadgetInit",
                "gadgetStart",
                "gadgetStop",
                "dataSourceCallback",
            ][..],
        ),
    ]);
    assert_eq!(
        needs.keys().copied().collect::<BTreeSet<_>>(),
        support::GADGETS.into_iter().collect::<BTreeSet<_>>()
    );
    for (gadget, hooks) in needs {
        let wasm = std::fs::read(support::wasm(gadget)).unwrap();
        let module = Interface::read(&wasm).unwrap();
        assert_eq!(
            module.conformance_problems(&table),
            Vec::<String>::new(),
            "`{gadget}`"
        );
        // Exports exist only where something needs them (`_initialize`
        // comes from rustc, depending on its version).
        let mut expected: Vec<&str> = hooks.iter().copied().chain(["gadgetAPIVersion"]).collect();
        if module.exports.contains_key("_initialize") {
            expected.push("_initialize");
        }
        expected.sort_unstable();
        assert_eq!(
            module.exported_functions(),
            expected,
            "exports of `{gadget}`"
        );
        assert!(
            module.imports.keys().any(|(m, _)| *m == table.module),
            "`{gadget}` calls into ig"
        );

        // And the host agrees: it loads and reports API version 1.
        Host::new()
            .unwrap()
            .load(&wasm)
            .unwrap_or_else(|e| panic!("`{gadget}`: {e}"));
    }
}
