//! Data-array functions.

use wasmtime::Caller;

use super::{Registrar, trap};
use crate::HostError;
use crate::datasource::{Body, Record};
use crate::handles::{ElementHandle, Entry};
use crate::state::HostState;

fn array_len(st: &HostState, pid: u64) -> usize {
    match st.packets.get(&pid).map(|p| &p.body) {
        Some(Body::Array(recs)) => recs.len(),
        _ => 0,
    }
}

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "dataArrayNew",
        |mut c: Caller<'_, HostState>, array: i32| -> wasmtime::Result<i32> {
            let st = c.data_mut();
            let Some(pid) = st.array(array as u32) else {
                st.warn(
                    "dataArrayNew",
                    format!("handle {} is not a data array", array as u32),
                );
                return Ok(0);
            };
            let source = st.packets[&pid].source;
            Ok(st.alloc(Entry::NewElement {
                record: Record::new(source),
            })? as i32)
        },
    )?;
    r.func("dataArrayAppend", |mut c: Caller<'_, HostState>, array: i32, data: i32| -> wasmtime::Result<i32> {
        let st = c.data_mut();
        let Some(pid) = st.array(array as u32) else {
            st.warn("dataArrayAppend", format!("handle {} is not a data array", array as u32));
            return Ok(1);
        };
        match st.handles.get(data as u32) {
            Some(Entry::NewElement { .. }) => {}
            Some(Entry::Data(_)) | Some(Entry::Packet(_)) => {
                return Err(trap(format!(
                    "dataArrayAppend: data handle {} does not come from dataArrayNew: ig traps (type assertion panic)",
                    data as u32
                )));
            }
            _ => {
                st.warn("dataArrayAppend", format!("handle {} is not a data handle", data as u32));
                return Ok(1);
            }
        }
        let Some(Entry::NewElement { record, .. }) = st.handles.remove(data as u32) else { return Ok(1) };
        match st.packets.get_mut(&pid).map(|p| &mut p.body) {
            Some(Body::Array(recs)) => {
                recs.push(record);
                Ok(0)
            }
            _ => Ok(1),
        }
    })?;
    r.func(
        "dataArrayRelease",
        |mut c: Caller<'_, HostState>, array: i32, data: i32| -> i32 {
            let st = c.data_mut();
            if st.array(array as u32).is_none() {
                st.warn(
                    "dataArrayRelease",
                    format!("handle {} is not a data array", array as u32),
                );
                return 1;
            }
            match st.handles.get(data as u32) {
                Some(Entry::NewElement { .. }) => {
                    st.handles.remove(data as u32);
                    0
                }
                _ => {
                    st.warn(
                        "dataArrayRelease",
                        format!("handle {} is not an element from dataArrayNew", data as u32),
                    );
                    1
                }
            }
        },
    )?;
    r.func(
        "dataArrayLen",
        |mut c: Caller<'_, HostState>, array: i32| -> i32 {
            let st = c.data_mut();
            match st.array(array as u32) {
                Some(pid) => array_len(st, pid) as i32,
                None => {
                    st.warn(
                        "dataArrayLen",
                        format!("handle {} is not a data array", array as u32),
                    );
                    0
                }
            }
        },
    )?;
    r.func(
        "dataArrayGet",
        |mut c: Caller<'_, HostState>, array: i32, index: i32| -> i32 {
            let st = c.data_mut();
            let Some(pid) = st.array(array as u32) else {
                st.warn(
                    "dataArrayGet",
                    format!("handle {} is not a data array", array as u32),
                );
                return 0;
            };
            if index < 0
                || index as u32 > ElementHandle::MAX_INDEX
                || index as usize >= array_len(st, pid)
            {
                st.warn("dataArrayGet", format!("index {index} out of range"));
                return 0;
            }
            ElementHandle::encode(array as u32, index as u32) as i32
        },
    )
}
