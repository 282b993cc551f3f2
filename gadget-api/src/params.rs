//! The gadget's params (`params.wasm` in gadget.yaml), read with `getParamValue`.

use std::str::FromStr;

use crate::buffer::{self, Grown};
use crate::error::{Error, ErrorKind, Result, subject};
use crate::sys;

/// The longest param value read: `getParamValue` fails alike for an unknown
/// key and for a buffer that is too small, so reading stops growing here.
pub const MAX_PARAM_LEN: usize = 64 * 1024;

/// The value of param `key` as a string (empty when the param is set to "").
///
/// ig's CLI fills in the defaults of gadget.yaml; other API clients may not,
/// so a declared param can still be missing.
///
/// ```no_run
/// let fs = gadget_api::params::get("filesystem")?;
/// # Ok::<(), gadget_api::Error>(())
/// ```
pub fn get(key: &str) -> Result<String> {
    let mut buf = Vec::new();
    let found = buffer::read_growing(&mut buf, MAX_PARAM_LEN, |dst| {
        // SAFETY: both buffer pointers cover live memory for the call.
        unsafe { sys::getParamValue(buffer::encode(key.as_bytes()), buffer::encode_mut(dst)) == 0 }
    });
    match found {
        Grown::Fits(_) => Ok(String::from_utf8_lossy(buffer::until_nul(&buf)).into_owned()),
        Grown::Failed { largest_tried } => Err(Error::new(
            ErrorKind::NotFound,
            "getParamValue",
            crate::error::text(format_args!(
                "not set (declare it under `params.wasm` in gadget.yaml), or its value is \
                 longer than {largest_tried} bytes"
            )),
        )
        .with_subject(subject::param(key))),
    }
}

/// The value of param `key`, parsed with `FromStr`.
///
/// ```no_run
/// let max: u32 = gadget_api::params::parse("max_args")?;
/// # Ok::<(), gadget_api::Error>(())
/// ```
pub fn parse<T>(key: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let raw = get(key)?;
    parse_value(key, &raw)
}

/// The value of param `key` parsed, or `default` when the param is missing
/// or empty. A value that does not parse is still an error.
pub fn parse_or<T>(key: &str, default: T) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match get(key) {
        Ok(raw) if raw.is_empty() => Ok(default),
        Ok(raw) => parse_value(key, &raw),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(default),
        Err(e) => Err(e),
    }
}

/// Parses a param's value, with an error naming the key, the value and the type.
pub fn parse_value<T>(key: &str, raw: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    raw.trim().parse().map_err(|e: T::Err| {
        Error::new(
            ErrorKind::InvalidValue,
            "getParamValue",
            crate::error::text(format_args!(
                "value {raw:?} is not a valid {}: {e}",
                short_type_name(std::any::type_name::<T>())
            )),
        )
        .with_subject(subject::param(key))
    })
}

/// `alloc::string::String` → `String`, `core::option::Option<u32>` → `Option<u32>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_value_names_key_value_and_type() {
        let e = parse_value::<u32>("max_args", "lots").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert_eq!(
            e.to_string(),
            "param `max_args`: value \"lots\" is not a valid u32: invalid digit found in string (getParamValue)"
        );
    }

    #[test]
    fn parse_value_trims_whitespace() {
        assert_eq!(parse_value::<u32>("n", " 20 ").unwrap(), 20);
        assert!(parse_value::<bool>("b", "true").unwrap());
    }

    #[test]
    fn short_type_names() {
        assert_eq!(short_type_name("u32"), "u32");
        assert_eq!(short_type_name("alloc::string::String"), "String");
        assert_eq!(
            short_type_name("core::option::Option<alloc::string::String>"),
            "Option<String>"
        );
        assert_eq!(short_type_name("std::net::ip_addr::IpAddr"), "IpAddr");
    }
}
