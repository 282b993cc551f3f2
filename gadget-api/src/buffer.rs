//! The buffer-pointer encoding of the ABI, and reading values of unknown size.
//!
//! ig passes strings and byte buffers as one `i64`: `length << 32 | address`,
//! with the empty buffer as 0. A call that fills a buffer fails when the value
//! does not fit (it never truncates), so readers here grow the buffer and
//! retry. `fieldGetBuffer` returns how many bytes it wrote, so
//! `read_counted` hands it uninitialised capacity and keeps exactly that
//! many; the other calls (`getParamValue`, `getSyscallName`, ...) do not say,
//! so `read_growing` zeroes the buffer before each try and callers search
//! for the end.

use std::mem::MaybeUninit;

/// Encodes a buffer the host only reads (`length << 32 | address`; empty is 0).
#[inline]
pub fn encode(bytes: &[u8]) -> i64 {
    encode_parts(bytes.as_ptr() as usize, bytes.len())
}

/// Encodes a buffer the host writes into.
#[inline]
pub fn encode_mut(bytes: &mut [u8]) -> i64 {
    encode_parts(bytes.as_mut_ptr() as usize, bytes.len())
}

/// Encodes an address and a length; the empty buffer is 0 whatever its address.
#[inline]
pub fn encode_parts(address: usize, len: usize) -> i64 {
    if len == 0 {
        return 0;
    }
    // wasm32 addresses and lengths are 32-bit; the casts are exact there.
    (((len as u64) << 32) | (address as u32 as u64)) as i64
}

/// Splits an encoded buffer pointer into `(address, length)`.
#[inline]
pub fn decode(encoded: i64) -> (u32, u32) {
    let bits = encoded as u64;
    (bits as u32, (bits >> 32) as u32)
}

/// The first size tried when the size of a value is unknown.
pub(crate) const FIRST_SIZE: usize = 256;

/// How a read of unknown size went.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Grown {
    /// The read succeeded with a buffer of this many bytes.
    Fits(usize),
    /// Every size up to the limit failed.
    Failed { largest_tried: usize },
}

/// Calls `read` with `buf` grown (×4 each time) from its current length, at
/// least [`FIRST_SIZE`], up to `limit` bytes, until `read` reports success.
///
/// For host calls that do not return how much they wrote: the buffer is
/// zeroed before every attempt, so the value ends at the first NUL (or fills
/// the buffer). Capacity is kept, so a caller that reuses `buf` stops
/// allocating once it is large enough. Not for per-event paths: those use
/// [`read_counted`].
pub(crate) fn read_growing(
    buf: &mut Vec<u8>,
    limit: usize,
    mut read: impl FnMut(&mut [u8]) -> bool,
) -> Grown {
    let mut size = buf.capacity().clamp(FIRST_SIZE.min(limit), limit);
    loop {
        buf.clear();
        buf.resize(size, 0);
        if read(buf) {
            return Grown::Fits(size);
        }
        if size >= limit {
            return Grown::Failed {
                largest_tried: size,
            };
        }
        size = size.saturating_mul(4).min(limit);
    }
}

