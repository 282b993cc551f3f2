// Invalid impl: errors and the impl without its gadget attributes, no exports.
#[gadget]
struct Fine;

#[gadget]
impl Fine {
    #[on_start]
    fn start(self) {}

    #[on_strat]
    fn typo(&mut self) {}

    #[subscribe(datasource = "exec", prio = 1)]
    fn on_exec(&mut self, data: Data<'_>) {}
}
