//! `releaseHandle`.

use wasmtime::Caller;

use super::Registrar;
use crate::HostError;
use crate::state::HostState;

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "releaseHandle",
        |mut c: Caller<'_, HostState>, handle: i32| -> i32 {
            let st = c.data_mut();
            // Only forgets the handle: maps from newMap, inner maps and perf
            // readers released this way stay open (they leak, as in ig).
            match st.handles.remove(handle as u32) {
                Some(_) => 0,
                None => {
                    st.warn("releaseHandle", format!("unknown handle {}", handle as u32));
                    1
                }
            }
        },
    )
}
