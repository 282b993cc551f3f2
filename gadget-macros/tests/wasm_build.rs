//! Builds `tests/gadgets/kitchen_sink` (a gadget that uses every option)
//! for wasm32-wasip1 the way ig does, then checks the module's exports and
//! imports against ig's ABI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef, ValType};

#[derive(serde::Deserialize)]
struct Abi {
    module: String,
    import: Vec<Import>,
}

#[derive(serde::Deserialize)]
struct Import {
    name: String,
    params: Vec<String>,
    results: Vec<String>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("gadget-macros is in the workspace")
        .to_owned()
}

fn assert_wasm_target_installed() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    let target = Path::new(&sysroot).join("lib/rustlib/wasm32-wasip1");
    assert!(
        target.exists(),
        "the wasm32-wasip1 target is not installed for this toolchain ({sysroot}): run \
         `rustup target add wasm32-wasip1` (this test never skips: it proves that a \
         #[gadget] gadget builds for ig)"
    );
}

fn build_kitchen_sink() -> Vec<u8> {
    assert_wasm_target_installed();
    let root = workspace();
    let manifest = root.join("gadget-macros/tests/gadgets/kitchen_sink/Cargo.toml");
    let target_dir = root.join("target/kitchen-sink");
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "--target",
            "wasm32-wasip1",
            "--release",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        // Built like ig does, not with the test's own flags.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the kitchen_sink gadget failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm = target_dir.join("wasm32-wasip1/release/kitchen_sink.wasm");
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()))
}

fn val(v: &ValType) -> String {
    match v {
        ValType::I32 => "i32".into(),
        ValType::I64 => "i64".into(),
        ValType::F32 => "f32".into(),
        ValType::F64 => "f64".into(),
        other => format!("{other:?}"),
    }
}

fn sig(f: &FuncType) -> (Vec<String>, Vec<String>) {
    (
        f.params().iter().map(val).collect(),
        f.results().iter().map(val).collect(),
    )
}

type Sig = (Vec<String>, Vec<String>);

struct Module {
    exports: BTreeMap<String, Option<Sig>>,
    imports: Vec<(String, String, Sig)>,
}

fn read_module(wasm: &[u8]) -> Module {
    let mut types = Vec::new();
    let mut funcs: Vec<u32> = Vec::new();
    let mut exports = Vec::new();
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid wasm") {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(ty.expect("a function type"));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.expect("an import");
                    if let TypeRef::Func(t) = import.ty {
                        funcs.push(t);
                        imports.push((
                            import.module.to_owned(),
                            import.name.to_owned(),
                            sig(&types[t as usize]),
                        ));
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for f in reader {
                    funcs.push(f.expect("a function"));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("an export");
                    exports.push((export.name.to_owned(), export.kind, export.index));
                }
            }
            _ => {}
        }
    }
    let exports = exports
        .into_iter()
        .map(|(name, kind, index)| {
            let sig =
                (kind == ExternalKind::Func).then(|| sig(&types[funcs[index as usize] as usize]));
            (name, sig)
        })
        .collect();
    Module { exports, imports }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn kitchen_sink_builds_for_wasm_with_exactly_igs_exports_and_imports() {
    let module = read_module(&build_kitchen_sink());

    let hook = Some((s(&[]), s(&["i32"])));
    let mut expected: BTreeMap<String, Option<Sig>> = BTreeMap::from([
        ("gadgetAPIVersion".into(), Some((s(&[]), s(&["i64"])))),
        ("gadgetInit".into(), hook.clone()),
        ("gadgetPreStart".into(), hook.clone()),
        ("gadgetStart".into(), hook.clone()),
        ("gadgetStop".into(), hook.clone()),
        ("gadgetPostStop".into(), hook.clone()),
        (
            "dataSourceCallback".into(),
            Some((s(&["i64", "i32", "i32"]), s(&[]))),
        ),
        ("memory".into(), None),
    ]);
    // Added by rustc for reactor-style wasip1 cdylibs, depending on the version.
    for optional in ["_initialize"] {
        if let Some(sig) = module.exports.get(optional) {
            assert_eq!(sig, &Some((s(&[]), s(&[]))), "{optional}'s type");
            expected.insert(optional.into(), sig.clone());
        }
    }
    assert_eq!(module.exports, expected, "the module's exports");

    let abi: Abi = toml::from_str(
        &std::fs::read_to_string(workspace().join("gadget-api/abi/imports.toml")).unwrap(),
    )
    .unwrap();
    let table: BTreeMap<&str, (&[String], &[String])> = abi
        .import
        .iter()
        .map(|i| (i.name.as_str(), (&i.params[..], &i.results[..])))
        .collect();
    let mut from_ig = 0;
    for (module_name, name, (params, results)) in &module.imports {
        match module_name.as_str() {
            m if m == abi.module => {
                from_ig += 1;
                let Some((want_params, want_results)) = table.get(name.as_str()) else {
                    panic!("imports `{m}.{name}`, which ig's host does not have");
                };
                assert_eq!(
                    (params, results),
                    (&want_params.to_vec(), &want_results.to_vec()),
                    "type of import `{m}.{name}`"
                );
            }
            "wasi_snapshot_preview1" => {}
            other => panic!("imports `{other}.{name}`: ig offers only `ig` and WASI preview 1"),
        }
    }
    assert!(from_ig > 5, "the gadget calls into ig ({from_ig} imports)");
}
