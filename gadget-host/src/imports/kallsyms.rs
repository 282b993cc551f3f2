//! `kallsymsSymbolExists`.

use wasmtime::Caller;

use super::{Registrar, split};
use crate::HostError;
use crate::memory;
use crate::state::HostState;

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "kallsymsSymbolExists",
        |mut c: Caller<'_, HostState>, symbol: i64| -> i32 {
            let (mem, st) = split(&mut c);
            match memory::read_string(mem, symbol) {
                Ok(s) => st.spec.kallsyms.contains(&s).into(),
                Err(e) => {
                    st.warn("kallsymsSymbolExists", e);
                    0
                }
            }
        },
    )
}
