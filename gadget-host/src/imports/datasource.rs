//! Data-source functions: registration, look-up, subscription, fields,
//! packets, emission, referencing.

use wasmtime::Caller;

use super::{Registrar, split, trap};
use crate::datasource::{Body, FieldDef, Record, SubKind, SubTarget, Subscriber};
use crate::emit::{EmitError, emit};
use crate::handles::Entry;
use crate::memory;
use crate::spec::DataSourceType;
use crate::state::HostState;
use crate::{FieldKind, HostError};

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "newDataSource",
        |mut c: Caller<'_, HostState>, name: i64, ty: i32| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let name = match memory::read_string(mem, name) {
                Ok(n) => n,
                Err(e) => {
                    st.warn("newDataSource", e);
                    return Ok(0);
                }
            };
            let Some(ds_type) = DataSourceType::from_abi(ty as u32) else {
                st.warn(
                    "newDataSource",
                    format!("`{name}`: type {ty} is not 1 (single) or 2 (array)"),
                );
                return Ok(0);
            };
            // A duplicate name silently replaces the registration; old handles
            // keep the old object.
            let id = st.add_source(name, ds_type);
            Ok(st.alloc(Entry::DataSource(id))? as i32)
        },
    )?;
    r.func(
        "getDataSource",
        |mut c: Caller<'_, HostState>, name: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let name = match memory::read_string(mem, name) {
                Ok(n) => n,
                Err(e) => {
                    st.warn("getDataSource", e);
                    return Ok(0);
                }
            };
            match st.source_names.get(&name).copied() {
                Some(id) if st.sources[id].referenced => {
                    Ok(st.alloc(Entry::DataSource(id))? as i32)
                }
                Some(_) => {
                    st.warn(
                        "getDataSource",
                        format!("data source `{name}` is unreferenced"),
                    );
                    Ok(0)
                }
                None => {
                    st.warn("getDataSource", format!("data source `{name}` not found"));
                    Ok(0)
                }
            }
        },
    )?;
    r.func(
        "dataSourceSubscribe",
        |mut c: Caller<'_, HostState>, ds: i32, ty: i32, priority: i32, cb_id: i64| -> i32 {
            let st = c.data_mut();
            let Some(id) = st.source(ds as u32) else {
                st.warn(
                    "dataSourceSubscribe",
                    format!("handle {} is not a data source", ds as u32),
                );
                return 1;
            };
            let kind = match ty {
                1 => SubKind::Data,
                2 => SubKind::Array,
                3 => SubKind::Packet,
                _ => {
                    st.warn(
                        "dataSourceSubscribe",
                        format!("unknown subscription type {ty}"),
                    );
                    return 1;
                }
            };
            let source = &st.sources[id];
            if kind == SubKind::Array && source.ds_type != DataSourceType::Array {
                let name = source.name.clone();
                st.warn(
                    "dataSourceSubscribe",
                    format!("array subscription on single data source `{name}`"),
                );
                return 1;
            }
            if st.callback.is_none() {
                st.warn(
                    "dataSourceSubscribe",
                    "the module does not export dataSourceCallback",
                );
                return 1;
            }
            st.sub_seq += 1;
            let sub = Subscriber {
                priority,
                seq: st.sub_seq,
                target: SubTarget::Wasm {
                    kind,
                    cb_id: cb_id as u64,
                    ctx: st.current_ctx,
                },
            };
            st.sources[id].subscribers.push(sub);
            0
        },
    )?;
    r.func(
        "dataSourceGetField",
        |mut c: Caller<'_, HostState>, ds: i32, name: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let Some(id) = st.source(ds as u32) else {
                st.warn(
                    "dataSourceGetField",
                    format!("handle {} is not a data source", ds as u32),
                );
                return Ok(0);
            };
            let Ok(name) = memory::read_string(mem, name) else {
                return Ok(0);
            };
            // Silent when the field does not exist.
            match st.sources[id].field_index(&name) {
                Some(i) => Ok(st.alloc(Entry::Field(id, i))? as i32),
                None => Ok(0),
            }
        },
    )?;
    r.func(
        "dataSourceAddField",
        |mut c: Caller<'_, HostState>, ds: i32, name: i64, kind: i32| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let Some(id) = st.source(ds as u32) else {
                st.warn(
                    "dataSourceAddField",
                    format!("handle {} is not a data source", ds as u32),
                );
                return Ok(0);
            };
            let name = match memory::read_string(mem, name) {
                Ok(n) => n,
                Err(e) => {
                    st.warn("dataSourceAddField", e);
                    return Ok(0);
                }
            };
            let Some(kind) = FieldKind::from_abi(kind as u32) else {
                st.warn(
                    "dataSourceAddField",
                    format!("`{name}`: kind {kind} is above 14"),
                );
                return Ok(0);
            };
            let source = &mut st.sources[id];
            if source.fields.iter().any(|f| f.name == name) {
                let ds_name = source.name.clone();
                st.warn(
                    "dataSourceAddField",
                    format!("data source `{ds_name}` already has a field `{name}`"),
                );
                return Ok(0);
            }
            source.fields.push(FieldDef::added(name, kind));
            let index = source.fields.len() - 1;
            Ok(st.alloc(Entry::Field(id, index))? as i32)
        },
    )?;
    for (func, want) in [
        ("dataSourceNewPacketSingle", DataSourceType::Single),
        ("dataSourceNewPacketArray", DataSourceType::Array),
    ] {
        r.func(
            func,
            move |mut c: Caller<'_, HostState>, ds: i32| -> wasmtime::Result<i32> {
                let st = c.data_mut();
                let Some(id) = st.source(ds as u32) else {
                    st.warn(func, format!("handle {} is not a data source", ds as u32));
                    return Ok(0);
                };
                if st.sources[id].ds_type != want {
                    let name = st.sources[id].name.clone();
                    st.warn(
                        func,
                        format!("data source `{name}` is not of type {}", want.name()),
                    );
                    return Ok(0);
                }
                let body = match want {
                    DataSourceType::Single => Body::Single(Record::new(id)),
                    DataSourceType::Array => Body::Array(Vec::new()),
                };
                let pid = st.new_packet(id, body);
                let h = st.alloc(Entry::Packet(pid))?;
                if h == 0 {
                    st.packets.remove(&pid);
                }
                Ok(h as i32)
            },
        )?;
    }
    r.func(
        "dataSourceEmitAndRelease",
        |mut c: Caller<'_, HostState>, ds: i32, packet: i32| -> wasmtime::Result<i32> {
            let st = c.data_mut();
            let Some(id) = st.source(ds as u32) else {
                st.warn(
                    "dataSourceEmitAndRelease",
                    format!("handle {} is not a data source", ds as u32),
                );
                return Ok(1);
            };
            let Some(Entry::Packet(pid)) = st.handles.get(packet as u32) else {
                st.warn(
                    "dataSourceEmitAndRelease",
                    format!("handle {} is not a packet", packet as u32),
                );
                return Ok(1);
            };
            let pid = *pid;
            st.handles.remove(packet as u32);
            let result = emit(&mut c, id, pid);
            let st = c.data_mut();
            st.packets.remove(&pid);
            match result {
                Ok(()) => Ok(0),
                Err(EmitError::Hazard(h)) => Err(trap(h.to_string())),
                Err(EmitError::Closed(reason)) => Err(trap(format!("module closed: {reason}"))),
            }
        },
    )?;
    r.func(
        "dataSourceRelease",
        |mut c: Caller<'_, HostState>, ds: i32, packet: i32| -> i32 {
            let st = c.data_mut();
            if st.source(ds as u32).is_none() {
                st.warn(
                    "dataSourceRelease",
                    format!("handle {} is not a data source", ds as u32),
                );
                return 1;
            }
            match st.handles.get(packet as u32) {
                Some(Entry::Packet(pid)) => {
                    let pid = *pid;
                    st.handles.remove(packet as u32);
                    st.packets.remove(&pid);
                    0
                }
                _ => {
                    st.warn(
                        "dataSourceRelease",
                        format!("handle {} is not a packet", packet as u32),
                    );
                    1
                }
            }
        },
    )?;
    r.func(
        "dataSourceUnreference",
        |mut c: Caller<'_, HostState>, ds: i32| -> i32 {
            let st = c.data_mut();
            match st.source(ds as u32) {
                Some(id) => {
                    st.sources[id].referenced = false;
                    0
                }
                None => {
                    st.warn(
                        "dataSourceUnreference",
                        format!("handle {} is not a data source", ds as u32),
                    );
                    1
                }
            }
        },
    )?;
    r.func(
        "dataSourceIsReferenced",
        |mut c: Caller<'_, HostState>, ds: i32| -> i32 {
            let st = c.data_mut();
            match st.source(ds as u32) {
                Some(id) => st.sources[id].referenced.into(),
                None => {
                    st.warn(
                        "dataSourceIsReferenced",
                        format!("handle {} is not a data source", ds as u32),
                    );
                    2
                }
            }
        },
    )
}
