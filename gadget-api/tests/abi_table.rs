//! The `sys` declarations, and the imports of a gadget that calls every safe
//! function, against the ABI table `abi/imports.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use gadget_build::{AbiTable, Interface, Signature};

#[test]
fn table_describes_api_version_1_of_module_ig() {
    let t = AbiTable::load();
    assert_eq!(t.module, "ig");
    assert_eq!(t.api_version, gadget_api::API_VERSION);
    assert_eq!(t.imports.len(), 41);
    let version = t
        .export("gadgetAPIVersion")
        .expect("gadgetAPIVersion is in the table");
    assert_eq!(version.signature, Signature::new(&[], &["i64"]));
}

/// The wasm type of a Rust parameter or result type in `sys`.
fn wasm_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.path.is_ident("i32") => "i32".into(),
        syn::Type::Path(p) if p.path.is_ident("i64") => "i64".into(),
        other => {
            use quote::ToTokens;
            panic!(
                "sys uses a type that is not a wasm value type: {}",
                other.to_token_stream()
            )
        }
    }
}

/// Reads the functions declared in `src/sys.rs`'s `ig_imports!` invocation.
fn sys_declarations() -> BTreeMap<String, Signature> {
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
            (f.sig.ident.to_string(), Signature { params, results })
        })
        .collect()
}

#[test]
fn sys_declares_exactly_the_tables_imports() {
    let declared = sys_declarations();
    let table = AbiTable::load();
    let expected: BTreeMap<String, Signature> = table
        .imports
        .iter()
        .map(|e| (e.name.clone(), e.signature.clone()))
        .collect();
    assert_eq!(
        declared, expected,
        "sys must declare exactly the table's imports, with its types"
    );
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

#[test]
fn a_gadget_calling_every_safe_function_imports_exactly_the_table() {
    let dir = gadget_build::workspace_root().join("test-gadgets/api-coverage");
    let wasm = gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"));
    let interface = Interface::read(&std::fs::read(&wasm).unwrap()).unwrap();
    let table = AbiTable::load();
    assert_eq!(interface.conformance_problems(&table), Vec::<String>::new());
    let from_ig: Vec<&str> = interface
        .imports
        .keys()
        .filter(|(module, _)| *module == table.module)
        .map(|(_, name)| name.as_str())
        .collect();
    let mut all: Vec<&str> = table.imports.iter().map(|e| e.name.as_str()).collect();
    all.sort_unstable();
    assert_eq!(
        from_ig, all,
        "the api_coverage gadget must import every `ig` function"
    );
}
