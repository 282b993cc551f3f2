// An #[on_init] without self builds the value itself.
#[gadget]
struct Built {
    buf: Vec<u8>,
}

#[gadget]
impl Built {
    #[on_init]
    fn new() -> Result<Self> {
        Ok(Self { buf: vec![0; 64] })
    }
}
