// A data subscription: the kind follows the argument type.
#[gadget]
struct Sub {
    #[field(datasource = "exec")]
    pid: Field<u32>,
}

#[gadget]
impl Sub {
    #[subscribe(datasource = "exec", priority = 10)]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        self.pid.get(data)?;
        Ok(())
    }
}
