//! How many times the gadget called each `ig` import, and how much wasm it
//! ran: what a benchmark reports per event and what tests compare between
//! two gadgets doing the same work. Counted by the host (one increment per
//! import call, see `imports::Counted`; wasmtime's fuel for the wasm), so
//! the figures depend neither on the guest nor on the machine.

use std::collections::BTreeMap;

use crate::Gadget;
use crate::abi::AbiTable;

/// Calls of each `ig` import since the gadget was loaded or since
/// [`Gadget::reset_host_calls`], by import name; imports never called are
/// absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostCalls(pub BTreeMap<String, u64>);

impl HostCalls {
    /// Calls of all imports together.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Calls of `import` (0 if never called).
    pub fn get(&self, import: &str) -> u64 {
        self.0.get(import).copied().unwrap_or(0)
    }
}

impl std::fmt::Display for HostCalls {
    /// `name xN, ...` in name order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, n)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} x{n}")?;
        }
        Ok(())
    }
}

impl Gadget {
    /// The `ig` imports the gadget called, with their call counts (WASI
    /// calls are not counted).
    pub fn host_calls(&self) -> HostCalls {
        let Ok(table) = AbiTable::embedded() else {
            return HostCalls::default();
        };
        HostCalls(
            self.store
                .data()
                .calls
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .filter_map(|(slot, &n)| Some((table.imports.get(slot)?.name.clone(), n)))
                .collect(),
        )
    }

    /// The wasm the gadget has run since it was loaded, in wasmtime fuel:
    /// about one unit per wasm instruction (control-flow markers such as
    /// `block` and `nop` are free). Time in host functions is not included.
    /// Deterministic for a given module and input, unlike a timing.
    pub fn fuel_used(&self) -> u64 {
        let st = self.store.data();
        let left = self.store.get_fuel().unwrap_or(0);
        st.fuel_used + st.fuel_given.saturating_sub(left)
    }

    /// Sets every call count back to 0 (to count one phase, such as the
    /// events after a warm-up).
    pub fn reset_host_calls(&mut self) {
        self.store.data_mut().calls.clear();
    }
}
