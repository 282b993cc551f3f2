//! The test side of a [`Gadget`]: feed events, perf records and map
//! contents; read back emitted events, logs, configuration and maps.

use std::collections::BTreeMap;

use crate::HostError;
use crate::abi::AbiTable;
use crate::calls::HostCalls;
use crate::datasource::{Body, Record, Slot, SourceId, SubTarget, Subscriber};
use crate::emit::{EmitError, emit};
use crate::events::{Emission, Emitted, Event, FieldKind, Value};
use crate::lifecycle::Gadget;
use crate::logging::{LogRecord, LogSource};
use crate::maps::{MapId, MapObj, MapValue};
use crate::perf::{PerfRecord, PerfWhen, ScheduledPerf};
use crate::spec::{DataSourceType, FieldSpec, MapSpec, map_type};
use crate::state::{CallbackTrap, HostState, Observer};

/// Identifies an observer made by [`Gadget::observe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObserverId(usize);

/// A data source as it is now (fields added by the gadget and by enrichers
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSourceInfo {
    /// Name.
    pub name: String,
    /// Type.
    pub ds_type: DataSourceType,
    /// Whether later operators receive it (`dataSourceUnreference`).
    pub referenced: bool,
    /// Fields in order, with their tags.
    pub fields: Vec<FieldSpec>,
    /// Number of wasm subscriptions.
    pub wasm_subscriptions: usize,
}

/// A read-only view of a map.
#[derive(Clone, Copy)]
pub struct MapView<'a> {
    st: &'a HostState,
    id: MapId,
}

impl std::fmt::Debug for MapView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapView")
            .field("spec", self.spec())
            .field("len", &self.len())
            .finish()
    }
}

impl<'a> MapView<'a> {
    fn obj(&self) -> &'a MapObj {
        &self.st.maps[self.id]
    }

    /// The map's shape.
    pub fn spec(&self) -> &'a MapSpec {
        &self.obj().spec
    }

    /// The stored value of a key (not for map-of-maps; array maps give zeros
    /// for in-range keys never written).
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.obj().lookup(key, self.st.spec.possible_cpus).ok()?? {
            MapValue::Bytes(b) => Some(b),
            MapValue::Inner(_) => None,
        }
    }

    /// The inner map stored under a key of a map-of-maps.
    pub fn inner(&self, key: &[u8]) -> Option<MapView<'a>> {
        match self.obj().entries.get(key)? {
            MapValue::Inner(id) => Some(MapView {
                st: self.st,
                id: *id,
            }),
            MapValue::Bytes(_) => None,
        }
    }

    /// Stored entries in key order (values of map-of-maps omitted).
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.obj()
            .entries
            .iter()
            .filter_map(|(k, v)| match v {
                MapValue::Bytes(b) => Some((k.clone(), b.clone())),
                MapValue::Inner(_) => None,
            })
            .collect()
    }

    /// Keys stored (map-of-maps included).
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.obj().entries.keys().cloned().collect()
    }

    /// Number of stored entries.
    pub fn len(&self) -> usize {
        self.obj().entries.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.obj().entries.is_empty()
    }

    /// Whether `mapRelease` closed it.
    pub fn is_closed(&self) -> bool {
        self.obj().closed
    }

    /// Perf records written and not read yet, over the open readers of
    /// this map (perf event arrays).
    pub fn pending_perf_records(&self) -> usize {
        self.st
            .readers
            .iter()
            .filter(|r| r.map == self.id && !r.closed)
            .map(|r| r.queue.len())
            .sum()
    }

    /// Perf records written while no reader received them: lost, as in ig.
    pub fn lost_perf_records(&self) -> u64 {
        self.obj().perf_lost
    }
}

impl Gadget {
    fn current_source(&self, name: &str) -> Result<SourceId, HostError> {
        self.store
            .data()
            .source_names
            .get(name)
            .copied()
            .ok_or_else(|| HostError::UnknownDataSource {
                name: name.to_owned(),
            })
    }

