// Not a struct: the error and the item unchanged.
#[gadget]
enum NotAGadget {
    A,
    B,
}
