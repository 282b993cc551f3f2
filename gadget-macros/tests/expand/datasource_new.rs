// Data sources created by the gadget: single (default or explicit) and array.
#[gadget]
struct Created {
    #[datasource(name = "summary", new)]
    summary: DataSource,
    #[datasource(name = "one", new, single)]
    one: DataSource,
    #[datasource(name = "batches", new, array)]
    batches: DataSource,
}

#[gadget]
impl Created {}
