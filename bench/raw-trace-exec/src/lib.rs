//! examples/trace-exec by hand, on ig's raw ABI: the same reads, the same
//! joined `args`, the same logs and host calls, with nothing between the
//! gadget and the `ig` imports. The benchmark's baseline; not an example to
//! follow.
//!
//! Built for wasm32 only (on other targets the crate is empty).

#![cfg(target_arch = "wasm32")]

#[cfg(feature = "count-allocs")]
include!("../../count_allocs.rs");

use std::fmt::Write;

#[link(wasm_import_module = "ig")]
unsafe extern "C" {
    fn gadgetLog(level: i32, msg: i64);
    fn gadgetShouldLog(level: i32) -> i32;
    fn getDataSource(name: i64) -> i32;
    fn dataSourceGetField(ds: i32, name: i64) -> i32;
    fn dataSourceSubscribe(ds: i32, kind: i32, priority: i32, cb_id: i64) -> i32;
    fn fieldGetScalar(field: i32, data: i32, kind: i32, err: i32) -> i64;
    fn fieldGetBuffer(field: i32, data: i32, kind: i32, dst: i64) -> i32;
    fn fieldSet(field: i32, data: i32, kind: i32, value: i64) -> i32;
}

const KIND_I32: i32 = 4;
const KIND_U32: i32 = 8;
const KIND_STRING: i32 = 12;
const KIND_BYTES: i32 = 14;
const LOG_ERROR: i32 = 0;
const LOG_INFO: i32 = 2;
const LOG_DEBUG: i32 = 3;

/// What separates arguments in the joined string: U+00A0, NO-BREAK SPACE.
const SEPARATOR: &[u8] = "\u{a0}".as_bytes();

/// `length << 32 | address`, the empty buffer as 0.
fn ptr(bytes: &[u8]) -> i64 {
    if bytes.is_empty() {
        0
    } else {
        ((bytes.len() as i64) << 32) | bytes.as_ptr() as u32 as i64
    }
}

fn log(level: i32, msg: &str) {
    // SAFETY: the buffer pointer covers `msg` for the call.
    unsafe { gadgetLog(level, ptr(msg.as_bytes())) }
}

/// Handles, reused buffers and the event count.
struct State {
    args: i32,
    args_size: i32,
    args_count: i32,
    debug: bool,
    raw: Vec<u8>,
    joined: Vec<u8>,
    message: String,
    seen: u64,
}

static mut STATE: State = State {
    args: 0,
    args_size: 0,
    args_count: 0,
    debug: false,
    raw: Vec::new(),
    joined: Vec::new(),
    message: String::new(),
    seen: 0,
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

/// Reads a bytes field into `buf` (grown ×4 from 256 bytes while the host
/// refuses it) and returns exactly the bytes the host reports.
fn bytes(field: i32, data: i32, buf: &mut Vec<u8>) -> Option<&[u8]> {
    if buf.is_empty() {
        buf.resize(256, 0);
    }
    loop {
        // SAFETY: the buffer pointer covers `buf`, writable for the call.
        let n = unsafe { fieldGetBuffer(field, data, KIND_BYTES, ptr(buf)) };
        if n >= 0 {
            return Some(&buf[..n as usize]);
        }
        if buf.len() >= 1 << 20 {
            return None;
        }
        buf.resize(buf.len() * 4, 0);
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
        s.debug = gadgetShouldLog(LOG_DEBUG) == 1;
        let ds = getDataSource(ptr(b"exec"));
        if ds == 0 {
            log(LOG_ERROR, "data source `exec` not found");
            return 1;
        }
        s.args = dataSourceGetField(ds, ptr(b"args"));
        s.args_size = dataSourceGetField(ds, ptr(b"args_size"));
        s.args_count = dataSourceGetField(ds, ptr(b"args_count"));
        if [s.args, s.args_size, s.args_count].contains(&0) {
            log(LOG_ERROR, "a field of `exec` is missing");
            return 1;
        }
        log(
            LOG_INFO,
            "trace_exec: joining the arguments of every exec event",
        );
        if dataSourceSubscribe(ds, 1, 0, 0) != 0 {
            log(LOG_ERROR, "cannot subscribe to `exec`");
            return 1;
        }
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn gadgetStop() -> i32 {
    let s = state();
    s.message.clear();
    let _ = write!(s.message, "trace_exec: {} exec events processed", s.seen);
    log(LOG_INFO, &s.message);
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn dataSourceCallback(_cb_id: i64, _ds: i32, data: i32) {
    if on_exec(state(), data).is_none() {
        log(LOG_ERROR, "exec: a field could not be read or written");
    }
}

fn on_exec(s: &mut State, data: i32) -> Option<()> {
    s.seen += 1;
    let size = scalar(s.args_size, data, KIND_U32)? as u32 as usize;
    let count = (scalar(s.args_count, data, KIND_I32)? as i32).max(0) as usize;
    let raw = bytes(s.args, data, &mut s.raw)?;
    join_args(&raw[..size.min(raw.len())], count, &mut s.joined);
    if s.debug {
        s.message.clear();
        let _ = write!(s.message, "exec #{}: {} arguments", s.seen, count);
        log(LOG_DEBUG, &s.message);
    }
    // SAFETY: the buffer pointer covers `joined` for the call; kind 12 copies.
    let rc = unsafe { fieldSet(s.args, data, KIND_STRING, ptr(&s.joined)) };
    (rc == 0).then_some(())
}

/// Joins the first `count` NUL-terminated arguments of `packed` with
/// [`SEPARATOR`] into `out`. An unterminated tail is not an argument.
fn join_args(packed: &[u8], count: usize, out: &mut Vec<u8>) {
    out.clear();
    let Some(last_nul) = packed.iter().rposition(|&b| b == 0) else {
        return;
    };
    for (i, arg) in packed[..last_nul]
        .split(|&b| b == 0)
        .take(count)
        .enumerate()
    {
        if i > 0 {
            out.extend_from_slice(SEPARATOR);
        }
        out.extend_from_slice(arg);
    }
}
