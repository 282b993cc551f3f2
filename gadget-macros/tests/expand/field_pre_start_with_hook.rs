// A pre-start look-up and an on_pre_start hook: look-ups first, then the hook.
#[gadget]
struct Both {
    #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start")]
    namespace: Field<String>,
}

#[gadget]
impl Both {
    #[on_pre_start]
    fn pre_start(&mut self) -> Result<()> {
        Ok(())
    }
}
