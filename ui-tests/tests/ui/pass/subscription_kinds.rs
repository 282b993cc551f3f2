// Data, array and packet subscriptions, by argument type and by `kind`,
// in every phase, with any priority; one method subscribed twice.
use gadget_api::prelude::*;

type Event<'a> = Data<'a>;

#[gadget]
struct Kinds {
    #[datasource(name = "batches", new, array)]
    batches: DataSource,
    #[datasource(name = "exec")]
    exec: DataSource,
    seen: u64,
}

#[gadget]
impl Kinds {
    #[subscribe(datasource = "exec", priority = -100)]
    fn on_data(&mut self, _data: Data<'_>) {
        self.seen += 1;
    }

    #[subscribe(datasource = "batches", priority = 2147483647)]
    fn on_array(&mut self, array: DataArray<'_>) -> Result<()> {
        for _ in array {}
        Ok(())
    }

    #[subscribe(datasource = "exec", kind = "packet", phase = "pre_start")]
    #[subscribe(datasource = "open", phase = "start")]
    fn on_packet(&self, _packet: Packet<'_>) {}

    #[subscribe(datasource = "signal", kind = "data")]
    fn on_alias(&mut self, _event: Event<'_>) -> std::result::Result<(), std::fmt::Error> {
        let _ = (&self.batches, &self.exec);
        Ok(())
    }
}

fn main() {}
