//! `gadgetLog`, `gadgetShouldLog`.

use wasmtime::Caller;

use super::{Registrar, split};
use crate::HostError;
use crate::logging::{LogLevel, LogSource};
use crate::memory;
use crate::perf::PerfWhen;
use crate::state::HostState;

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "gadgetLog",
        |mut c: Caller<'_, HostState>, level: i32, msg: i64| {
            let (mem, st) = split(&mut c);
            // The log call's `write()` is when ig's own perf test gets its
            // record: scheduled `NextLog` records are written after it.
            let text = match memory::read_string(mem, msg) {
                Ok(t) => t,
                Err(e) => {
                    st.warn("gadgetLog", e);
                    return st.fire_perf(PerfWhen::NextLog, None);
                }
            };
            match LogLevel::from_abi(level as u32) {
                Some(l) if l <= st.spec.log_level => st.log(l, LogSource::Gadget, text),
                Some(_) => {}
                None => st.log(
                    LogLevel::Warn,
                    LogSource::Gadget,
                    format!("unknown log level {level}: {text}"),
                ),
            }
            st.fire_perf(PerfWhen::NextLog, None);
        },
    )?;
    r.func(
        "gadgetShouldLog",
        |c: Caller<'_, HostState>, level: i32| -> i32 {
            LogLevel::from_abi(level as u32)
                .is_some_and(|l| l <= c.data().spec.log_level)
                .into()
        },
    )
}
