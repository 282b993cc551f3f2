//! Lifecycle: hooks, their errors, callbacks and their traps, contexts,
//! the handle table after stop, WASI output capture.

mod common;

use common::*;
use gadget_host::{DataSourceSpec, Event, FieldKind, Hazard, Host, HostError, Phase};

fn host() -> Host {
    Host::builder()
        .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32))
        .datasource(DataSourceSpec::single("other").field("pid", FieldKind::Uint32))
        .build()
        .unwrap()
}

/// WAT: get data source "exec" (name at 0x3000) into global $ds.
const GET_EXEC: &str = r#"(data (i32.const 0x3000) "exec") (data (i32.const 0x3010) "other")
    (global $ds (mut i32) (i32.const 0)) (global $other (mut i32) (i32.const 0))
    (func $exec_ptr (result i64) (i64.or (i64.shl (i64.const 4) (i64.const 32)) (i64.const 0x3000)))
    (func $other_ptr (result i64) (i64.or (i64.shl (i64.const 5) (i64.const 32)) (i64.const 0x3010)))"#;

#[test]
fn hooks_run_in_order_and_are_optional() {
    let mut g = plain();
    assert_eq!(g.phase(), Phase::Loaded);
    assert!(matches!(
        g.start(),
        Err(HostError::Phase {
            hook: "gadgetStart",
            ..
        })
    ));
    g.init().unwrap();
    g.pre_start().unwrap();
    g.start().unwrap();
    g.stop().unwrap();
    g.post_stop().unwrap();
    assert_eq!(g.phase(), Phase::PostStop);
}

#[test]
fn non_zero_hook_result_names_the_hook() {
    let mut g = load(
        &host(),
        r#"(func (export "gadgetPreStart") (result i32) i32.const 3)"#,
        "",
    );
    g.init().unwrap();
    let err = g.pre_start().unwrap_err();
    assert!(
        matches!(
            err,
            HostError::HookFailed {
                hook: "gadgetPreStart",
                code: 3
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "`gadgetPreStart` failed (it returned 3)");
}

#[test]
fn trapping_hook_names_the_export_with_backtrace() {
    let extra = r#"(func $deep (unreachable)) (func (export "gadgetStart") (result i32) (call $deep) (i32.const 0))"#;
    let mut g = load(&host(), extra, "");
    g.init().unwrap();
    g.pre_start().unwrap();
    let err = g.start().unwrap_err();
    let text = err.to_string();
    assert!(matches!(
        err,
        HostError::HookTrap {
            hook: "gadgetStart",
            ..
        }
    ));
    assert!(text.starts_with("calling `gadgetStart`: "), "{text}");
    assert!(
        text.contains("backtrace") && text.contains("deep"),
        "{text}"
    );
    assert!(text.contains("unreachable"), "{text}");
}

/// WAT: `gadgetInit` subscribes callback 5 to "exec" and keeps the `pid`
/// field in global $pid.
fn subscribe_exec_with_pid() -> String {
    format!(
        r#"{GET_EXEC} (global $pid (mut i32) (i32.const 0))
        (func (export "gadgetInit") (result i32)
          (global.set $ds (call $getDataSource (call $exec_ptr)))
          (global.set $pid (call $dataSourceGetField (global.get $ds) (i64.or (i64.shl (i64.const 3) (i64.const 32)) (i64.const 0x3020))))
          (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (i32.const 0) (i64.const 5)))
        (data (i32.const 0x3020) "pid")"#
    )
}

#[test]
fn callback_trap_is_recorded_and_later_events_still_delivered() {
    // Traps on pid 13, counts calls at 0x2000 otherwise.
    let extra = subscribe_exec_with_pid();
    let on_event = r#"(if (i64.eq (call $fieldGetScalar (global.get $pid) (local.get $h) (i32.const 8) (i32.const 0)) (i64.const 13)) (then unreachable))
        (i32.store (i32.const 0x2000) (i32.add (i32.load (i32.const 0x2000)) (i32.const 1)))"#;
    let mut g = load(&host(), &extra, on_event);
    g.init().unwrap();
    g.push("exec", Event::new().set("pid", 13u32)).unwrap();
    g.push("exec", Event::new().set("pid", 14u32)).unwrap();
    assert_eq!(g.callback_traps().len(), 1);
    assert_eq!(g.callback_traps()[0].cb_id, 5);
    assert_eq!(g.callback_traps()[0].datasource, "exec");
    assert!(g.callback_traps()[0].message.contains("unreachable"));
    assert_eq!(g.u32_at(0x2000), 1, "the second event was delivered");
    assert_eq!(
        g.emitted("exec").len(),
        2,
        "a wasm subscriber cannot drop an event"
    );
    assert_eq!(
        g.open_handles(),
        2,
        "callback handles freed even after a trap"
    );
}

#[test]
fn emitting_from_a_callback_onto_a_wasm_subscribed_source_is_a_deadlock_hazard() {
    let extra = format!(
        r#"{GET_EXEC}
        (func (export "gadgetInit") (result i32)
          (global.set $ds (call $getDataSource (call $exec_ptr)))
          (global.set $other (call $getDataSource (call $other_ptr)))
          (drop (call $dataSourceSubscribe (global.get $other) (i32.const 1) (i32.const 0) (i64.const 2)))
          (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (i32.const 0) (i64.const 1)))"#
    );
    let on_event = r#"(if (i64.eq (local.get $cb) (i64.const 1)) (then
        (drop (call $dataSourceEmitAndRelease (global.get $other) (call $dataSourceNewPacketSingle (global.get $other))))))"#;
    let mut g = load(&host(), &extra, on_event);
    g.init().unwrap();
    let err = g.push("exec", Event::new()).unwrap_err();
    assert!(
        matches!(&err, HostError::Hazard(Hazard::CallbackEmitDeadlock { datasource }) if datasource == "other"),
        "{err:?}"
    );
    assert!(err.to_string().contains("deadlock"));
}

