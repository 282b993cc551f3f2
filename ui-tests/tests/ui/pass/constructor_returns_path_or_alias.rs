// An `#[on_init]` constructor may return `Self`, the type's name, its path
// or an alias, inside a `Result` or not.

mod built {
    use gadget_api::prelude::*;

    #[gadget]
    pub struct G {
        pub runs: u32,
    }

    pub type Made = std::result::Result<crate::built::G, String>;

    #[gadget]
    impl G {
        #[on_init]
        fn new() -> Made {
            Ok(crate::built::G { runs: 0 })
        }
    }
}

fn main() {
    let _ = built::G { runs: 1 }.runs;
}
