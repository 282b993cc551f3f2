//! `shouldDiscardMntnsID`.

use wasmtime::Caller;

use super::Registrar;
use crate::HostError;
use crate::state::{HostState, Phase};

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "shouldDiscardMntnsID",
        |c: Caller<'_, HostState>, mntns: i64| -> i32 {
            let st = c.data();
            // The filter exists from gadgetStart on; before that no filter is active.
            if st.phase < Phase::Start {
                return 0;
            }
            match &st.spec.mntns_filter {
                Some(discard) => discard.contains(&(mntns as u64)).into(),
                None => 0,
            }
        },
    )
}
