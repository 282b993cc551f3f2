//! The raw imports of ig's host module `ig`, exactly as the host registers them.
//!
//! Every function here has the name and the wasm value types of the ABI table
//! (`abi/imports.toml`, checked by a test). Pointers travel as `i64` buffer
//! pointers (`length << 32 | address`, see [`crate::buffer`]); handles and
//! status codes as `i32`. Nothing here is safe to call with arbitrary values:
//! use the safe layer ([`crate::datasource`], [`crate::field`], ...) instead.
//!
//! On targets other than `wasm32` the same functions exist so that doc tests,
//! trybuild cases and IDEs compile and link; calling one panics with a message
//! saying that ig's host functions only exist inside a gadget run by ig or by
//! `gadget-host`.
#![allow(non_snake_case, missing_docs, clippy::missing_safety_doc)]

/// Declares the imports once, as an `extern` block on wasm32 and as panicking
/// stand-ins elsewhere, so both always have the same names and types.
macro_rules! ig_imports {
    ($( $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "ig")]
        unsafe extern "C" {
            $( $(#[$doc])* pub fn $name($($arg: $ty),*) $(-> $ret)?; )*
        }

        $(
            $(#[$doc])*
            #[cfg(not(target_arch = "wasm32"))]
            #[allow(unused_variables)]
            pub unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                outside_wasm(stringify!($name))
            }
        )*

        /// Names of every import declared here, in declaration order.
        pub const IMPORT_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

#[cfg(not(target_arch = "wasm32"))]
#[cold]
fn outside_wasm(name: &str) -> ! {
    panic!(
        "gadget_api::sys::{name} was called outside WebAssembly: ig's host functions exist \
         only in a gadget built for wasm32-wasip1 and run by ig or by gadget-host"
    )
}

ig_imports! {
    // log
    /// Logs `msg` (buffer pointer) at `level` (0 error .. 4 trace).
    fn gadgetLog(level: i32, msg: i64);
    /// 1 if a message at `level` would be logged.
    fn gadgetShouldLog(level: i32) -> i32;

    // config
    /// Sets a configuration key; only kind 12 (string) is accepted.
    fn setConfig(key: i64, value: i64, kind: i32) -> i32;

    // data sources
    /// Registers a data source (type 1 single, 2 array); handle or 0.
    fn newDataSource(name: i64, typ: i32) -> i32;
    /// An existing data source by name; handle or 0.
    fn getDataSource(name: i64) -> i32;
    /// Subscribes (type 1 data, 2 array, 3 packet) with a priority and a callback id.
    fn dataSourceSubscribe(ds: i32, typ: i32, priority: i32, cb_id: i64) -> i32;
    /// A field by name (exact, then case-insensitive); handle or 0.
    fn dataSourceGetField(ds: i32, name: i64) -> i32;
    /// Adds a field of a kind (0..=14); handle or 0.
    fn dataSourceAddField(ds: i32, name: i64, kind: i32) -> i32;
    /// A new single packet; handle or 0.
    fn dataSourceNewPacketSingle(ds: i32) -> i32;
    /// A new array packet; handle or 0.
    fn dataSourceNewPacketArray(ds: i32) -> i32;
    /// Emits a packet to the subscribers and frees it.
    fn dataSourceEmitAndRelease(ds: i32, packet: i32) -> i32;
    /// Frees a packet without emitting it.
    fn dataSourceRelease(ds: i32, packet: i32) -> i32;
    /// Stops forwarding the data source to later operators.
    fn dataSourceUnreference(ds: i32) -> i32;
    /// 1 referenced, 0 not, 2 error.
    fn dataSourceIsReferenced(ds: i32) -> i32;

    // data arrays
    /// A new, not yet appended element; handle or 0.
    fn dataArrayNew(array: i32) -> i32;
    /// Appends an element from `dataArrayNew` and frees its handle.
    fn dataArrayAppend(array: i32, data: i32) -> i32;
    /// Frees an element that was not appended.
    fn dataArrayRelease(array: i32, data: i32) -> i32;
    /// Number of elements (0 on error).
    fn dataArrayLen(array: i32) -> i32;
    /// Element handle for an index; 0 on error.
    fn dataArrayGet(array: i32, index: i32) -> i32;

    // fields
    /// Reads a scalar; on error writes u32 1 at `err_ptr` (nothing on success).
    fn fieldGetScalar(field: i32, data: i32, kind: i32, err_ptr: i32) -> i64;
    /// Copies a field's bytes into `dst`; byte count or -1.
    fn fieldGetBuffer(field: i32, data: i32, kind: i32, dst: i64) -> i32;
    /// Writes a field; scalars by value, strings and bytes as buffer pointers.
    fn fieldSet(field: i32, data: i32, kind: i32, value: i64) -> i32;
    /// Adds a tag to a field.
    fn fieldAddTag(field: i32, tag: i64) -> i32;

    // filter
    /// 0 if this mount namespace is in the filter of selected mount
    /// namespaces (or no filter is active), 1 for any other id.
    fn shouldDiscardMntnsID(mntns_id: i64) -> i32;

    // handles
    /// Forgets any handle; 1 if unknown.
    fn releaseHandle(handle: i32) -> i32;

    // kallsyms
    /// 1 if the kernel symbol exists.
    fn kallsymsSymbolExists(symbol: i64) -> i32;

    // maps
    /// Creates a map; handle or 0.
    fn newMap(name: i64, typ: i32, key_size: i32, value_size: i32, max_entries: i32) -> i32;
    /// A map of the gadget's eBPF program by name; handle or 0.
    fn getMap(name: i64) -> i32;
    /// Copies the value of a key into `value`; a missing key writes nothing and returns 0.
    fn mapLookup(map: i32, key: i64, value: i64) -> i32;
    /// Writes a key/value with update flags.
    fn mapUpdate(map: i32, key: i64, value: i64, flags: i64) -> i32;
    /// Deletes a key.
    fn mapDelete(map: i32, key: i64) -> i32;
    /// Closes a map made by `newMap` and frees its handle.
    fn mapRelease(map: i32) -> i32;

    // params
    /// Copies a param's value into `dst` (no length returned).
    fn getParamValue(key: i64, dst: i64) -> i32;

    // perf readers
    /// A perf reader over a perf-event-array map; handle or 0 (1 for an unknown map).
    fn newPerfReader(map: i32, size: i32, overwritable: i32) -> i32;
    /// Pauses a reader.
    fn perfReaderPause(reader: i32) -> i32;
    /// Resumes a reader.
    fn perfReaderResume(reader: i32) -> i32;
    /// Copies the next sample into `dst`: 0 ok, 1 error, 2 nothing to read.
    fn perfReaderRead(reader: i32, dst: i64) -> i32;
    /// Closes a reader and frees its handle.
    fn perfReaderClose(reader: i32) -> i32;

    // syscalls
    /// Writes the name of a syscall id into `dst` (no length returned).
    fn getSyscallName(id: i32, dst: i64) -> i32;
    /// The number of a syscall, or -1.
    fn getSyscallID(name: i64) -> i32;
    /// Writes the 252-byte declaration record of a syscall into `dst`.
    fn getSyscallDeclaration(name: i64, dst: i64) -> i32;
}
