//! The linker registers exactly the ABI table's `ig` functions with exactly
//! the table's types (the table read by gadget-build, independently of the
//! host's own reading of it).

use std::collections::BTreeMap;

use gadget_build::{AbiTable, Signature};
use gadget_host::Host;

fn type_name(t: &gadget_host::abi::WasmType) -> String {
    format!("{t:?}").to_lowercase()
}

#[test]
fn linker_registers_exactly_the_table() {
    let table = AbiTable::load();
    assert_eq!(table.module, "ig");
    assert_eq!(table.imports.len(), 41, "the ABI has 41 ig functions");
    let host = Host::new().unwrap();
    let registered: BTreeMap<String, Signature> = host
        .registered_imports()
        .into_iter()
        .filter(|i| i.module == "ig")
        .map(|i| {
            let params = i.params.iter().map(type_name).collect();
            let results = i.results.iter().map(type_name).collect();
            (i.name, Signature { params, results })
        })
        .collect();
    let expected: BTreeMap<String, Signature> = table
        .imports
        .into_iter()
        .map(|i| (i.name, i.signature))
        .collect();
    assert_eq!(
        registered, expected,
        "the linker must register exactly the table, with its types"
    );
}

#[test]
fn wasi_preview1_is_registered() {
    let host = Host::new().unwrap();
    let wasi: Vec<String> = host
        .registered_imports()
        .into_iter()
        .filter(|i| i.module == "wasi_snapshot_preview1")
        .map(|i| i.name)
        .collect();
    for f in [
        "fd_write",
        "proc_exit",
        "random_get",
        "clock_time_get",
        "args_get",
        "environ_get",
    ] {
        assert!(wasi.iter().any(|n| n == f), "WASI function {f} missing");
    }
}

#[test]
fn module_importing_every_table_function_instantiates() {
    // Every import of the table, with the table's types: instantiation must
    // resolve all of them.
    let wat = format!(
        "(module {} (memory (export \"memory\") 1) (func (export \"gadgetAPIVersion\") (result i64) i64.const 1))",
        common_imports()
    );
    let host = Host::new().unwrap();
    host.load(&wat::parse_str(wat).unwrap()).unwrap();
}

#[test]
fn import_with_wrong_type_fails_to_instantiate() {
    let wat = r#"(module (import "ig" "getMap" (func (param i32) (result i32)))
        (func (export "gadgetAPIVersion") (result i64) i64.const 1))"#;
    let err = Host::new()
        .unwrap()
        .load(&wat::parse_str(wat).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, gadget_host::HostError::Instantiate(_)),
        "{err}"
    );
    assert!(err.to_string().contains("getMap"), "{err}");
}

#[test]
fn unknown_ig_import_fails_to_instantiate() {
    let wat = r#"(module (import "ig" "fieldGetString" (func (param i32) (result i32)))
        (func (export "gadgetAPIVersion") (result i64) i64.const 1))"#;
    let err = Host::new()
        .unwrap()
        .load(&wat::parse_str(wat).unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("fieldGetString"), "{err}");
}

fn common_imports() -> String {
    AbiTable::load()
        .imports
        .iter()
        .map(|i| {
            format!(
                "(import \"ig\" \"{}\" (func {}))",
                i.name,
                i.signature.wat()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every gadget crate of the workspace (the examples, the test gadgets and
/// the macros' kitchen sink), built for wasm32-wasip1: it imports only
/// functions of the ABI table with exactly the table's types, exports what
/// ig expects with ig's types, and loads in the host.
#[test]
fn every_gadget_built_in_the_workspace_conforms() {
    let root = gadget_build::workspace_root();
    let mut crates: Vec<std::path::PathBuf> = ["examples", "test-gadgets"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    crates.push(root.join("gadget-macros/tests/gadgets/kitchen_sink"));
    crates.sort();
    assert!(crates.len() >= 9, "found only {crates:?}");
    let table = gadget_build::AbiTable::load();
    for dir in crates {
        let wasm = gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"));
        let bytes = std::fs::read(&wasm).unwrap();
        let module = gadget_build::Interface::read(&bytes).unwrap();
        assert_eq!(
            module.conformance_problems(&table),
            Vec::<String>::new(),
            "{}",
            wasm.display()
        );
        Host::new()
            .unwrap()
            .load(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
    }
}
