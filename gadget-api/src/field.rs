//! Typed fields: `Field<T>` over the 13 value types ig knows.
//!
//! The type parameter fixes how a field is read and written, so there is no
//! runtime type dispatch. Scalars (`bool`, `i8`..`i64`, `u8`..`u64`, `f32`,
//! `f64`) are read and written by value; [`String`] and [`Bytes`] fields are
//! read into a buffer the field keeps, so that reading them costs one host
//! call and no allocation once the buffer has grown to the values seen.
//!
//! # Reading strings and bytes
//!
//! <a id="the-string-rule"></a>
//! **The string rule.** ig stores strings as raw bytes, and fixed-size string
//! fields are NUL-padded. Every string read ([`Field<String>::get`],
//! [`get_bytes`](Field::get_bytes), [`get_owned`](Field::get_owned),
//! [`read_into`](Field::read_into)) therefore keeps the bytes **up to the
//! first NUL** (all of them when there is none); the methods returning text
//! then replace each invalid UTF-8 sequence by U+FFFD, as
//! [`String::from_utf8_lossy`] does. [`Field<Bytes>`] reads return exactly
//! the bytes the host reports.
//!
//! **Costs.** [`get`](Field::get) and [`get_bytes`](Field::get_bytes) borrow
//! from the field's own buffer (hence `&mut self`): the first read allocates
//! 256 bytes, a longer value grows the buffer ×4 up to [`MAX_FIELD_LEN`] and
//! it stays grown, so a warm read is exactly one `fieldGetBuffer` call and
//! no allocation. Valid UTF-8 is returned in
//! place; invalid UTF-8 is repaired into a second buffer the field keeps.
//! Methods whose names end in `_owned` allocate on every call.
//!
//! # Writing
//!
//! [`set`](Field::set) and [`set_bytes`](Field::set_bytes) hand the host a
//! borrowed value, which it copies. [`set_fmt`](Field::set_fmt) formats into
//! a buffer the field keeps, so building a value per event allocates nothing
//! once warm:
//!
//! ```no_run
//! # use gadget_api::{Data, Field, Result};
//! struct Procs {
//!     pid: Field<u32>,
//!     comm: Field<String>,
//!     summary: Field<String>,
//! }
//!
//! fn on_exec(s: &mut Procs, data: Data<'_>) -> Result<()> {
//!     let pid = s.pid.get(data)?;
//!     let comm = s.comm.get(data)?;
//!     s.summary.set_fmt(data, format_args!("{comm}[{pid}]"))
//! }
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::rc::Rc;

use crate::abi::FieldKind;
use crate::buffer::{self, Grown};
use crate::data::Data;
use crate::error::{Error, ErrorKind, Result, subject};
use crate::sys;

/// Marker for byte fields: `Field<Bytes>` reads as `&[u8]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bytes;

mod sealed {
    pub trait Sealed {}
}

/// The types a [`Field`] can have: the 11 scalars, [`String`] and [`Bytes`].
#[diagnostic::on_unimplemented(
    message = "`Field<{Self}>` is not a field type",
    label = "a field has type `Field<T>` with `T` one of bool, i8, i16, i32, i64, u8, u16, u32, \
             u64, f32, f64, String, Bytes",
    note = "for text use `Field<String>`, for raw bytes `Field<Bytes>`"
)]
pub trait FieldType: sealed::Sealed + 'static {
    /// The kind used to add, read and write such a field.
    const KIND: FieldKind;
}

/// The scalar field types, read and written by value.
pub trait Scalar: FieldType + Copy {
    #[doc(hidden)]
    fn from_bits(bits: i64) -> Self;
    #[doc(hidden)]
    fn to_bits(self) -> i64;
}

macro_rules! int_scalars {
    ($($t:ty => $kind:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl FieldType for $t {
            const KIND: FieldKind = FieldKind::$kind;
        }
        impl Scalar for $t {
            #[inline]
            fn from_bits(bits: i64) -> Self {
                // The host sign-extends signed values; truncation is exact.
                bits as $t
            }
            #[inline]
            fn to_bits(self) -> i64 {
                self as i64
            }
        }
    )*};
}

int_scalars! {
    i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    u8 => Uint8, u16 => Uint16, u32 => Uint32, u64 => Uint64,
}

impl sealed::Sealed for bool {}
impl FieldType for bool {
    const KIND: FieldKind = FieldKind::Bool;
}
impl Scalar for bool {
    #[inline]
    fn from_bits(bits: i64) -> Self {
        bits == 1
    }
    #[inline]
    fn to_bits(self) -> i64 {
        self as i64
    }
}