    fn record_from_event(&self, sid: SourceId, event: &Event) -> Result<Record, HostError> {
        let ds = &self.store.data().sources[sid];
        let mut rec = Record::new(sid);
        for (name, value) in event.iter() {
            let idx = ds
                .field_index(name)
                .ok_or_else(|| HostError::UnknownField {
                    datasource: ds.name.clone(),
                    field: name.to_owned(),
                })?;
            let def = &ds.fields[idx];
            let bytes =
                value
                    .encode(def.kind, def.fixed)
                    .map_err(|reason| HostError::BadValue {
                        datasource: ds.name.clone(),
                        field: def.name.clone(),
                        reason,
                    })?;
            rec.set(idx, Slot::Bytes(bytes));
        }
        Ok(rec)
    }

    fn check_type(&self, sid: SourceId, expected: DataSourceType) -> Result<(), HostError> {
        let ds = &self.store.data().sources[sid];
        if ds.ds_type != expected {
            return Err(HostError::DataSourceType {
                datasource: ds.name.clone(),
                actual: ds.ds_type.name(),
                expected: expected.name(),
            });
        }
        Ok(())
    }

    fn deliver(&mut self, sid: SourceId, body: Body) -> Result<(), HostError> {
        if let Some(reason) = &self.store.data().closed {
            return Err(HostError::ModuleClosed {
                reason: reason.clone(),
            });
        }
        if self.store.data().handles.is_dropped() {
            return Err(HostError::Phase {
                hook: "dataSourceCallback",
                reason: "gadgetStop has returned: ig has dropped the handle table and delivers no more events".into(),
            });
        }
        crate::fuel::refuel(&mut self.store);
        let st = self.store.data_mut();
        st.hazard = None;
        let pid = st.new_packet(sid, body);
        let result = emit(&mut self.store, sid, pid);
        let st = self.store.data_mut();
        st.packets.remove(&pid);
        st.hazard = None;
        match result {
            Ok(()) => Ok(()),
            Err(EmitError::Hazard(h)) => Err(HostError::Hazard(h)),
            Err(EmitError::Closed(reason)) => Err(HostError::ModuleClosed { reason }),
        }
    }

    /// Emits one event on a single data source, as the eBPF layer would:
    /// every subscriber runs (the gadget's callbacks re-enter the module),
    /// then the event is recorded in [`emitted`](Self::emitted).
    pub fn push(&mut self, datasource: &str, event: Event) -> Result<(), HostError> {
        let sid = self.current_source(datasource)?;
        self.check_type(sid, DataSourceType::Single)?;
        let rec = self.record_from_event(sid, &event)?;
        self.deliver(sid, Body::Single(rec))
    }

    /// Emits one array packet on an array data source.
    pub fn push_array(&mut self, datasource: &str, events: Vec<Event>) -> Result<(), HostError> {
        let sid = self.current_source(datasource)?;
        self.check_type(sid, DataSourceType::Array)?;
        let recs = events
            .iter()
            .map(|e| self.record_from_event(sid, e))
            .collect::<Result<Vec<_>, _>>()?;
        self.deliver(sid, Body::Array(recs))
    }

    /// Emits a JSON event: an object for a single data source, an array of
    /// objects for an array data source. A bytes field takes a hex string
    /// (`"0a1b"`) or an array of numbers, as in the runner's events file.
    pub fn push_json(
        &mut self,
        datasource: &str,
        json: &serde_json::Value,
    ) -> Result<(), HostError> {
        let sid = self.current_source(datasource)?;
        let read = |json: &serde_json::Value| -> Result<Event, HostError> {
            let mut event = Event::from_json(json).map_err(HostError::Json)?;
            let ds = &self.store.data().sources[sid];
            for f in ds.fields.iter().filter(|f| f.kind == FieldKind::Bytes) {
                if let Some(Value::Str(text)) = event.get(&f.name) {
                    let bytes = crate::from_hex(text).map_err(|reason| HostError::BadValue {
                        datasource: ds.name.clone(),
                        field: f.name.clone(),
                        reason,
                    })?;
                    event.insert(f.name.clone(), Value::Bytes(bytes));
                }
            }
            Ok(event)
        };
        match json {
            serde_json::Value::Array(items) => {
                let events = items.iter().map(read).collect::<Result<Vec<_>, _>>()?;
                self.push_array(datasource, events)
            }
            other => {
                let event = read(other)?;
                self.push(datasource, event)
            }
        }
    }

