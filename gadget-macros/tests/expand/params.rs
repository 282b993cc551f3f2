// Params: key defaulting to the member's name, explicit keys, typed and
// string defaults, negative defaults, and a required param.
#[gadget]
struct Params {
    #[param(default = 16)]
    width: u32,
    #[param(key = "prefix", default = "gadget")]
    label: String,
    #[param(key = "ratio", default = "0.5")]
    ratio: f32,
    #[param(default = -1)]
    offset: i64,
    #[param(default = false)]
    verbose: bool,
    #[param(key = "addr", default = std::net::Ipv4Addr::LOCALHOST)]
    addr: std::net::Ipv4Addr,
    #[param]
    limit: usize,
}

#[gadget]
impl Params {}
