//! Typed fields: `Field<T>` over the 13 value types ig knows.
//!
//! The type parameter fixes how a field is read and written, so there is no
//! runtime type dispatch. Scalars (`bool`, `i8`..`i64`, `u8`..`u64`, `f32`,
//! `f64`) are read and written by value; [`String`] and [`Bytes`] fields are
//! read into buffers that grow rather than truncate.

use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::abi::FieldKind;
use crate::buffer::{self, Grown};
use crate::data::Data;
use crate::error::{Error, ErrorKind, Result, subject};
use crate::sys;

/// Marker for byte fields: `Field<Bytes>` reads as `Vec<u8>` / `&[u8]`.
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

/// The largest value [`Field::read_to`] grows its buffer to: module memory
/// is 16 MiB in all, and no real field comes near this.
pub const MAX_FIELD_LEN: usize = 1 << 20;

/// A field of a data source, typed by `T`.
///
/// Obtained once from [`DataSource::field`](crate::DataSource::field) or
/// [`DataSource::add_field`](crate::DataSource::add_field) (or declared with
/// `#[field]` in a `#[gadget]` struct), then used for every event. Errors name
/// the field and its data source.
pub struct Field<T: FieldType> {
    handle: u32,
    name: Rc<str>,
    datasource: Rc<str>,
    _type: PhantomData<fn() -> T>,
}

impl<T: FieldType> Clone for Field<T> {
    fn clone(&self) -> Self {
        Self {
            handle: self.handle,
            name: self.name.clone(),
            datasource: self.datasource.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: FieldType> fmt::Debug for Field<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &&*self.name)
            .field("datasource", &&*self.datasource)
            .field("kind", &T::KIND)
            .field("handle", &self.handle)
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
        Self {
            handle,
            name: name.into(),
            datasource,
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
        self.handle != 0
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the field's data source.
    pub fn datasource(&self) -> &str {
        &self.datasource
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(&self) -> u32 {
        self.handle
    }

    /// Adds a tag, e.g. `"columns.width:40"` (`fieldAddTag`).
    pub fn add_tag(&self, tag: &str) -> Result<()> {
        self.check_resolved("fieldAddTag")?;
        // SAFETY: the buffer pointer covers `tag`, which outlives the call.
        let rc = unsafe { sys::fieldAddTag(self.handle as i32, buffer::encode(tag.as_bytes())) };
        self.status(rc, "fieldAddTag", "the host refused the tag")
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

    fn error(&self, kind: ErrorKind, op: &'static str, detail: &'static str) -> Error {
        Error::new(kind, op, detail).with_subject(subject::field(&self.datasource, &self.name))
    }

    fn status(&self, rc: i32, op: &'static str, detail: &'static str) -> Result<()> {
        if rc == 0 {
            Ok(())
        } else {
            Err(self.error(ErrorKind::HostRefused, op, detail))
        }
    }

    /// Copies the field's bytes into `dst` and returns how many there are.
    fn get_buffer(&self, data: Data<'_>, kind: FieldKind, dst: &mut [u8]) -> Option<usize> {
        // SAFETY: the buffer pointer covers `dst`, writable for the call.
        let n = unsafe {
            sys::fieldGetBuffer(
                self.handle as i32,
                data.as_raw() as i32,
                kind.as_raw() as i32,
                buffer::encode_mut(dst),
            )
        };
        (n >= 0).then_some(n as usize)
    }

    /// Reads the raw bytes into `dst` without allocating; fails when they do
    /// not fit (ig cannot tell that apart from other failures).
    fn read_into_kind(&self, data: Data<'_>, kind: FieldKind, dst: &mut [u8]) -> Result<usize> {
        self.check_resolved("fieldGetBuffer")?;
        self.get_buffer(data, kind, dst).ok_or_else(|| {
            Error::new(
                ErrorKind::TooLarge,
                "fieldGetBuffer",
                format!(
                    "the value does not fit in the {}-byte buffer, or the field cannot be read \
                     from this data (use `read_to`, which grows the buffer)",
                    dst.len()
                ),
            )
            .with_subject(subject::field(&self.datasource, &self.name))
        })
    }

    /// Reads the raw bytes into `buf`, growing it as needed, and returns them.
    fn read_to_kind<'b>(
        &self,
        data: Data<'_>,
        kind: FieldKind,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8]> {
        self.check_resolved("fieldGetBuffer")?;
        let mut len = 0;
        match buffer::read_growing(buf, MAX_FIELD_LEN, |dst| {
            match self.get_buffer(data, kind, dst) {
                Some(n) => {
                    len = n;
                    true
                }
                None => false,
            }
        }) {
            Grown::Fits(_) => Ok(&buf[..len]),
            Grown::Failed { largest_tried } => Err(Error::new(
                ErrorKind::TooLarge,
                "fieldGetBuffer",
                format!(
                    "the host refused every buffer up to {largest_tried} bytes: the value is \
                     larger, or the field cannot be read from this data"
                ),
            )
            .with_subject(subject::field(&self.datasource, &self.name))),
        }
    }

    fn set_buffer(&self, data: Data<'_>, bytes: &[u8]) -> Result<()> {
        self.check_resolved("fieldSet")?;
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
        self.status(
            rc,
            "fieldSet",
            "the host refused the value (a fixed-size field takes exactly its size, or less for strings)",
        )
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
                self.handle as i32,
                data.as_raw() as i32,
                T::KIND.as_raw() as i32,
                &mut failed as *mut u32 as usize as i32,
            )
        };
        if failed != 0 {
            self.check_resolved("fieldGetScalar")?;
            return Err(self.read_error());
        }
        Ok(T::from_bits(bits))
    }

    #[cold]
    fn read_error(&self) -> Error {
        Error::new(
            ErrorKind::HostRefused,
            "fieldGetScalar",
            format!(
                "cannot be read as {} (its size differs, or the data handle is not valid)",
                T::KIND.name()
            ),
        )
        .with_subject(subject::field(&self.datasource, &self.name))
    }

    /// Writes `value` into the field of `data` (`fieldSet`).
    #[inline]
    pub fn set(&self, data: Data<'_>, value: T) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe {
            sys::fieldSet(
                self.handle as i32,
                data.as_raw() as i32,
                T::KIND.as_raw() as i32,
                value.to_bits(),
            )
        };
        if rc != 0 {
            self.check_resolved("fieldSet")?;
            return Err(Error::new(
                ErrorKind::HostRefused,
                "fieldSet",
                format!(
                    "cannot be written as {} (its size differs, or the data handle is not valid)",
                    T::KIND.name()
                ),
            )
            .with_subject(subject::field(&self.datasource, &self.name)));
        }
        Ok(())
    }
}

