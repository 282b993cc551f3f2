//! The runtime that `#[gadget]`'s generated code calls. Not a public API:
//! names and signatures here may change in any release.
//!
//! Generated code reaches it as `::gadget_api::__private::…` (or through the
//! path given with `#[gadget(crate = "…")]`).

use std::cell::{Cell, UnsafeCell};
use std::fmt;

use crate::abi::LogLevel;
use crate::datasource::DataSource;
use crate::error::{ErrorKind, Result};
use crate::{logger, panic, runtime};

pub use crate::abi::{DataSourceType, SubscriptionKind};
pub use crate::data::{Data, DataArray};
pub use crate::datasource::DataSource as __DataSource;
pub use crate::error::Error;
pub use crate::field::Field;
pub use crate::packet::Packet;
pub use std::result::Result as __Result;
pub use std::thread_local;

/// What `gadgetAPIVersion` returns.
pub const API_VERSION: i64 = 1;

/// The phase in which a look-up or subscription is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `gadgetInit`: the eBPF layer's data sources and fields exist.
    Init,
    /// `gadgetPreStart`: fields added by other operators exist too.
    PreStart,
    /// `gadgetStart`: eBPF maps and the container filter exist too.
    Start,
}

/// Implemented by `#[gadget]` on the struct: how to build the value and
/// resolve what it declares.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[gadget]` struct",
    label = "the `#[gadget]` impl block is for `{Self}`",
    note = "put `#[gadget]` on `struct {Self}` too: the struct declares the gadget's state, the \
            impl block its hooks"
)]
pub trait GadgetStruct: Sized + 'static {
    /// Builds the value in `gadgetInit`: data sources, fields and params
    /// declared for the init phase, every other field from `Default`.
    fn __gadget_new() -> Result<Self>;

    /// Resolves data sources and fields declared for a later phase.
    fn __gadget_resolve(&mut self, phase: Phase) -> Result<()>;

    /// The `#[datasource]` member named `name`, reused by subscriptions.
    fn __gadget_datasource(&self, _name: &str) -> Option<&DataSource> {
        None
    }
}

/// Implemented by `#[gadget]` on the impl block, so that a `#[gadget]`
/// struct without one fails to compile instead of building a module
/// without hooks.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `#[gadget] impl` block",
    label = "this `#[gadget]` struct needs a `#[gadget] impl {Self} {{ .. }}` block",
    note = "add `#[gadget] impl {Self} {{}}` (it holds the hooks, and may be empty): it generates \
            ig's exports"
)]
pub trait GadgetImpl {}

/// Compiles only for a type with a `#[gadget] impl` block.
pub const fn assert_gadget_impl<T: GadgetImpl>() {}

/// Compiles only for a `#[gadget]` struct.
pub const fn assert_gadget_struct<T: GadgetStruct>() {}

/// What a member without a gadget attribute needs: a start value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `Default`, so a member of this type has no start value",
    label = "a member without #[datasource], #[field] or #[param] starts from `Default`",
    note = "use a type with `Default` (e.g. wrap it in `Option`), or build the whole value in an \
            `#[on_init] fn new() -> Result<Self>` (without `self`)"
)]
pub trait StateDefault {}

impl<T: Default> StateDefault for T {}

/// Compiles only for a member type with a start value.
pub const fn assert_state_default<T: StateDefault>() {}

/// Picks `Default` for a member when its type has it, and an error
/// otherwise (a value built by an `#[on_init]` constructor never uses it):
/// `(&&StateSlot::<T>::new()).state_default("member")`.
pub struct StateSlot<T>(std::marker::PhantomData<fn() -> T>);

