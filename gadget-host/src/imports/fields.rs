//! Field functions: scalar and buffer reads, writes, tags.

use wasmtime::Caller;

use super::{Registrar, split, trap};
use crate::datasource::{FieldDef, Slot};
use crate::logging::{LogLevel, LogSource};
use crate::memory::{self, BufPtr};
use crate::state::{DataRef, HostState};
use crate::{FieldKind, HostError};

/// A field and a data handle resolved together.
struct Target {
    source: usize,
    index: usize,
    data: DataRef,
}

/// Why a field call fails: an ordinary failure, or one on which ig's host
/// panics (the guest traps).
enum Fail {
    Status(String),
    Trap(String),
}

fn resolve(st: &HostState, field: i32, data: i32) -> Result<Target, Fail> {
    let (source, index) = st
        .field(field as u32)
        .ok_or_else(|| Fail::Status(format!("handle {} is not a field", field as u32)))?;
    let data_ref = st
        .data(data as u32)
        .ok_or_else(|| Fail::Status(format!("handle {} is not data", data as u32)))?;
    let record = st
        .record(data_ref)
        .ok_or_else(|| Fail::Status(format!("data handle {} has no record", data as u32)))?;
    if record.source != source && st.sources[record.source].fields.len() <= index {
        // ig does not check that the field belongs to the data's data source.
        return Err(Fail::Trap(format!(
            "field `{}` of `{}` used with data of `{}`, which has no field at its position: ig indexes out of range and traps",
            st.sources[source].fields[index].name,
            st.sources[source].name,
            st.sources[record.source].name
        )));
    }
    Ok(Target {
        source,
        index,
        data: data_ref,
    })
}

fn def(st: &HostState, t: &Target) -> FieldDef {
    st.sources[t.source].fields[t.index].clone()
}

fn read_scalar(mem: &[u8], st: &HostState, field: i32, data: i32, kind: i32) -> Result<i64, Fail> {
    let kind_v = FieldKind::from_abi(kind as u32);
    let width = kind_v
        .and_then(FieldKind::scalar_width)
        .ok_or_else(|| Fail::Status(format!("kind {kind} is not a scalar kind")))?;
    let t = resolve(st, field, data)?;
    let def = def(st, &t);
    let record = st
        .record(t.data)
        .ok_or_else(|| Fail::Status("no record".into()))?;
    let bytes = record.bytes(t.index, &def, mem);
    if bytes.len() != width {
        return Err(Fail::Status(format!(
            "field `{}` has {} bytes, kind {kind} reads {width}",
            def.name,
            bytes.len()
        )));
    }
    let mut b8 = [0u8; 8];
    b8[..width].copy_from_slice(&bytes);
    let u = u64::from_le_bytes(b8);
    Ok(match kind_v {
        Some(FieldKind::Bool) => i64::from(bytes[0] == 1),
        Some(FieldKind::Int8) => i64::from(u as u8 as i8),
        Some(FieldKind::Int16) => i64::from(u as u16 as i16),
        Some(FieldKind::Int32) => i64::from(u as u32 as i32),
        _ => u as i64,
    })
}

