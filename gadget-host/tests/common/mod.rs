//! Test gadgets in WAT: every `ig` import plus an export `t.<name>` that
//! forwards its arguments to it, so tests drive each import directly with
//! [`Gadget::call_export`]. `dataSourceCallback` logs each call (cb_id, ds,
//! handle) at [`CB_LOG`] and then runs the test's `$on_event`.
#![allow(dead_code)]

use gadget_host::{Gadget, Host};

/// Call log of dataSourceCallback: u32 count, then 16-byte entries
/// (cb_id u64, ds u32, handle u32) from CB_LOG + 16.
pub const CB_LOG: u32 = 0x1000;
/// Scratch area tests write strings to.
pub const SCRATCH: u32 = 0x4000;

/// Import declarations and `t.<name>` trampolines for every table import.
pub fn imports_and_trampolines() -> String {
    let table = gadget_build::AbiTable::load();
    let mut out = String::new();
    for f in &table.imports {
        out += &format!(
            "(import \"ig\" \"{0}\" (func ${0} {1}))\n",
            f.name,
            f.signature.wat()
        );
    }
    for f in &table.imports {
        let gets: String = (0..f.signature.params.len())
            .map(|i| format!("local.get {i} "))
            .collect();
        out += &format!(
            "(func (export \"t.{0}\") {1} {gets}call ${0})\n",
            f.name,
            f.signature.wat()
        );
    }
    out
}

/// A whole test gadget. `extra` is spliced into the module (hooks, helper
/// functions, more exports); `on_event` is the body of
/// `$on_event (param $cb i64) (param $ds i32) (param $h i32)`.
pub fn gadget_wat(extra: &str, on_event: &str) -> String {
    format!(
        r#"(module
{imports}
(memory (export "memory") 2)
(func (export "gadgetAPIVersion") (result i64) i64.const 1)
(func $on_event (param $cb i64) (param $ds i32) (param $h i32) {on_event})
(func (export "dataSourceCallback") (param $cb i64) (param $ds i32) (param $h i32)
  (local $n i32) (local $at i32)
  (local.set $n (i32.load (i32.const {log})))
  (local.set $at (i32.add (i32.const {entries}) (i32.mul (local.get $n) (i32.const 16))))
  (i64.store (local.get $at) (local.get $cb))
  (i32.store (i32.add (local.get $at) (i32.const 8)) (local.get $ds))
  (i32.store (i32.add (local.get $at) (i32.const 12)) (local.get $h))
  (i32.store (i32.const {log}) (i32.add (local.get $n) (i32.const 1)))
  (call $on_event (local.get $cb) (local.get $ds) (local.get $h)))
{extra}
)"#,
        imports = imports_and_trampolines(),
        log = CB_LOG,
        entries = CB_LOG + 16,
    )
}

/// Loads a test gadget built by [`gadget_wat`].
pub fn load(host: &Host, extra: &str, on_event: &str) -> Gadget {
    let wasm = wat::parse_str(gadget_wat(extra, on_event)).expect("test WAT is valid");
    host.load(&wasm).expect("test gadget loads")
}

/// A test gadget with no hooks on an empty host.
pub fn plain() -> Gadget {
    load(&Host::new().unwrap(), "", "")
}

/// Extension methods that keep tests short.
pub trait GadgetExt {
    /// Calls `t.<import>` and returns its first result (0 for none).
    fn ig(&mut self, import: &str, args: &[i64]) -> i64;
    /// Writes bytes at an address, returning the buffer pointer.
    fn put(&mut self, addr: u32, bytes: &[u8]) -> i64;
    /// `getDataSource(name)`, the name written at [`SCRATCH`].
    fn get_datasource(&mut self, name: &str) -> i64;
    /// The callback log: (cb_id, ds, handle) per call.
    fn callbacks(&self) -> Vec<(u64, u32, u32)>;
    /// A little-endian u32 of guest memory.
    fn u32_at(&self, addr: u32) -> u32;
}

impl GadgetExt for Gadget {
    fn ig(&mut self, import: &str, args: &[i64]) -> i64 {
        let r = self
            .call_export(&format!("t.{import}"), args)
            .unwrap_or_else(|e| panic!("{import}: {e}"));
        r.first().copied().unwrap_or(0)
    }

    fn put(&mut self, addr: u32, bytes: &[u8]) -> i64 {
        self.write_memory(addr, bytes).unwrap()
    }

    fn get_datasource(&mut self, name: &str) -> i64 {
        let name = self.put(SCRATCH, name.as_bytes());
        self.ig("getDataSource", &[name])
    }

    fn callbacks(&self) -> Vec<(u64, u32, u32)> {
        let n = self.u32_at(CB_LOG);
        (0..n)
            .map(|i| {
                let at = CB_LOG + 16 + i * 16;
                let b = self.read_memory(at, 16).unwrap();
                (
                    u64::from_le_bytes(b[0..8].try_into().unwrap()),
                    u32::from_le_bytes(b[8..12].try_into().unwrap()),
                    u32::from_le_bytes(b[12..16].try_into().unwrap()),
                )
            })
            .collect()
    }

    fn u32_at(&self, addr: u32) -> u32 {
        u32::from_le_bytes(self.read_memory(addr, 4).unwrap().try_into().unwrap())
    }
}

/// Buffer pointer for (addr, len).
pub fn bp(addr: u32, len: u32) -> i64 {
    ((u64::from(len) << 32) | u64::from(addr)) as i64
}
