//! Test gadget for `#[param]`: every option, run by
//! `gadget-host/tests/macro_e2e.rs`.
//!
//! Needs the params `threshold` and `max-count` (no default); logs every
//! param's value in `gadgetInit` as one line `params: key=value ...`.

use std::net::Ipv4Addr;

use gadget_api::prelude::*;

#[gadget]
struct Params {
    /// The key defaults to the member's name (`width`); a typed default.
    #[param(default = 16)]
    width: u32,
    /// A string default.
    #[param(key = "level", default = "info")]
    level: String,
    /// A string default parsed like a value given to ig.
    #[param(key = "ratio", default = "0.5")]
    ratio: f32,
    /// A typed default that is an expression.
    #[param(key = "listen", default = Ipv4Addr::LOCALHOST)]
    listen: Ipv4Addr,
    #[param(key = "verbose", default = false)]
    verbose: bool,
    /// Required; the key defaults to the member's name.
    #[param]
    threshold: f64,
    /// Required, under another key.
    #[param(key = "max-count")]
    max: i64,
    /// Plain state next to params.
    logged: bool,
}

#[gadget]
impl Params {
    #[on_init]
    fn init(&mut self) {
        log::info!(
            "params: width={} level={} ratio={} listen={} verbose={} threshold={} max-count={}",
            self.width,
            self.level,
            self.ratio,
            self.listen,
            self.verbose,
            self.threshold,
            self.max
        );
        self.logged = true;
    }

    #[on_stop]
    fn stop(&self) {
        log::info!("stop: logged={}", self.logged);
    }
}
