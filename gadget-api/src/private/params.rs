//! Reading `#[param]` members.

use std::fmt;

use crate::error::{ErrorKind, Result};

/// The types a `#[param]` member can have: parsed from text with `FromStr`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[param]`: params are parsed from text with `FromStr` \
               (whose error must be `Display`), and `{Self}` does not implement it",
    label = "not parseable from a param's value",
    note = "use a type with `FromStr` (integers, floats, bool, String, IpAddr, ...), or a plain \
            member filled in `#[on_init]` from `gadget_api::params::get`"
)]
pub trait ParamValue: std::str::FromStr<Err: fmt::Display> {}

impl<T> ParamValue for T
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
}

/// The value of a `#[param]` without a default: a missing param is an error.
pub fn param<T: ParamValue>(key: &str) -> Result<T> {
    crate::params::parse(key)
}

/// The value of a `#[param]` with a typed default (`default = 16`).
pub fn param_or<T: ParamValue>(key: &str, default: T) -> Result<T> {
    crate::params::parse_or(key, default)
}

/// The value of a `#[param]` with a string default (`default = "info"`),
/// which is parsed like a value given to ig, and only when it is needed.
pub fn param_or_parse<T: ParamValue>(key: &str, default: &str) -> Result<T> {
    match crate::params::get(key) {
        Ok(raw) if !raw.is_empty() => crate::params::parse_value(key, &raw),
        Ok(_) => crate::params::parse_value(key, default),
        Err(e) if e.kind() == ErrorKind::NotFound => crate::params::parse_value(key, default),
        Err(e) => Err(e),
    }
}
