//! Write [Inspektor Gadget](https://inspektor-gadget.io) (ig) WebAssembly
//! gadgets in Rust: typed, safe bindings to every function of ig's wasm host
//! module `ig`, and the `#[gadget]` macros that turn an annotated struct into
//! a complete ig module.
//!
//! A gadget's user-space half is a wasm module that ig loads next to the
//! gadget's eBPF program. ig calls its exports (`gadgetInit`, `gadgetStart`,
//! `dataSourceCallback`, ...) and the module calls back into ig to read and
//! write event fields, emit new events, read eBPF maps, and log.
//!
//! # Layers
//!
//! - [`sys`]: the raw imports, exactly as ig's host registers them.
//! - The safe layer, one module per family: [`logger`], [`datasource`],
//!   [`data`], [`packet`], [`field`], [`params`], [`config`], [`maps`],
//!   [`handle`], [`syscalls`], [`perf`], [`kallsyms`], [`filter`]. Handles
//!   given to a callback borrow the callback ([`Data<'_>`](Data)); packets,
//!   maps and perf readers release themselves when dropped; every failure is
//!   one [`Error`] that names what it was about.
//! - [`macro@gadget`]: the declarative layer most gadgets should use.
//!
//! # A gadget on the safe layer
//!
//! Without the macros, a gadget exports ig's hooks itself. This one writes
//! `comm[pid]` of every `exec` event into a new field:
//!
//! ```no_run
//! use std::cell::RefCell;
//! use gadget_api::{Data, DataSource, Field, Result, SubscriptionKind};
//!
//! struct Procs {
//!     pid: Field<u32>,
//!     comm: Field<String>,
//!     summary: Field<String>,
//! }
//!
//! thread_local! {
//!     static STATE: RefCell<Option<Procs>> = const { RefCell::new(None) };
//! }
//!
//! gadget_api::export_api_version!();
//!
//! fn init() -> Result<()> {
//!     gadget_api::logger::init(); // log::info! etc. now reach ig's log
//!     gadget_api::panic::install_hook(); // and so do panic messages
//!     let exec = DataSource::get("exec")?;
//!     let state = Procs {
//!         pid: exec.field("pid")?,
//!         comm: exec.field("comm")?,
//!         summary: exec.add_field("proc")?,
//!     };
//!     exec.subscribe(SubscriptionKind::Data, 0, 1)?;
//!     STATE.with(|s| *s.borrow_mut() = Some(state));
//!     Ok(())
//! }
//!
//! #[unsafe(no_mangle)]
//! extern "C" fn gadgetInit() -> i32 {
//!     match init() {
//!         Ok(()) => 0,
//!         Err(e) => {
//!             log::error!("gadgetInit: {e}");
//!             1
//!         }
//!     }
//! }
//!
//! #[unsafe(no_mangle)]
//! extern "C" fn dataSourceCallback(_id: i64, _ds: i32, handle: i32) {
//!     // SAFETY: ig passes a data handle valid for this call.
//!     let data = unsafe { Data::from_raw(handle as u32) };
//!     STATE.with(|s| {
//!         let mut s = s.borrow_mut();
//!         let Some(s) = s.as_mut() else { return };
//!         // Both use buffers the fields keep: no allocation once warm.
//!         let result = s.pid.get(data).and_then(|pid| {
//!             let comm = s.comm.get(data)?;
//!             s.summary.set_fmt(data, format_args!("{comm}[{pid}]"))
//!         });
//!         if let Err(e) = result {
//!             log::warn!("{e}");
//!         }
//!     });
//! }
//! ```
//!
//! The same gadget with the macros is a struct, an impl and no glue; see
//! [`macro@gadget`].
//!
//! # Building
//!
//! ig builds a gadget with `cargo build --target wasm32-wasip1 --release`
//! (Rust 1.87 in its builder image), from a crate with `crate-type =
//! ["cdylib"]`. On other targets this crate compiles too, so that docs,
//! tests and IDEs work, but calling into [`sys`] there panics.
#![warn(missing_docs)]

pub mod abi;
#[doc = include_str!("attributes.md")]
pub mod attributes {}
pub mod buffer;
pub mod config;
#[cfg(feature = "count-allocs")]
mod count_allocs;
pub mod data;
pub mod datasource;
pub mod error;
pub mod field;
pub mod filter;
pub mod handle;
pub mod kallsyms;
pub mod logger;
pub mod maps;
pub mod packet;
pub mod panic;
pub mod params;
pub mod perf;
pub mod prelude;
mod runtime;
pub mod sys;
pub mod syscalls;

/// The README's Rust samples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeSamples;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

// The items whose bounds check `#[gadget]`'s input, also at the root: the
// compiler names an item by its shortest path, so that its errors say
// `HookOutput` and `gadget_api::run_hook`, not a path through `__private`.
#[doc(hidden)]
pub use __private::{
    ArrayEvent, DataEvent, DataSourceMember, FieldMember, GadgetStruct, HookOutput, InitOutput,
    OneGadgetImplBlock, PacketEvent, ParamValue, StateDefault, SubscriptionEvent, array_event,
    assert_gadget_impl, assert_gadget_struct, assert_state_default, data_event, event, init_value,
    init_with, packet_event, param, param_or, param_or_parse, resolve_phase, run_callback,
    run_hook, subscribe_method,
};

pub use abi::{DataSourceType, FieldKind, LogLevel, MapType, SubscriptionKind, UpdateFlags};
pub use data::{Data, DataArray, Element};
pub use datasource::DataSource;
pub use error::{Error, ErrorKind, Result};
pub use field::{Bytes, Field, FieldType, Scalar};
pub use maps::{Map, MapSpec, TypedMap};
pub use packet::{Packet, PacketArray, PacketSingle};
pub use perf::{PerfRead, PerfReader};
pub use syscalls::{SyscallDeclaration, SyscallParam};

pub use gadget_macros::gadget;

/// The `log` crate, so `gadget_api::log::info!` works without a dependency of
/// your own (after `#[gadget]` or [`logger::init`] installs the logger).
pub use log;

/// The `bytemuck` crate, for map keys and values: derive `Pod` and
/// `Zeroable` on `#[repr(C)]` structs that mirror the eBPF program's.
pub use bytemuck::{self, Pod, Zeroable};

/// The ABI version this crate speaks; `gadgetAPIVersion` must return it.
pub const API_VERSION: i64 = 1;

/// The text of a string field's raw bytes, by [the string
/// rule](field#the-string-rule) every string read follows: up to the first
/// NUL, invalid UTF-8 replaced (borrowed when it is valid). For bytes read
/// with `read_into` into a buffer of your own, or from a map or perf record.
pub fn buffer_str(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(buffer::until_nul(bytes))
}

/// Exports `gadgetAPIVersion` (returning [`API_VERSION`]) for a gadget
/// written without `#[gadget]`, which exports it by itself. Use it once per
/// crate.
#[macro_export]
macro_rules! export_api_version {
    () => {
        #[unsafe(no_mangle)]
        pub extern "C" fn gadgetAPIVersion() -> i64 {
            $crate::API_VERSION
        }
    };
}
