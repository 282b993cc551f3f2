//! WASI preview 1 as ig configures it (no args, no environment, no
//! preopens, stdin at EOF, fake clocks, deterministic random), except that
//! stdout and stderr are captured instead of discarded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{Deterministic, HostMonotonicClock, HostWallClock, WasiCtxBuilder};

/// Bytes of stdout (and of stderr) kept per instance.
pub const CAPTURE_LIMIT: usize = 16 << 20;

/// 2022-01-01T00:00:00Z, where wazero's fake wall clock starts.
const FAKE_EPOCH_SECS: u64 = 1_640_995_200;

/// A wall clock that starts at 2022-01-01 and advances 1 ms per read.
#[derive(Default)]
struct FakeWallClock(AtomicU64);

impl HostWallClock for FakeWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        let ms = self.0.fetch_add(1, Ordering::Relaxed);
        Duration::from_secs(FAKE_EPOCH_SECS) + Duration::from_millis(ms)
    }
}

/// A monotonic clock that advances 1 ms per read.
#[derive(Default)]
struct FakeMonotonicClock(AtomicU64);

impl HostMonotonicClock for FakeMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }
    fn now(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed) * 1_000_000
    }
}

/// The WASI context and the pipes holding the module's output.
pub(crate) struct Wasi {
    pub ctx: WasiP1Ctx,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
}

pub(crate) fn new_wasi() -> Wasi {
    let stdout = MemoryOutputPipe::new(CAPTURE_LIMIT);
    let stderr = MemoryOutputPipe::new(CAPTURE_LIMIT);
    let seed: Vec<u8> = (0u8..=255).collect();
    let ctx = WasiCtxBuilder::new()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .wall_clock(FakeWallClock::default())
        .monotonic_clock(FakeMonotonicClock::default())
        .secure_random(Deterministic::new(seed.clone()))
        .insecure_random(Deterministic::new(seed))
        .insecure_random_seed(0)
        .build_p1();
    Wasi {
        ctx,
        stdout,
        stderr,
    }
}
