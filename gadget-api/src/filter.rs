//! The container filter (`shouldDiscardMntnsID`).

use crate::sys;

/// Whether events of mount namespace `mntns_id` are excluded by the gadget's
/// container filter.
///
/// The filter is the set of mount namespaces the user selected (the
/// containers picked with `--containername`, `--k8s-*`, ...): an id in the
/// set gives `false` (keep), any other id gives `true` (discard), and so does
/// a failed look-up. With no filter active every id gives `false`.
/// Meaningful from `gadgetStart` on (before it, `false`).
pub fn should_discard_mntns_id(mntns_id: u64) -> bool {
    // SAFETY: plain values.
    unsafe { sys::shouldDiscardMntnsID(mntns_id as i64) == 1 }
}
