// Every lifecycle hook, returning () or Result, with &mut self or &self.
#[gadget]
struct Hooks {
    count: u64,
}

#[gadget]
impl Hooks {
    #[on_init]
    fn init(&mut self) -> Result<()> {
        Ok(())
    }

    #[on_pre_start]
    fn pre_start(&mut self) {}

    #[on_start]
    fn start(&self) -> Result<(), String> {
        Ok(())
    }

    #[on_stop]
    fn stop(&mut self) -> gadget_api::Result<()> {
        Ok(())
    }

    #[on_post_stop]
    pub fn post_stop(&mut self) -> () {}

    fn helper(&self) {}
}
