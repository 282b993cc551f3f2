// A field added by another operator: looked up in gadgetPreStart. The impl
// has no pre-start hook, so it hands gadgetPreStart to the struct's bridge,
// which keeps it.
#[gadget]
struct Enriched {
    #[field(datasource = "exec", name = "k8s.namespace", phase = "pre_start", tags = ["columns.width:20"])]
    namespace: Field<String>,
    #[field(datasource = "exec", name = "k8s.podName", phase = "pre_start")]
    pod: Field<String>,
}

#[gadget]
impl Enriched {
    #[on_stop]
    fn stop(&mut self) {}
}
