use gadget_api::prelude::*;

#[gadget]
struct First;

#[gadget]
impl First {}

mod more {
    use gadget_api::prelude::*;

    #[gadget]
    pub struct Second;

    #[gadget]
    impl Second {}
}

fn main() {}
