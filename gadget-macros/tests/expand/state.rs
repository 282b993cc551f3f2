// Members without a gadget attribute start from Default; attributes of
// other tools stay.
#[gadget]
#[derive(Debug)]
pub struct State {
    /// Documented.
    pub seen: u64,
    #[allow(dead_code)]
    buf: Vec<u8>,
    map: std::collections::BTreeMap<u32, String>,
}

#[gadget]
impl State {}
