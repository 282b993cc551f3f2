// Fields looked up in gadgetInit: the name defaults to the member's (raw
// identifiers lose their r#); a data source no member declares is looked up once.
#[gadget]
struct Lookups {
    #[field(datasource = "exec")]
    comm: Field<String>,
    #[field(datasource = "exec", name = "pid")]
    process: Field<u32>,
    #[field(datasource = "exec")]
    r#type: Field<u8>,
    #[field(datasource = "open", name = "fname", phase = "init")]
    file: Field<Bytes>,
}

#[gadget]
impl Lookups {}
