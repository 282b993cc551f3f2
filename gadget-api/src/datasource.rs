//! Data sources: finding or creating them, their fields, subscriptions, packets.

use std::rc::Rc;

use crate::abi::{DataSourceType, FieldKind, SubscriptionKind};
use crate::buffer;
use crate::data::status;
use crate::error::{Error, ErrorKind, Result, subject};
use crate::field::{Field, FieldType};
use crate::packet::{PacketArray, PacketSingle};
use crate::sys;

/// A data source of the gadget: the eBPF layer's, another operator's, or one
/// the gadget created.
///
/// Look-ups happen once, in `gadgetInit` (or the phase where the data source
/// exists), never per event.
///
/// ```no_run
/// use gadget_api::{DataSource, Field, Result};
///
/// fn init() -> Result<()> {
///     let exec = DataSource::get("exec")?;
///     let pid: Field<u32> = exec.field("pid")?;
///     let _upper: Field<String> = exec.add_field("comm_upper")?;
///     exec.subscribe(gadget_api::SubscriptionKind::Data, 0, 1)?;
///     # let _ = pid;
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct DataSource {
    handle: u32,
    name: Rc<str>,
}

impl DataSource {
    /// The existing data source `name` (`getDataSource`).
    pub fn get(name: &str) -> Result<Self> {
        // SAFETY: the buffer pointer covers `name`, which outlives the call.
        let h = unsafe { sys::getDataSource(buffer::encode(name.as_bytes())) };
        Self::from_handle(
            h,
            name,
            ErrorKind::NotFound,
            "getDataSource",
            "no such data source (check the name in gadget.yaml and the eBPF program; a data \
             source that another operator unreferenced is not found either)",
        )
    }

    /// Registers a new data source `name` (`newDataSource`).
    ///
    /// A data source with the same name that already exists is replaced.
    pub fn new(name: &str, kind: DataSourceType) -> Result<Self> {
        // SAFETY: the buffer pointer covers `name`, which outlives the call.
        let h = unsafe { sys::newDataSource(buffer::encode(name.as_bytes()), kind as i32) };
        Self::from_handle(
            h,
            name,
            ErrorKind::HostRefused,
            "newDataSource",
            "the host refused to create it",
        )
    }

    /// The data source for handle `h`, or the error `kind`/`op`/`detail`
    /// naming it when `h` is 0.
    fn from_handle(
        h: i32,
        name: &str,
        kind: ErrorKind,
        op: &'static str,
        detail: &'static str,
    ) -> Result<Self> {
        if h == 0 {
            return Err(Error::new(kind, op, detail).with_subject(subject::datasource(name)));
        }
        Ok(Self {
            handle: h as u32,
            name: name.into(),
        })
    }

