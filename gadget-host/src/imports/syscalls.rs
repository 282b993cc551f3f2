//! `getSyscallName`, `getSyscallID`, `getSyscallDeclaration` (x86_64 tables).

use wasmtime::Caller;

use super::{Registrar, split};
use crate::spec::SYSCALL_DECL_RECORD_SIZE;
use crate::state::HostState;
use crate::{HostError, memory, syscall_table};

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "getSyscallName",
        |mut c: Caller<'_, HostState>, id: i32, dst: i64| -> i32 {
            let (mem, st) = split(&mut c);
            let name = syscall_table::name(id as u32);
            match memory::write(mem, dst, name.as_bytes()) {
                Ok(()) => 0,
                Err(e) => {
                    st.warn("getSyscallName", format!("`{name}`: {e}"));
                    1
                }
            }
        },
    )?;
    r.func(
        "getSyscallID",
        |mut c: Caller<'_, HostState>, name: i64| -> i32 {
            let (mem, st) = split(&mut c);
            match memory::read_string(mem, name) {
                Ok(n) => syscall_table::id(&n).unwrap_or(-1),
                Err(e) => {
                    st.warn("getSyscallID", e);
                    -1
                }
            }
        },
    )?;
    r.func(
        "getSyscallDeclaration",
        |mut c: Caller<'_, HostState>, name: i64, dst: i64| -> i32 {
            let (mem, st) = split(&mut c);
            let asked = match memory::read(mem, name) {
                Ok(b) => b.to_vec(),
                Err(e) => {
                    st.warn("getSyscallDeclaration", e);
                    return 1;
                }
            };
            let text = String::from_utf8_lossy(&asked);
            let Some(decl) = st.spec.syscall_decls.iter().find(|d| d.name == text) else {
                st.warn(
                    "getSyscallDeclaration",
                    format!("no declaration for syscall `{text}`"),
                );
                return 1;
            };
            let record: [u8; SYSCALL_DECL_RECORD_SIZE] = decl.encode(&asked);
            match memory::write(mem, dst, &record) {
                Ok(()) => 0,
                Err(e) => {
                    st.warn("getSyscallDeclaration", e);
                    1
                }
            }
        },
    )
}
