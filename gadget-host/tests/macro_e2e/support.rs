//! Building the `test-gadgets/macro-*` crates once per test binary, and
//! reading a module's exports and imports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use gadget_host::{Gadget, Host, LogLevel, LogRecord, LogSource};

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
    let path = gadget_build::build_wasm(&dir)
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
