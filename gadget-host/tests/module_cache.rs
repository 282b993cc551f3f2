//! Compiled modules cached on disk: a second compilation of the same bytes
//! loads the stored code; an entry that fails its checks is refused and
//! rewritten; the command stores its modules where `GADGET_HOST_CACHE_DIR`
//! says.

use std::path::{Path, PathBuf};
use std::process::Command;

use gadget_host::{CompiledFrom, Host, ModuleCache};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gadget-host-cache-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn module(hook_result: i32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
  (memory (export "memory") 1)
  (func (export "gadgetAPIVersion") (result i64) i64.const 1)
  (func (export "gadgetInit") (result i32) i32.const {hook_result}))"#
    ))
    .unwrap()
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn the_second_compilation_loads_the_stored_module() {
    let dir = scratch("hit").join("modules");
    let cache = ModuleCache::at(&dir);
    let host = Host::new().unwrap();
    let wasm = module(0);
    let (_, from) = host.compile_with_cache(&wasm, Some(&cache)).unwrap();
    assert_eq!(from, CompiledFrom::Compiler { stored: true });
    let files = entries(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "cwasm"));

    let (compiled, from) = host.compile_with_cache(&wasm, Some(&cache)).unwrap();
    assert_eq!(from, CompiledFrom::Cache);
    // The loaded module runs.
    let mut g = host.instantiate(&compiled).unwrap();
    g.init().unwrap();

    // Other bytes: another entry.
    let (_, from) = host.compile_with_cache(&module(1), Some(&cache)).unwrap();
    assert_eq!(from, CompiledFrom::Compiler { stored: true });
    assert_eq!(entries(&dir).len(), 2);
}

#[test]
fn a_damaged_entry_is_refused_and_rewritten() {
    let dir = scratch("damaged");
    let cache = ModuleCache::at(&dir);
    let host = Host::new().unwrap();
    let wasm = module(0);
    host.compile_with_cache(&wasm, Some(&cache)).unwrap();
    let file = entries(&dir).remove(0);
    let good = std::fs::read(&file).unwrap();

    // One flipped bit in the compiled code, a truncated file, another
    // module's entry under this name: each is refused before wasmtime
    // sees it, and compiling again rewrites a good entry.
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let other = {
        let other_dir = scratch("damaged-other");
        host.compile_with_cache(&module(1), Some(&ModuleCache::at(&other_dir)))
            .unwrap();
        std::fs::read(entries(&other_dir).remove(0)).unwrap()
    };
    for bad in [flipped, good[..good.len() / 2].to_vec(), other] {
        std::fs::write(&file, &bad).unwrap();
        let (_, from) = host.compile_with_cache(&wasm, Some(&cache)).unwrap();
        assert_eq!(from, CompiledFrom::Compiler { stored: true });
        assert_eq!(std::fs::read(&file).unwrap(), good);
    }
}

#[test]
fn the_command_stores_compiled_modules_in_the_cache_dir() {
    let dir = scratch("command");
    let wasm = dir.join("gadget.wasm");
    std::fs::write(&wasm, module(0)).unwrap();
    let cache_dir = dir.join("cache");
    for run in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
            .arg("run")
            .arg(&wasm)
            .env("GADGET_HOST_CACHE_DIR", &cache_dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "run {run}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(entries(&cache_dir).len(), 1, "run {run}");
    }
    let off = dir.join("off");
    let output = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
        .arg("run")
        .arg(&wasm)
        .env("GADGET_HOST_CACHE_DIR", "off")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!off.exists() && !dir.join("off").exists());
}
