// Only gadgetStop is exported besides the mandatory two.
#[gadget]
struct StopOnly {}

#[gadget]
impl StopOnly {
    #[on_stop]
    fn stop(&mut self) {}
}
