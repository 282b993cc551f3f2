//! The `sys` declarations, and the imports of a gadget that calls every safe
//! function, against the ABI table `abi/imports.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Table {
    module: String,
    api_version: i64,
    import: Vec<Entry>,
    export: Vec<Entry>,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    params: Vec<String>,
    results: Vec<String>,
}

/// (params, results) as wasm type names, by function name.
type Signatures = BTreeMap<String, (Vec<String>, Vec<String>)>;

fn table() -> Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("abi/imports.toml");
    let text = std::fs::read_to_string(&path).expect("abi/imports.toml is readable");
    toml::from_str(&text).expect("abi/imports.toml parses")
}

fn signatures(entries: &[Entry]) -> Signatures {
    entries
        .iter()
        .map(|e| (e.name.clone(), (e.params.clone(), e.results.clone())))
        .collect()
}

#[test]
fn table_describes_api_version_1_of_module_ig() {
    let t = table();
    assert_eq!(t.module, "ig");
    assert_eq!(t.api_version, gadget_api::API_VERSION);
    assert_eq!(t.import.len(), 41);
    assert!(
        t.export
            .iter()
            .any(|e| e.name == "gadgetAPIVersion" && e.results == ["i64"])
    );
}

/// The wasm type of a Rust parameter or result type in `sys`.
fn wasm_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.path.is_ident("i32") => "i32".into(),
        syn::Type::Path(p) if p.path.is_ident("i64") => "i64".into(),
        other => panic!(
            "sys uses a type that is not a wasm value type: {}",
            quote_type(other)
        ),
    }
}

fn quote_type(ty: &syn::Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream().to_string()
}

/// Reads the functions declared in `src/sys.rs`'s `ig_imports!` invocation.
fn sys_declarations() -> Signatures {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sys.rs");
    let file = syn::parse_file(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("ig_imports") => Some(m.mac.tokens.clone()),
            _ => None,
        })
        .expect("sys.rs invokes ig_imports!");
    let parser = |input: syn::parse::ParseStream<'_>| {
        let mut fns = Vec::new();
        while !input.is_empty() {
            fns.push(input.parse::<syn::ForeignItemFn>()?);
        }
        Ok(fns)
    };
    let fns = syn::parse::Parser::parse2(parser, body).expect("ig_imports! body parses");
    fns.into_iter()
        .map(|f| {
            let params = f
                .sig
                .inputs
                .iter()
                .map(|arg| match arg {
                    syn::FnArg::Typed(t) => wasm_type(&t.ty),
                    syn::FnArg::Receiver(_) => panic!("receiver in sys"),
                })
                .collect();
            let results = match &f.sig.output {
                syn::ReturnType::Default => vec![],
                syn::ReturnType::Type(_, ty) => vec![wasm_type(ty)],
            };
            (f.sig.ident.to_string(), (params, results))
        })
        .collect()
}

#[test]
fn sys_declares_exactly_the_tables_imports() {
    let declared = sys_declarations();
    let expected = signatures(&table().import);
    for (name, sig) in &expected {
        assert_eq!(
            declared.get(name),
            Some(sig),
            "sys::{name} must have the table's signature"
        );
    }
    for name in declared.keys() {
        assert!(
            expected.contains_key(name),
            "sys::{name} is not in the ABI table"
        );
    }
    let mut names: Vec<&str> = gadget_api::sys::IMPORT_NAMES.to_vec();
    names.sort_unstable();
    assert_eq!(
        names,
        expected.keys().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
#[should_panic(expected = "called outside WebAssembly")]
fn sys_outside_wasm_says_where_it_works() {
    // SAFETY: the native stand-in touches no memory; it panics.
    unsafe { gadget_api::sys::gadgetShouldLog(0) };
}

fn wasm_type_name(ty: &wasmparser::ValType) -> String {
    match ty {
        wasmparser::ValType::I32 => "i32".into(),
        wasmparser::ValType::I64 => "i64".into(),
        wasmparser::ValType::F32 => "f32".into(),
        wasmparser::ValType::F64 => "f64".into(),
        other => format!("{other:?}"),
    }
}

/// The imports of a wasm module, by module and name, with their signatures.
fn imports_of(wasm: &[u8]) -> BTreeMap<(String, String), (Vec<String>, Vec<String>)> {
    let mut types = Vec::new();
    let mut imports = BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.expect("valid wasm") {
            wasmparser::Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let f = ty.expect("function type");
                    types.push((
                        f.params().iter().map(wasm_type_name).collect::<Vec<_>>(),
                        f.results().iter().map(wasm_type_name).collect::<Vec<_>>(),
                    ));
                }
            }
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.expect("import");
                    if let wasmparser::TypeRef::Func(index) = import.ty {
                        imports.insert(
                            (import.module.to_owned(), import.name.to_owned()),
                            types[index as usize].clone(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    imports
}

#[test]
fn a_gadget_calling_every_safe_function_imports_exactly_the_table() {
    let dir = gadget_build::workspace_root().join("test-gadgets/api-coverage");
    let wasm = gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"));
    let imports = imports_of(&std::fs::read(&wasm).unwrap());
    let expected = signatures(&table().import);
    let from_ig: Signatures = imports
        .iter()
        .filter(|((module, _), _)| module == "ig")
        .map(|((_, name), sig)| (name.clone(), sig.clone()))
        .collect();
    assert_eq!(
        from_ig, expected,
        "the api-coverage gadget must import every `ig` function, with the table's types"
    );
    for (module, name) in imports.keys() {
        assert!(
            module == "ig" || module == "wasi_snapshot_preview1",
            "unexpected import {module}::{name}"
        );
    }
}
