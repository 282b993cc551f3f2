//! examples/trace-open by hand, on ig's raw ABI: the same field reads, the
//! same formatted `summary`, the same host calls, with nothing between the
//! gadget and the `ig` imports. The benchmark's baseline; not an example to
//! follow (every line is `unsafe` and a misspelt field name is silent).
//!
//! Built for wasm32 only (on other targets the crate is empty).

#![cfg(target_arch = "wasm32")]

#[cfg(feature = "count-allocs")]
include!("../../count_allocs.rs");

use std::fmt::Write;

#[link(wasm_import_module = "ig")]
unsafe extern "C" {
    fn gadgetLog(level: i32, msg: i64);
    fn getDataSource(name: i64) -> i32;
    fn dataSourceGetField(ds: i32, name: i64) -> i32;
    fn dataSourceAddField(ds: i32, name: i64, kind: i32) -> i32;
    fn dataSourceSubscribe(ds: i32, kind: i32, priority: i32, cb_id: i64) -> i32;
    fn fieldGetScalar(field: i32, data: i32, kind: i32, err: i32) -> i64;
    fn fieldGetBuffer(field: i32, data: i32, kind: i32, dst: i64) -> i32;
    fn fieldSet(field: i32, data: i32, kind: i32, value: i64) -> i32;
}

const KIND_U32: i32 = 8;
const KIND_I32: i32 = 4;
const KIND_U64: i32 = 9;
const KIND_STRING: i32 = 12;
const LOG_ERROR: i32 = 0;

/// `length << 32 | address`, the empty buffer as 0.
fn ptr(bytes: &[u8]) -> i64 {
    if bytes.is_empty() {
        0
    } else {
        ((bytes.len() as i64) << 32) | bytes.as_ptr() as u32 as i64
    }
}

fn log_error(msg: &str) {
    // SAFETY: the buffer pointer covers `msg` for the call.
    unsafe { gadgetLog(LOG_ERROR, ptr(msg.as_bytes())) }
}

/// Handles and reused buffers.
struct State {
    comm: i32,
    pid: i32,
    uid: i32,
    fname: i32,
    flags: i32,
    ret: i32,
    mntns_id: i32,
    summary: i32,
    comm_buf: Vec<u8>,
    fname_buf: Vec<u8>,
    lossy: [String; 2],
    out: String,
}

static mut STATE: State = State {
    comm: 0,
    pid: 0,
    uid: 0,
    fname: 0,
    flags: 0,
    ret: 0,
    mntns_id: 0,
    summary: 0,
    comm_buf: Vec::new(),
    fname_buf: Vec::new(),
    lossy: [String::new(), String::new()],
    out: String::new(),
};

fn state() -> &'static mut State {
    let state = &raw mut STATE;
    // SAFETY: wasm is single-threaded and ig serialises calls into the
    // module; no two of its calls hold the reference at once.
    unsafe { &mut *state }
}

fn scalar(field: i32, data: i32, kind: i32) -> Option<i64> {
    let mut err: u32 = 0;
    // SAFETY: `err` is a live u32 the host may write.
    let v = unsafe { fieldGetScalar(field, data, kind, &raw mut err as i32) };
    (err == 0).then_some(v)
}

/// Reads a string field into `buf` (grown ×4 from 256 bytes while the host
/// refuses it) and returns its bytes up to the first NUL.
fn bytes(field: i32, data: i32, buf: &mut Vec<u8>) -> Option<&[u8]> {
    if buf.is_empty() {
        buf.resize(256, 0);
    }
    loop {
        // SAFETY: the buffer pointer covers `buf`, writable for the call.
        let n = unsafe { fieldGetBuffer(field, data, KIND_STRING, ptr(buf)) };
        if n >= 0 {
            let got = &buf[..n as usize];
            let end = got.iter().position(|&b| b == 0).unwrap_or(got.len());
            return Some(&buf[..end]);
        }
        if buf.len() >= 1 << 20 {
            return None;
        }
        buf.resize(buf.len() * 4, 0);
    }
}

/// The bytes as text, invalid UTF-8 replaced by U+FFFD in `lossy`.
fn text<'a>(bytes: &'a [u8], lossy: &'a mut String) -> &'a str {
    match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            lossy.clear();
            for chunk in bytes.utf8_chunks() {
                lossy.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    lossy.push(char::REPLACEMENT_CHARACTER);
                }
            }
            lossy
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn gadgetAPIVersion() -> i64 {
    1
}

#[unsafe(no_mangle)]
pub extern "C" fn gadgetInit() -> i32 {
    let s = state();
    // SAFETY: every buffer pointer covers its bytes for the call.
    unsafe {
        let ds = getDataSource(ptr(b"open"));
        if ds == 0 {
            log_error("data source `open` not found");
            return 1;
        }
        let field = |name: &[u8]| dataSourceGetField(ds, ptr(name));
        s.comm = field(b"comm");
        s.pid = field(b"pid");
        s.uid = field(b"uid");
        s.fname = field(b"fname");
        s.flags = field(b"flags");
        s.ret = field(b"ret");
        s.mntns_id = field(b"mntns_id");
        s.summary = dataSourceAddField(ds, ptr(b"summary"), KIND_STRING);
        let all = [
            s.comm, s.pid, s.uid, s.fname, s.flags, s.ret, s.mntns_id, s.summary,
        ];
        if all.contains(&0) {
            log_error("a field of `open` is missing, or `summary` could not be added");
            return 1;
        }
        if dataSourceSubscribe(ds, 1, 0, 0) != 0 {
            log_error("cannot subscribe to `open`");
            return 1;
        }
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn dataSourceCallback(_cb_id: i64, _ds: i32, data: i32) {
    if on_open(state(), data).is_none() {
        log_error("open: a field could not be read or written");
    }
}

fn on_open(s: &mut State, data: i32) -> Option<()> {
    let pid = scalar(s.pid, data, KIND_U32)? as u32;
    let uid = scalar(s.uid, data, KIND_U32)? as u32;
    let flags = scalar(s.flags, data, KIND_U32)? as u32;
    let ret = scalar(s.ret, data, KIND_I32)? as i32;
    let mntns_id = scalar(s.mntns_id, data, KIND_U64)? as u64;
    let [lossy_comm, lossy_fname] = &mut s.lossy;
    let comm = text(bytes(s.comm, data, &mut s.comm_buf)?, lossy_comm);
    let fname = text(bytes(s.fname, data, &mut s.fname_buf)?, lossy_fname);
    s.out.clear();
    write!(
        s.out,
        "{comm}[{pid}] uid={uid} open(\"{fname}\", {flags:#o}) = {ret} mntns={mntns_id}"
    )
    .ok()?;
    // SAFETY: the buffer pointer covers `out` for the call; kind 12 copies.
    let rc = unsafe { fieldSet(s.summary, data, KIND_STRING, ptr(s.out.as_bytes())) };
    (rc == 0).then_some(())
}
