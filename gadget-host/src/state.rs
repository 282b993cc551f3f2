//! The per-instance state kept in the wasmtime `Store`: everything the `ig`
//! functions read and change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use wasmtime::{Func, Memory, StoreLimits};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::datasource::{Body, CtxKind, DataSource, Packet, PacketId, Record, SourceId};
use crate::error::Hazard;
use crate::events::{Emission, Emitted};
use crate::handles::{AllocError, DataLoc, ElementHandle, Entry, HandleTable};
use crate::logging::{LogLevel, LogRecord, LogSource};
use crate::maps::{MapId, MapObj};
use crate::perf::{PerfReader, PerfRecord, PerfWhen, ScheduledPerf};
use crate::spec::{DataSourceSpec, DataSourceType, EnrichmentSpec, MapSpec, SyscallDecl};

/// The world a gadget runs in, as declared by the test; cloned into every
/// instance.
#[derive(Debug, Clone)]
pub(crate) struct WorldSpec {
    pub datasources: Vec<DataSourceSpec>,
    pub enrichments: Vec<EnrichmentSpec>,
    pub maps: Vec<MapSpec>,
    pub params: BTreeMap<String, String>,
    pub config: Option<BTreeMap<String, String>>,
    pub kallsyms: BTreeSet<String>,
    pub mntns_filter: Option<BTreeSet<u64>>,
    pub syscall_decls: Vec<SyscallDecl>,
    pub log_level: LogLevel,
    pub possible_cpus: u32,
    /// Wasm instructions (wasmtime fuel) one entry into the guest may run.
    pub fuel_per_call: u64,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            datasources: Vec::new(),
            enrichments: Vec::new(),
            maps: Vec::new(),
            params: BTreeMap::new(),
            config: Some(BTreeMap::new()),
            kallsyms: BTreeSet::new(),
            mntns_filter: None,
            syscall_decls: Vec::new(),
            log_level: LogLevel::Info,
            possible_cpus: 1,
            fuel_per_call: crate::DEFAULT_FUEL_PER_CALL,
        }
    }
}

/// Lifecycle phase: the last hook entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Instantiated, `gadgetAPIVersion` checked.
    Loaded,
    /// `gadgetInit` entered.
    Init,
    /// `gadgetPreStart` entered.
    PreStart,
    /// `gadgetStart` entered.
    Start,
    /// `gadgetStop` entered.
    Stop,
    /// `gadgetPostStop` entered.
    PostStop,
}

/// A trap raised by `dataSourceCallback`, which ig ignores silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTrap {
    /// Callback id of the subscription.
    pub cb_id: u64,
    /// Data source being delivered.
    pub datasource: String,
    /// Trap message with the wasm backtrace.
    pub message: String,
}

/// A record of what an observer subscription saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observer {
    pub seen: Vec<Emission>,
}

/// A data handle resolved to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataRef {
    Loc(DataLoc),
    /// An element from `dataArrayNew` (its record lives in the handle entry).
    NewElement(u32),
}

pub(crate) struct HostState {
    pub wasi: WasiP1Ctx,
    pub limits: StoreLimits,
    pub memory: Option<Memory>,
    pub callback: Option<Func>,
    pub handles: HandleTable,
    pub sources: Vec<DataSource>,
    pub source_names: HashMap<String, SourceId>,
    pub packets: HashMap<PacketId, Packet>,
    pub next_packet: PacketId,
    pub maps: Vec<MapObj>,
    pub map_names: HashMap<String, MapId>,
    pub readers: Vec<PerfReader>,
    /// Perf records waiting for their trigger.
    pub perf_scheduled: Vec<ScheduledPerf>,
    pub spec: WorldSpec,
    pub config: Option<BTreeMap<String, String>>,
    /// Successful `setConfig` calls, in order.
    pub config_calls: Vec<(String, String)>,
    pub logs: Vec<LogRecord>,
    pub phase: Phase,
    pub current_ctx: CtxKind,
    pub instance_ctx_done: bool,
    pub stop_ctx_done: bool,
    pub callback_depth: u32,
    pub callback_traps: Vec<CallbackTrap>,
    pub emitted: Vec<Emitted>,
    pub observers: Vec<Observer>,
    pub sub_seq: u64,
    pub closed: Option<String>,
    pub hazard: Option<Hazard>,
    /// Calls of each `ig` import, indexed like the ABI table's imports.
    pub calls: Vec<u64>,
    /// Fuel the guest burnt in the calls before the current one.
    pub fuel_used: u64,
    /// Fuel given to the current call.
    pub fuel_given: u64,
}

