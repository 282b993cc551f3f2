//! The buffer-pointer encoding of the ABI, and reading values of unknown size.
//!
//! ig passes strings and byte buffers as one `i64`: `length << 32 | address`,
//! with the empty buffer as 0. Most calls that fill a buffer do not say how
//! much they wrote or how much they needed, so readers here grow the buffer
//! and retry instead of truncating.

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
/// The buffer is zeroed before every attempt, because the host writes no
/// terminator and does not say how much it wrote. Capacity is kept, so a
/// caller that reuses `buf` stops allocating once it is large enough.
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

    #[test]
    fn until_nul_cuts_at_first_nul() {
        assert_eq!(until_nul(b"bash\0\0\0"), b"bash");
        assert_eq!(until_nul(b"bash"), b"bash");
        assert_eq!(until_nul(b"\0x"), b"");
    }
}