    /// Subscribes the test to a data source at `priority`, ordered together
    /// with the gadget's subscriptions (ties in order of subscription): what
    /// it sees is in [`observed`](Self::observed).
    pub fn observe(&mut self, datasource: &str, priority: i32) -> Result<ObserverId, HostError> {
        let sid = self.current_source(datasource)?;
        let st = self.store.data_mut();
        let id = st.observers.len();
        st.observers.push(Observer { seen: Vec::new() });
        st.sub_seq += 1;
        let seq = st.sub_seq;
        st.sources[sid].subscribers.push(Subscriber {
            priority,
            seq,
            target: SubTarget::Observer(id),
        });
        Ok(ObserverId(id))
    }

    /// Packets an observer saw, as they were when it ran.
    pub fn observed(&self, id: ObserverId) -> &[Emission] {
        self.store
            .data()
            .observers
            .get(id.0)
            .map(|o| o.seen.as_slice())
            .unwrap_or_default()
    }

    /// Packets emitted on data sources of that name (by the test or by the
    /// gadget), as they were after every subscriber ran, in order.
    pub fn emitted(&self, datasource: &str) -> Vec<&Emission> {
        self.store
            .data()
            .emitted
            .iter()
            .filter(|e| e.datasource == datasource)
            .map(|e| &e.emission)
            .collect()
    }

    /// The events of [`emitted`](Self::emitted), array packets flattened.
    pub fn emitted_events(&self, datasource: &str) -> Vec<&Event> {
        self.emitted(datasource)
            .into_iter()
            .flat_map(|e| e.events())
            .collect()
    }

    /// Every emitted packet in order, with its data source's name.
    pub fn all_emitted(&self) -> impl Iterator<Item = (&str, &Emission)> {
        self.store
            .data()
            .emitted
            .iter()
            .map(|e| (e.datasource.as_str(), &e.emission))
    }

    /// Every emitted packet in order, with whether its data source was
    /// consumed when it left.
    pub fn emitted_packets(&self) -> &[Emitted] {
        &self.store.data().emitted
    }

    /// Takes the emitted packets recorded so far (for streaming output).
    pub fn take_emitted(&mut self) -> Vec<Emitted> {
        std::mem::take(&mut self.store.data_mut().emitted)
    }