    /// The data source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(&self) -> u32 {
        self.handle
    }

    /// The existing field `name`, typed (`dataSourceGetField`).
    ///
    /// ig matches the name exactly first, then case-insensitively. The type is
    /// not checked here (ig does not report a field's kind); reads and writes
    /// are checked by size on every call.
    pub fn field<T: FieldType>(&self, name: &str) -> Result<Field<T>> {
        let h = self.field_handle(name)?;
        // SAFETY: `h` is a field handle of this data source.
        Ok(unsafe { Field::from_raw(h, name, self.name.clone()) })
    }

    /// The untyped part of [`field`](Self::field), compiled once rather than
    /// once per field type.
    fn field_handle(&self, name: &str) -> Result<u32> {
        // SAFETY: the buffer pointer covers `name`, which outlives the call.
        let h =
            unsafe { sys::dataSourceGetField(self.handle as i32, buffer::encode(name.as_bytes())) };
        if h == 0 {
            return Err(self.field_error(
                name,
                ErrorKind::NotFound,
                "dataSourceGetField",
                "not found (check the name; fields added by other operators such as `k8s.*` \
                 only exist from gadgetPreStart on)",
            ));
        }
        Ok(h as u32)
    }

    #[cold]
    #[inline(never)]
    fn field_error(
        &self,
        name: &str,
        kind: ErrorKind,
        op: &'static str,
        detail: &'static str,
    ) -> Error {
        Error::new(kind, op, detail).with_subject(subject::field(&self.name, name))
    }

    /// Adds a field `name` of `T`'s kind (`dataSourceAddField`).
    pub fn add_field<T: FieldType>(&self, name: &str) -> Result<Field<T>> {
        let h = self.add_field_raw(name, T::KIND)?;
        // SAFETY: `h` is a field handle of this data source of kind `T::KIND`.
        Ok(unsafe { Field::from_raw(h, name, self.name.clone()) })
    }

    /// Adds a field of any kind, e.g. [`FieldKind::CString`]; returns its raw handle.
    pub fn add_field_raw(&self, name: &str, kind: FieldKind) -> Result<u32> {
        // SAFETY: the buffer pointer covers `name`, which outlives the call.
        let h = unsafe {
            sys::dataSourceAddField(
                self.handle as i32,
                buffer::encode(name.as_bytes()),
                kind.as_raw() as i32,
            )
        };
        if h == 0 {
            return Err(self.field_error(
                name,
                ErrorKind::HostRefused,
                "dataSourceAddField",
                "the host refused to add it (a field of that name may already exist)",
            ));
        }
        Ok(h as u32)
    }

    /// Subscribes the module: `dataSourceCallback` will be called with
    /// `callback_id` for every event (`dataSourceSubscribe`).
    ///
    /// Lower `priority` runs first. A [`SubscriptionKind::Data`] subscription
    /// to an array data source is called once per element. With the
    /// `#[gadget]` macros, use `#[subscribe]` instead.
    pub fn subscribe(&self, kind: SubscriptionKind, priority: i32, callback_id: u64) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe {
            sys::dataSourceSubscribe(
                self.handle as i32,
                kind as i32,
                priority,
                callback_id as i64,
            )
        };
        status(
            rc,
            "dataSourceSubscribe",
            "the host refused the subscription (an array subscription needs an array data \
             source, and the module must export dataSourceCallback)",
        )
        .map_err(|e| e.with_subject(subject::datasource(&self.name)))
    }

    /// A new single packet to fill and emit (`dataSourceNewPacketSingle`).
    pub fn new_packet_single(&self) -> Result<PacketSingle> {
        // SAFETY: plain values.
        let h = unsafe { sys::dataSourceNewPacketSingle(self.handle as i32) };
        self.packet_handle(
            h,
            "dataSourceNewPacketSingle",
            "a single packet needs a single data source",
        )
        // SAFETY: `h` is a fresh single packet of this data source.
        .map(|h| unsafe { PacketSingle::from_raw(self.handle, h, self.name.clone()) })
    }

    /// A new array packet to fill and emit (`dataSourceNewPacketArray`).
    pub fn new_packet_array(&self) -> Result<PacketArray> {
        // SAFETY: plain values.
        let h = unsafe { sys::dataSourceNewPacketArray(self.handle as i32) };
        self.packet_handle(
            h,
            "dataSourceNewPacketArray",
            "an array packet needs an array data source",
        )
        // SAFETY: `h` is a fresh array packet of this data source.
        .map(|h| unsafe { PacketArray::from_raw(self.handle, h, self.name.clone()) })
    }

    fn packet_handle(&self, h: i32, op: &'static str, hint: &'static str) -> Result<u32> {
        if h == 0 {
            return Err(Error::new(ErrorKind::HostRefused, op, hint)
                .with_subject(subject::datasource(&self.name)));
        }
        Ok(h as u32)
    }

    /// Stops ig from passing this data source to later operators: the gadget
    /// consumes it (`dataSourceUnreference`).
    pub fn unreference(&self) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe { sys::dataSourceUnreference(self.handle as i32) };
        status(rc, "dataSourceUnreference", "the host refused")
            .map_err(|e| e.with_subject(subject::datasource(&self.name)))
    }

    /// Whether later operators still receive this data source (`dataSourceIsReferenced`).
    pub fn is_referenced(&self) -> Result<bool> {
        // SAFETY: plain values.
        match unsafe { sys::dataSourceIsReferenced(self.handle as i32) } {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Error::new(
                ErrorKind::HostRefused,
                "dataSourceIsReferenced",
                "the host could not tell",
            )
            .with_subject(subject::datasource(&self.name))),
        }
    }
}
