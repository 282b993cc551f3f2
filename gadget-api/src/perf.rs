//! Perf readers over perf-event-array maps.

use std::rc::Rc;

use crate::data::status;
use crate::error::{Error, ErrorKind, Result, subject};
use crate::maps::Map;
use crate::{buffer, sys};

/// What [`PerfReader::read`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerfRead {
    /// A record's sample was copied into the buffer (ig does not say how
    /// long it is; samples may carry up to 7 bytes of kernel padding). A
    /// lost-samples record also reads as `Record` with the buffer untouched.
    Record,
    /// Nothing to read now.
    Empty,
}

/// A reader of a perf-event-array map; closed when dropped.
///
/// An *overwritable* reader keeps the newest records and must be
/// [paused](Self::pause) to read; its reads never block. A
/// non-overwritable reader's [`read`](Self::read) **blocks in ig** until a
/// record arrives, so a gadget should only read it where blocking is fine.
#[derive(Debug)]
pub struct PerfReader {
    handle: u32,
    map: Rc<str>,
}

impl PerfReader {
    /// Opens a reader on `map` with a per-CPU buffer of `buffer_size` bytes
    /// (`newPerfReader`).
    pub fn new(map: &Map, buffer_size: u32, overwritable: bool) -> Result<Self> {
        // SAFETY: plain values.
        let h = unsafe {
            sys::newPerfReader(map.as_raw() as i32, buffer_size as i32, overwritable as i32)
        };
        if h == 0 {
            return Err(Error::new(
                ErrorKind::HostRefused,
                "newPerfReader",
                "the host refused to open a reader (the map must be a perf event array)",
            )
            .with_subject(subject::perf_reader(map.name())));
        }
        Ok(Self {
            handle: h as u32,
            map: map.name().into(),
        })
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(&self) -> u32 {
        self.handle
    }

    fn status(&self, rc: i32, op: &'static str, detail: &'static str) -> Result<()> {
        status(rc, op, detail).map_err(|e| e.with_subject(subject::perf_reader(&self.map)))
    }

    /// Stops the kernel from writing into the buffer (`perfReaderPause`).
    pub fn pause(&self) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe { sys::perfReaderPause(self.handle as i32) };
        self.status(rc, "perfReaderPause", "the host refused to pause it")
    }

    /// Lets the kernel write into the buffer again (`perfReaderResume`).
    pub fn resume(&self) -> Result<()> {
        // SAFETY: plain values.
        let rc = unsafe { sys::perfReaderResume(self.handle as i32) };
        self.status(rc, "perfReaderResume", "the host refused to resume it")
    }

    /// Copies the next record's sample into `dst`, zeroed first
    /// (`perfReaderRead`). A record longer than `dst` is an error, and ig
    /// drops it.
    pub fn read(&self, dst: &mut [u8]) -> Result<PerfRead> {
        dst.fill(0);
        // SAFETY: the buffer pointer covers `dst` for the call.
        match unsafe { sys::perfReaderRead(self.handle as i32, buffer::encode_mut(dst)) } {
            0 => Ok(PerfRead::Record),
            2 => Ok(PerfRead::Empty),
            _ => Err(Error::new(
                ErrorKind::HostRefused,
                "perfReaderRead",
                crate::error::text(format_args!(
                    "the read failed (an overwritable reader must be paused first; a record \
                     longer than the {}-byte buffer is an error and is lost)",
                    dst.len()
                )),
            )
            .with_subject(subject::perf_reader(&self.map))),
        }
    }

    /// Closes the reader now and reports the result (`perfReaderClose`).
    pub fn close(mut self) -> Result<()> {
        // SAFETY: plain values; the reader is ours.
        let rc = unsafe { sys::perfReaderClose(self.handle as i32) };
        self.handle = 0; // closed: nothing left for `drop`
        self.status(rc, "perfReaderClose", "the host refused to close it")
    }
}

impl Drop for PerfReader {
    fn drop(&mut self) {
        if self.handle != 0 {
            // SAFETY: plain values; the reader is ours.
            unsafe { sys::perfReaderClose(self.handle as i32) };
        }
    }
}
