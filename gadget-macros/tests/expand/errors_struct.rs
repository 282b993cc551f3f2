// Invalid struct: every error is reported, the struct is kept without its
// gadget attributes, and a skeleton keeps the impl block free of follow-on errors.
#[gadget]
struct Broken {
    #[field(datasource = "exec", nme = "pid")]
    pid: Field<u32>,
    #[param(key = "x")]
    #[field(datasource = "exec")]
    both: u32,
    #[datasource(name = "exec", array)]
    exec: DataSource,
    #[fields(datasource = "exec")]
    typo: Field<u8>,
}

#[gadget]
impl Broken {
    #[on_start]
    fn start(&mut self) {}
}