fn set_field(
    mem: &[u8],
    st: &mut HostState,
    field: i32,
    data: i32,
    kind: i32,
    value: i64,
) -> Result<(), Fail> {
    let t = resolve(st, field, data)?;
    let def = def(st, &t);
    let kind_v = FieldKind::from_abi(kind as u32)
        .ok_or_else(|| Fail::Status(format!("unknown kind {kind}")))?;
    let slot = match kind_v {
        k if k.scalar_width().is_some() => {
            let width = k.scalar_width().unwrap_or_default();
            let current = match def.fixed {
                Some(n) => n,
                None => {
                    let record = st
                        .record(t.data)
                        .ok_or_else(|| Fail::Status("no record".into()))?;
                    record.bytes(t.index, &def, mem).len()
                }
            };
            if current != width {
                return Err(Fail::Status(format!(
                    "field `{}` has {current} bytes, kind {kind} writes {width}",
                    def.name
                )));
            }
            let bytes = if k == FieldKind::Bool {
                vec![u8::from(value != 0)]
            } else {
                value.to_le_bytes()[..width].to_vec()
            };
            Slot::Bytes(bytes)
        }
        FieldKind::String | FieldKind::Bytes => {
            let buf = memory::read(mem, value).map_err(|e| Fail::Status(e.to_string()))?;
            match def.fixed {
                Some(size) => {
                    if buf.len() > size || (buf.len() < size && !def.kind.is_text()) {
                        return Err(Fail::Status(format!(
                            "value of {} bytes for field `{}` of fixed size {size}",
                            buf.len(),
                            def.name
                        )));
                    }
                    let mut bytes = buf.to_vec();
                    bytes.resize(size, 0);
                    Slot::Bytes(bytes)
                }
                None if kind_v == FieldKind::Bytes && !buf.is_empty() => {
                    // ig keeps a view of guest memory: the field shows the
                    // guest's buffer until the event is consumed.
                    let ptr = BufPtr::decode(value);
                    Slot::View {
                        addr: ptr.addr,
                        len: ptr.len,
                    }
                }
                None => Slot::Bytes(buf.to_vec()),
            }
        }
        _ => return Err(Fail::Status(format!("kind {kind} cannot be set"))),
    };
    let record = st
        .record_mut(t.data)
        .ok_or_else(|| Fail::Status("no record".into()))?;
    record.set(t.index, slot);
    Ok(())
}

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "fieldGetScalar",
        |mut c: Caller<'_, HostState>, field: i32, data: i32, kind: i32, err_ptr: i32| -> wasmtime::Result<i64> {
            let (mem, st) = split(&mut c);
            let why = match read_scalar(mem, st, field, data, kind) {
                Ok(v) => return Ok(v),
                Err(Fail::Trap(m)) => return Err(trap(format!("fieldGetScalar: {m}"))),
                Err(Fail::Status(m)) => m,
            };
            st.warn("fieldGetScalar", &why);
            if err_ptr != 0 && memory::write_u32(mem, err_ptr as u32, 1).is_err() {
                let reason = format!(
                    "fieldGetScalar: error pointer {:#x} is outside memory: ig logs an error and closes the module with exit code 1",
                    err_ptr as u32
                );
                st.log(LogLevel::Error, LogSource::Host, reason.clone());
                st.close(reason.clone());
                return Err(trap(reason));
            }
            // ig leaves the result slot as it was: its low 32 bits hold the
            // field handle.
            Ok(i64::from(field as u32))
        },
    )?;
    r.func(
        "fieldGetBuffer",
        |mut c: Caller<'_, HostState>,
         field: i32,
         data: i32,
         kind: i32,
         dst: i64|
         -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            if kind as u32 != FieldKind::String.abi() && kind as u32 != FieldKind::Bytes.abi() {
                st.warn(
                    "fieldGetBuffer",
                    format!("kind {kind} is not 12 (string) or 14 (bytes)"),
                );
                return Ok(-1);
            }
            let t = match resolve(st, field, data) {
                Ok(t) => t,
                Err(Fail::Trap(m)) => return Err(trap(format!("fieldGetBuffer: {m}"))),
                Err(Fail::Status(m)) => {
                    st.warn("fieldGetBuffer", m);
                    return Ok(-1);
                }
            };
            let def = def(st, &t);
            let bytes = match st.record(t.data) {
                Some(r) => r.bytes(t.index, &def, mem).into_owned(),
                None => return Ok(-1),
            };
            match memory::write(mem, dst, &bytes) {
                Ok(()) => Ok(bytes.len() as i32),
                Err(e) => {
                    st.warn("fieldGetBuffer", format!("field `{}`: {e}", def.name));
                    Ok(-1)
                }
            }
        },
    )?;
    r.func(
        "fieldSet",
        |mut c: Caller<'_, HostState>,
         field: i32,
         data: i32,
         kind: i32,
         value: i64|
         -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            match set_field(mem, st, field, data, kind, value) {
                Ok(()) => Ok(0),
                Err(Fail::Trap(m)) => Err(trap(format!("fieldSet: {m}"))),
                Err(Fail::Status(m)) => {
                    st.warn("fieldSet", m);
                    Ok(1)
                }
            }
        },
    )?;
    r.func(
        "fieldAddTag",
        |mut c: Caller<'_, HostState>, field: i32, tag: i64| -> i32 {
            let (mem, st) = split(&mut c);
            let Some((source, index)) = st.field(field as u32) else {
                st.warn(
                    "fieldAddTag",
                    format!("handle {} is not a field", field as u32),
                );
                return 1;
            };
            match memory::read_string(mem, tag) {
                Ok(tag) => {
                    st.sources[source].fields[index].tags.push(tag);
                    0
                }
                Err(e) => {
                    st.warn("fieldAddTag", e);
                    1
                }
            }
        },
    )
}