impl<T> StateSlot<T> {
    /// A slot for a member of type `T`.
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for StateSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// `Default` for a member type that has it.
pub trait WithDefault<T> {
    /// `T::default()`.
    fn state_default(&self, member: &'static str) -> Result<T>;
}

impl<T: Default> WithDefault<T> for &StateSlot<T> {
    fn state_default(&self, _member: &'static str) -> Result<T> {
        Ok(T::default())
    }
}

/// The error for a member type without `Default`.
pub trait WithoutDefault<T> {
    /// An error naming the member.
    fn state_default(&self, member: &'static str) -> Result<T>;
}

impl<T> WithoutDefault<T> for StateSlot<T> {
    fn state_default(&self, member: &'static str) -> Result<T> {
        Err(crate::Error::new(
            ErrorKind::NotInitialized,
            "gadgetInit",
            format!("member `{member}` has no Default: build the gadget in #[on_init]"),
        ))
    }
}

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
                    format!(
                        "the gadget is in use by `{}`, which emitted a packet that came back to \
                         this module; emit after the hook returns, or onto a data source this \
                         gadget does not subscribe to",
                        holder.hook
                    ),
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
        logger::log(
            LogLevel::Warn,
            &format!(
                "{hook}: taking over the gadget from `{trapped}`, which trapped before returning \
                 (its changes up to the trap are kept; {traps} trapped call(s) so far, about {:.1} \
                 KiB of stack lost for good)",
                lost as f64 / 1024.0
            ),
        );
        if lost >= STACK_LOSS_ALARM {
            logger::log(
                LogLevel::Error,
                &format!(
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

/// An error from a user's hook, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(Box<str>);

impl HookError {
    /// Wraps any displayable error.
    pub fn new(e: impl fmt::Display) -> Self {
        Self(e.to_string().into_boxed_str())
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a hook or callback may return: `()` or `Result<(), E: Display>`.
#[diagnostic::on_unimplemented(
    message = "a gadget hook returns `()` or `Result<(), E>` with `E: Display`, not `{Self}`",
    label = "this hook's return type",
    note = "ig only learns success (0) or failure (1); errors are logged with the hook's name"
)]
pub trait HookOutput {
    /// `Ok` or the error to log.
    fn into_hook_result(self) -> std::result::Result<(), HookError>;
}

impl HookOutput for () {
    fn into_hook_result(self) -> std::result::Result<(), HookError> {
        Ok(())
    }
}

impl<E: fmt::Display> HookOutput for std::result::Result<(), E> {
    fn into_hook_result(self) -> std::result::Result<(), HookError> {
        self.map_err(HookError::new)
    }
}

/// Logs a failed export at error level and returns ig's failure code, 1.
#[cold]
pub fn fail(export: &'static str, method: Option<&str>, error: impl fmt::Display) -> i32 {
    let message = match method {
        Some(method) => format!("{export}: `{method}` failed: {error}"),
        None => format!("{export}: {error}"),
    };
    logger::log(LogLevel::Error, &message);
    1
}

/// Sets up what every gadget needs before anything else in `gadgetInit`:
/// the `log` facade and the panic hook.
pub fn start_runtime() {
    logger::init();
    panic::install_hook();
}

/// Runs a hook method (`gadgetStart` → `fn start(&mut self)`) and translates
/// its outcome into ig's return code: 0, or 1 with the error logged.
pub fn run_hook<T, R: HookOutput>(
    cell: &GadgetCell<T>,
    export: &'static str,
    method: &'static str,
    f: impl FnOnce(&mut T) -> R,
) -> i32 {
    match cell.with(export, |value| f(value).into_hook_result()) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => fail(export, Some(method), e),
        Err(e) => fail(export, None, e),
    }
}

/// Resolves the look-ups of `phase` (a later-phase `#[field]` or
/// `#[datasource]`); 0 or 1 as ig expects.
pub fn resolve_phase<T: GadgetStruct>(
    cell: &GadgetCell<T>,
    export: &'static str,
    phase: Phase,
) -> i32 {
    match cell.with(export, |value| value.__gadget_resolve(phase)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) | Err(e) => fail(export, None, e),
    }
}

/// `gadgetInit`'s first steps: the runtime, then the value from
/// [`GadgetStruct::__gadget_new`]. 0 or 1 as ig expects.
pub fn init_value<T: GadgetStruct>(cell: &GadgetCell<T>) -> i32 {
    start_runtime();
    match T::__gadget_new().and_then(|value| cell.set(value)) {
        Ok(()) => 0,
        Err(e) => fail("gadgetInit", None, e),
    }
}

/// What an `#[on_init]` that builds the gadget may return: `T` or
/// `Result<T, E: Display>`.
#[diagnostic::on_unimplemented(
    message = "an `#[on_init]` without `self` returns `Self` or `Result<Self, E>` with \
               `E: Display`, not `{Self}`",
    label = "this constructor's return type"
)]
pub trait InitOutput<T> {
    /// The value or the error to log.
    fn into_init_result(self) -> std::result::Result<T, HookError>;
}

impl<T> InitOutput<T> for T {
    fn into_init_result(self) -> std::result::Result<T, HookError> {
        Ok(self)
    }
}

impl<T, E: fmt::Display> InitOutput<T> for std::result::Result<T, E> {
    fn into_init_result(self) -> std::result::Result<T, HookError> {
        self.map_err(HookError::new)
    }
}

/// `gadgetInit`'s first steps when an `#[on_init]` builds the value itself:
/// the runtime, then the constructor `method`. 0 or 1 as ig expects.
pub fn init_with<T: GadgetStruct, R: InitOutput<T>>(
    cell: &GadgetCell<T>,
    method: &'static str,
    construct: impl FnOnce() -> R,
) -> i32 {
    const EXPORT: &str = "gadgetInit";
    start_runtime();
    match construct().into_init_result() {
        Ok(value) => match cell.set(value) {
            Ok(()) => 0,
            Err(e) => fail(EXPORT, None, e),
        },
        Err(e) => fail(EXPORT, Some(method), e),
    }
}

/// Subscribes `method` (callback `callback_id`) to data source
/// `datasource`, through the gadget's `#[datasource]` member of that name
/// if it has one. 0 or 1 (with the error logged) as ig expects.
pub fn subscribe_method<T: GadgetStruct>(
    cell: &GadgetCell<T>,
    export: &'static str,
    method: &'static str,
    datasource: &str,
    kind: SubscriptionKind,
    priority: i32,
    callback_id: u64,
) -> i32 {
    let result = cell.with(export, |value| {
        match value.__gadget_datasource(datasource) {
            Some(ds) => ds.subscribe(kind, priority, callback_id),
            None => subscribe(datasource, kind, priority, callback_id),
        }
    });
    match result {
        Ok(Ok(())) => 0,
        Ok(Err(e)) | Err(e) => fail(
            export,
            None,
            format_args!("cannot subscribe `{method}`: {e}"),
        ),
    }
}

/// The types a `#[param]` member can have: parsed from text with `FromStr`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[param]`: params are parsed from text with `FromStr` \
               (whose error must be `Display`), and `{Self}` does not implement it",
    label = "not parseable from a param's value",
    note = "use a type with `FromStr` (integers, floats, bool, String, IpAddr, ...), or a plain \
            member filled in `#[on_init]` from `gadget_api::params::get`"
)]
pub trait ParamValue: std::str::FromStr<Err: fmt::Display> {}

