//! A gadget written in Rust against the raw ABI, built for wasm32-wasip1 by
//! `gadget_build::build_wasm` and run end to end. Fails (does not
//! skip) when the wasm target cannot be installed.

use std::path::PathBuf;

use gadget_host::{DataSourceSpec, Event, FieldKind, Host, HostError, LogLevel, Value};

const CARGO_TOML: &str = r#"[package]
name = "tiny-gadget"
version = "0.0.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

[workspace]

[profile.release]
opt-level = "s"
"#;

const LIB_RS: &str = r#"
#[link(wasm_import_module = "ig")]
extern "C" {
    fn gadgetLog(level: i32, msg: u64);
    fn getDataSource(name: u64) -> u32;
    fn dataSourceGetField(ds: u32, name: u64) -> u32;
    fn dataSourceAddField(ds: u32, name: u64, kind: u32) -> u32;
    fn dataSourceSubscribe(ds: u32, ty: u32, priority: i32, cb: u64) -> u32;
    fn fieldGetScalar(field: u32, data: u32, kind: u32, err: u32) -> u64;
    fn fieldSet(field: u32, data: u32, kind: u32, value: u64) -> u32;
}

static mut PID: u32 = 0;
static mut DOUBLED: u32 = 0;

fn bp(s: &[u8]) -> u64 {
    ((s.len() as u64) << 32) | s.as_ptr() as u64
}

#[no_mangle]
pub extern "C" fn gadgetAPIVersion() -> u64 {
    1
}

#[no_mangle]
pub extern "C" fn gadgetInit() -> i32 {
    unsafe {
        let ds = getDataSource(bp(b"exec"));
        PID = dataSourceGetField(ds, bp(b"pid"));
        DOUBLED = dataSourceAddField(ds, bp(b"doubled"), 9);
        gadgetLog(2, bp(b"hello from rust"));
        dataSourceSubscribe(ds, 1, 0, 7) as i32
    }
}

#[no_mangle]
pub extern "C" fn dataSourceCallback(_cb: u64, _ds: u32, data: u32) {
    unsafe {
        let mut err: u32 = 0;
        let pid = fieldGetScalar(PID, data, 8, &mut err as *mut u32 as u32);
        if err == 0 {
            fieldSet(DOUBLED, data, 9, pid * 2);
        }
    }
}

#[no_mangle]
pub extern "C" fn allocate(mib: u32) -> u32 {
    let v = vec![1u8; (mib as usize) << 20];
    v.iter().map(|&b| b as u32).sum()
}
"#;

fn tiny_gadget() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gadget-host-tiny-gadget-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), CARGO_TOML).unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB_RS).unwrap();
    let wasm = gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        wasm.ends_with("wasm32-wasip1/release/tiny_gadget.wasm"),
        "{}",
        wasm.display()
    );
    wasm
}

#[test]
fn rust_gadget_builds_and_runs() {
    let wasm = tiny_gadget();
    let host = Host::builder()
        .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32))
        .log_level(LogLevel::Debug)
        .build()
        .unwrap();
    let mut g = host.load_file(&wasm).unwrap();
    g.run_to_started().unwrap();
    assert_eq!(g.gadget_logs()[0].message, "hello from rust");
    g.push("exec", Event::new().set("pid", 21u32)).unwrap();
    let ev = g.emitted_events("exec")[0].clone();
    assert_eq!(ev.get("doubled"), Some(&Value::U64(42)));
    // a modest allocation works, a 17 MiB one fails cleanly: the allocator
    // aborts (a trap) and std's message lands on the captured stderr
    assert_eq!(g.call_export("allocate", &[1]).unwrap(), [1 << 20]);
    let err = g.call_export("allocate", &[17]).unwrap_err();
    assert!(matches!(err, HostError::HookTrap { .. }), "{err}");
    assert!(
        g.stderr()
            .contains("memory allocation of 17825792 bytes failed"),
        "stderr: {}",
        g.stderr()
    );
    g.stop().unwrap();
}

#[test]
fn build_wasm_reports_a_missing_manifest() {
    let err = gadget_build::build_wasm(std::path::Path::new("/nonexistent-gadget")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent-gadget/Cargo.toml: "),
        "{err}"
    );
}
