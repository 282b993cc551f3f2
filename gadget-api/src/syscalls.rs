//! Syscall names, numbers and declarations of the host architecture.

use crate::buffer::{self, Grown};
use crate::error::{Error, ErrorKind, Result, subject};
use crate::sys;

/// The size of the declaration record `getSyscallDeclaration` writes.
pub const DECLARATION_SIZE: usize = 252;
/// The most parameters a syscall declaration has.
pub const MAX_PARAMS: usize = 6;
const NAME_LEN: usize = 32;
const PARAM_RECORD: usize = NAME_LEN + 4;

/// The name of syscall number `id` (`getSyscallName`); ig names unknown
/// numbers `syscall_<hex>`.
pub fn name(id: u16) -> Result<String> {
    let mut buf = Vec::with_capacity(64);
    match buffer::read_growing(&mut buf, 4096, |dst| {
        // SAFETY: the buffer pointer covers `dst` for the call.
        unsafe { sys::getSyscallName(id as i32, buffer::encode_mut(dst)) == 0 }
    }) {
        Grown::Fits(_) => Ok(String::from_utf8_lossy(buffer::until_nul(&buf)).into_owned()),
        Grown::Failed { .. } => Err(Error::new(
            ErrorKind::HostRefused,
            "getSyscallName",
            crate::error::text(format_args!("the host has no name for syscall number {id}")),
        )),
    }
}

/// The number of syscall `name` (`getSyscallID`).
pub fn id(name: &str) -> Result<u32> {
    // SAFETY: the buffer pointer covers `name` for the call.
    let id = unsafe { sys::getSyscallID(buffer::encode(name.as_bytes())) };
    u32::try_from(id).map_err(|_| {
        Error::new(
            ErrorKind::NotFound,
            "getSyscallID",
            "not a syscall of this architecture",
        )
        .with_subject(subject::syscall(name))
    })
}

/// One parameter of a syscall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallParam {
    /// The parameter's name, e.g. `filename`.
    pub name: String,
    /// Whether the parameter is a pointer (its type contains `*`).
    pub is_pointer: bool,
}

/// A syscall's declaration, as the kernel's tracing format describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallDeclaration {
    /// The name the declaration was asked for (cut to 32 bytes by ig).
    pub name: String,
    /// The parameters, in order (at most six).
    pub params: Vec<SyscallParam>,
}

impl SyscallDeclaration {
    /// Decodes ig's 252-byte little-endian declaration record.
    pub fn decode(record: &[u8; DECLARATION_SIZE]) -> Result<Self> {
        let count = record[NAME_LEN] as usize;
        if count > MAX_PARAMS {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "getSyscallDeclaration",
                crate::error::text(format_args!(
                    "the record claims {count} parameters; at most {MAX_PARAMS} exist"
                )),
            ));
        }
        let params = (0..count)
            .map(|i| {
                let at = NAME_LEN + 4 + i * PARAM_RECORD;
                let flags = u32::from_le_bytes(
                    record[at + NAME_LEN..at + PARAM_RECORD]
                        .try_into()
                        .unwrap_or_default(),
                );
                SyscallParam {
                    name: text(&record[at..at + NAME_LEN]),
                    is_pointer: flags & 1 != 0,
                }
            })
            .collect();
        Ok(Self {
            name: text(&record[..NAME_LEN]),
            params,
        })
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(buffer::until_nul(bytes)).into_owned()
}

/// The declaration of syscall `name` (`getSyscallDeclaration`).
///
/// ```no_run
/// let open = gadget_api::syscalls::declaration("openat")?;
/// for p in &open.params {
///     log::info!("{}{}", p.name, if p.is_pointer { " (pointer)" } else { "" });
/// }
/// # Ok::<(), gadget_api::Error>(())
/// ```
pub fn declaration(name: &str) -> Result<SyscallDeclaration> {
    let mut record = [0u8; DECLARATION_SIZE];
    // SAFETY: both buffer pointers cover live memory for the call.
    let rc = unsafe {
        sys::getSyscallDeclaration(
            buffer::encode(name.as_bytes()),
            buffer::encode_mut(&mut record),
        )
    };
    if rc != 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            "getSyscallDeclaration",
            "no declaration (the host reads them from the kernel's tracing events)",
        )
        .with_subject(subject::syscall(name)));
    }
    SyscallDeclaration::decode(&record).map_err(|e| e.with_subject(subject::syscall(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, params: &[(&str, u32)]) -> [u8; DECLARATION_SIZE] {
        let mut r = [0u8; DECLARATION_SIZE];
        r[..name.len()].copy_from_slice(name.as_bytes());
        r[NAME_LEN] = params.len() as u8;
        for (i, (p, flags)) in params.iter().enumerate() {
            let at = NAME_LEN + 4 + i * PARAM_RECORD;
            r[at..at + p.len()].copy_from_slice(p.as_bytes());
            r[at + NAME_LEN..at + PARAM_RECORD].copy_from_slice(&flags.to_le_bytes());
        }
        r
    }

    #[test]
    fn decodes_names_counts_and_pointer_flags() {
        let r = record(
            "openat",
            &[("dfd", 0), ("filename", 1), ("flags", 0), ("mode", 0)],
        );
        let d = SyscallDeclaration::decode(&r).unwrap();
        assert_eq!(d.name, "openat");
        assert_eq!(d.params.len(), 4);
        assert_eq!(
            d.params[1],
            SyscallParam {
                name: "filename".into(),
                is_pointer: true
            }
        );
        assert!(!d.params[0].is_pointer);
        assert_eq!(d.params[3].name, "mode");
    }

    #[test]
    fn decodes_six_params_and_full_width_names() {
        let long = "a".repeat(32);
        let params: Vec<(&str, u32)> = (0..6).map(|_| (long.as_str(), 1)).collect();
        let d = SyscallDeclaration::decode(&record(&long, &params)).unwrap();
        assert_eq!(d.name.len(), 32);
        assert_eq!(d.params.len(), 6);
        assert!(d.params.iter().all(|p| p.is_pointer && p.name.len() == 32));
    }

    #[test]
    fn rejects_impossible_counts() {
        let mut r = record("x", &[]);
        r[NAME_LEN] = 7;
        let e = SyscallDeclaration::decode(&r).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.to_string().contains("7 parameters"));
    }

    #[test]
    fn layout_adds_up_to_252_bytes() {
        assert_eq!(NAME_LEN + 4 + MAX_PARAMS * PARAM_RECORD, DECLARATION_SIZE);
    }
}
