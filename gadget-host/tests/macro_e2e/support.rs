//! Building the `test-gadgets/macro-*` crates once per test binary, and
//! reading a module's exports and imports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use gadget_host::{Gadget, Host, LogLevel, LogRecord, LogSource};
use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef, ValType};

/// The test gadgets, by directory name under `test-gadgets/`.
pub const GADGETS: [&str; 6] = [
    "macro-fields",
    "macro-datasources",
    "macro-params",
    "macro-hooks",
    "macro-subscribe",
    "macro-errors",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("gadget-host is a workspace member")
        .to_owned()
}

/// The `.wasm` of `test-gadgets/<name>`, built for wasm32-wasip1 in release
/// mode the first time it is asked for (one build at a time). A build that
/// fails (the wasm target cannot be installed, the crate does not compile)
/// fails the test: it never skips.
pub fn wasm(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let dir = workspace_root().join("test-gadgets").join(name);
    let path = gadget_host::build::build_wasm(&dir)
        .unwrap_or_else(|e| panic!("building test gadget `{name}`: {e}"));
    built.insert(name.to_owned(), path.clone());
    path
}

/// Loads test gadget `name` into `host`.
pub fn load(host: &Host, name: &str) -> Gadget {
    host.load_file(wasm(name))
        .unwrap_or_else(|e| panic!("loading `{name}`: {e}"))
}

/// The gadget's log messages at `level`.
pub fn messages(g: &Gadget, level: LogLevel) -> Vec<String> {
    g.gadget_logs()
        .into_iter()
        .filter(|l| l.level == level)
        .map(|l| l.message.clone())
        .collect()
}

/// The gadget's error-level messages.
pub fn errors(g: &Gadget) -> Vec<String> {
    messages(g, LogLevel::Error)
}

/// The gadget's info-level messages.
pub fn infos(g: &Gadget) -> Vec<String> {
    messages(g, LogLevel::Info)
}

/// Every log record, rendered for assertion messages.
pub fn dump_logs(g: &Gadget) -> String {
    g.logs()
        .iter()
        .map(
            |LogRecord {
                 level,
                 source,
                 message,
             }| {
                let who = match source {
                    LogSource::Gadget => "gadget",
                    LogSource::Host => "host",
                };
                format!("  [{} {who}] {message}\n", level.name())
            },
        )
        .collect()
}

/// A function's type: parameter and result types as wasm spells them.
pub type Sig = (Vec<&'static str>, Vec<&'static str>);

/// What a module exports (functions with their types, other kinds with
/// `None`) and imports (module, name, type).
pub struct ModuleShape {
    pub exports: BTreeMap<String, Option<Sig>>,
    pub imports: Vec<(String, String, Sig)>,
}

fn val(v: &ValType) -> &'static str {
    match v {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        _ => "non-number",
    }
}

fn sig(f: &FuncType) -> Sig {
    (
        f.params().iter().map(val).collect(),
        f.results().iter().map(val).collect(),
    )
}

/// Parses a module's type, import, function and export sections.
pub fn module_shape(wasm: &[u8]) -> ModuleShape {
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
    ModuleShape { exports, imports }
}
