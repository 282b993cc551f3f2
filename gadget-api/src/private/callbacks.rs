//! Running a subscription's method for one event: the method's argument
//! is built through a trait of the subscription's kind, so that a wrong
//! argument type is one error on that type.

use std::marker::PhantomData;

use super::{GadgetCell, HookOutput, fail};
use crate::abi::{LogLevel, SubscriptionKind};
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
    f: impl for<'a> FnOnce(&mut T, EventHandle<'a>) -> R,
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
    let event = EventHandle {
        raw: handle as u32,
        _callback: PhantomData,
    };
    match cell.with(EXPORT, |value| f(value, event).into_hook_result()) {
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

/// The handle of one event, valid during the callback that receives it:
/// its lifetime is the callback's, and the event built from it has it too.
pub struct EventHandle<'a> {
    raw: u32,
    _callback: PhantomData<&'a mut ()>,
}

/// The argument of a data subscription's method.
#[diagnostic::on_unimplemented(
    message = "a data subscription receives `Data<'_>`, not `{Self}`",
    label = "write `Data<'_>` here",
    note = "`kind = \"array\"` receives `DataArray<'_>`, `kind = \"packet\"` receives `Packet<'_>`"
)]
pub trait DataEvent<'a> {
    /// The event of `handle`.
    fn from_handle(handle: EventHandle<'a>) -> Self;
}

impl<'a> DataEvent<'a> for Data<'a> {
    fn from_handle(handle: EventHandle<'a>) -> Self {
        // SAFETY: ig passes a data handle valid for this callback, and the
        // lifetime keeps `Data` from outliving it.
        unsafe { Data::from_raw(handle.raw) }
    }
}

/// The argument of an array subscription's method.
#[diagnostic::on_unimplemented(
    message = "an array subscription receives `DataArray<'_>`, not `{Self}`",
    label = "write `DataArray<'_>` here",
    note = "`kind = \"data\"` receives `Data<'_>`, `kind = \"packet\"` receives `Packet<'_>`"
)]
pub trait ArrayEvent<'a> {
    /// The event of `handle`.
    fn from_handle(handle: EventHandle<'a>) -> Self;
}

impl<'a> ArrayEvent<'a> for DataArray<'a> {
    fn from_handle(handle: EventHandle<'a>) -> Self {
        // SAFETY: as for `Data`, for a data-array handle.
        unsafe { DataArray::from_raw(handle.raw) }
    }
}

/// The argument of a packet subscription's method.
#[diagnostic::on_unimplemented(
    message = "a packet subscription receives `Packet<'_>`, not `{Self}`",
    label = "write `Packet<'_>` here",
    note = "`kind = \"data\"` receives `Data<'_>`, `kind = \"array\"` receives `DataArray<'_>`"
)]
pub trait PacketEvent<'a> {
    /// The event of `handle`.
    fn from_handle(handle: EventHandle<'a>) -> Self;
}

impl<'a> PacketEvent<'a> for Packet<'a> {
    fn from_handle(handle: EventHandle<'a>) -> Self {
        // SAFETY: as for `Data`, for a packet handle.
        unsafe { Packet::from_raw(handle.raw) }
    }
}

/// The argument of a subscription's method without `kind = ".."`: its type
/// says the subscription's kind, so that an alias (`type Ev<'a> =
/// Packet<'a>`) needs no `kind`.
#[diagnostic::on_unimplemented(
    message = "a subscription receives `Data<'_>`, `DataArray<'_>` or `Packet<'_>`, not `{Self}`",
    label = "write the event type here",
    note = "`Data<'_>` is one record, `DataArray<'_>` an array data source's records, \
            `Packet<'_>` the packet"
)]
pub trait SubscriptionEvent<'a>: Sized {
    /// The subscription's kind.
    const KIND: SubscriptionKind;
    /// The event of `handle`.
    fn from_handle(handle: EventHandle<'a>) -> Self;
}

impl<'a> SubscriptionEvent<'a> for Data<'a> {
    const KIND: SubscriptionKind = SubscriptionKind::Data;
    fn from_handle(handle: EventHandle<'a>) -> Self {
        DataEvent::from_handle(handle)
    }
}

impl<'a> SubscriptionEvent<'a> for DataArray<'a> {
    const KIND: SubscriptionKind = SubscriptionKind::Array;
    fn from_handle(handle: EventHandle<'a>) -> Self {
        ArrayEvent::from_handle(handle)
    }
}

impl<'a> SubscriptionEvent<'a> for Packet<'a> {
    const KIND: SubscriptionKind = SubscriptionKind::Packet;
    fn from_handle(handle: EventHandle<'a>) -> Self {
        PacketEvent::from_handle(handle)
    }
}

/// The event a subscription's method takes, by its type.
pub fn event<'a, E: SubscriptionEvent<'a>>(handle: EventHandle<'a>) -> E {
    E::from_handle(handle)
}

/// The event a data subscription's method takes.
pub fn data_event<'a, E: DataEvent<'a>>(handle: EventHandle<'a>) -> E {
    E::from_handle(handle)
}

/// The event an array subscription's method takes.
pub fn array_event<'a, E: ArrayEvent<'a>>(handle: EventHandle<'a>) -> E {
    E::from_handle(handle)
}

/// The event a packet subscription's method takes.
pub fn packet_event<'a, E: PacketEvent<'a>>(handle: EventHandle<'a>) -> E {
    E::from_handle(handle)
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
