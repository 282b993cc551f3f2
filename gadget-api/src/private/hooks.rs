//! Running hooks and `gadgetInit`, and turning their outcome into ig's
//! return codes.

use std::fmt;

use super::{GadgetCell, GadgetStruct, Phase};
use crate::abi::{LogLevel, SubscriptionKind};
use crate::datasource::DataSource;
use crate::error::Result;
use crate::{logger, panic};

/// An error from a user's hook, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(Box<str>);

impl HookError {
    /// Wraps any displayable error.
    pub fn new(e: impl fmt::Display) -> Self {
        Self(crate::error::text(format_args!("{e}")).into_boxed_str())
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
    /// The error logged when the hook fails; kept as it is (not formatted
    /// into a string first), so logging it formats once.
    type Error: fmt::Display;
    /// `Ok` or the error to log.
    fn into_hook_result(self) -> std::result::Result<(), Self::Error>;
}

impl HookOutput for () {
    type Error = std::convert::Infallible;
    fn into_hook_result(self) -> std::result::Result<(), Self::Error> {
        Ok(())
    }
}

impl<E: fmt::Display> HookOutput for std::result::Result<(), E> {
    type Error = E;
    fn into_hook_result(self) -> std::result::Result<(), E> {
        self
    }
}

/// Logs a failed export at error level and returns ig's failure code, 1.
#[cold]
pub fn fail(export: &'static str, method: Option<&str>, error: impl fmt::Display) -> i32 {
    fail_dyn(export, method, &error)
}

/// The body of [`fail`], compiled once rather than once per error type.
#[cold]
#[inline(never)]
fn fail_dyn(export: &'static str, method: Option<&str>, error: &dyn fmt::Display) -> i32 {
    match method {
        Some(method) => logger::log_args(
            LogLevel::Error,
            format_args!("{export}: `{method}` failed: {error}"),
        ),
        None => logger::log_args(LogLevel::Error, format_args!("{export}: {error}")),
    }
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

/// Subscribes callback `callback_id` to data source `datasource`.
pub fn subscribe(
    datasource: &str,
    kind: SubscriptionKind,
    priority: i32,
    callback_id: u64,
) -> Result<()> {
    DataSource::get(datasource)?.subscribe(kind, priority, callback_id)
}

#[cfg(test)]
mod tests {
    use super::*;

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
