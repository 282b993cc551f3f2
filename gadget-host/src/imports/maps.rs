//! eBPF map functions.

use wasmtime::Caller;

use super::{Registrar, split, trap};
use crate::HostError;
use crate::handles::{Entry, MapOrigin};
use crate::maps::{MapObj, MapValue};
use crate::memory::{self, BufPtr};
use crate::spec::{MapSpec, map_type};
use crate::state::{HostState, Phase};

fn check_new_map(ty: u32, key: u32, value: u32, max: u32) -> Result<(), String> {
    match ty {
        0 => Err("map type 0 (unspecified)".into()),
        t if t > map_type::MAX => Err(format!("map type {t} is above {}", map_type::MAX)),
        map_type::ARRAY_OF_MAPS | map_type::HASH_OF_MAPS => {
            Err("map-of-maps cannot be created with newMap (no inner-map spec can be given)".into())
        }
        map_type::ARRAY | map_type::PERCPU_ARRAY if key != 4 || value == 0 || max == 0 => {
            Err(format!(
                "array maps need a 4-byte key, a value and entries (key {key}, value {value}, max {max})"
            ))
        }
        map_type::HASH | map_type::PERCPU_HASH | map_type::LRU_HASH | map_type::LRU_PERCPU_HASH
            if key == 0 || value == 0 || max == 0 =>
        {
            Err(format!(
                "hash maps need a key, a value and entries (key {key}, value {value}, max {max})"
            ))
        }
        map_type::PERF_EVENT_ARRAY if key != 4 || value != 4 => Err(format!(
            "perf event arrays need 4-byte keys and values (key {key}, value {value})"
        )),
        _ => Ok(()),
    }
}

/// The live (not closed) map behind a handle.
fn live_map(st: &mut HostState, func: &str, handle: i32) -> Option<usize> {
    match st.map(handle as u32) {
        Some(id) if !st.maps[id].closed => Some(id),
        Some(id) => {
            let name = st.maps[id].spec.name.clone();
            st.warn(func, format!("map `{name}` is closed"));
            None
        }
        None => {
            st.warn(func, format!("handle {} is not a map", handle as u32));
            None
        }
    }
}

