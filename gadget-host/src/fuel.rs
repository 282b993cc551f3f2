//! Fuel: the instruction budget of one call into the guest, and how running
//! out of it is reported. Used by every layer that enters the guest (hooks,
//! events pushed by the test, callbacks re-entered from host functions), so
//! it sits below all of them.

use wasmtime::Store;

use crate::error::Hazard;
use crate::state::HostState;

/// Gives the store a full budget for one call into the guest.
pub(crate) fn refuel(store: &mut Store<HostState>) {
    let budget = store.data().spec.fuel_per_call;
    // What the previous call used, for `Gadget::fuel_used`.
    let left = store.get_fuel().unwrap_or(0);
    let st = store.data_mut();
    st.fuel_used += st.fuel_given.saturating_sub(left);
    st.fuel_given = budget;
    // Fails only when fuel is not enabled, which `Host` always does.
    let _ = store.set_fuel(budget);
}

/// The hazard of a call that trapped because it ran out of fuel.
pub(crate) fn runaway(error: &wasmtime::Error, st: &HostState, call: String) -> Option<Hazard> {
    let out_of_fuel = error.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::OutOfFuel);
    out_of_fuel.then_some(Hazard::Runaway {
        call,
        budget: st.spec.fuel_per_call,
    })
}
