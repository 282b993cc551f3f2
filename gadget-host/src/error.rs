//! Typed errors of the host and the hazards it refuses to reproduce.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong while loading or driving a gadget.
///
/// Every variant names what it is about (hook, data source, field, map,
/// file) so its `Display` can be shown to a user as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A file could not be read.
    #[error("reading `{path}`: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The ABI table or the linker built from it is inconsistent.
    #[error("ABI table: {0}")]
    Abi(String),
    /// wasmtime could not be set up (engine, linker, WASI).
    #[error("setting up wasmtime: {0}")]
    Setup(String),
    /// The module is not valid wasm or could not be compiled.
    #[error("compiling the module: {0}")]
    Compile(String),
    /// Instantiation failed (missing import, memory above 256 pages, trap in
    /// the start function or `_initialize`).
    #[error("instantiating the module: {0}")]
    Instantiate(String),
    /// `gadgetAPIVersion` is not exported.
    #[error("the module does not export `gadgetAPIVersion`, which ig requires (it must return 1)")]
    MissingApiVersion,
    /// `gadgetAPIVersion` did not return exactly one value equal to 1.
    #[error("`gadgetAPIVersion` returned {found}; ig requires exactly one result equal to 1")]
    ApiVersion {
        /// What it returned, rendered.
        found: String,
    },
    /// A hook returned non-zero (ig: "`<name>` failed").
    #[error("`{hook}` failed (it returned {code})")]
    HookFailed {
        /// Export name of the hook.
        hook: &'static str,
        /// The non-zero result.
        code: i64,
    },
    /// A hook trapped (ig: "calling `<name>`: ...").
    #[error("calling `{hook}`: {message}{}", stderr_note(.stderr))]
    HookTrap {
        /// Export name of the hook.
        hook: &'static str,
        /// The trap and its wasm backtrace.
        message: String,
        /// What the module had written to stderr so far (ig drops it).
        stderr: String,
    },
    /// A hook is exported with a type other than `() -> i32`.
    #[error("`{hook}` is exported as `{found}`, ig expects `() -> i32`: {consequence}")]
    HookSignature {
        /// Export name of the hook.
        hook: &'static str,
        /// The exported type, rendered.
        found: String,
        /// What ig would do with it.
        consequence: &'static str,
    },
    /// A lifecycle method was called out of order.
    #[error("cannot run `{hook}` now: {reason}")]
    Phase {
        /// Export name of the hook that was asked for.
        hook: &'static str,
        /// Why not.
        reason: String,
    },
    /// The module was closed for good (bad error pointer, `proc_exit`, a
    /// callback after its context ended); every later call fails.
    #[error("module closed: {reason}")]
    ModuleClosed {
        /// Why it was closed.
        reason: String,
    },
    /// The gadget did something on which ig would hang, crash or corrupt.
    #[error("{0}")]
    Hazard(Hazard),
    /// No data source of that name.
    #[error("unknown data source `{name}`")]
    UnknownDataSource {
        /// Name asked for.
        name: String,
    },
    /// The data source has no such field.
    #[error("data source `{datasource}` has no field `{field}`")]
    UnknownField {
        /// Data source name.
        datasource: String,
        /// Field name asked for.
        field: String,
    },
    /// A value does not fit a field.
    #[error("data source `{datasource}`, field `{field}`: {reason}")]
    BadValue {
        /// Data source name.
        datasource: String,
        /// Field name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// Single/array mismatch when pushing an event.
    #[error("data source `{datasource}` is of type {actual}, not {expected}")]
    DataSourceType {
        /// Data source name.
        datasource: String,
        /// Type it has.
        actual: &'static str,
        /// Type the call needs.
        expected: &'static str,
    },
    /// A data source declared twice in the specification, or a field twice.
    #[error("specification: {0}")]
    Spec(String),
    /// No map of that name.
    #[error("unknown map `{name}`")]
    UnknownMap {
        /// Name asked for.
        name: String,
    },
    /// A map operation asked by the test failed.
    #[error("map `{map}`: {reason}")]
    Map {
        /// Map name.
        map: String,
        /// What is wrong.
        reason: String,
    },
    /// A JSON document does not describe an event or a schema.
    #[error("JSON: {0}")]
    Json(String),
}

/// What the module wrote to stderr, appended to an error about a trap.
pub(crate) fn stderr_note(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!(
            "\n[module stderr, which ig discards]\n{}",
            stderr.trim_end()
        )
    }
}

/// A behaviour of ig that the emulator refuses to reproduce because ig would
/// hang, crash or corrupt state: the call stops with this instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hazard {
    /// Emitting from inside `dataSourceCallback` onto a data source that has
    /// a wasm subscription: ig's callback lock is not re-entrant.
    CallbackEmitDeadlock {
        /// The data source emitted on.
        datasource: String,
    },
    /// `perfReaderRead` on a non-overwritable reader with no record queued:
    /// ig has no deadline for it and blocks until a record arrives.
    PerfReadBlocks {
        /// The perf event array map the reader reads.
        map: String,
    },
    /// A hook is exported without a result: ig reads a result that does not
    /// exist and crashes with a Go panic.
    HookWithoutResult {
        /// Export name.
        hook: &'static str,
    },
    /// A call into the gadget ran past its instruction budget: ig sets no
    /// limit and would wait for it forever (for `gadgetStop`, 42 s, after
    /// which it closes the module).
    Runaway {
        /// What was running: an export, or the callback of a data source.
        call: String,
        /// The budget it exhausted.
        budget: u64,
    },
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hazard::CallbackEmitDeadlock { datasource } => write!(
                f,
                "hazard: emitting on data source `{datasource}` from inside dataSourceCallback, \
                 while `{datasource}` has a wasm subscription: ig would deadlock (its callback \
                 lock is not re-entrant)"
            ),
            Hazard::PerfReadBlocks { map } => write!(
                f,
                "hazard: perfReaderRead on a non-overwritable reader of map `{map}` with no \
                 record queued: ig would block forever (such readers have no deadline)"
            ),
            Hazard::Runaway { call, budget } => write!(
                f,
                "hazard: {call} ran more than {budget} wasm instructions without returning: ig has no \
                 limit and would hang (for gadgetStop: close the module after 42 s); raise \
                 HostBuilder::fuel_per_call if the work is real"
            ),
            Hazard::HookWithoutResult { hook } => write!(
                f,
                "hazard: `{hook}` is exported without a result: ig would crash with a Go panic \
                 (it reads the first result unconditionally)"
            ),
        }
    }
}
