//! Test gadget for the hook attributes (`#[on_init]` .. `#[on_post_stop]`),
//! run by `gadget-host/tests/macro_e2e.rs`.
//!
//! Every hook logs `<hook>: run <n>` (n counts hook runs, including its own).
//! The param `fail` lists hooks (`init,pre_start,start,stop,post_stop`) that
//! return `Err` instead, each with another error type; the param `panic`
//! names one hook that panics instead.
//!
//! It names `gadget_api` through a re-export: `#[gadget(crate = "...")]`.

use std::cell::Cell;
use std::fmt;

use gadget_api::prelude::*;

mod sdk {
    pub(crate) use ::gadget_api as api;
}

#[gadget(crate = "crate::sdk::api")]
struct Hooks {
    /// Hooks to fail, comma-separated.
    #[param(key = "fail", default = "")]
    fail: String,
    /// The hook to panic in.
    #[param(key = "panic", default = "")]
    panic: String,
    /// Counted by `&self` hooks too.
    runs: Cell<u32>,
}

/// A user-defined error type: anything `Display` will do.
#[derive(Debug)]
struct StartFailure {
    runs: u32,
}

impl fmt::Display for StartFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "start refused after {} runs", self.runs)
    }
}

impl Hooks {
    /// Counts a run, logs it, and says whether `hook` is to fail.
    fn run(&self, hook: &str) -> bool {
        self.runs.set(self.runs.get() + 1);
        log::info!("{hook}: run {}", self.runs.get());
        if self.panic == hook {
            panic!("{hook} asked to panic");
        }
        self.fail.split(',').any(|h| h.trim() == hook)
    }
}

#[gadget(crate = "crate::sdk::api")]
impl Hooks {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        if self.run("init") {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "init",
                "init asked to fail",
            ));
        }
        Ok(())
    }

    #[on_pre_start]
    fn pre_start(&self) -> std::result::Result<(), String> {
        if self.run("pre_start") {
            return Err(format!("pre_start asked to fail (fail={})", self.fail));
        }
        Ok(())
    }

    #[on_start]
    fn start(&mut self) -> std::result::Result<(), StartFailure> {
        if self.run("start") {
            return Err(StartFailure {
                runs: self.runs.get(),
            });
        }
        Ok(())
    }

    #[on_stop]
    fn stop(&self) -> std::result::Result<(), &'static str> {
        if self.run("stop") {
            return Err("stop asked to fail");
        }
        Ok(())
    }

    #[on_post_stop]
    fn post_stop(&mut self) -> Result<()> {
        if self.run("post_stop") {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "post_stop",
                "post_stop asked to fail",
            ));
        }
        Ok(())
    }

    /// An ordinary method: not a hook.
    #[allow(dead_code)]
    fn helper(&self) -> u32 {
        self.runs.get()
    }
}