impl Field<String> {
    /// Reads the value as a `String`, up to the first NUL (fixed-size string
    /// fields are NUL-padded); invalid UTF-8 is replaced by U+FFFD.
    ///
    /// Allocates; on a busy path use [`read_to`](Self::read_to) with a buffer
    /// kept in the gadget.
    pub fn get(&self, data: Data<'_>) -> Result<String> {
        let mut buf = Vec::new();
        let bytes = buffer::until_nul(self.read_to_kind(data, FieldKind::String, &mut buf)?);
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    /// Reads the raw bytes into `buf` (grown as needed, capacity kept) and
    /// returns them; trailing NULs of fixed-size fields are included.
    pub fn read_to<'b>(&self, data: Data<'_>, buf: &'b mut Vec<u8>) -> Result<&'b [u8]> {
        self.read_to_kind(data, FieldKind::String, buf)
    }

    /// Reads the raw bytes into `dst` and returns their count; fails rather
    /// than truncating when they do not fit.
    pub fn read_into(&self, data: Data<'_>, dst: &mut [u8]) -> Result<usize> {
        self.read_into_kind(data, FieldKind::String, dst)
    }

    /// Writes `value` (copied by the host).
    pub fn set(&self, data: Data<'_>, value: &str) -> Result<()> {
        self.set_buffer(data, value.as_bytes())
    }

    /// Writes raw bytes, e.g. a string that is not UTF-8.
    pub fn set_bytes(&self, data: Data<'_>, value: &[u8]) -> Result<()> {
        self.set_buffer(data, value)
    }
}

impl Field<Bytes> {
    /// Reads the value as a new `Vec<u8>`.
    ///
    /// Allocates; on a busy path use [`read_to`](Self::read_to) or
    /// [`read_into`](Self::read_into).
    pub fn get(&self, data: Data<'_>) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        let len = self.read_to_kind(data, FieldKind::Bytes, &mut buf)?.len();
        buf.truncate(len);
        Ok(buf)
    }

    /// Reads the bytes into `buf` (grown as needed, capacity kept) and returns them.
    pub fn read_to<'b>(&self, data: Data<'_>, buf: &'b mut Vec<u8>) -> Result<&'b [u8]> {
        self.read_to_kind(data, FieldKind::Bytes, buf)
    }

    /// Reads the bytes into `dst` and returns their count; fails rather than
    /// truncating when they do not fit.
    pub fn read_into(&self, data: Data<'_>, dst: &mut [u8]) -> Result<usize> {
        self.read_into_kind(data, FieldKind::Bytes, dst)
    }

    /// Writes `value` (copied by the host).
    pub fn set(&self, data: Data<'_>, value: &[u8]) -> Result<()> {
        self.set_buffer(data, value)
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
        let e = f.check_resolved("fieldGetScalar").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string()
                .starts_with("field `k8s.namespace` of data source `exec`: used before")
        );
    }
}