/// Reads a value of unknown size into `buf` with a host call that reports
/// its byte count (`fieldGetBuffer`): `read` gets `buf`'s whole spare
/// capacity, uninitialised, and returns `Some(n)` when the value fitted (it
/// wrote `n` bytes) or `None` when it did not (or failed otherwise: ig
/// returns -1 for both). Then `buf` holds exactly the `n` bytes.
///
/// One call when the value fits the capacity `buf` already has; otherwise the
/// capacity grows ×4 from at least [`FIRST_SIZE`] up to `limit` and is kept,
/// so a reused `buf` stops allocating and retrying once warm. Nothing is
/// zero-filled. A read that fails at every size (ig's -1 also means "no
/// such field in this data") and grew the buffer frees it, so one bad read
/// does not pin `limit` bytes (the next read starts again from
/// [`FIRST_SIZE`]).
///
/// # Safety
/// When `read` returns `Some(n)`, it must have initialised the first `n`
/// bytes of the slice it was given (as the host does: it writes the value's
/// bytes there, like `read(2)`). A count larger than the slice is rejected
/// (treated as a failure), never trusted.
pub(crate) unsafe fn read_counted(
    buf: &mut Vec<u8>,
    limit: usize,
    mut read: impl FnMut(&mut [MaybeUninit<u8>]) -> Option<usize>,
) -> Grown {
    buf.clear();
    let before = buf.capacity();
    let mut size = before.clamp(FIRST_SIZE.min(limit), limit);
    loop {
        // `reserve_exact` on an empty Vec guarantees `capacity() >= size`
        // and keeps a larger capacity as it is.
        buf.reserve_exact(size);
        let spare = buf.spare_capacity_mut();
        let offered = spare.len();
        if let Some(n) = read(spare).filter(|&n| n <= offered) {
            // SAFETY: `n <= offered == capacity()` (len is 0), and by this
            // function's contract `read` initialised the first `n` bytes.
            unsafe { buf.set_len(n) };
            return Grown::Fits(offered);
        }
        if offered >= limit {
            if offered > before {
                // Dropped rather than shrunk: `shrink_to` would bring
                // `realloc`'s shrinking path into every gadget.
                *buf = Vec::new();
            }
            return Grown::Failed {
                largest_tried: offered,
            };
        }
        size = offered.saturating_mul(4).min(limit);
    }
}

