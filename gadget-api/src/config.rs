//! The gadget's configuration (its parsed gadget.yaml), written with `setConfig`.

use crate::abi::FieldKind;
use crate::buffer;
use crate::data::status;
use crate::error::{Result, subject};
use crate::sys;

/// Sets configuration key `key` to `value` (`setConfig`).
///
/// The usual use is choosing what an eBPF program attaches to, which must be
/// done by `gadgetPreStart`:
///
/// ```no_run
/// gadget_api::config::set("programs.ig_fa_pick_e.attach_to", "fsnotify_insert_event")?;
/// # Ok::<(), gadget_api::Error>(())
/// ```
pub fn set(key: &str, value: &str) -> Result<()> {
    // SAFETY: both buffer pointers cover live memory for the call.
    let rc = unsafe {
        sys::setConfig(
            buffer::encode(key.as_bytes()),
            buffer::encode(value.as_bytes()),
            FieldKind::String.as_raw() as i32,
        )
    };
    status(
        rc,
        "setConfig",
        "the host refused it (the gadget may have no configuration)",
    )
    .map_err(|e| e.with_subject(subject::config(key)))
}
