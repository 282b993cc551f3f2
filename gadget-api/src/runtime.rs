//! Bookkeeping of calls that may re-enter the module.
//!
//! Emitting a packet runs the data source's subscribers synchronously, and
//! those may be this module's own callbacks: the host calls back into the
//! module while the emitting code is still on the stack. The depth counted
//! here tells the gadget state cell (see `__private`) whether a busy state
//! belongs to a frame that is still running (a real re-entrant call) or to one
//! that trapped and will never finish (stale, safe to take over).

use std::cell::Cell;

thread_local! {
    static HOST_CALL_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// The number of re-entering host calls in progress.
pub(crate) fn host_call_depth() -> u32 {
    HOST_CALL_DEPTH.with(Cell::get)
}

/// Runs `call`, a host call that may call back into the module, one level deeper.
pub(crate) fn reentering<R>(call: impl FnOnce() -> R) -> R {
    HOST_CALL_DEPTH.with(|d| d.set(d.get() + 1));
    let result = call();
    HOST_CALL_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result
}
