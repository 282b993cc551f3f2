//! Builds `tests/gadgets/kitchen_sink` (a gadget that uses every option, in
//! a workspace of its own like a user's gadget) for wasm32-wasip1 the way ig
//! does, then checks the module's exports and imports against ig's ABI.

use gadget_build::{AbiTable, Export, Interface, Signature};

#[test]
fn kitchen_sink_builds_for_wasm_with_exactly_igs_exports_and_imports() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gadgets/kitchen_sink");
    let wasm = gadget_build::build_wasm(&dir).unwrap_or_else(|e| panic!("{e}"));
    let module = Interface::read(&std::fs::read(wasm).unwrap()).unwrap();
    let table = AbiTable::load();
    assert_eq!(module.conformance_problems(&table), Vec::<String>::new());

    // Every hook is used, so every export of the table is there.
    let mut expected: Vec<&str> = table
        .exports
        .iter()
        .map(|e| e.name.as_str())
        .filter(|name| *name != "_initialize" || module.exports.contains_key(*name))
        .collect();
    expected.sort_unstable();
    assert_eq!(module.exported_functions(), expected);
    assert_eq!(module.exports.get("memory"), Some(&Export::Other("memory")));
    assert_eq!(
        module.exports["dataSourceCallback"],
        Export::Func(Signature::new(&["i64", "i32", "i32"], &[]))
    );
    let from_ig = module
        .imports
        .keys()
        .filter(|(m, _)| *m == table.module)
        .count();
    assert!(from_ig > 5, "the gadget calls into ig ({from_ig} imports)");
}
