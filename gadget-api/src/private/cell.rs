//! The one home of the gadget value, and what traps cost it.

use std::cell::{Cell, UnsafeCell};

use crate::abi::LogLevel;
use crate::error::{Error, ErrorKind, Result};
use crate::{logger, runtime};

/// Which hook holds the gadget, and at which re-entry depth.
#[derive(Debug, Clone, Copy)]
struct Holder {
    depth: u32,
    hook: &'static str,
}

/// Stack lost to traps past which every takeover is also logged as an error:
/// a quarter of the 1 MiB that Rust gives a wasm module by default.
const STACK_LOSS_ALARM: usize = 256 * 1024;

/// An address in the caller's frame: entries at the same depth that find it
/// lower have less stack above them.
#[inline(never)]
fn stack_mark() -> usize {
    let probe = 0u8;
    std::hint::black_box(&probe) as *const u8 as usize
}

/// The one home of the gadget value: a `thread_local!` (a plain static on
/// single-threaded wasm) that hands out `&mut T` to one hook at a time.
///
/// A second entry while a hook holds the value (a packet emitted by the hook
/// that comes back to one of this module's callbacks) is refused with an
/// error. A holder that trapped never gives the value back; because ig keeps
/// delivering events after a trap, the next entry at the same or a shallower
/// depth recognises the stale holder and takes over, with a warning.
///
/// What a trap costs for good: ig does not reset the module's stack pointer
/// (a wasm global) after a trap, so the stack used by the trapped frames is
/// never given back, roughly a kilobyte per panic. The warning says how much
/// is lost so far; past a quarter of the stack it becomes an error, because
/// after about a thousand trapped calls every call traps. A gadget should
/// return errors, not panic.
pub struct GadgetCell<T> {
    value: UnsafeCell<Option<T>>,
    holder: Cell<Option<Holder>>,
    traps: Cell<u32>,
    /// The highest stack mark seen at depth 0: where a clean entry starts.
    top_mark: Cell<usize>,
}

impl<T> Default for GadgetCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> GadgetCell<T> {
    /// An empty cell (usable in `const` initialisers).
    pub const fn new() -> Self {
        Self {
            value: UnsafeCell::new(None),
            holder: Cell::new(None),
            traps: Cell::new(0),
            top_mark: Cell::new(0),
        }
    }

    /// Whether `gadgetInit` stored a value.
    pub fn is_initialized(&self) -> bool {
        // SAFETY: a shared read while nobody can hold `&mut` (checked).
        self.holder.get().is_none() && unsafe { (*self.value.get()).is_some() }
    }

    /// Checks that nobody holds the value, recovering from a trapped holder.
    fn acquire(&self, hook: &'static str) -> Result<u32> {
        let depth = runtime::host_call_depth();
        if let Some(holder) = self.holder.get() {
            if holder.depth < depth {
                return Err(Error::new(
                    ErrorKind::Reentrant,
                    hook,
                    crate::error::text(format_args!(
                        "the gadget is in use by `{}`, which emitted a packet that came back to \
                         this module; emit after the hook returns, or onto a data source this \
                         gadget does not subscribe to",
                        holder.hook
                    )),
                ));
            }
            self.took_over(hook, holder.hook, depth);
        } else if depth == 0 {
            self.top_mark.set(self.top_mark.get().max(stack_mark()));
        }
        Ok(depth)
    }

    /// Reports taking the value over from a holder that trapped, and what
    /// the traps so far have cost.
    #[cold]
    fn took_over(&self, hook: &'static str, trapped: &'static str, depth: u32) {
        let traps = self.traps.get().saturating_add(1);
        self.traps.set(traps);
        let lost = match depth {
            0 => self.top_mark.get().saturating_sub(stack_mark()),
            _ => 0,
        };
        logger::log_args(
            LogLevel::Warn,
            format_args!(
                "{hook}: taking over the gadget from `{trapped}`, which trapped before returning \
                 (its changes up to the trap are kept; {traps} trapped call(s) so far, about {}.{} \
                 KiB of stack lost for good)",
                // Tenths of KiB in integers: `{:.1}` on a float would pull
                // ~12 KB of float formatting into every gadget.
                lost / 1024,
                lost % 1024 * 10 / 1024
            ),
        );
        if lost >= STACK_LOSS_ALARM {
            logger::log_args(
                LogLevel::Error,
                format_args!(
                    "{hook}: traps have cost {} KiB of the module's stack, which ig never gives \
                     back; when it runs out every call traps: make `{trapped}` return an error \
                     instead of panicking",
                    lost / 1024
                ),
            );
        }
    }

    /// Stores the value built by `gadgetInit`, replacing any earlier one.
    pub fn set(&self, value: T) -> Result<()> {
        self.acquire("gadgetInit")?;
        // SAFETY: no live reference: nobody holds the value, or the holder
        // trapped and its frames are gone.
        unsafe { *self.value.get() = Some(value) };
        self.holder.set(None);
        Ok(())
    }

    /// Runs `f` with the value, as hook `hook`.
    pub fn with<R>(&self, hook: &'static str, f: impl FnOnce(&mut T) -> R) -> Result<R> {
        let depth = self.acquire(hook)?;
        // SAFETY: as in `set`: this is the only live reference.
        let Some(value) = (unsafe { &mut *self.value.get() }).as_mut() else {
            return Err(Error::new(
                ErrorKind::NotInitialized,
                hook,
                "the gadget has no value: gadgetInit failed or did not run",
            ));
        };
        self.holder.set(Some(Holder { depth, hook }));
        let result = f(value);
        self.holder.set(None);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::LogLevel;

    #[test]
    fn with_refuses_before_init() {
        let cell: GadgetCell<u32> = GadgetCell::new();
        let e = cell.with("gadgetStart", |v| *v).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotInitialized);
        assert!(e.to_string().contains("gadgetInit failed or did not run"));
    }

    #[test]
    fn with_gives_mutable_access() {
        let cell = GadgetCell::new();
        cell.set(1u32).unwrap();
        cell.with("gadgetStart", |v| *v += 1).unwrap();
        assert_eq!(cell.with("gadgetStop", |v| *v).unwrap(), 2);
        assert!(cell.is_initialized());
    }

    #[test]
    fn reentry_through_an_emit_is_refused() {
        let cell = GadgetCell::new();
        cell.set(0u32).unwrap();
        let inner = cell
            .with("gadgetStart", |_| {
                runtime::reentering(|| cell.with("dataSourceCallback", |v| *v).unwrap_err())
            })
            .unwrap();
        assert_eq!(inner.kind(), ErrorKind::Reentrant);
        assert!(
            inner.to_string().contains("in use by `gadgetStart`"),
            "{inner}"
        );
        // The value is usable again afterwards.
        assert_eq!(cell.with("gadgetStop", |v| *v).unwrap(), 0);
    }

    #[test]
    fn a_trapped_holder_is_taken_over_with_a_warning() {
        let cell = GadgetCell::new();
        cell.set(5u32).unwrap();
        // What a trap inside `with` leaves behind: a holder that never returns.
        cell.holder.set(Some(Holder {
            depth: 0,
            hook: "dataSourceCallback",
        }));
        logger::test_sink::take();
        assert_eq!(cell.with("dataSourceCallback", |v| *v).unwrap(), 5);
        let logged = logger::test_sink::take();
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].0, LogLevel::Warn);
        assert!(
            logged[0]
                .1
                .contains("taking over the gadget from `dataSourceCallback`")
        );
    }
}
