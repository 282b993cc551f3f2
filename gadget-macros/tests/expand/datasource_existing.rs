// An existing data source, by explicit name and by the member's name.
#[gadget]
struct Existing {
    #[datasource(name = "exec")]
    exec_ds: DataSource,
    #[datasource]
    open: DataSource,
}

#[gadget]
impl Existing {}
