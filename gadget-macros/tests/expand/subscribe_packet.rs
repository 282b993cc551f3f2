// A packet subscription with the default priority (0).
#[gadget]
struct Pkt;

#[gadget]
impl Pkt {
    #[subscribe(datasource = "exec")]
    fn on_packet(&self, packet: Packet<'_>) {}
}