#[test]
fn emitting_from_a_hook_reenters_the_module() {
    let extra = format!(
        r#"{GET_EXEC}
        (func (export "gadgetInit") (result i32)
          (global.set $ds (call $getDataSource (call $exec_ptr)))
          (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (i32.const 0) (i64.const 1)))
        (func (export "gadgetStart") (result i32)
          (call $dataSourceEmitAndRelease (global.get $ds) (call $dataSourceNewPacketSingle (global.get $ds))))"#
    );
    let mut g = load(&host(), &extra, "");
    g.run_to_started().unwrap();
    assert_eq!(g.callbacks().len(), 1);
    assert_eq!(g.emitted("exec").len(), 1);
}

#[test]
fn delivery_after_the_subscription_context_ended_closes_the_module() {
    let extra = format!(
        r#"{GET_EXEC}
        (func (export "gadgetPreStart") (result i32)
          (global.set $ds (call $getDataSource (call $exec_ptr)))
          (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (i32.const 0) (i64.const 1)))
        (func (export "gadgetStop") (result i32)
          (call $dataSourceEmitAndRelease (global.get $ds) (call $dataSourceNewPacketSingle (global.get $ds))))"#
    );
    let mut g = load(&host(), &extra, "");
    g.run_to_started().unwrap();
    g.push("exec", Event::new()).unwrap();
    let err = g.stop().unwrap_err();
    assert!(err.to_string().contains("after its context ended"), "{err}");
    assert!(g.closed().is_some());
    assert!(matches!(g.post_stop(), Err(HostError::ModuleClosed { .. })));
}

