//! Guest memory access: buffer pointers and bounds-checked reads and writes.
//!
//! Nothing here panics on guest input: every access is checked and returns a
//! [`MemError`].

use std::fmt;

/// A buffer pointer as the ABI passes it in an `i64`:
/// `(length << 32) | address`. The empty buffer is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufPtr {
    /// Address in guest memory.
    pub addr: u32,
    /// Length in bytes.
    pub len: u32,
}

impl BufPtr {
    /// Decodes the i64 encoding.
    pub fn decode(raw: i64) -> Self {
        let raw = raw as u64;
        BufPtr {
            addr: raw as u32,
            len: (raw >> 32) as u32,
        }
    }

    /// Encodes as the ABI's i64.
    pub fn encode(self) -> i64 {
        ((u64::from(self.len) << 32) | u64::from(self.addr)) as i64
    }

    /// The byte range, if it lies inside a memory of `mem_len` bytes.
    pub fn range(self, mem_len: usize) -> Result<std::ops::Range<usize>, MemError> {
        let start = self.addr as usize;
        let end = start + self.len as usize;
        if end > mem_len {
            return Err(MemError::OutOfBounds { ptr: self, mem_len });
        }
        Ok(start..end)
    }
}

/// A guest memory access that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemError {
    /// The buffer lies (partly) outside memory.
    OutOfBounds {
        /// The buffer.
        ptr: BufPtr,
        /// The memory size in bytes.
        mem_len: usize,
    },
    /// A value is longer than the destination buffer.
    TooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: u32,
    },
}

impl fmt::Display for MemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemError::OutOfBounds { ptr, mem_len } => write!(
                f,
                "buffer at {:#x} of {} bytes is outside memory ({} bytes)",
                ptr.addr, ptr.len, mem_len
            ),
            MemError::TooSmall { needed, available } => {
                write!(
                    f,
                    "value of {needed} bytes does not fit a buffer of {available} bytes"
                )
            }
        }
    }
}

impl std::error::Error for MemError {}

/// Reads the bytes of a buffer pointer (empty for 0).
pub fn read(mem: &[u8], raw: i64) -> Result<&[u8], MemError> {
    let ptr = BufPtr::decode(raw);
    if ptr.len == 0 {
        return Ok(&[]);
    }
    Ok(&mem[ptr.range(mem.len())?])
}

/// Reads a buffer pointer as a (byte-exact, possibly non-UTF-8) string.
pub fn read_string(mem: &[u8], raw: i64) -> Result<String, MemError> {
    read(mem, raw).map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Writes `value` at the start of the destination buffer; fails without
/// writing if the value is longer than the buffer or the buffer lies outside
/// memory.
pub fn write(mem: &mut [u8], raw: i64, value: &[u8]) -> Result<(), MemError> {
    let ptr = BufPtr::decode(raw);
    if value.len() > ptr.len as usize {
        return Err(MemError::TooSmall {
            needed: value.len(),
            available: ptr.len,
        });
    }
    if value.is_empty() {
        return Ok(());
    }
    let range = BufPtr {
        addr: ptr.addr,
        len: value.len() as u32,
    }
    .range(mem.len())?;
    mem[range].copy_from_slice(value);
    Ok(())
}

/// Checks that a whole destination buffer lies inside memory.
pub fn check(mem: &[u8], raw: i64) -> Result<(), MemError> {
    let ptr = BufPtr::decode(raw);
    if ptr.len == 0 {
        return Ok(());
    }
    ptr.range(mem.len()).map(|_| ())
}

/// Writes a little-endian u32 at an address.
pub fn write_u32(mem: &mut [u8], addr: u32, value: u32) -> Result<(), MemError> {
    let range = BufPtr { addr, len: 4 }.range(mem.len())?;
    mem[range].copy_from_slice(&value.to_le_bytes());
    Ok(())
}
