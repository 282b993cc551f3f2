//! Handles in general (`releaseHandle`).
//!
//! The typed wrappers free their own handles; this is for raw handles taken
//! through [`crate::sys`].

use crate::data::status;
use crate::error::Result;
use crate::sys;

/// Forgets `handle` (`releaseHandle`).
///
/// This only drops ig's table entry: a map made by `newMap` or a perf reader
/// released this way is never closed. Use [`crate::Map`] and
/// [`crate::PerfReader`], which close themselves.
///
/// # Safety
/// Nothing may use `handle` afterwards (ig may give its number to a new object).
pub unsafe fn release(handle: u32) -> Result<()> {
    // SAFETY: plain values.
    let rc = unsafe { sys::releaseHandle(handle as i32) };
    status(rc, "releaseHandle", "unknown handle")
}
