//! What a gadget usually needs: `use gadget_api::prelude::*;`.

pub use crate::abi::{DataSourceType, FieldKind, MapType, SubscriptionKind, UpdateFlags};
pub use crate::data::{Data, DataArray};
pub use crate::datasource::DataSource;
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::field::{Bytes, Field};
pub use crate::maps::{Map, MapSpec, TypedMap};
pub use crate::packet::{Packet, PacketArray, PacketSingle};
pub use crate::perf::{PerfRead, PerfReader};
pub use gadget_macros::gadget;
pub use log::{self, debug, error, info, trace, warn};
