// `#[gadget(datasource = "exec")]`: fields and subscriptions without their
// own data source use the struct's; the impl block gets it from the bridge.
#[gadget(datasource = "exec")]
struct Exec {
    #[field]
    pid: Field<u32>,
    #[field(datasource = "open", name = "fname")]
    file: Field<String>,
}

#[gadget]
impl Exec {
    #[subscribe]
    fn on_exec(&mut self, data: Data<'_>) {}
}
