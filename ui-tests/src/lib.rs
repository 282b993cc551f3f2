//! Compile-fail and compile-pass cases of `#[gadget]`, run by
//! `tests/ui.rs` with trybuild: `tests/ui/fail/*.rs` each with the
//! `.stderr` the compiler must print, `tests/ui/pass/*.rs` must build.
//!
//! The `.stderr` files are the stable toolchain's messages; after a
//! deliberate change, regenerate them with `TRYBUILD=overwrite cargo test
//! -p ui-tests` and review the diff.
