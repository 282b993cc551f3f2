// The smallest gadget: no state, no hooks. gadgetAPIVersion and gadgetInit only.
#[gadget]
struct Minimal;

#[gadget]
impl Minimal {}