impl HostState {
    pub fn new(wasi: WasiP1Ctx, limits: StoreLimits, spec: WorldSpec) -> Self {
        let mut st = HostState {
            wasi,
            limits,
            memory: None,
            callback: None,
            handles: HandleTable::default(),
            sources: Vec::new(),
            source_names: HashMap::new(),
            packets: HashMap::new(),
            next_packet: 1,
            maps: Vec::new(),
            map_names: HashMap::new(),
            readers: Vec::new(),
            perf_scheduled: Vec::new(),
            config: spec.config.clone(),
            config_calls: Vec::new(),
            spec,
            logs: Vec::new(),
            phase: Phase::Loaded,
            current_ctx: CtxKind::Gadget,
            instance_ctx_done: false,
            stop_ctx_done: false,
            callback_depth: 0,
            callback_traps: Vec::new(),
            emitted: Vec::new(),
            observers: Vec::new(),
            sub_seq: 0,
            closed: None,
            hazard: None,
            calls: Vec::new(),
            fuel_used: 0,
            fuel_given: 0,
        };
        for ds in st.spec.datasources.clone() {
            let id = st.add_source(ds.name.clone(), ds.ds_type);
            st.sources[id].fields = ds
                .fields
                .iter()
                .map(crate::datasource::FieldDef::from_spec)
                .collect();
        }
        for m in st.spec.maps.clone() {
            let id = st.maps.len();
            st.maps.push(MapObj::new(m.clone(), false));
            // Checked by `HostBuilder::build`.
            let _ = crate::maps::fill(&mut st.maps, id, &m.entries, st.spec.possible_cpus);
            st.map_names.insert(m.name, id);
        }
        st
    }

    pub fn add_source(&mut self, name: String, ds_type: DataSourceType) -> SourceId {
        let id = self.sources.len();
        self.sources.push(DataSource::new(name.clone(), ds_type));
        self.source_names.insert(name, id);
        id
    }

    /// Counts one call of the import at `slot` of the ABI table.
    pub fn count_call(&mut self, slot: usize) {
        if slot >= self.calls.len() {
            self.calls.resize(slot + 1, 0);
        }
        self.calls[slot] += 1;
    }

    pub fn log(&mut self, level: LogLevel, source: LogSource, message: String) {
        self.logs.push(LogRecord {
            level,
            source,
            message,
        });
    }

    /// Records a warning ig would log about a failed call.
    pub fn warn(&mut self, func: &str, message: impl std::fmt::Display) {
        self.log(
            LogLevel::Warn,
            LogSource::Host,
            format!("{func}: {message}"),
        );
    }

    /// Creates a handle: 0 when 4096 are open, a trap after the table was
    /// dropped.
    pub fn alloc(&mut self, entry: Entry) -> wasmtime::Result<u32> {
        match self.handles.alloc(entry) {
            Ok(h) => Ok(h),
            Err(AllocError::Full) => Ok(0),
            Err(AllocError::Dropped) => Err(wasmtime::Error::msg(
                "creating a handle after gadgetStop returned: ig has dropped the handle table and traps",
            )),
        }
    }

    pub fn source(&self, handle: u32) -> Option<SourceId> {
        match self.handles.get(handle)? {
            Entry::DataSource(id) => Some(*id),
            _ => None,
        }
    }

    pub fn field(&self, handle: u32) -> Option<(SourceId, usize)> {
        match self.handles.get(handle)? {
            Entry::Field(s, i) => Some((*s, *i)),
            _ => None,
        }
    }

    /// An array: an array packet handle or a callback's array handle.
    pub fn array(&self, handle: u32) -> Option<PacketId> {
        match self.handles.get(handle)? {
            Entry::Packet(p) if matches!(self.packets.get(p)?.body, Body::Array(_)) => Some(*p),
            Entry::Array(p) => Some(*p),
            _ => None,
        }
    }

