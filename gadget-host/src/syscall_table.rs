//! x86_64 syscall names and numbers (from the `syscalls` crate), as ig's
//! amd64 host uses them.

use std::str::FromStr;

use syscalls::x86_64::Sysno;

/// The name for an id's low 16 bits; unknown ids get `syscall_<hex id>`.
pub fn name(id: u32) -> String {
    let id = id & 0xFFFF;
    match Sysno::new(id as usize) {
        Some(s) => s.name().to_owned(),
        None => format!("syscall_{id:x}"),
    }
}

/// The number for a name.
pub fn id(name: &str) -> Option<i32> {
    Sysno::from_str(name).ok().map(|s| s.id())
}