impl sealed::Sealed for f32 {}
impl FieldType for f32 {
    const KIND: FieldKind = FieldKind::Float32;
}
impl Scalar for f32 {
    #[inline]
    fn from_bits(bits: i64) -> Self {
        f32::from_bits(bits as u32)
    }
    #[inline]
    fn to_bits(self) -> i64 {
        self.to_bits() as i64
    }
}

impl sealed::Sealed for f64 {}
impl FieldType for f64 {
    const KIND: FieldKind = FieldKind::Float64;
}
impl Scalar for f64 {
    #[inline]
    fn from_bits(bits: i64) -> Self {
        f64::from_bits(bits as u64)
    }
    #[inline]
    fn to_bits(self) -> i64 {
        self.to_bits() as i64
    }
}

impl sealed::Sealed for String {}
impl FieldType for String {
    const KIND: FieldKind = FieldKind::String;
}

impl sealed::Sealed for Bytes {}
impl FieldType for Bytes {
    const KIND: FieldKind = FieldKind::Bytes;
}

/// The largest value a string or bytes read grows the field's buffer to:
/// module memory is 16 MiB in all, and no real field comes near this.
pub const MAX_FIELD_LEN: usize = 1 << 20;

/// A field of a data source, typed by `T`.
///
/// Obtained once from [`DataSource::field`](crate::DataSource::field) or
/// [`DataSource::add_field`](crate::DataSource::add_field) (or declared with
/// `#[field]` in a `#[gadget]` struct), then used for every event. Errors name
/// the field and its data source. String and bytes fields keep the buffers
/// their reads and [`set_fmt`](Field::set_fmt) reuse (see the
/// [module docs](self)); for scalar fields they stay empty.
pub struct Field<T: FieldType> {
    id: Id,
    /// The raw bytes of the last read.
    raw: Vec<u8>,
    /// Text repaired from invalid UTF-8, or the last `set_fmt` value.
    text: String,
    _type: PhantomData<fn() -> T>,
}

/// What a field is, apart from its type: everything here is compiled once,
/// not once per field type (that would repeat the error paths in every
/// gadget for each type it uses).
#[derive(Clone)]
struct Id {
    handle: u32,
    name: Rc<str>,
    datasource: Rc<str>,
}

impl<T: FieldType> Clone for Field<T> {
    /// The same field, with buffers of its own (empty).
    fn clone(&self) -> Self {
        Self::with_id(self.id.clone())
    }
}

impl<T: FieldType> fmt::Debug for Field<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &&*self.id.name)
            .field("datasource", &&*self.id.datasource)
            .field("kind", &T::KIND)
            .field("handle", &self.id.handle)
            .finish()
    }
}

impl<T: FieldType> Field<T> {
    /// Wraps a raw field handle.
    ///
    /// # Safety
    /// `handle` must be a field handle (or 0, for a field not looked up yet:
    /// every use then fails with an error naming it).
    pub unsafe fn from_raw(handle: u32, name: &str, datasource: Rc<str>) -> Self {
        Self::with_id(Id::new(handle, name, datasource))
    }

    fn with_id(id: Id) -> Self {
        Self {
            id,
            raw: Vec::new(),
            text: String::new(),
            _type: PhantomData,
        }
    }

    /// A field that is looked up later (in a later phase): until then every
    /// use fails with an error that names it.
    pub fn unresolved(datasource: &str, name: &str) -> Self {
        // SAFETY: handle 0 is never valid, so every call fails cleanly.
        unsafe { Self::from_raw(0, name, datasource.into()) }
    }

    /// Whether the field has been looked up.
    pub fn is_resolved(&self) -> bool {
        self.id.handle != 0
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.id.name
    }

    /// The name of the field's data source.
    pub fn datasource(&self) -> &str {
        &self.id.datasource
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(&self) -> u32 {
        self.id.handle
    }

    /// Adds a tag, e.g. `"columns.width:40"` (`fieldAddTag`).
    pub fn add_tag(&self, tag: &str) -> Result<()> {
        self.id.add_tag(tag)
    }

    /// Reads the raw bytes into the field's own buffer.
    #[inline]
    fn fill_raw(&mut self, data: Data<'_>) -> Result<()> {
        self.id.read_raw(data, T::KIND, &mut self.raw)
    }
}

impl Id {
    #[inline(never)]
    fn new(handle: u32, name: &str, datasource: Rc<str>) -> Self {
        Self {
            handle,
            name: name.into(),
            datasource,
        }
    }