/// The bytes before the first NUL (all of them when there is none): ig's
/// fixed-size string fields are NUL-padded.
pub fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_puts_length_high_and_address_low() {
        assert_eq!(encode_parts(0x1000, 5), (5i64 << 32) | 0x1000);
        assert_eq!(
            decode(encode_parts(0x1234_5678, 0xABCD)),
            (0x1234_5678, 0xABCD)
        );
    }

    #[test]
    fn empty_buffer_is_zero() {
        assert_eq!(encode_parts(0x1000, 0), 0);
        assert_eq!(encode(b""), 0);
        assert_eq!(decode(0), (0, 0));
    }

    #[test]
    fn growth_retries_until_the_value_fits() {
        let value = vec![7u8; 3000];
        let mut calls = Vec::new();
        let mut buf = Vec::new();
        let got = read_growing(&mut buf, 1 << 20, |dst| {
            calls.push(dst.len());
            assert!(dst.iter().all(|&b| b == 0), "buffer zeroed before each try");
            if dst.len() < value.len() {
                dst[0] = 1; // a failed host call may leave garbage
                return false;
            }
            dst[..value.len()].copy_from_slice(&value);
            true
        });
        assert_eq!(calls, vec![256, 1024, 4096]);
        assert_eq!(got, Grown::Fits(4096));
        assert_eq!(&buf[..3000], &value[..]);
    }

    #[test]
    fn growth_stops_at_the_limit() {
        let mut calls = Vec::new();
        let mut buf = Vec::new();
        let got = read_growing(&mut buf, 5000, |dst| {
            calls.push(dst.len());
            false
        });
        assert_eq!(calls, vec![256, 1024, 4096, 5000]);
        assert_eq!(
            got,
            Grown::Failed {
                largest_tried: 5000
            }
        );
    }

    #[test]
    fn growth_starts_from_reused_capacity() {
        let mut buf = Vec::with_capacity(4096);
        let mut calls = Vec::new();
        read_growing(&mut buf, 1 << 20, |dst| {
            calls.push(dst.len());
            true
        });
        assert_eq!(calls, vec![4096]);
    }

    /// A host value read the way `fieldGetBuffer` does: fails when `dst` is
    /// too small, else copies the value and returns its length. Counts calls
    /// and checks that nothing was zero-filled by the caller.
    fn fake_host<'v>(
        value: &'v [u8],
        calls: &'v mut Vec<usize>,
    ) -> impl FnMut(&mut [MaybeUninit<u8>]) -> Option<usize> + 'v {
        move |dst| {
            calls.push(dst.len());
            if dst.len() < value.len() {
                return None;
            }
            for (d, &v) in dst.iter_mut().zip(value) {
                d.write(v);
            }
            Some(value.len())
        }
    }

    fn counted(buf: &mut Vec<u8>, limit: usize, value: &[u8]) -> (Grown, Vec<usize>) {
        let mut calls = Vec::new();
        // SAFETY: the fake host initialises the bytes it reports.
        let got = unsafe { read_counted(buf, limit, fake_host(value, &mut calls)) };
        (got, calls)
    }

    #[test]
    fn counted_read_keeps_exactly_the_reported_bytes() {
        let mut buf = Vec::new();
        let (got, calls) = counted(&mut buf, 1 << 20, b"bash");
        assert_eq!(calls.len(), 1);
        assert!(matches!(got, Grown::Fits(n) if n >= FIRST_SIZE));
        assert_eq!(buf, b"bash");
    }

    #[test]
    fn counted_read_grows_by_four_and_keeps_the_capacity() {
        let long = vec![7u8; 3000];
        let mut buf = Vec::new();
        let (got, calls) = counted(&mut buf, 1 << 20, &long);
        assert_eq!(calls.len(), 3, "256, 1024, 4096: {calls:?}");
        assert!(calls[0] >= 256 && calls[1] >= 1024 && calls[2] >= 4096);
        assert!(matches!(got, Grown::Fits(_)));
        assert_eq!(buf, long);
        // Warm: one call per read, short or long, and no new allocation.
        let capacity = buf.capacity();
        let ptr = buf.as_ptr();
        for value in [&b"sh"[..], &long[..], b""] {
            let (_, calls) = counted(&mut buf, 1 << 20, value);
            assert_eq!(calls, vec![capacity]);
            assert_eq!(buf, value);
            assert_eq!((buf.capacity(), buf.as_ptr()), (capacity, ptr));
        }
    }

    #[test]
    fn counted_read_does_not_zero_fill() {
        // Garbage left in the capacity by an earlier read stays there: the
        // caller does not clear what the host will overwrite.
        let mut buf = vec![0xAAu8; 64];
        buf.reserve(1000);
        let mut seen = Vec::new();
        let reader = |dst: &mut [MaybeUninit<u8>]| {
            // SAFETY: bytes 0..64 were initialised by `vec![0xAA; 64]`.
            seen.extend(dst[..64].iter().map(|b| unsafe { b.assume_init() }));
            dst[0].write(b'x');
            Some(1)
        };
        // SAFETY: the reader initialises the one byte it reports.
        let got = unsafe { read_counted(&mut buf, 1 << 20, reader) };
        assert!(matches!(got, Grown::Fits(_)));
        assert_eq!(buf, b"x");
        assert!(seen.iter().all(|&b| b == 0xAA), "not zero-filled");
    }

    #[test]
    fn counted_read_stops_at_the_limit() {
        let mut buf = Vec::new();
        let (got, calls) = counted(&mut buf, 5000, &[1u8; 6000]);
        assert_eq!(calls.len(), 4, "{calls:?}");
        assert_eq!(*calls.last().unwrap(), 5000);
        assert_eq!(
            got,
            Grown::Failed {
                largest_tried: 5000
            }
        );
        assert!(buf.is_empty());
        assert!(
            buf.capacity() < 5000,
            "the failed read gave its growth back"
        );
    }

    #[test]
    fn counted_read_rejects_a_count_beyond_the_buffer() {
        let mut buf = Vec::new();
        // SAFETY: the count is never trusted beyond the slice.
        let got = unsafe { read_counted(&mut buf, 300, |dst| Some(dst.len() + 1)) };
        assert!(matches!(got, Grown::Failed { .. }));
        assert!(buf.is_empty());
    }

    #[test]
    fn until_nul_cuts_at_first_nul() {
        assert_eq!(until_nul(b"bash\0\0\0"), b"bash");
        assert_eq!(until_nul(b"bash"), b"bash");
        assert_eq!(until_nul(b"\0x"), b"");
    }
}
