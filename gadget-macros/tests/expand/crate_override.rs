// `crate = "..."`: generated paths go through a re-export.
#[gadget(crate = "my_sdk::gadget_api")]
struct Renamed {
    #[field(datasource = "exec")]
    pid: Field<u32>,
}

#[gadget(crate = "my_sdk::gadget_api")]
impl Renamed {
    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) {}
}