    fn add_tag(&self, tag: &str) -> Result<()> {
        self.check_resolved("fieldAddTag")?;
        // SAFETY: the buffer pointer covers `tag`, which outlives the call.
        let rc = unsafe { sys::fieldAddTag(self.handle as i32, buffer::encode(tag.as_bytes())) };
        if rc != 0 {
            return Err(self.error(
                ErrorKind::HostRefused,
                "fieldAddTag",
                "the host refused the tag",
            ));
        }
        Ok(())
    }

    fn check_resolved(&self, op: &'static str) -> Result<()> {
        if self.handle == 0 {
            return Err(self.error(
                ErrorKind::NotFound,
                op,
                "used before it was looked up (it is resolved in a later phase)",
            ));
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn error(&self, kind: ErrorKind, op: &'static str, detail: &'static str) -> Error {
        Error::new(kind, op, detail).with_subject(subject::field(&self.datasource, &self.name))
    }

    /// One `fieldGetBuffer` into `dst`: the byte count, or `None` when the
    /// host returned -1 (value longer than `dst`, or another failure).
    #[inline]
    fn get_buffer(
        &self,
        data: Data<'_>,
        kind: FieldKind,
        dst: &mut [MaybeUninit<u8>],
    ) -> Option<usize> {
        // SAFETY: the buffer pointer covers `dst`, writable for the call; the
        // host only writes bytes into it (uninitialised memory is fine).
        let n = unsafe {
            sys::fieldGetBuffer(
                self.handle as i32,
                data.as_raw() as i32,
                kind.as_raw() as i32,
                buffer::encode_parts(dst.as_mut_ptr() as usize, dst.len()),
            )
        };
        (n >= 0).then_some(n as usize)
    }

    /// Reads the raw bytes into `dst` without allocating; fails when they do
    /// not fit (ig cannot tell that apart from other failures).
    fn read_into(&self, data: Data<'_>, kind: FieldKind, dst: &mut [u8]) -> Result<usize> {
        // SAFETY: `&mut [u8]` and `&mut [MaybeUninit<u8>]` have the same
        // layout, and the host writes only initialised bytes into it.
        let uninit = unsafe { &mut *(dst as *mut [u8] as *mut [MaybeUninit<u8>]) };
        match self.get_buffer(data, kind, uninit) {
            Some(n) if n <= dst.len() => Ok(n),
            _ => Err(self.read_into_error(dst.len())),
        }
    }

    #[cold]
    #[inline(never)]
    fn read_into_error(&self, len: usize) -> Error {
        if let Err(e) = self.check_resolved("fieldGetBuffer") {
            return e;
        }
        Error::new(
            ErrorKind::TooLarge,
            "fieldGetBuffer",
            crate::error::text(format_args!(
                "the value does not fit in the {len}-byte buffer, or the field cannot be read \
                 from this data (use `get`, which grows the field's buffer)"
            )),
        )
        .with_subject(subject::field(&self.datasource, &self.name))
    }

    /// Reads the raw bytes into `buf` (one host call when they fit its
    /// capacity, growing it otherwise); `buf` then holds exactly them.
    fn read_raw(&self, data: Data<'_>, kind: FieldKind, buf: &mut Vec<u8>) -> Result<()> {
        if self.handle == 0 {
            // Not looked up yet: fail at once rather than grow and retry.
            return Err(self.read_error(0));
        }
        // SAFETY: `get_buffer` returns the count `fieldGetBuffer` reported,
        // and the host wrote that many bytes at the start of the slice.
        let got = unsafe {
            buffer::read_counted(buf, MAX_FIELD_LEN, |dst| self.get_buffer(data, kind, dst))
        };
        match got {
            Grown::Fits(_) => Ok(()),
            Grown::Failed { largest_tried } => Err(self.read_error(largest_tried)),
        }
    }

    #[cold]
    #[inline(never)]
    fn read_error(&self, largest_tried: usize) -> Error {
        if let Err(e) = self.check_resolved("fieldGetBuffer") {
            return e;
        }
        Error::new(
            ErrorKind::TooLarge,
            "fieldGetBuffer",
            crate::error::text(format_args!(
                "the host refused every buffer up to {largest_tried} bytes: the value is \
                 larger, or the field cannot be read from this data"
            )),
        )
        .with_subject(subject::field(&self.datasource, &self.name))
    }

    fn set_buffer(&self, data: Data<'_>, bytes: &[u8]) -> Result<()> {
        // Kind 12 makes the host copy the bytes; kind 14 would keep a view of
        // this module's memory until the event is consumed (ABI.md §4), so a
        // reused buffer would change the field after the fact.
        // SAFETY: the buffer pointer covers `bytes` for the call; the host copies.
        let rc = unsafe {
            sys::fieldSet(
                self.handle as i32,
                data.as_raw() as i32,
                FieldKind::String.as_raw() as i32,
                buffer::encode(bytes),
            )
        };
        if rc != 0 {
            self.check_resolved("fieldSet")?;
            return Err(self.error(
                ErrorKind::HostRefused,
                "fieldSet",
                "the host refused the value (a fixed-size field takes exactly its size, or less for strings)",
            ));
        }
        Ok(())
    }

    /// A failed scalar read or write: not looked up yet, or the wrong size.
    #[cold]
    #[inline(never)]
    fn scalar_error(&self, op: &'static str, kind: FieldKind) -> Error {
        if let Err(e) = self.check_resolved(op) {
            return e;
        }
        let verb = if op == "fieldSet" { "written" } else { "read" };
        Error::new(
            ErrorKind::HostRefused,
            op,
            crate::error::text(format_args!(
                "cannot be {verb} as {} (its size differs, or the data handle is not valid)",
                kind.name()
            )),
        )
        .with_subject(subject::field(&self.datasource, &self.name))
    }
}

impl<T: Scalar> Field<T> {
    /// Reads the field's value from `data` (`fieldGetScalar`).
    ///
    /// ig checks sizes, not kinds: a 4-byte field reads as `u32`, `i32` or
    /// `f32` alike, while any other width fails.
    #[inline]
    pub fn get(&self, data: Data<'_>) -> Result<T> {
        let mut failed: u32 = 0;
        // SAFETY: `failed` is a live, zeroed u32 the host may write once.
        let bits = unsafe {
            sys::fieldGetScalar(
                self.id.handle as i32,
                data.as_raw() as i32,
                T::KIND.as_raw() as i32,
                &mut failed as *mut u32 as usize as i32,
            )
        };
        if failed != 0 {
            return Err(self.id.scalar_error("fieldGetScalar", T::KIND));
        }
        Ok(T::from_bits(bits))
    }

    /// Writes `value` into the field of `data` (`fieldSet`).
    #[inline]
    pub fn set(&self, data: Data<'_>, value: T) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe {
            sys::fieldSet(
                self.id.handle as i32,
                data.as_raw() as i32,
                T::KIND.as_raw() as i32,
                value.to_bits(),
            )
        };
        if rc != 0 {
            return Err(self.id.scalar_error("fieldSet", T::KIND));
        }
        Ok(())
    }
}

/// The length of `bytes` up to its first NUL (the [string rule](self#the-string-rule)).
#[inline]
fn nul_len(bytes: &[u8]) -> usize {
    buffer::until_nul(bytes).len()
}

/// Writes `bytes` into `out` with every invalid UTF-8 sequence replaced by
/// U+FFFD, as `String::from_utf8_lossy` does, reusing `out`'s capacity.
fn repair_utf8(bytes: &[u8], out: &mut String) {
    out.clear();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

impl Field<String> {
    /// Reads the value as text, borrowed from the field's buffer: the bytes
    /// up to the first NUL, invalid UTF-8 replaced by U+FFFD ([the string
    /// rule](self#the-string-rule)).
    ///
    /// One `fieldGetBuffer` and no allocation once the buffer has grown to
    /// the values seen; valid UTF-8 is not copied.
    pub fn get(&mut self, data: Data<'_>) -> Result<&str> {
        self.fill_raw(data)?;
        let bytes = buffer::until_nul(&self.raw);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(_) => {
                repair_utf8(bytes, &mut self.text);
                Ok(&self.text)
            }
        }
    }

    /// Reads the value's bytes up to the first NUL ([the string
    /// rule](self#the-string-rule)), without a UTF-8 check, borrowed from the
    /// field's buffer. Costs as [`get`](Self::get).
    pub fn get_bytes(&mut self, data: Data<'_>) -> Result<&[u8]> {
        self.fill_raw(data)?;
        Ok(buffer::until_nul(&self.raw))
    }

    /// Reads the value as a new `String` ([the string
    /// rule](self#the-string-rule)). **Allocates** on every call; it takes
    /// `&self`, for callbacks that only have that.
    pub fn get_owned(&self, data: Data<'_>) -> Result<String> {
        let mut raw = Vec::new();
        self.id.read_raw(data, FieldKind::String, &mut raw)?;
        raw.truncate(nul_len(&raw));
        Ok(String::from_utf8(raw).unwrap_or_else(|e| {
            let mut text = String::new();
            repair_utf8(e.as_bytes(), &mut text);
            text
        }))
    }

    /// Reads the raw bytes into `dst` and returns how many there are up to
    /// the first NUL ([the string rule](self#the-string-rule)); fails rather
    /// than truncating when the value (padding included) does not fit. Never
    /// allocates, checks no UTF-8.
    pub fn read_into(&self, data: Data<'_>, dst: &mut [u8]) -> Result<usize> {
        let n = self.id.read_into(data, FieldKind::String, dst)?;
        Ok(nul_len(&dst[..n]))
    }

    /// Writes `value` (the host copies it).
    pub fn set(&self, data: Data<'_>, value: &str) -> Result<()> {
        self.id.set_buffer(data, value.as_bytes())
    }

    /// Writes raw bytes, e.g. a string that is not UTF-8 (the host copies them).
    pub fn set_bytes(&self, data: Data<'_>, value: &[u8]) -> Result<()> {
        self.id.set_buffer(data, value)
    }

    /// Formats `args` into a buffer the field keeps and writes the result, so
    /// building a value per event allocates nothing once the buffer is warm:
    /// `self.summary.set_fmt(data, format_args!("{comm}[{pid}]"))?`.
    pub fn set_fmt(&mut self, data: Data<'_>, args: fmt::Arguments<'_>) -> Result<()> {
        if let Some(text) = args.as_str() {
            return self.id.set_buffer(data, text.as_bytes());
        }
        self.text.clear();
        if fmt::Write::write_fmt(&mut self.text, args).is_err() {
            return Err(self.id.error(
                ErrorKind::InvalidValue,
                "fieldSet",
                "a `Display` implementation failed while formatting the value",
            ));
        }
        self.id.set_buffer(data, self.text.as_bytes())
    }
}

impl Field<Bytes> {
    /// Reads exactly the bytes the host reports, borrowed from the field's
    /// buffer. One `fieldGetBuffer` and no allocation once the buffer has
    /// grown to the values seen.
    pub fn get(&mut self, data: Data<'_>) -> Result<&[u8]> {
        self.fill_raw(data)?;
        Ok(&self.raw)
    }

