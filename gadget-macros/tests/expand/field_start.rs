// A field looked up in gadgetStart, through a declared data source, next to
// an on_start hook (the export is then the impl's own).
#[gadget]
struct Late {
    #[datasource(name = "exec")]
    exec: DataSource,
    #[field(datasource = "exec", name = "runtime.containerName", phase = "start")]
    container: Field<String>,
}

#[gadget]
impl Late {
    #[on_start]
    fn start(&mut self) {}
}
