//! Records and arrays of records, borrowed for the duration of a callback.
//!
//! ig frees the handle it passes to `dataSourceCallback` as soon as the
//! callback returns, so [`Data`] and [`DataArray`] carry a lifetime: a gadget
//! cannot keep one past its callback by accident.

use std::marker::PhantomData;

use crate::error::{Error, ErrorKind, Result};
use crate::sys;

/// One record of a data source: what fields are read from and written to.
///
/// It is `Copy` but bound to the lifetime `'a` of the callback, packet or
/// array element it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    handle: u32,
    _borrow: PhantomData<&'a ()>,
}

impl<'a> Data<'a> {
    /// Wraps a raw data handle.
    ///
    /// # Safety
    /// `handle` must be a data handle the host gave the module (a data
    /// callback's argument, a packet, an array element) that stays valid for
    /// `'a`. Calls with an invalid handle fail with an error; they are unsafe
    /// only because they may touch another event's data.
    pub unsafe fn from_raw(handle: u32) -> Self {
        Self {
            handle,
            _borrow: PhantomData,
        }
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(self) -> u32 {
        self.handle
    }
}

/// The records of an array data source's packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataArray<'a> {
    handle: u32,
    _borrow: PhantomData<&'a ()>,
}

/// The largest index `dataArrayGet` accepts (element handles keep the index
/// in 15 bits).
pub const MAX_ARRAY_INDEX: usize = 32767;

impl<'a> DataArray<'a> {
    /// Wraps a raw data-array handle.
    ///
    /// # Safety
    /// As for [`Data::from_raw`]: a data-array handle valid for `'a`.
    pub unsafe fn from_raw(handle: u32) -> Self {
        Self {
            handle,
            _borrow: PhantomData,
        }
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(self) -> u32 {
        self.handle
    }

    /// The number of records (0 also when the host cannot tell).
    pub fn len(self) -> usize {
        // SAFETY: plain values; the host checks the handle.
        let n = unsafe { sys::dataArrayLen(self.handle as i32) };
        n.max(0) as usize
    }

    /// Whether the array has no records.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The record at `index`, or `None` past the end (or past index 32767,
    /// the most ig can address).
    pub fn get(self, index: usize) -> Option<Data<'a>> {
        if index > MAX_ARRAY_INDEX {
            return None;
        }
        // SAFETY: plain values; the host checks the handle and the index.
        let h = unsafe { sys::dataArrayGet(self.handle as i32, index as i32) };
        // SAFETY: element handles stay valid as long as the array is.
        (h != 0).then(|| unsafe { Data::from_raw(h as u32) })
    }

    /// Iterates over the records (one `dataArrayLen` call, then one
    /// `dataArrayGet` per record).
    pub fn iter(self) -> Iter<'a> {
        Iter {
            array: self,
            next: 0,
            len: self.len().min(MAX_ARRAY_INDEX + 1),
        }
    }

    /// A new record to fill and then [`append`](Element::append); dropped
    /// without appending, it is released.
    pub fn new_element(self) -> Result<Element<'a>> {
        // SAFETY: plain values; the host checks the handle.
        let h = unsafe { sys::dataArrayNew(self.handle as i32) };
        if h == 0 {
            return Err(Error::new(
                ErrorKind::HostRefused,
                "dataArrayNew",
                "the host refused a new array element (not an array handle, or too many open handles)",
            ));
        }
        Ok(Element {
            array: self.handle,
            handle: h as u32,
            _borrow: PhantomData,
        })
    }
}

impl<'a> IntoIterator for DataArray<'a> {
    type Item = Data<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Iterator over the records of a [`DataArray`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    array: DataArray<'a>,
    next: usize,
    len: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Data<'a>;

    fn next(&mut self) -> Option<Data<'a>> {
        if self.next >= self.len {
            return None;
        }
        let item = self.array.get(self.next);
        self.next = if item.is_some() {
            self.next + 1
        } else {
            self.len
        };
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.len - self.next))
    }
}

/// A new array record that is not in its array yet.
///
/// Fill it through [`data`](Self::data), then [`append`](Self::append) it;
/// dropping it releases it (`dataArrayRelease`).
#[derive(Debug)]
#[must_use = "an element is only added to its array by `append`"]
pub struct Element<'a> {
    array: u32,
    handle: u32,
    _borrow: PhantomData<&'a ()>,
}

impl Element<'_> {
    /// The record, to set fields on.
    pub fn data(&self) -> Data<'_> {
        // SAFETY: the element handle lives as long as `self`.
        unsafe { Data::from_raw(self.handle) }
    }

    /// Appends the record to its array (which takes its handle).
    pub fn append(self) -> Result<()> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: plain values; the host checks the handles.
        let rc = unsafe { sys::dataArrayAppend(this.array as i32, this.handle as i32) };
        status(
            rc,
            "dataArrayAppend",
            "the host refused to append the element",
        )
    }
}

impl Drop for Element<'_> {
    fn drop(&mut self) {
        // SAFETY: plain values; releasing an element we own.
        unsafe { sys::dataArrayRelease(self.array as i32, self.handle as i32) };
    }
}

/// Turns an `ig` status (0 ok, anything else an error) into a `Result`.
pub(crate) fn status(rc: i32, op: &'static str, detail: &'static str) -> Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::HostRefused, op, detail))
    }
}
