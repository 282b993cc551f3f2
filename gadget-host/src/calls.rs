//! How many times the gadget called each `ig` import, and how much wasm it
//! ran: what a benchmark reports per event and what tests compare between
//! two gadgets doing the same work. Counted by the host (one increment per
//! import call, see `imports::Counted`; wasmtime's fuel for the wasm), so
//! the figures depend neither on the guest nor on the machine.

use std::collections::BTreeMap;

/// Calls of each `ig` import since the gadget was loaded or since
/// [`Gadget::reset_host_calls`](crate::Gadget::reset_host_calls), by import name; imports never called are
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
