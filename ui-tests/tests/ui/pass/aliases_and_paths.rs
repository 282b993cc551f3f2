// Type aliases and paths of the real types are accepted; checks are by
// trait bound, not by name.
use gadget_api::prelude::*;

type Res = gadget_api::Result<()>;
type HookResult = std::result::Result<(), String>;
type Pid = Field<u32>;
type Source = DataSource;
type Event<'a> = Data<'a>;
type Pkt<'a> = Packet<'a>;

#[gadget]
struct G {
    #[datasource(name = "exec")]
    exec: Source,
    #[field(datasource = "exec")]
    pid: Pid,
    #[field(datasource = "exec")]
    comm: gadget_api::Field<String>,
}

#[gadget]
impl G {
    #[on_start]
    fn start(&mut self) -> HookResult {
        let _ = (&self.exec, &self.pid, &self.comm);
        Ok(())
    }

    #[on_stop]
    fn stop(&self) -> Res {
        Ok(())
    }

    #[subscribe(datasource = "exec", kind = "data")]
    fn on_exec(&mut self, _data: Event<'_>) -> HookResult {
        Ok(())
    }

    /// An alias without `kind`: its type says the kind.
    #[subscribe(datasource = "exec")]
    fn on_packet(&mut self, _packet: Pkt<'_>) {}
}

fn main() {}