    /// A data handle of any form, element handles included.
    pub fn data(&self, handle: u32) -> Option<DataRef> {
        if let Some(el) = ElementHandle::decode(handle) {
            let pid = self.array(el.array)?;
            return Some(DataRef::Loc(DataLoc::Element(pid, el.index as usize)));
        }
        match self.handles.get(handle)? {
            Entry::Packet(p) if matches!(self.packets.get(p)?.body, Body::Single(_)) => {
                Some(DataRef::Loc(DataLoc::Packet(*p)))
            }
            Entry::Data(loc) => Some(DataRef::Loc(*loc)),
            Entry::NewElement { .. } => Some(DataRef::NewElement(handle)),
            _ => None,
        }
    }

    pub fn record(&self, r: DataRef) -> Option<&Record> {
        match r {
            DataRef::Loc(DataLoc::Packet(p)) => match &self.packets.get(&p)?.body {
                Body::Single(rec) => Some(rec),
                Body::Array(_) => None,
            },
            DataRef::Loc(DataLoc::Element(p, i)) => match &self.packets.get(&p)?.body {
                Body::Array(recs) => recs.get(i),
                Body::Single(_) => None,
            },
            DataRef::NewElement(h) => match self.handles.get(h)? {
                Entry::NewElement { record, .. } => Some(record),
                _ => None,
            },
        }
    }

    pub fn record_mut(&mut self, r: DataRef) -> Option<&mut Record> {
        match r {
            DataRef::Loc(DataLoc::Packet(p)) => match &mut self.packets.get_mut(&p)?.body {
                Body::Single(rec) => Some(rec),
                Body::Array(_) => None,
            },
            DataRef::Loc(DataLoc::Element(p, i)) => match &mut self.packets.get_mut(&p)?.body {
                Body::Array(recs) => recs.get_mut(i),
                Body::Single(_) => None,
            },
            DataRef::NewElement(h) => match self.handles.get_mut(h)? {
                Entry::NewElement { record, .. } => Some(record),
                _ => None,
            },
        }
    }

    pub fn map(&self, handle: u32) -> Option<MapId> {
        match self.handles.get(handle)? {
            Entry::Map { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn new_packet(&mut self, source: SourceId, body: Body) -> PacketId {
        let id = self.next_packet;
        self.next_packet += 1;
        self.packets.insert(id, Packet { source, body });
        id
    }

    pub fn ctx_done(&self, ctx: CtxKind) -> bool {
        match ctx {
            CtxKind::Gadget => false,
            CtxKind::Instance => self.instance_ctx_done,
            CtxKind::Stop => self.stop_ctx_done,
        }
    }

    /// Writes a perf record into map `map` as the eBPF program would: into
    /// the buffer of every reader that receives it, lost when none does.
    /// Returns how many readers got it.
    pub fn write_perf(&mut self, map: MapId, record: &PerfRecord) -> usize {
        let mut got = 0;
        for reader in self.readers.iter_mut().filter(|r| r.receives(map)) {
            reader.queue.push_back(record.clone());
            got += 1;
        }
        if got == 0 {
            self.maps[map].perf_lost += 1;
        }
        got
    }

    /// The map the test means by `name`: a declared map, else the newest
    /// open map the guest created with that name (`newMap`).
    pub fn map_by_name(&self, name: &str) -> Option<MapId> {
        self.map_names.get(name).copied().or_else(|| {
            self.maps
                .iter()
                .rposition(|m| m.created_by_guest && !m.closed && m.spec.name == name)
        })
    }

    /// Writes the scheduled records whose trigger just happened: `when` for
    /// map `map` (`None`: any map, for triggers not tied to one).
    pub fn fire_perf(&mut self, when: PerfWhen, map: Option<MapId>) {
        if self.perf_scheduled.is_empty() {
            return;
        }
        let (due, waiting): (Vec<ScheduledPerf>, Vec<ScheduledPerf>) =
            std::mem::take(&mut self.perf_scheduled)
                .into_iter()
                .partition(|s| {
                    s.when == when && map.is_none_or(|m| self.maps[m].spec.name == s.map)
                });
        self.perf_scheduled = waiting;
        for s in due {
            match map.or_else(|| self.map_by_name(&s.map)) {
                Some(id) => {
                    self.write_perf(id, &s.record);
                }
                None => self.warn(
                    "perf record",
                    format!(
                        "map `{}` did not exist when the record was due ({when:?}): the record is lost",
                        s.map
                    ),
                ),
            }
        }
    }

    /// Closes the module for good.
    pub fn close(&mut self, reason: String) {
        if self.closed.is_none() {
            self.closed = Some(reason);
        }
    }
}