    /// Reads the bytes into a new `Vec`. **Allocates** on every call; it
    /// takes `&self`, for callbacks that only have that.
    pub fn get_owned(&self, data: Data<'_>) -> Result<Vec<u8>> {
        let mut raw = Vec::new();
        self.id.read_raw(data, FieldKind::Bytes, &mut raw)?;
        Ok(raw)
    }

    /// Reads the bytes into `dst` and returns their count; fails rather than
    /// truncating when they do not fit. Never allocates.
    pub fn read_into(&self, data: Data<'_>, dst: &mut [u8]) -> Result<usize> {
        self.id.read_into(data, FieldKind::Bytes, dst)
    }

    /// Writes `value` (the host copies it).
    pub fn set(&self, data: Data<'_>, value: &[u8]) -> Result<()> {
        self.id.set_buffer(data, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_bits_round_trip() {
        assert_eq!(<i8 as Scalar>::from_bits((-5i8).to_bits()), -5);
        assert_eq!(<i8 as Scalar>::from_bits(-5), -5);
        assert_eq!(<u16 as Scalar>::from_bits(0xFFFF), 0xFFFF);
        assert_eq!(<i64 as Scalar>::from_bits(i64::MIN), i64::MIN);
        assert_eq!(<u64 as Scalar>::from_bits(-1), u64::MAX);
        assert_eq!(Scalar::to_bits(1.5f32), 1.5f32.to_bits() as i64);
        assert_eq!(<f32 as Scalar>::from_bits(1.5f32.to_bits() as i64), 1.5);
        assert_eq!(<f64 as Scalar>::from_bits(Scalar::to_bits(-2.25f64)), -2.25);
    }

    #[test]
    fn bool_is_true_only_for_exactly_one() {
        assert!(<bool as Scalar>::from_bits(1));
        assert!(!<bool as Scalar>::from_bits(0));
        assert!(!<bool as Scalar>::from_bits(2));
        assert_eq!(Scalar::to_bits(true), 1);
    }

    #[test]
    fn kinds_match_types() {
        assert_eq!(<u32 as FieldType>::KIND, FieldKind::Uint32);
        assert_eq!(<String as FieldType>::KIND, FieldKind::String);
        assert_eq!(<Bytes as FieldType>::KIND, FieldKind::Bytes);
        assert_eq!(<bool as FieldType>::KIND, FieldKind::Bool);
    }

    #[test]
    fn unresolved_field_names_itself_in_errors() {
        let f: Field<u32> = Field::unresolved("exec", "k8s.namespace");
        assert!(!f.is_resolved());
        let e = f.id.check_resolved("fieldGetScalar").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string()
                .starts_with("field `k8s.namespace` of data source `exec`: used before")
        );
    }
}
