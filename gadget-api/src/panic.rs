//! Panic messages into ig's log.
//!
//! ig sends a module's stdout and stderr nowhere, so the message std prints
//! for a panic is lost and the gadget just stops. The hook installed here
//! writes it to ig's log at error level first.

use crate::abi::LogLevel;
use crate::logger;

/// Installs the panic hook (idempotent; `#[gadget]` calls it in `gadgetInit`).
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format_panic(info.payload(), info.location());
        logger::log(LogLevel::Error, &message);
    }));
}

/// `panic at src/lib.rs:10:5: index out of bounds`.
fn format_panic(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    match location {
        Some(at) => crate::error::text(format_args!(
            "gadget panicked at {}:{}:{}: {what}",
            at.file(),
            at.line(),
            at.column()
        )),
        None => crate::error::text(format_args!("gadget panicked: {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_str_and_string_payloads() {
        let at = std::panic::Location::caller();
        let s = format_panic(&"boom", Some(at));
        assert!(s.starts_with("gadget panicked at "), "{s}");
        assert!(s.ends_with(": boom"), "{s}");
        assert_eq!(
            format_panic(&String::from("owned"), None),
            "gadget panicked: owned"
        );
        assert_eq!(format_panic(&42u8, None), "gadget panicked: (no message)");
    }
}
