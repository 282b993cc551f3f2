//! The linker registers exactly the ABI table's `ig` functions with exactly
//! the table's types. The table is parsed here independently of the host.

use std::collections::BTreeMap;

use gadget_host::Host;

#[derive(serde::Deserialize)]
struct Table {
    module: String,
    import: Vec<Import>,
}

#[derive(serde::Deserialize)]
struct Import {
    name: String,
    params: Vec<String>,
    results: Vec<String>,
}

fn table() -> Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../gadget-api/abi/imports.toml"
    );
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn type_name(t: &gadget_host::abi::WasmType) -> String {
    format!("{t:?}").to_lowercase()
}

#[test]
fn linker_registers_exactly_the_table() {
    let table = table();
    assert_eq!(table.module, "ig");
    assert_eq!(table.import.len(), 41, "the ABI has 41 ig functions");
    let host = Host::new().unwrap();
    let registered: BTreeMap<String, (Vec<String>, Vec<String>)> = host
        .registered_imports()
        .into_iter()
        .filter(|i| i.module == "ig")
        .map(|i| {
            (
                i.name,
                (
                    i.params.iter().map(type_name).collect(),
                    i.results.iter().map(type_name).collect(),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, (Vec<String>, Vec<String>)> = table
        .import
        .into_iter()
        .map(|i| (i.name, (i.params, i.results)))
        .collect();
    for (name, sig) in &expected {
        assert_eq!(
            registered.get(name),
            Some(sig),
            "`{name}` must be registered with the table's types"
        );
    }
    for name in registered.keys() {
        assert!(
            expected.contains_key(name),
            "`{name}` is registered but not in the table"
        );
    }
    assert_eq!(registered.len(), expected.len());
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
    table()
        .import
        .iter()
        .map(|i| {
            let p = if i.params.is_empty() {
                String::new()
            } else {
                format!("(param {})", i.params.join(" "))
            };
            let r = if i.results.is_empty() {
                String::new()
            } else {
                format!("(result {})", i.results.join(" "))
            };
            format!("(import \"ig\" \"{}\" (func {p} {r}))", i.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