#[test]
fn handle_table_is_dropped_after_stop() {
    let extra = format!(
        r#"{GET_EXEC}
        (func (export "gadgetInit") (result i32) (global.set $ds (call $getDataSource (call $exec_ptr))) (i32.const 0))
        (func (export "gadgetPostStop") (result i32)
          (drop (call $dataSourceIsReferenced (global.get $ds)))
          (i32.store (i32.const 0x2000) (call $dataSourceIsReferenced (global.get $ds)))
          (drop (call $getDataSource (call $exec_ptr)))
          (i32.const 0))"#
    );
    let mut g = load(&host(), &extra, "");
    g.run_to_started().unwrap();
    g.stop().unwrap();
    assert_eq!(g.open_handles(), 0);
    let err = g.post_stop().unwrap_err();
    assert_eq!(g.u32_at(0x2000), 2, "look-ups fail");
    assert!(
        matches!(
            err,
            HostError::HookTrap {
                hook: "gadgetPostStop",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("after gadgetStop"), "{err}");
    assert!(
        g.push("exec", Event::new()).is_err(),
        "no events after stop"
    );
}

#[test]
fn initialize_runs_and_output_is_captured() {
    let extra = r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (global $ready (mut i32) (i32.const 0))
        (data (i32.const 0x3000) "to stdout\n") (data (i32.const 0x3100) "to stderr\n")
        (func (export "_initialize") (global.set $ready (i32.const 1)))
        (func (export "gadgetInit") (result i32)
          (i32.store (i32.const 0x2000) (i32.const 0x3000)) (i32.store (i32.const 0x2004) (i32.const 10))
          (drop (call $fd_write (i32.const 1) (i32.const 0x2000) (i32.const 1) (i32.const 0x2010)))
          (i32.store (i32.const 0x2000) (i32.const 0x3100))
          (drop (call $fd_write (i32.const 2) (i32.const 0x2000) (i32.const 1) (i32.const 0x2010)))
          (i32.sub (i32.const 1) (global.get $ready)))
        (func (export "gadgetStart") (result i32) unreachable)"#;
    // The WASI import must come first in the module: splice it via the harness.
    let wasm = wat::parse_str(gadget_wat_with_leading_import(extra)).unwrap();
    let mut g = host().load(&wasm).unwrap();
    g.init().unwrap();
    assert_eq!(g.stdout(), "to stdout\n");
    assert_eq!(g.stderr(), "to stderr\n");
    g.pre_start().unwrap();
    let err = g.start().unwrap_err().to_string();
    assert!(
        err.contains("[module stderr, which ig discards]") && err.contains("to stderr"),
        "{err}"
    );
}

/// Moves a leading `(import ...)` line of `extra` to the front of the module.
fn gadget_wat_with_leading_import(extra: &str) -> String {
    let (import, rest) = extra.split_once('\n').unwrap();
    gadget_wat(rest, "").replacen("(module\n", &format!("(module\n{import}\n"), 1)
}

fn small_budget_host() -> Host {
    Host::builder()
        .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32))
        .fuel_per_call(1_000_000)
        .build()
        .unwrap()
}

#[test]
fn a_hook_that_never_returns_is_stopped_as_a_hazard() {
    let extra =
        r#"(func (export "gadgetStart") (result i32) (loop $forever (br $forever)) i32.const 0)"#;
    let mut g = load(&small_budget_host(), extra, "");
    g.init().unwrap();
    g.pre_start().unwrap();
    let err = g.start().unwrap_err();
    match &err {
        HostError::Hazard(Hazard::Runaway { call, budget }) => {
            assert_eq!(call, "`gadgetStart`");
            assert_eq!(*budget, 1_000_000);
        }
        other => panic!("expected a runaway hazard, got {other:?}"),
    }
    assert!(
        err.to_string().contains("ig has no limit and would hang"),
        "{err}"
    );
}

#[test]
fn a_callback_that_never_returns_is_stopped_and_the_budget_renews_per_call() {
    // Loops forever on pid 13; otherwise spends a little fuel and returns.
    let extra = subscribe_exec_with_pid();
    let on_event = r#"(if (i64.eq (call $fieldGetScalar (global.get $pid) (local.get $h) (i32.const 8) (i32.const 0)) (i64.const 13)) (then (loop $forever (br $forever))))
        (i32.store (i32.const 0x2000) (i32.add (i32.load (i32.const 0x2000)) (i32.const 1)))"#;
    let mut g = load(&small_budget_host(), &extra, on_event);
    g.init().unwrap();
    // Many cheap events: each push gets a fresh budget.
    for _ in 0..50 {
        g.push("exec", Event::new().set("pid", 1u32)).unwrap();
    }
    assert_eq!(g.u32_at(0x2000), 50);
    let err = g.push("exec", Event::new().set("pid", 13u32)).unwrap_err();
    assert!(
        matches!(&err, HostError::Hazard(Hazard::Runaway { call, .. }) if call.contains("`exec`")),
        "{err:?}"
    );
}
