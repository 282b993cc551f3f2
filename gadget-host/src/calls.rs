//! How many times the gadget called each `ig` import: what a benchmark
//! reports per event and what tests compare between two gadgets doing the
//! same work. Counted by the host, one increment per call (see
//! `imports::Counted`), so the figure does not depend on the guest.

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

    /// Sets every call count back to 0 (to count one phase, such as the
    /// events after a warm-up).
    pub fn reset_host_calls(&mut self) {
        self.store.data_mut().calls.clear();
    }
}
