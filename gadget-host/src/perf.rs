//! Perf readers over perf-event-array maps, and the records the test (the
//! emulated eBPF program) writes into them.
//!
//! As in ig, each reader has its own buffer: a record written to a map goes
//! to every open, unpaused reader of that map at that moment, and is lost
//! when there is none. So a record is written at a point the test chooses
//! ([`PerfWhen`]): now, when the next reader of the map is created, or when
//! the guest next logs (ig's own perf test gets its record from the
//! `write()` of the gadget's log call).

use std::collections::VecDeque;

use crate::maps::MapId;

/// Index of a reader in the instance's arena.
pub(crate) type ReaderId = usize;

/// A record in a perf buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerfRecord {
    /// A sample written by the eBPF program on a CPU.
    Sample {
        /// CPU it was written on.
        cpu: u32,
        /// Raw sample bytes.
        data: Vec<u8>,
    },
    /// The kernel lost samples: `perfReaderRead` writes nothing and returns 0.
    Lost {
        /// CPU.
        cpu: u32,
        /// Number of lost samples.
        count: u64,
    },
}

/// When a scheduled perf record is written into its map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerfWhen {
    /// Right away, into the readers that exist now.
    Now,
    /// Just after the next reader of the map is created (`newPerfReader`
    /// returns to the guest holding it, the record already in its buffer).
    ReaderCreated,
    /// Just after the guest's next `gadgetLog` call (whatever its level),
    /// while the hook or callback that logged still runs.
    NextLog,
}

/// A record waiting for its trigger.
#[derive(Debug, Clone)]
pub(crate) struct ScheduledPerf {
    /// The map's name: declared, or given to `newMap` (the map may not
    /// exist yet when the record is scheduled).
    pub map: String,
    pub when: PerfWhen,
    pub record: PerfRecord,
}

/// A reader.
#[derive(Debug, Clone)]
pub(crate) struct PerfReader {
    pub map: MapId,
    pub per_cpu_size: u32,
    pub overwritable: bool,
    pub paused: bool,
    pub closed: bool,
    /// Records written while it was open and not paused, not read yet.
    pub queue: VecDeque<PerfRecord>,
}

impl PerfReader {
    /// Whether a record written now reaches it (a paused reader's buffer
    /// is not written, as with cilium/ebpf's `Pause`).
    pub fn receives(&self, map: MapId) -> bool {
        self.map == map && !self.closed && !self.paused
    }
}
