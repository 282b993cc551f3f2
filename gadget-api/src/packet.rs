//! Packets: the unit a data source emits, single or array.
//!
//! A packet made by the gadget is owned: emitting it hands it to ig, and
//! dropping it without emitting releases it, so no handle leaks.

use std::rc::Rc;

use crate::data::{Data, DataArray, status};
use crate::error::{Result, subject};
use crate::runtime;
use crate::sys;

/// Fields shared by both packet kinds.
#[derive(Debug)]
struct Owned {
    ds: u32,
    handle: u32,
    ds_name: Rc<str>,
    /// Cleared once the host has taken the packet (emitted or released).
    live: bool,
}

impl Owned {
    fn new(ds: u32, handle: u32, ds_name: Rc<str>) -> Self {
        Self {
            ds,
            handle,
            ds_name,
            live: true,
        }
    }

    fn emit(mut self) -> Result<()> {
        self.live = false;
        // Subscribers run inside this call, possibly this module's own.
        // SAFETY: plain values; the packet is ours and the host frees it.
        let rc = runtime::reentering(|| unsafe {
            sys::dataSourceEmitAndRelease(self.ds as i32, self.handle as i32)
        });
        status(
            rc,
            "dataSourceEmitAndRelease",
            "the host could not emit the packet",
        )
        .map_err(|e| e.with_subject(subject::datasource(&self.ds_name)))
    }

    fn release(mut self) -> Result<()> {
        self.live = false;
        // SAFETY: plain values; the packet is ours.
        let rc = unsafe { sys::dataSourceRelease(self.ds as i32, self.handle as i32) };
        status(
            rc,
            "dataSourceRelease",
            "the host could not release the packet",
        )
        .map_err(|e| e.with_subject(subject::datasource(&self.ds_name)))
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.live {
            // SAFETY: plain values; an unemitted packet of ours.
            unsafe { sys::dataSourceRelease(self.ds as i32, self.handle as i32) };
        }
    }
}

/// A single packet made by the gadget: one record to fill and emit.
///
/// ```no_run
/// # use gadget_api::{DataSource, Field, Result};
/// # fn f(ds: &DataSource, pid: &Field<u32>) -> Result<()> {
/// let packet = ds.new_packet_single()?;
/// pid.set(packet.data(), 42)?;
/// packet.emit()?; // dropped instead, it would be released
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a packet is only sent by `emit`; dropping it releases it"]
pub struct PacketSingle(Owned);

impl PacketSingle {
    /// Wraps a raw packet handle of data source `ds`.
    ///
    /// # Safety
    /// `handle` must be a single packet of `ds` that nothing else releases.
    pub unsafe fn from_raw(ds: u32, handle: u32, ds_name: Rc<str>) -> Self {
        Self(Owned::new(ds, handle, ds_name))
    }

    /// The packet's record.
    pub fn data(&self) -> Data<'_> {
        // SAFETY: a single packet handle is a data handle while it lives.
        unsafe { Data::from_raw(self.0.handle) }
    }

    /// Emits the packet to the data source's subscribers, then frees it.
    ///
    /// The subscribers run before this returns. ig deadlocks when this is
    /// called from a callback on a data source that this module subscribes
    /// to: emit from hooks, or onto data sources without wasm subscribers.
    pub fn emit(self) -> Result<()> {
        self.0.emit()
    }

    /// Frees the packet without emitting it (what dropping it does, with the
    /// result reported).
    pub fn release(self) -> Result<()> {
        self.0.release()
    }
}

/// An array packet made by the gadget: records to append, then emit.
#[derive(Debug)]
#[must_use = "a packet is only sent by `emit`; dropping it releases it"]
pub struct PacketArray(Owned);

impl PacketArray {
    /// Wraps a raw array packet handle of data source `ds`.
    ///
    /// # Safety
    /// `handle` must be an array packet of `ds` that nothing else releases.
    pub unsafe fn from_raw(ds: u32, handle: u32, ds_name: Rc<str>) -> Self {
        Self(Owned::new(ds, handle, ds_name))
    }

    /// The packet's records: append new ones with [`DataArray::new_element`].
    pub fn array(&self) -> DataArray<'_> {
        // SAFETY: an array packet handle is a data-array handle while it lives.
        unsafe { DataArray::from_raw(self.0.handle) }
    }

    /// Emits the packet to the data source's subscribers, then frees it
    /// (see [`PacketSingle::emit`] for the deadlock to avoid).
    pub fn emit(self) -> Result<()> {
        self.0.emit()
    }

    /// Frees the packet without emitting it.
    pub fn release(self) -> Result<()> {
        self.0.release()
    }
}

/// The packet a packet subscription receives: borrowed for the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    handle: u32,
    _borrow: std::marker::PhantomData<&'a ()>,
}

impl<'a> Packet<'a> {
    /// Wraps a raw packet handle.
    ///
    /// # Safety
    /// `handle` must be a packet handle the host passed to a packet
    /// subscription's callback, valid for `'a`.
    pub unsafe fn from_raw(handle: u32) -> Self {
        Self {
            handle,
            _borrow: std::marker::PhantomData,
        }
    }

    /// The raw handle.
    pub fn as_raw(self) -> u32 {
        self.handle
    }

    /// The record of a single packet.
    pub fn data(self) -> Data<'a> {
        // SAFETY: a packet handle is usable as data for the callback's duration.
        unsafe { Data::from_raw(self.handle) }
    }

    /// The records of an array packet.
    pub fn array(self) -> DataArray<'a> {
        // SAFETY: a packet handle is usable as an array for the callback's duration.
        unsafe { DataArray::from_raw(self.handle) }
    }
}
