//! `getParamValue`.

use wasmtime::Caller;

use super::{Registrar, split};
use crate::HostError;
use crate::memory;
use crate::state::HostState;

/// Prefix under which ig looks wasm params up.
pub(crate) const PARAM_PREFIX: &str = "operator.oci.wasm.";

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "getParamValue",
        |mut c: Caller<'_, HostState>, key: i64, dst: i64| -> i32 {
            let (mem, st) = split(&mut c);
            let key = match memory::read_string(mem, key) {
                Ok(k) => k,
                Err(e) => {
                    st.warn("getParamValue", e);
                    return 1;
                }
            };
            let Some(value) = st.spec.params.get(&key) else {
                st.warn(
                    "getParamValue",
                    format!("param `{PARAM_PREFIX}{key}` not found"),
                );
                return 1;
            };
            if value.is_empty() {
                return 0;
            }
            match memory::write(mem, dst, value.as_bytes()) {
                Ok(()) => 0,
                Err(e) => {
                    st.warn("getParamValue", format!("param `{key}`: {e}"));
                    1
                }
            }
        },
    )
}
