//! The `ig` host module, one file per import family. Each family registers
//! its functions through a [`Registrar`], which refuses names that are not
//! in the ABI table; [`crate::Host`] then checks that the linker holds
//! exactly the table's functions with the table's types.

use wasmtime::{Caller, Extern, IntoFunc, Linker};

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
    /// Registers `name`, which must be an import of the table.
    pub fn func<Params, Results>(
        &mut self,
        name: &'static str,
        f: impl IntoFunc<HostState, Params, Results>,
    ) -> Result<(), HostError> {
        if self.table.import(name).is_none() {
            return Err(HostError::Abi(format!(
                "`{name}` is registered but not in the ABI table"
            )));
        }
        self.linker
            .func_wrap(&self.table.module, name, f)
            .map(|_| ())
            .map_err(|e| HostError::Abi(format!("registering `{name}`: {e}")))
    }
}

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
