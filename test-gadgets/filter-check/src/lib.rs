//! Test gadget for the container filter (`shouldDiscardMntnsID`), run by
//! `gadget-host/tests/filter.rs`.
//!
//! Expects a single data source `events` with a `mntns_id` uint64 field.
//! Every event whose mount namespace the filter keeps is forwarded on the
//! created data source `kept`; every other one is counted and logged as
//! dropped. `gadgetInit` and `gadgetStart` log what the filter says of
//! mount namespaces 777 and 555 (before `gadgetStart` no filter is active).

use gadget_api::filter::should_discard_mntns_id;
use gadget_api::prelude::*;

#[gadget]
struct FilterCheck {
    #[datasource(name = "kept", new)]
    kept: DataSource,
    #[field(datasource = "events")]
    mntns_id: Field<u64>,
    #[field(datasource = "kept", name = "mntns_id", add)]
    kept_mntns_id: Field<u64>,
    dropped: u64,
}

fn report(hook: &str) {
    log::info!(
        "{hook}: discard 777={} 555={}",
        should_discard_mntns_id(777),
        should_discard_mntns_id(555)
    );
}

#[gadget]
impl FilterCheck {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        report("init");
        Ok(())
    }

    #[on_start]
    fn start(&mut self) -> Result<()> {
        report("start");
        Ok(())
    }

    #[subscribe(datasource = "events")]
    fn on_event(&mut self, data: Data<'_>) -> Result<()> {
        let id = self.mntns_id.get(data)?;
        if should_discard_mntns_id(id) {
            self.dropped += 1;
            log::info!("dropped mntns {id}");
            return Ok(());
        }
        let packet = self.kept.new_packet_single()?;
        self.kept_mntns_id.set(packet.data(), id)?;
        packet.emit()
    }

    #[on_stop]
    fn stop(&mut self) -> Result<()> {
        log::info!("stop: {} dropped", self.dropped);
        Ok(())
    }
}
