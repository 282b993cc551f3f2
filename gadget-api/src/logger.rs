//! Logging into ig's log, behind the `log` crate facade.
//!
//! After [`init`] (which `#[gadget]` calls first thing in `gadgetInit`),
//! `log::info!("x = {x}")` and friends reach ig's log through `gadgetLog`.
//! The level ig would emit is asked once, at `init`, and given to
//! `log::set_max_level`, so a disabled `debug!` costs one comparison: no host
//! call and no formatting.

use std::cell::RefCell;
use std::fmt::Write as _;

use crate::abi::LogLevel;
use crate::sys;

/// Sends `message` to ig's log at `level` (`gadgetLog`), bypassing the facade.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(all(test, not(target_arch = "wasm32")))]
    test_sink::LINES.with(|lines| lines.borrow_mut().push((level, message.to_owned())));
    #[cfg(not(all(test, not(target_arch = "wasm32"))))]
    // SAFETY: the buffer pointer covers `message` for the call.
    unsafe {
        sys::gadgetLog(level as i32, crate::buffer::encode(message.as_bytes()))
    }
}

/// Sends `args`, formatted, to ig's log at `level`: into a buffer reused by
/// every log call (no allocation once warm; a literal is not copied).
pub fn log_args(level: LogLevel, args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(literal) => log(level, literal),
        None => LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                line.clear();
                let _ = line.write_fmt(args);
                log(level, &line);
            }
            // A log call made while formatting another one.
            Err(_) => log(level, &crate::error::text(args)),
        }),
    }
}

/// Native unit tests log here instead of into the (absent) host.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod test_sink {
    use super::*;

    thread_local! {
        pub(crate) static LINES: RefCell<Vec<(LogLevel, String)>> = const { RefCell::new(Vec::new()) };
    }

    /// Takes what was logged so far on this thread.
    pub(crate) fn take() -> Vec<(LogLevel, String)> {
        LINES.with(|lines| std::mem::take(&mut *lines.borrow_mut()))
    }
}

/// Whether ig would emit a message at `level` (`gadgetShouldLog`).
pub fn should_log(level: LogLevel) -> bool {
    // SAFETY: plain values.
    unsafe { sys::gadgetShouldLog(level as i32) == 1 }
}

/// The `log` facade's logger, writing to ig's log.
#[derive(Debug, Clone, Copy, Default)]
pub struct GadgetLogger;

static LOGGER: GadgetLogger = GadgetLogger;

thread_local! {
    /// Reused for formatting, so a log call does not allocate once warm.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

impl log::Log for GadgetLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        log_args(LogLevel::from(record.level()), *record.args());
    }

    fn flush(&self) {}
}

/// Installs [`GadgetLogger`] as the `log` facade's logger, with the most
/// verbose level ig would emit. Calling it again only refreshes the level.
pub fn init() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(max_level());
}

/// The most verbose level ig's logger emits for this gadget.
fn max_level() -> log::LevelFilter {
    const ORDER: [(LogLevel, log::LevelFilter); 5] = [
        (LogLevel::Trace, log::LevelFilter::Trace),
        (LogLevel::Debug, log::LevelFilter::Debug),
        (LogLevel::Info, log::LevelFilter::Info),
        (LogLevel::Warn, log::LevelFilter::Warn),
        (LogLevel::Error, log::LevelFilter::Error),
    ];
    ORDER
        .into_iter()
        .find(|(level, _)| should_log(*level))
        .map_or(log::LevelFilter::Off, |(_, filter)| filter)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn log_args_formats_into_the_line_and_passes_literals_through() {
        test_sink::take();
        log_args(LogLevel::Warn, format_args!("took {} of {}", 3, "x"));
        log_args(LogLevel::Info, format_args!("literal"));
        log_args(LogLevel::Error, format_args!("{}", "again"));
        assert_eq!(
            test_sink::take(),
            vec![
                (LogLevel::Warn, "took 3 of x".to_owned()),
                (LogLevel::Info, "literal".to_owned()),
                (LogLevel::Error, "again".to_owned()),
            ]
        );
    }
}
