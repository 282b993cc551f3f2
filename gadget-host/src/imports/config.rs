//! `setConfig`.

use wasmtime::Caller;

use super::{Registrar, split};
use crate::memory;
use crate::state::HostState;
use crate::{FieldKind, HostError};

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "setConfig",
        |mut c: Caller<'_, HostState>, key: i64, value: i64, kind: i32| -> i32 {
            let (mem, st) = split(&mut c);
            if kind as u32 != FieldKind::String.abi() {
                st.warn(
                    "setConfig",
                    format!("kind {kind} is not supported (only 12, string)"),
                );
                return 1;
            }
            let (key, value) = match (
                memory::read_string(mem, key),
                memory::read_string(mem, value),
            ) {
                (Ok(k), Ok(v)) => (k, v),
                (Err(e), _) | (_, Err(e)) => {
                    st.warn("setConfig", e);
                    return 1;
                }
            };
            match &mut st.config {
                Some(cfg) => {
                    cfg.insert(key.clone(), value.clone());
                    st.config_calls.push((key, value));
                    0
                }
                None => {
                    st.warn("setConfig", "the gadget has no configuration");
                    1
                }
            }
        },
    )
}
