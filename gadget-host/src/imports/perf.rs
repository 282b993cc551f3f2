//! Perf reader functions.

use std::collections::VecDeque;

use wasmtime::Caller;

use super::{Registrar, split, trap};
use crate::HostError;
use crate::error::Hazard;
use crate::handles::Entry;
use crate::memory;
use crate::perf::{PerfReader, PerfRecord, PerfWhen};
use crate::spec::map_type;
use crate::state::HostState;

fn reader(st: &mut HostState, func: &str, handle: i32) -> Option<usize> {
    match st.handles.get(handle as u32) {
        Some(Entry::PerfReader(id)) if !st.readers[*id].closed => Some(*id),
        _ => {
            st.warn(
                func,
                format!("handle {} is not a perf reader", handle as u32),
            );
            None
        }
    }
}

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "newPerfReader",
        |mut c: Caller<'_, HostState>,
         map: i32,
         size: i32,
         overwritable: i32|
         -> wasmtime::Result<i32> {
            let st = c.data_mut();
            let Some(id) = st.map(map as u32) else {
                // ig's bug: an unknown map handle gives 1, not 0.
                st.warn(
                    "newPerfReader",
                    format!("handle {} is not a map", map as u32),
                );
                return Ok(1);
            };
            let m = &st.maps[id];
            if m.spec.map_type != map_type::PERF_EVENT_ARRAY || m.closed {
                let name = m.spec.name.clone();
                st.warn(
                    "newPerfReader",
                    format!("map `{name}` is not an open perf event array"),
                );
                return Ok(0);
            }
            if size <= 0 {
                st.warn("newPerfReader", format!("per-CPU buffer size {size}"));
                return Ok(0);
            }
            let rid = st.readers.len();
            st.readers.push(PerfReader {
                map: id,
                per_cpu_size: size as u32,
                overwritable: overwritable != 0,
                paused: false,
                closed: false,
                queue: VecDeque::new(),
            });
            let handle = st.alloc(Entry::PerfReader(rid))?;
            st.fire_perf(PerfWhen::ReaderCreated, Some(id));
            Ok(handle as i32)
        },
    )?;
    for (func, pause) in [("perfReaderPause", true), ("perfReaderResume", false)] {
        r.func(func, move |mut c: Caller<'_, HostState>, h: i32| -> i32 {
            let st = c.data_mut();
            match reader(st, func, h) {
                Some(id) => {
                    st.readers[id].paused = pause;
                    0
                }
                None => 1,
            }
        })?;
    }
    r.func(
        "perfReaderRead",
        |mut c: Caller<'_, HostState>, h: i32, dst: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let Some(id) = reader(st, "perfReaderRead", h) else {
                return Ok(1);
            };
            let rd = &st.readers[id];
            let (overwritable, per_cpu_size, map) = (rd.overwritable, rd.per_cpu_size, rd.map);
            if overwritable && !rd.paused {
                st.warn(
                    "perfReaderRead",
                    "an overwritable reader must be paused before reading",
                );
                return Ok(1);
            }
            let map_name = st.maps[map].spec.name.clone();
            match st.readers[id].queue.pop_front() {
                None if overwritable => Ok(2),
                None => {
                    let hazard = Hazard::PerfReadBlocks { map: map_name };
                    st.hazard = Some(hazard.clone());
                    Err(trap(hazard.to_string()))
                }
                Some(PerfRecord::Lost { .. }) => Ok(0),
                // A sample larger than the per-CPU buffer never fits the ring:
                // the kernel drops it and the reader sees lost samples.
                Some(PerfRecord::Sample { data, .. }) if data.len() > per_cpu_size as usize => {
                    Ok(0)
                }
                Some(PerfRecord::Sample { data, .. }) => match memory::write(mem, dst, &data) {
                    Ok(()) => Ok(0),
                    Err(e) => {
                        st.warn(
                            "perfReaderRead",
                            format!("map `{map_name}`: {e}; the record is lost"),
                        );
                        Ok(1)
                    }
                },
            }
        },
    )?;
    r.func(
        "perfReaderClose",
        |mut c: Caller<'_, HostState>, h: i32| -> i32 {
            let st = c.data_mut();
            match reader(st, "perfReaderClose", h) {
                Some(id) => {
                    st.readers[id].closed = true;
                    st.handles.remove(h as u32);
                    0
                }
                None => 1,
            }
        },
    )
}
