// Generated names cannot clash with the user's items or members.
#![allow(non_upper_case_globals, non_camel_case_types, dead_code)]
use gadget_api::prelude::*;

const cell: u8 = 0;
const rc: u8 = 1;
const phase: u8 = 2;
const gadget: u8 = 3;
const event: u8 = 4;
const callback_id: u8 = 5;
struct handle;
struct name;
static __GADGET: u8 = 0;

#[gadget]
struct G {
    #[field(datasource = "exec")]
    pid: Field<u32>,
    #[field(datasource = "exec", phase = "start")]
    uid: Field<u32>,
    #[param(default = 3)]
    default: u32,
    state: Vec<u8>,
}

#[gadget]
impl G {
    #[on_init]
    fn init(&mut self) {}

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, _data: Data<'_>) {}
}

fn main() {}
