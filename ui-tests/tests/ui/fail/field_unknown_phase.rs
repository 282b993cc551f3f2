use gadget_api::prelude::*;

#[gadget]
struct G {
    #[field(datasource = "exec", name = "k8s.namespace", phase = "prestart")]
    ns: Field<String>,
}

#[gadget]
impl G {}

fn main() {}
