// A consumed data source: later operators do not receive it.
#[gadget]
struct Consumer {
    #[datasource(name = "exec", unreference)]
    exec: DataSource,
}

#[gadget]
impl Consumer {}
