//! `shouldDiscardMntnsID`: the container filter.
//!
//! As in ig, the filter is the set of mount namespaces the user *selected*
//! (the containers picked with `--containername`, `--k8s-*`, ...): an id in
//! the set is kept (0), any other id is discarded (1). Without a filter every
//! id is kept. The filter exists from `gadgetStart` on; before that the
//! import answers 0, as ig's does while its filter map is not set yet.

use wasmtime::Caller;

use super::Registrar;
use crate::HostError;
use crate::state::{HostState, Phase};

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "shouldDiscardMntnsID",
        |c: Caller<'_, HostState>, mntns: i64| -> i32 {
            let st = c.data();
            if st.phase < Phase::Start {
                return 0;
            }
            match &st.spec.mntns_filter {
                Some(selected) => i32::from(!selected.contains(&(mntns as u64))),
                None => 0,
            }
        },
    )
}
