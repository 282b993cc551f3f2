// A constructor may return Self directly.
#[gadget]
struct Built;

#[gadget]
impl Built {
    #[on_init]
    fn new() -> Built {
        Built
    }
}