impl<T> ParamValue for T
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
}

/// The value of a `#[param]` without a default: a missing param is an error.
pub fn param<T: ParamValue>(key: &str) -> Result<T> {
    crate::params::parse(key)
}

/// The value of a `#[param]` with a typed default (`default = 16`).
pub fn param_or<T: ParamValue>(key: &str, default: T) -> Result<T> {
    crate::params::parse_or(key, default)
}

/// The value of a `#[param]` with a string default (`default = "info"`),
/// which is parsed like a value given to ig, and only when it is needed.
pub fn param_or_parse<T: ParamValue>(key: &str, default: &str) -> Result<T> {
    match crate::params::get(key) {
        Ok(raw) if !raw.is_empty() => crate::params::parse_value(key, &raw),
        Ok(_) => crate::params::parse_value(key, default),
        Err(e) if e.kind() == ErrorKind::NotFound => crate::params::parse_value(key, default),
        Err(e) => Err(e),
    }
}

/// Subscribes callback `callback_id` to data source `datasource`.
pub fn subscribe(
    datasource: &str,
    kind: SubscriptionKind,
    priority: i32,
    callback_id: u64,
) -> Result<()> {
    DataSource::get(datasource)?.subscribe(kind, priority, callback_id)
}

/// Runs a subscription's method for one event. ig ignores the callback's
/// result, so a failure is logged (naming the method and the data source)
/// and the event goes on unchanged.
pub fn run_callback<T, R: HookOutput>(
    cell: &GadgetCell<T>,
    method: &'static str,
    datasource: &'static str,
    handle: i32,
    f: impl FnOnce(&mut T, u32) -> R,
) {
    const EXPORT: &str = "dataSourceCallback";
    if handle == 0 {
        logger::log(
            LogLevel::Warn,
            &format!(
                "{EXPORT}: ig passed no handle for an event of data source `{datasource}` \
                 (its table of 4096 handles is full: are handles leaking?); `{method}` skipped"
            ),
        );
        return;
    }
    match cell.with(EXPORT, |value| f(value, handle as u32).into_hook_result()) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            fail(
                EXPORT,
                Some(method),
                format_args!("{e} (data source `{datasource}`)"),
            );
        }
        Err(e) => {
            fail(
                EXPORT,
                Some(method),
                format_args!("{e} (data source `{datasource}`)"),
            );
        }
    }
}

