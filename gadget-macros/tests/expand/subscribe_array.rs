// An array subscription with a negative priority, through a declared data source.
#[gadget]
struct Arr {
    #[datasource(name = "batches")]
    batches: DataSource,
}

#[gadget]
impl Arr {
    #[subscribe(datasource = "batches", priority = -5)]
    fn on_batch(&mut self, array: DataArray<'_>) {}
}
