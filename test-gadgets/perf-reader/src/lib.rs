//! Test gadget for perf records, run by `gadget-host/tests/perf_records.rs`.
//!
//! Expects a perf event array `events` in the eBPF program. `gadgetStart`
//! opens a reader on it, logs `reader ready` (ig's own perf test gets its
//! record from the `write()` of such a log call), then reads one record and
//! logs it as `events: <hex>`. It then creates a perf event array
//! `per_container` with `newMap` (as ig's traceloop does per container),
//! opens a reader on it and logs the record read from it the same way.
//! Reads block in ig until a record arrives: the host must have one ready.

use gadget_api::abi::MapType;
use gadget_api::maps::{Map, MapSpec};
use gadget_api::perf::{PerfRead, PerfReader};
use gadget_api::prelude::*;

#[gadget]
struct PerfCheck {
    readers: Vec<PerfReader>,
    maps: Vec<Map>,
}

/// Reads one record of up to 16 bytes and logs it as hex.
fn read_one(map: &str, reader: &PerfReader) -> Result<()> {
    let mut buf = [0u8; 16];
    match reader.read(&mut buf)? {
        PerfRead::Record => {
            let len = buf.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
            let hex: String = buf[..len].iter().map(|b| format!("{b:02x}")).collect();
            log::info!("{map}: {hex}");
        }
        PerfRead::Empty => log::info!("{map}: empty"),
    }
    Ok(())
}

#[gadget]
impl PerfCheck {
    #[on_start]
    fn start(&mut self) -> Result<()> {
        let events = Map::get("events")?;
        let reader = PerfReader::new(&events, 4096, false)?;
        log::info!("reader ready");
        read_one("events", &reader)?;
        self.readers.push(reader);
        self.maps.push(events);

        let spec = MapSpec {
            name: "per_container".into(),
            map_type: MapType::PERF_EVENT_ARRAY,
            key_size: 4,
            value_size: 4,
            max_entries: 0,
        };
        let created = Map::create(&spec)?;
        let reader = PerfReader::new(&created, 4096, false)?;
        read_one("per_container", &reader)?;
        self.readers.push(reader);
        self.maps.push(created);
        Ok(())
    }
}