/// [`run_callback`] for a data subscription: the method gets [`Data`].
pub fn run_data_callback<T, R: HookOutput>(
    cell: &GadgetCell<T>,
    method: &'static str,
    datasource: &'static str,
    handle: i32,
    f: impl FnOnce(&mut T, Data<'_>) -> R,
) {
    // SAFETY: ig passes a data handle valid for this callback, and `Data`'s
    // lifetime keeps it from outliving `f`.
    run_callback(cell, method, datasource, handle, |value, h| {
        f(value, unsafe { Data::from_raw(h) })
    })
}

/// [`run_callback`] for an array subscription: the method gets [`DataArray`].
pub fn run_array_callback<T, R: HookOutput>(
    cell: &GadgetCell<T>,
    method: &'static str,
    datasource: &'static str,
    handle: i32,
    f: impl FnOnce(&mut T, DataArray<'_>) -> R,
) {
    // SAFETY: as in `run_data_callback`, for a data-array handle.
    run_callback(cell, method, datasource, handle, |value, h| {
        f(value, unsafe { DataArray::from_raw(h) })
    })
}

/// [`run_callback`] for a packet subscription: the method gets [`Packet`].
pub fn run_packet_callback<T, R: HookOutput>(
    cell: &GadgetCell<T>,
    method: &'static str,
    datasource: &'static str,
    handle: i32,
    f: impl FnOnce(&mut T, Packet<'_>) -> R,
) {
    // SAFETY: as in `run_data_callback`, for a packet handle.
    run_callback(cell, method, datasource, handle, |value, h| {
        f(value, unsafe { Packet::from_raw(h) })
    })
}

/// Logs a callback id no subscription was made with.
#[cold]
pub fn unknown_callback(callback_id: i64) {
    logger::log(
        LogLevel::Warn,
        &format!(
            "dataSourceCallback: no subscription has callback id {callback_id}; event ignored"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn failed_hooks_log_the_export_and_method() {
        let cell = GadgetCell::new();
        cell.set(()).unwrap();
        logger::test_sink::take();
        let rc = run_hook(&cell, "gadgetStart", "start", |_| {
            Err::<(), _>("no map `x`")
        });
        assert_eq!(rc, 1);
        assert_eq!(run_hook(&cell, "gadgetStop", "stop", |_| ()), 0);
        let logged = logger::test_sink::take();
        assert_eq!(
            logged,
            vec![(
                LogLevel::Error,
                "gadgetStart: `start` failed: no map `x`".to_owned()
            )]
        );
    }

    #[test]
    // The borrows select the impl (autoref specialisation), as in generated code.
    #[allow(clippy::needless_borrow)]
    fn state_slots_pick_default_when_there_is_one() {
        struct NoDefault;
        assert_eq!((&&StateSlot::<u32>::new()).state_default("n").unwrap(), 0);
        let e = match (&&StateSlot::<NoDefault>::new()).state_default("x") {
            Ok(_) => panic!("no default"),
            Err(e) => e,
        };
        assert!(e.to_string().contains("member `x` has no Default"), "{e}");
    }

    #[test]
    fn param_or_parse_uses_the_parsed_default() {
        assert_eq!(crate::params::parse_value::<u32>("w", "16").unwrap(), 16);
        let e = crate::params::parse_value::<u32>("w", "wide").unwrap_err();
        assert!(e.to_string().contains("param `w`"), "{e}");
    }

    #[test]
    fn init_outputs_translate() {
        assert_eq!(InitOutput::<u32>::into_init_result(5u32), Ok(5));
        assert_eq!(
            InitOutput::<u32>::into_init_result(Ok::<u32, String>(5)),
            Ok(5)
        );
        let e = InitOutput::<u32>::into_init_result(Err::<u32, _>("no")).unwrap_err();
        assert_eq!(e.to_string(), "no");
    }

    #[test]
    fn hook_outputs_translate() {
        assert_eq!(().into_hook_result(), Ok(()));
        assert_eq!(Ok::<(), String>(()).into_hook_result(), Ok(()));
        let e = Err::<(), _>("bad thing").into_hook_result().unwrap_err();
        assert_eq!(e.to_string(), "bad thing");
    }
}
