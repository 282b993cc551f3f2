//! An emulated [Inspektor Gadget](https://inspektor-gadget.io) (ig) wasm
//! host on wasmtime: run a gadget's wasm module end to end without a kernel.
//!
//! The host implements ig's host module `ig` as ig's wasm operator does (same
//! names, types, encodings, return codes, handle table, 16 MiB memory cap,
//! `_initialize`, WASI preview 1), with in-memory data sources, fields,
//! packets, eBPF maps, perf buffers, x86_64 syscall tables, kallsyms and a
//! mount-namespace filter, all declared by the test. The contract is
//! `ABI.md`; the import list comes from `gadget-api/abi/imports.toml`.
//!
//! Perf records follow ig too: each reader has its own buffer, a record
//! goes to the readers open when it is written and is lost without one, so
//! a test chooses when it is written ([`PerfWhen`]: now, at the next
//! reader's creation, at the guest's next log call). Compiled modules are
//! cached on disk ([`ModuleCache`]), so loading a 3 MB Go gadget again takes
//! a fraction of a second. The runner's files are described in
//! `gadget-host/FORMATS.md`.
//!
//! Where ig would hang, crash or corrupt (ABI §6), the emulator stops with a
//! [`Hazard`] that names what ig would do. Where it deliberately differs:
//! the module's stdout/stderr are captured ([`Gadget::stdout`]) instead of
//! discarded; `dataSourceCallback` receives `ds = 0` (ig's value is
//! unreliable: identify subscriptions by callback id); callback traps are
//! recorded ([`Gadget::callback_traps`]) as well as ignored; a `fieldSet` kind
//! 14 view of guest memory is resolved on every read and snapshotted when the
//! event has passed every subscriber.
//!
//! ```no_run
//! use gadget_host::{DataSourceSpec, Event, FieldKind, Host};
//! # fn main() -> Result<(), gadget_host::HostError> {
//! let host = Host::builder()
//!     .datasource(DataSourceSpec::single("exec").field("pid", FieldKind::Uint32).field("comm", FieldKind::String))
//!     .param("max_args", "20")
//!     .build()?;
//! let mut g = host.load_file("trace_exec.wasm")?;
//! g.run_to_started()?;
//! g.push("exec", Event::new().set("pid", 42u32).set("comm", "bash"))?;
//! for ev in g.emitted_events("exec") {
//!     println!("{}", ev.to_json());
//! }
//! g.stop()?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod abi;
mod calls;
mod datasource;
mod driver;
mod emit;
mod error;
mod events;
mod fuel;
mod handles;
mod host;
mod imports;
mod lifecycle;
mod logging;
mod maps;
pub mod memory;
mod module_cache;
mod perf;
pub mod runner;
pub mod spec;
mod state;
pub mod syscall_table;
mod wasi;

pub use calls::HostCalls;
pub use driver::{DataSourceInfo, MapView, ObserverId};

/// The default instruction budget of one call into a gadget (see
/// [`HostBuilder::fuel_per_call`]): about ten seconds of wasm, far more than
/// any hook or event needs and far less than a hung test.
pub const DEFAULT_FUEL_PER_CALL: u64 = 10_000_000_000;
pub use error::{Hazard, HostError};
pub use events::{Emission, Emitted, Event, FieldKind, Value, from_hex, to_hex};
pub use handles::{ElementHandle, MAX_HANDLES};
pub use host::{
    CompiledFrom, CompiledGadget, Host, HostBuilder, MEMORY_LIMIT_BYTES, RegisteredImport,
};
pub use lifecycle::Gadget;
pub use logging::{LogLevel, LogRecord, LogSource};
pub use module_cache::ModuleCache;
pub use perf::{PerfRecord, PerfWhen};
pub use spec::{
    DataSourceSpec, DataSourceType, EnrichmentSpec, FieldSpec, MapSpec, SyscallDecl, SyscallParam,
};
pub use state::{CallbackTrap, Phase};
pub use wasi::CAPTURE_LIMIT;
