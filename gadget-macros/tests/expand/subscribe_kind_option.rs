// `kind` for an argument whose type does not say (an alias), and agreeing with one that does.
type Event<'a> = gadget_api::Data<'a>;

#[gadget]
struct Kinds;

#[gadget]
impl Kinds {
    #[subscribe(datasource = "exec", kind = "data")]
    fn on_exec(&mut self, event: Event<'_>) {}

    #[subscribe(datasource = "open", kind = "packet")]
    fn on_open(&mut self, packet: gadget_api::Packet<'_>) {}
}