pub(crate) fn register(r: &mut Registrar) -> Result<(), HostError> {
    r.func(
        "newMap",
        |mut c: Caller<'_, HostState>,
         name: i64,
         ty: i32,
         key: i32,
         value: i32,
         max: i32|
         -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let name = match memory::read_string(mem, name) {
                Ok(n) => n,
                Err(e) => {
                    st.warn("newMap", e);
                    return Ok(0);
                }
            };
            let (ty, key, value, max) = (ty as u32, key as u32, value as u32, max as u32);
            if let Err(e) = check_new_map(ty, key, value, max) {
                st.warn("newMap", format!("`{name}`: {e}"));
                return Ok(0);
            }
            let id = st.maps.len();
            st.maps
                .push(MapObj::new(MapSpec::new(name, ty, key, value, max), true));
            Ok(st.alloc(Entry::Map {
                id,
                origin: MapOrigin::New,
            })? as i32)
        },
    )?;
    r.func(
        "getMap",
        |mut c: Caller<'_, HostState>, name: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let name = match memory::read_string(mem, name) {
                Ok(n) => n,
                Err(e) => {
                    st.warn("getMap", e);
                    return Ok(0);
                }
            };
            if st.phase < Phase::Start {
                st.warn(
                    "getMap",
                    format!("map `{name}`: eBPF maps exist from gadgetStart on"),
                );
                return Ok(0);
            }
            match st.map_names.get(&name).copied() {
                Some(id) => Ok(st.alloc(Entry::Map {
                    id,
                    origin: MapOrigin::Gadget,
                })? as i32),
                None => {
                    st.warn("getMap", format!("map `{name}` not found"));
                    Ok(0)
                }
            }
        },
    )?;
    r.func(
        "mapLookup",
        |mut c: Caller<'_, HostState>, map: i32, key: i64, value: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let Some(id) = live_map(st, "mapLookup", map) else { return Ok(1) };
            let key = match memory::read(mem, key) {
                Ok(k) => k.to_vec(),
                Err(e) => {
                    st.warn("mapLookup", e);
                    return Ok(1);
                }
            };
            let m = &st.maps[id];
            let name = m.spec.name.clone();
            let need = m.user_value_size(st.spec.possible_cpus);
            let found = match m.lookup(&key, st.spec.possible_cpus) {
                Ok(v) => v,
                Err(e) => {
                    st.warn("mapLookup", format!("map `{name}`: {e}"));
                    return Ok(1);
                }
            };
            let is_mom = m.is_map_of_maps();
            if (BufPtr::decode(value).len as usize) < need {
                st.warn("mapLookup", format!("map `{name}`: value buffer smaller than {need} bytes"));
                return Ok(1);
            }
            if let Err(e) = memory::check(mem, value) {
                st.warn("mapLookup", format!("map `{name}`: {e}"));
                return Ok(1);
            }
            let bytes = match found {
                None if is_mom => {
                    return Err(trap(format!(
                        "mapLookup: key not found in map-of-maps `{name}`: ig's host panics and the guest traps"
                    )));
                }
                None => return Ok(0),
                Some(MapValue::Bytes(b)) => b,
                Some(MapValue::Inner(inner)) => {
                    let h = st.alloc(Entry::Map { id: inner, origin: MapOrigin::Inner })?;
                    h.to_le_bytes().to_vec()
                }
            };
            match memory::write(mem, value, &bytes) {
                Ok(()) => Ok(0),
                Err(e) => {
                    st.warn("mapLookup", format!("map `{name}`: {e}"));
                    Ok(1)
                }
            }
        },
    )?;
    r.func(
        "mapUpdate",
        |mut c: Caller<'_, HostState>, map: i32, key: i64, value: i64, flags: i64| -> wasmtime::Result<i32> {
            let (mem, st) = split(&mut c);
            let Some(id) = live_map(st, "mapUpdate", map) else { return Ok(1) };
            let name = st.maps[id].spec.name.clone();
            let (key, val) = match (memory::read(mem, key), memory::read(mem, value)) {
                (Ok(k), Ok(v)) => (k.to_vec(), v.to_vec()),
                (Err(e), _) | (_, Err(e)) => {
                    st.warn("mapUpdate", format!("map `{name}`: {e}"));
                    return Ok(1);
                }
            };
            if flags as u64 > 4 {
                st.warn("mapUpdate", format!("map `{name}`: flags {flags} are above 4"));
                return Ok(1);
            }
            let stored = if st.maps[id].is_map_of_maps() {
                if val.len() < 4 {
                    return Err(trap(format!(
                        "mapUpdate: map-of-maps `{name}` needs a 4-byte inner-map handle, got {} bytes: ig traps",
                        val.len()
                    )));
                }
                let inner_handle = u32::from_le_bytes([val[0], val[1], val[2], val[3]]);
                let Some(inner) = st.map(inner_handle) else {
                    st.warn("mapUpdate", format!("map `{name}`: value {inner_handle} is not a map handle"));
                    return Ok(1);
                };
                let inner_spec = st.maps[inner].spec.clone();
                if let Err(e) = st.maps[id].accepts_inner(&inner_spec) {
                    st.warn("mapUpdate", format!("map `{name}`: {e}"));
                    return Ok(1);
                }
                MapValue::Inner(inner)
            } else {
                let need = st.maps[id].user_value_size(st.spec.possible_cpus);
                if val.len() != need {
                    st.warn("mapUpdate", format!("map `{name}`: value has {} bytes, need {need}", val.len()));
                    return Ok(1);
                }
                MapValue::Bytes(val)
            };
            match st.maps[id].update(&key, stored, flags as u64) {
                Ok(()) => Ok(0),
                Err(e) => {
                    st.warn("mapUpdate", format!("map `{name}`: {e}"));
                    Ok(1)
                }
            }
        },
    )?;
    r.func(
        "mapDelete",
        |mut c: Caller<'_, HostState>, map: i32, key: i64| -> i32 {
            let (mem, st) = split(&mut c);
            let Some(id) = live_map(st, "mapDelete", map) else {
                return 1;
            };
            let key = match memory::read(mem, key) {
                Ok(k) => k.to_vec(),
                Err(e) => {
                    st.warn("mapDelete", e);
                    return 1;
                }
            };
            match st.maps[id].delete(&key) {
                Ok(()) => 0,
                Err(e) => {
                    let name = st.maps[id].spec.name.clone();
                    st.warn("mapDelete", format!("map `{name}`: {e}"));
                    1
                }
            }
        },
    )?;
    r.func(
        "mapRelease",
        |mut c: Caller<'_, HostState>, map: i32| -> i32 {
            let st = c.data_mut();
            match st.handles.get(map as u32) {
                Some(Entry::Map {
                    id,
                    origin: MapOrigin::New,
                }) => {
                    let id = *id;
                    st.maps[id].closed = true;
                    st.handles.remove(map as u32);
                    0
                }
                _ => {
                    st.warn(
                        "mapRelease",
                        format!("handle {} is not a map made by newMap", map as u32),
                    );
                    1
                }
            }
        },
    )
}
