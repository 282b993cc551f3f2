//! Kernel symbols (`kallsymsSymbolExists`).

use crate::buffer;
use crate::sys;

/// Whether the running kernel has the symbol `name`, e.g. to choose what an
/// eBPF program attaches to on this kernel version.
///
/// ```no_run
/// if gadget_api::kallsyms::symbol_exists("fsnotify_insert_event") {
///     // newer kernels
/// }
/// ```
pub fn symbol_exists(name: &str) -> bool {
    // SAFETY: the buffer pointer covers `name` for the call.
    unsafe { sys::kallsymsSymbolExists(buffer::encode(name.as_bytes())) == 1 }
}
