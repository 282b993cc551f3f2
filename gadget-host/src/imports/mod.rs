//! The `ig` host module, one file per import family. Each family registers
//! its functions through a [`Registrar`], which refuses names that are not
//! in the ABI table; [`crate::Host`] then checks that the linker holds
//! exactly the table's functions with the table's types.

use wasmtime::{Caller, Extern, IntoFunc, Linker, WasmRet, WasmTy};

use crate::HostError;
use crate::abi::AbiTable;
use crate::state::HostState;

mod config;
mod dataarray;
mod datasource;
mod fields;
mod filter;
mod handles;
mod kallsyms;
mod log;
mod maps;
mod params;
mod perf;
mod syscalls;

/// Registers functions of the `ig` module, checked against the table.
pub(crate) struct Registrar<'a> {
    linker: &'a mut Linker<HostState>,
    table: &'a AbiTable,
}

impl Registrar<'_> {
    /// Registers `name`, which must be an import of the table; every call
    /// of it is counted (see [`crate::Gadget::host_calls`]).
    pub fn func<Params, Results>(
        &mut self,
        name: &'static str,
        f: impl Counted<Params, Results>,
    ) -> Result<(), HostError> {
        let Some(slot) = self.table.imports.iter().position(|i| i.name == name) else {
            return Err(HostError::Abi(format!(
                "`{name}` is registered but not in the ABI table"
            )));
        };
        self.linker
            .func_wrap(&self.table.module, name, f.counted(slot))
            .map(|_| ())
            .map_err(|e| HostError::Abi(format!("registering `{name}`: {e}")))
    }
}

/// A host function that can be wrapped to count its calls in
/// [`HostState::calls`], at the index of its import in the ABI table: one
/// increment per call, in this one place rather than in every import.
pub(crate) trait Counted<Params, Results> {
    /// The function, counting its calls in slot `slot`.
    fn counted(self, slot: usize) -> impl IntoFunc<HostState, Params, Results>;
}

/// Implements [`Counted`] for host closures taking a `Caller` and `$arg`s.
macro_rules! counted {
    ($($arg:ident)*) => {
        impl<'a, F, $($arg,)* R> Counted<(Caller<'a, HostState>, $($arg,)*), R> for F
        where
            F: Fn(Caller<'_, HostState>, $($arg),*) -> R + Send + Sync + 'static,
            $($arg: WasmTy,)*
            R: WasmRet,
        {
            #[allow(non_snake_case)]
            fn counted(
                self,
                slot: usize,
            ) -> impl IntoFunc<HostState, (Caller<'a, HostState>, $($arg,)*), R> {
                move |mut caller: Caller<'_, HostState>, $($arg: $arg),*| {
                    caller.data_mut().count_call(slot);
                    self(caller, $($arg),*)
                }
            }
        }
    };
}

counted!();
counted!(A1);
counted!(A1 A2);
counted!(A1 A2 A3);
counted!(A1 A2 A3 A4);
counted!(A1 A2 A3 A4 A5);
counted!(A1 A2 A3 A4 A5 A6);

/// Registers every family.
pub(crate) fn register_all(
    linker: &mut Linker<HostState>,
    table: &AbiTable,
) -> Result<(), HostError> {
    let mut r = Registrar { linker, table };
    log::register(&mut r)?;
    datasource::register(&mut r)?;
    dataarray::register(&mut r)?;
    fields::register(&mut r)?;
    params::register(&mut r)?;
    config::register(&mut r)?;
    maps::register(&mut r)?;
    handles::register(&mut r)?;
    syscalls::register(&mut r)?;
    perf::register(&mut r)?;
    kallsyms::register(&mut r)?;
    filter::register(&mut r)?;
    Ok(())
}

/// The guest's memory (empty if it exports none) and the host state, borrowed
/// apart.
pub(crate) fn split<'a>(
    caller: &'a mut Caller<'_, HostState>,
) -> (&'a mut [u8], &'a mut HostState) {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => m.data_and_store_mut(caller),
        _ => (&mut [], caller.data_mut()),
    }
}

/// A trap raised by a host function.
pub(crate) fn trap(message: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::msg(message.into())
}
