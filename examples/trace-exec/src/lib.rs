//! trace_exec: the user-space half of ig's `trace_exec` gadget.
//!
//! The eBPF program sends each `execve` with its arguments packed into the
//! `args` field, each one NUL-terminated, `args_size` bytes in all and
//! `args_count` of them. This gadget rewrites `args` as one readable string,
//! the arguments joined by a no-break space (U+00A0), as ig's original does,
//! so that an argument containing an ordinary space stays recognisable:
//! `/bin/cat\0/proc/version\0` becomes `/bin/cat\u{a0}/proc/version`.
//!
//! Differences from ig's Go original (tested in `tests/`):
//! - the original never counts arguments (its counter is reset to 0 after each
//!   one), so it ignores `args_count`; this port stops after `args_count`
//!   arguments, as the field promises;
//! - when `args_size` exceeds the field's length, the original reads past the
//!   field's bytes, builds a value longer than the field, and its `fieldSet`
//!   fails, so `args` stays unjoined; this port reads at most what is there;
//! - both drop a last argument that is not NUL-terminated (the eBPF program
//!   truncates long argument lists that way).

use gadget_api::prelude::*;

#[gadget]
struct TraceExec {
    #[field(datasource = "exec")]
    args: Field<Bytes>,
    #[field(datasource = "exec")]
    args_size: Field<u32>,
    #[field(datasource = "exec")]
    args_count: Field<i32>,
    /// The joined arguments of the current event (reused: no allocation per
    /// event; `args` keeps its own read buffer).
    joined: Vec<u8>,
    /// Events seen, reported at stop.
    seen: u64,
}

#[gadget]
impl TraceExec {
    #[on_init]
    fn init(&mut self) {
        log::info!("trace_exec: joining the arguments of every exec event");
    }

    #[subscribe(datasource = "exec")]
    fn on_exec(&mut self, data: Data<'_>) -> Result<()> {
        self.seen += 1;
        let size = self.args_size.get(data)? as usize;
        let count = self.args_count.get(data)?.max(0) as usize;
        let raw = self.args.get(data)?;
        join_args(&raw[..size.min(raw.len())], count, &mut self.joined);
        log::debug!("exec #{}: {} arguments", self.seen, count);
        self.args.set(data, &self.joined)
    }

    #[on_stop]
    fn stop(&mut self) {
        log::info!("trace_exec: {} exec events processed", self.seen);
    }
}

/// What separates arguments in the joined string: U+00A0, NO-BREAK SPACE.
pub const SEPARATOR: &[u8] = "\u{a0}".as_bytes();

/// Joins the first `count` NUL-terminated arguments of `packed` with
/// [`SEPARATOR`] into `out`. An unterminated tail is not an argument.
pub fn join_args(packed: &[u8], count: usize, out: &mut Vec<u8>) {
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

#[cfg(test)]
mod tests {
    use super::join_args;

    fn join(packed: &[u8], count: usize) -> String {
        let mut out = Vec::new();
        join_args(packed, count, &mut out);
        String::from_utf8(out).unwrap().replace('\u{a0}', "_")
    }

    #[test]
    fn joins_terminated_arguments_with_no_break_spaces() {
        assert_eq!(
            join(b"/bin/cat\0/proc/version\0", 2),
            "/bin/cat_/proc/version"
        );
    }

    #[test]
    fn stops_after_count_arguments() {
        assert_eq!(join(b"a\0b\0c\0", 2), "a_b");
        assert_eq!(join(b"a\0b\0c\0", 0), "");
    }

    #[test]
    fn drops_an_unterminated_tail() {
        assert_eq!(join(b"a\0bc", 5), "a");
        assert_eq!(join(b"abc", 5), "");
    }

    #[test]
    fn keeps_spaces_inside_arguments_apart_from_separators() {
        assert_eq!(join(b"echo\0a b\0", 2), "echo_a b");
    }

    #[test]
    fn keeps_empty_arguments() {
        assert_eq!(join(b"a\0\0b\0", 3), "a__b");
    }
}
