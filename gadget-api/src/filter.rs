//! The container filter (`shouldDiscardMntnsID`).

use crate::sys;

/// Whether events of mount namespace `mntns_id` are excluded by the gadget's
/// container filter (`true` also when ig cannot tell; `false` when no filter
/// is active). Meaningful from `gadgetStart` on.
pub fn should_discard_mntns_id(mntns_id: u64) -> bool {
    // SAFETY: plain values.
    unsafe { sys::shouldDiscardMntnsID(mntns_id as i64) == 1 }
}
