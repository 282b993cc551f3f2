//! The runtime that `#[gadget]`'s generated code calls. Not a public API:
//! names and signatures here may change in any release.
//!
//! Generated code reaches it as `::gadget_api::__private::…` (or through the
//! path given with `#[gadget(crate = "…")]`).

mod callbacks;
mod cell;
mod checks;
mod hooks;
mod members;
mod params;

pub use callbacks::*;
pub use cell::GadgetCell;
pub use checks::*;
pub use hooks::*;
pub use members::*;
pub use params::*;

pub use crate::abi::{DataSourceType, SubscriptionKind};
pub use crate::data::{Data, DataArray};
pub use crate::datasource::DataSource as __DataSource;
pub use crate::error::Error;
pub use crate::field::Field;
pub use crate::packet::Packet;
pub use std::result::Result as __Result;
pub use std::thread_local;

/// What `gadgetAPIVersion` returns.
pub const API_VERSION: i64 = 1;

/// The phase in which a look-up or subscription is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `gadgetInit`: the eBPF layer's data sources and fields exist.
    Init,
    /// `gadgetPreStart`: fields added by other operators exist too.
    PreStart,
    /// `gadgetStart`: eBPF maps and the container filter exist too.
    Start,
}