    /// Every log record: the gadget's and the host's warnings, in order.
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().logs
    }

    /// Only the gadget's own log records.
    pub fn gadget_logs(&self) -> Vec<&LogRecord> {
        self.logs()
            .iter()
            .filter(|l| l.source == LogSource::Gadget)
            .collect()
    }

    /// A configuration value (set by `setConfig` or declared).
    pub fn config(&self, key: &str) -> Option<&str> {
        self.store
            .data()
            .config
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }

    /// The gadget's successful `setConfig` calls, `(key, value)` in call
    /// order.
    pub fn config_calls(&self) -> &[(String, String)] {
        &self.store.data().config_calls
    }

    /// The whole configuration (`None` if the gadget has none).
    pub fn config_entries(&self) -> Option<&BTreeMap<String, String>> {
        self.store.data().config.as_ref()
    }

    /// Traps raised by `dataSourceCallback` (ig ignores them silently).
    pub fn callback_traps(&self) -> &[CallbackTrap] {
        &self.store.data().callback_traps
    }

    /// The data source currently registered under a name.
    pub fn datasource(&self, name: &str) -> Option<DataSourceInfo> {
        let st = self.store.data();
        let ds = &st.sources[*st.source_names.get(name)?];
        Some(DataSourceInfo {
            name: ds.name.clone(),
            ds_type: ds.ds_type,
            referenced: ds.referenced,
            fields: ds
                .fields
                .iter()
                .map(|f| FieldSpec {
                    name: f.name.clone(),
                    kind: f.kind,
                    size: if f.kind.scalar_width().is_some() {
                        None
                    } else {
                        f.fixed.map(|s| s as u32)
                    },
                    tags: f.tags.clone(),
                })
                .collect(),
            wasm_subscriptions: ds
                .subscribers
                .iter()
                .filter(|s| matches!(s.target, SubTarget::Wasm { .. }))
                .count(),
        })
    }

    /// Names of the data sources currently registered, sorted.
    pub fn datasource_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.store.data().source_names.keys().cloned().collect();
        names.sort();
        names
    }

    fn map_id(&self, name: &str) -> Result<MapId, HostError> {
        self.store
            .data()
            .map_by_name(name)
            .ok_or_else(|| HostError::UnknownMap {
                name: name.to_owned(),
            })
    }

    /// A map of the gadget's eBPF program, or else the newest open map the
    /// gadget created with `newMap` under that name.
    pub fn map(&self, name: &str) -> Option<MapView<'_>> {
        let id = self.map_id(name).ok()?;
        Some(MapView {
            st: self.store.data(),
            id,
        })
    }

    /// Maps made by the gadget with `newMap` and never closed, by name
    /// (released through `releaseHandle` they leak, as in ig).
    pub fn open_guest_maps(&self) -> Vec<String> {
        self.store
            .data()
            .maps
            .iter()
            .filter(|m| m.created_by_guest && !m.closed)
            .map(|m| m.spec.name.clone())
            .collect()
    }

    /// Writes a map entry as the eBPF program would (flags 0).
    pub fn map_update(&mut self, name: &str, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        let id = self.map_id(name)?;
        let st = self.store.data_mut();
        let need = st.maps[id].user_value_size(st.spec.possible_cpus);
        if st.maps[id].is_map_of_maps() || value.len() != need {
            return Err(HostError::Map {
                map: name.to_owned(),
                reason: format!(
                    "value must have {need} bytes (use map_insert_inner for map-of-maps)"
                ),
            });
        }
        st.maps[id]
            .update(key, MapValue::Bytes(value.to_vec()), 0)
            .map_err(|reason| HostError::Map {
                map: name.to_owned(),
                reason,
            })
    }

    /// Creates an inner map of the declared shape under `key` of a
    /// map-of-maps.
    pub fn map_insert_inner(&mut self, name: &str, key: &[u8]) -> Result<(), HostError> {
        let id = self.map_id(name)?;
        let st = self.store.data_mut();
        let err = |reason: String| HostError::Map {
            map: name.to_owned(),
            reason,
        };
        let mut inner = st.maps[id]
            .spec
            .inner
            .as_deref()
            .cloned()
            .ok_or_else(|| err("not a map-of-maps".into()))?;
        inner.name = format!("{name}[inner]");
        let inner_id = st.maps.len();
        st.maps.push(MapObj::new(inner, false));
        st.maps[id]
            .update(key, MapValue::Inner(inner_id), 0)
            .map_err(err)
    }

    /// Writes an entry of the inner map stored under `outer_key`.
    pub fn inner_map_update(
        &mut self,
        name: &str,
        outer_key: &[u8],
        key: &[u8],
        value: &[u8],
    ) -> Result<(), HostError> {
        let id = self.map_id(name)?;
        let st = self.store.data_mut();
        let err = |reason: String| HostError::Map {
            map: name.to_owned(),
            reason,
        };
        let Some(MapValue::Inner(inner)) = st.maps[id].entries.get(outer_key).cloned() else {
            return Err(err("no inner map under that key".into()));
        };
        st.maps[inner]
            .update(key, MapValue::Bytes(value.to_vec()), 0)
            .map_err(err)
    }

    /// Refuses a map that exists and is no perf event array.
    fn check_perf_map(&self, name: &str) -> Result<(), HostError> {
        let st = self.store.data();
        match st.map_by_name(name) {
            Some(id) if st.maps[id].spec.map_type != map_type::PERF_EVENT_ARRAY => {
                Err(HostError::Map {
                    map: name.to_owned(),
                    reason: "not a perf event array".into(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Writes a sample into a perf event array now, as the eBPF program
    /// would: every open, unpaused reader of the map gets it; with no
    /// reader it is lost ([`MapView::lost_perf_records`]), as in ig. The map
    /// is a declared one or one the guest created with `newMap`, by name.
    pub fn push_perf_record(
        &mut self,
        map: &str,
        cpu: u32,
        data: impl Into<Vec<u8>>,
    ) -> Result<(), HostError> {
        let data = data.into();
        self.schedule_perf(map, PerfWhen::Now, PerfRecord::Sample { cpu, data })
    }

    /// Writes a lost-samples record now (see [`push_perf_record`](Self::push_perf_record)).
    pub fn push_perf_lost(&mut self, map: &str, cpu: u32, count: u64) -> Result<(), HostError> {
        self.schedule_perf(map, PerfWhen::Now, PerfRecord::Lost { cpu, count })
    }

    /// Writes a perf record into map `map` at the point `when` says: now,
    /// just after the next reader of the map is created, or just after the
    /// guest's next log call (while that hook or callback still runs). For
    /// the later points the map may not exist yet (a map the guest will
    /// create with `newMap`); a record whose point never comes is never
    /// written ([`scheduled_perf_records`](Self::scheduled_perf_records)).
    pub fn schedule_perf(
        &mut self,
        map: &str,
        when: PerfWhen,
        record: PerfRecord,
    ) -> Result<(), HostError> {
        self.check_perf_map(map)?;
        let st = self.store.data_mut();
        if when == PerfWhen::Now {
            let id = st.map_by_name(map).ok_or_else(|| HostError::UnknownMap {
                name: map.to_owned(),
            })?;
            st.write_perf(id, &record);
        } else {
            st.perf_scheduled.push(ScheduledPerf {
                map: map.to_owned(),
                when,
                record,
            });
        }
        Ok(())
    }

    /// Perf records scheduled whose point has not come yet.
    pub fn scheduled_perf_records(&self) -> usize {
        self.store.data().perf_scheduled.len()
    }

    /// Number of open handles.
    pub fn open_handles(&self) -> usize {
        self.store.data().handles.len()
    }

    /// Makes the next handle number `next` (to test handle-number growth and
    /// ig's element-handle bug above 0xFFFF).
    pub fn set_next_handle(&mut self, next: u32) {
        self.store.data_mut().handles.set_next(next);
    }

    /// The module's `memory` (empty if it exports none).
    pub fn memory(&self) -> &[u8] {
        match self.store.data().memory {
            Some(m) => m.data(&self.store),
            None => &[],
        }
    }

    /// Copies bytes out of guest memory.
    pub fn read_memory(&self, addr: u32, len: u32) -> Result<Vec<u8>, HostError> {
        let mem = self.memory();
        let range = crate::memory::BufPtr { addr, len }
            .range(mem.len())
            .map_err(|e| HostError::Json(format!("reading guest memory: {e}")))?;
        Ok(mem[range].to_vec())
    }

    /// Writes bytes into guest memory and returns their buffer pointer
    /// (`len << 32 | addr`).
    pub fn write_memory(&mut self, addr: u32, bytes: &[u8]) -> Result<i64, HostError> {
        let Some(m) = self.store.data().memory else {
            return Err(HostError::Json("the module exports no memory".into()));
        };
        m.write(&mut self.store, addr as usize, bytes)
            .map_err(|e| HostError::Json(format!("writing guest memory at {addr:#x}: {e}")))?;
        Ok(crate::memory::BufPtr {
            addr,
            len: bytes.len() as u32,
        }
        .encode())
    }

    /// Calls any export of the module with integer arguments (converted to
    /// the export's parameter types, i32 by truncation) and returns its
    /// results as i64 (i32 results sign-extended). For tests that drive the
    /// `ig` functions through small wasm trampolines. Traps, hazards and a
    /// closed module are errors, as for hooks.
    pub fn call_export(&mut self, name: &str, args: &[i64]) -> Result<Vec<i64>, HostError> {
        use wasmtime::{Val, ValType};
        if let Some(reason) = &self.store.data().closed {
            return Err(HostError::ModuleClosed {
                reason: reason.clone(),
            });
        }
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| HostError::Phase {
                hook: "call_export",
                reason: format!("the module does not export `{name}`"),
            })?;
        let ty = func.ty(&self.store);
        let params: Vec<Val> = ty
            .params()
            .zip(args.iter().copied().chain(std::iter::repeat(0)))
            .map(|(t, a)| match t {
                ValType::I32 => Val::I32(a as i32),
                ValType::F32 => Val::F32(a as u32),
                ValType::F64 => Val::F64(a as u64),
                _ => Val::I64(a),
            })
            .collect();
        let mut results = vec![Val::I32(0); ty.results().len()];
        self.store.data_mut().hazard = None;
        crate::fuel::refuel(&mut self.store);
        let r = func.call(&mut self.store, &params, &mut results);
        let st = self.store.data_mut();
        if let Some(h) = st.hazard.take() {
            return Err(HostError::Hazard(h));
        }
        if let Err(e) = r {
            if let Some(h) = crate::fuel::runaway(&e, st, format!("`{name}`")) {
                return Err(HostError::Hazard(h));
            }
            if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                st.close(format!("`{name}` called proc_exit({})", exit.0));
            }
            let message = match &st.closed {
                Some(reason) => format!("module closed: {reason}\n{e:?}"),
                None => format!("{e:?}"),
            };
            return Err(HostError::HookTrap {
                hook: "call_export",
                message: format!("`{name}`: {message}"),
                stderr: self.stderr(),
            });
        }
        Ok(results
            .iter()
            .map(|v| match v {
                Val::I32(x) => i64::from(*x),
                Val::I64(x) => *x,
                Val::F32(x) => i64::from(*x),
                Val::F64(x) => *x as i64,
                _ => 0,
            })
            .collect())
    }
}

/// Counting, for benchmarks and for tests that compare two gadgets.
impl Gadget {
    /// The `ig` imports the gadget called, with their call counts (WASI
    /// calls are not counted).
    pub fn host_calls(&self) -> HostCalls {
        let Ok(table) = AbiTable::embedded() else {
            return HostCalls::default();
        };
        HostCalls(
            self.store
                .data()
                .calls
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .filter_map(|(slot, &n)| Some((table.imports.get(slot)?.name.clone(), n)))
                .collect(),
        )
    }

    /// The wasm the gadget has run since it was loaded, in wasmtime fuel:
    /// about one unit per wasm instruction (control-flow markers such as
    /// `block` and `nop` are free). Time in host functions is not included.
    /// Deterministic for a given module and input, unlike a timing.
    pub fn fuel_used(&self) -> u64 {
        let st = self.store.data();
        let left = self.store.get_fuel().unwrap_or(0);
        st.fuel_used + st.fuel_given.saturating_sub(left)
    }

    /// Sets every call count back to 0 (to count one phase, such as the
    /// events after a warm-up).
    pub fn reset_host_calls(&mut self) {
        self.store.data_mut().calls.clear();
    }
}
