//! Running a subscription's method for one event.

use super::{GadgetCell, HookOutput, fail};
use crate::abi::LogLevel;
use crate::data::{Data, DataArray};
use crate::logger;
use crate::packet::Packet;

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
        logger::log_args(
            LogLevel::Warn,
            format_args!(
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
    // Shown as the u64 `subscribe` takes (ig hands the same bits back as an
    // i64); this also spares every gadget the code to print an i64.
    let callback_id = callback_id as u64;
    logger::log_args(
        LogLevel::Warn,
        format_args!(
            "dataSourceCallback: no subscription has callback id {callback_id}; event ignored"
        ),
    );
}
