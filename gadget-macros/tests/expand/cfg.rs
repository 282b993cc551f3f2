// `#[cfg]` / `#[cfg_attr]`: every generated statement, field and arm of a
// member, hook or subscription carries its cfg; alternatives are kept.
#[gadget]
struct Configured {
    #[cfg(feature = "uid")]
    #[field(datasource = "exec")]
    uid: Field<u32>,
    #[cfg_attr(feature = "level", param(default = 1))]
    level: u32,
}

#[gadget]
impl Configured {
    #[cfg(feature = "loud")]
    #[on_start]
    fn start(&mut self) {}

    #[cfg(not(feature = "loud"))]
    #[on_start]
    fn start(&mut self) {}

    #[cfg_attr(feature = "exec", subscribe(datasource = "exec"))]
    fn on_exec(&mut self, data: Data<'_>) {}
}
