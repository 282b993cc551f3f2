// The struct and its impl block may live in different modules.
mod state {
    use gadget_api::prelude::*;

    #[gadget]
    pub struct Split {
        #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start")]
        pub ns: Field<String>,
    }
}

mod hooks {
    use gadget_api::prelude::*;

    #[gadget]
    impl super::state::Split {
        #[subscribe(datasource = "exec")]
        fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
            let _ = self.ns.get(data)?;
            Ok(())
        }
    }
}

fn main() {}
