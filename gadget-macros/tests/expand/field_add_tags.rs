// Fields added by the gadget, with and without tags, on an existing and a new data source.
#[gadget]
struct Added {
    #[field(datasource = "exec", name = "comm_upper", add, tags = ["columns.width:16", "columns.alignment:left"])]
    upper: Field<String>,
    #[field(datasource = "exec", name = "pid", tags = ["columns.hidden"])]
    pid: Field<u32>,
    #[datasource(name = "summary", new)]
    summary: DataSource,
    #[field(datasource = "summary", add)]
    count: Field<u64>,
}

#[gadget]
impl Added {}
