//! Perf readers over perf-event-array maps, fed by the test.

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

/// A reader.
#[derive(Debug, Clone)]
pub(crate) struct PerfReader {
    pub map: MapId,
    pub per_cpu_size: u32,
    pub overwritable: bool,
    pub paused: bool,
    pub closed: bool,
}
