//! The per-instance handle table.
//!
//! 0 is never a handle; at most [`MAX_HANDLES`] are open at once; new numbers
//! are taken after the last one given, over the whole u32 range, skipping 0
//! and numbers in use, so numbers keep growing. After `gadgetStop` returns the
//! table is dropped: look-ups fail and creating a handle traps.
//!
//! Data-array element handles (`0x8000_0000 | index << 16 | array_handle`)
//! are not table entries: see [`ElementHandle`].

use std::collections::HashMap;

use crate::datasource::{PacketId, Record, SourceId};
use crate::maps::MapId;
use crate::perf::ReaderId;

/// Most handles open at once.
pub const MAX_HANDLES: usize = 4096;

/// Where a data handle's record lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataLoc {
    /// The record of a single packet.
    Packet(PacketId),
    /// Element `index` of an array packet.
    Element(PacketId, usize),
}

/// How a map handle was obtained: decides whether `mapRelease` accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapOrigin {
    /// `newMap`: closed by `mapRelease`, leaks through `releaseHandle`.
    New,
    /// `getMap`: a map of the gadget's eBPF program.
    Gadget,
    /// A map-of-maps `mapLookup` result.
    Inner,
}

/// What a handle names.
#[derive(Debug)]
pub(crate) enum Entry {
    DataSource(SourceId),
    Field(SourceId, usize),
    /// A packet: usable as data (single) or data array (array).
    Packet(PacketId),
    /// A data handle given to a callback.
    Data(DataLoc),
    /// A data-array handle given to a callback.
    Array(PacketId),
    /// An element from `dataArrayNew`, not yet appended: it owns its record.
    NewElement {
        record: Record,
    },
    Map {
        id: MapId,
        origin: MapOrigin,
    },
    PerfReader(ReaderId),
}

/// Why a handle could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllocError {
    /// 4096 handles are open: ig's creating call returns 0.
    Full,
    /// The table was dropped after `gadgetStop`: ig traps.
    Dropped,
}

/// The table.
#[derive(Debug, Default)]
pub(crate) struct HandleTable {
    entries: HashMap<u32, Entry>,
    last: u32,
    dropped: bool,
}

impl HandleTable {
    /// Creates a handle for `entry`.
    pub fn alloc(&mut self, entry: Entry) -> Result<u32, AllocError> {
        if self.dropped {
            return Err(AllocError::Dropped);
        }
        if self.entries.len() >= MAX_HANDLES {
            return Err(AllocError::Full);
        }
        let mut candidate = self.last;
        loop {
            candidate = candidate.wrapping_add(1);
            if candidate != 0 && !self.entries.contains_key(&candidate) {
                break;
            }
        }
        self.last = candidate;
        self.entries.insert(candidate, entry);
        Ok(candidate)
    }

    pub fn get(&self, handle: u32) -> Option<&Entry> {
        self.entries.get(&handle)
    }

    pub fn get_mut(&mut self, handle: u32) -> Option<&mut Entry> {
        self.entries.get_mut(&handle)
    }

    pub fn remove(&mut self, handle: u32) -> Option<Entry> {
        self.entries.remove(&handle)
    }

    /// Number of open handles.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Drops the whole table (after `gadgetStop`).
    pub fn drop_all(&mut self) {
        self.entries.clear();
        self.dropped = true;
    }

    pub fn is_dropped(&self) -> bool {
        self.dropped
    }

    /// Makes the next handle number `next` (tests of number wrap-around).
    pub fn set_next(&mut self, next: u32) {
        self.last = next.wrapping_sub(1);
    }
}

/// A data-array element handle as `dataArrayGet` returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementHandle {
    /// The handle of the array, as decoded (`h & 0xFFFF`).
    pub array: u32,
    /// The element index.
    pub index: u32,
}

impl ElementHandle {
    /// Flag bit that marks an element handle.
    pub const FLAG: u32 = 0x8000_0000;
    /// Highest index `dataArrayGet` encodes.
    pub const MAX_INDEX: u32 = 32767;

    /// Encodes like ig: `0x8000_0000 | index << 16 | array`. The array handle
    /// is OR-ed in whole: above 0xFFFF it corrupts the index (ig's bug).
    pub fn encode(array: u32, index: u32) -> u32 {
        Self::FLAG | (index << 16) | array
    }

    /// Decodes a handle with the flag bit set.
    pub fn decode(handle: u32) -> Option<Self> {
        (handle & Self::FLAG != 0).then_some(ElementHandle {
            array: handle & 0xFFFF,
            index: (handle & 0x7FFF_FFFF) >> 16,
        })
    }
}
