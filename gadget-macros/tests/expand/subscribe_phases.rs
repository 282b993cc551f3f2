// Subscriptions made in gadgetPreStart and gadgetStart (ig then runs their
// callbacks with the instance's context), and one method subscribed twice.
#[gadget]
struct Phases;

#[gadget]
impl Phases {
    #[subscribe(datasource = "exec", phase = "pre_start")]
    #[subscribe(datasource = "open", phase = "start", priority = 1)]
    fn on_event(&mut self, data: Data<'_>) {}

    #[subscribe(datasource = "signal", phase = "init")]
    fn on_signal(&mut self, data: Data<'_>) {}

    #[on_start]
    fn start(&mut self) {}
}
