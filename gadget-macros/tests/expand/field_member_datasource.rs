// Fields of a data source that a member declares reuse that member.
#[gadget]
struct Reuse {
    #[field(datasource = "exec")]
    pid: Field<u32>,
    #[datasource(name = "exec")]
    exec: DataSource,
}

#[gadget]
impl Reuse {}
