//! In-memory eBPF maps.

use std::collections::BTreeMap;

use crate::spec::{MapEntry, MapSpec, map_type};

/// Index of a map in the instance's arena.
pub(crate) type MapId = usize;

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MapValue {
    Bytes(Vec<u8>),
    /// Map-of-maps: the inner map.
    Inner(MapId),
}

/// An eBPF map.
#[derive(Debug, Clone)]
pub(crate) struct MapObj {
    pub spec: MapSpec,
    pub entries: BTreeMap<Vec<u8>, MapValue>,
    /// Closed by `mapRelease`.
    pub closed: bool,
    /// Made by `newMap`.
    pub created_by_guest: bool,
    /// Perf event arrays: records written while no reader received them
    /// (lost, as in ig).
    pub perf_lost: u64,
}

/// Flags of `mapUpdate`.
pub(crate) mod flags {
    pub const ANY: u64 = 0;
    pub const NO_EXIST: u64 = 1;
    pub const EXIST: u64 = 2;
    pub const LOCK: u64 = 4;
}

impl MapObj {
    pub fn new(spec: MapSpec, created_by_guest: bool) -> Self {
        MapObj {
            spec,
            entries: BTreeMap::new(),
            closed: false,
            created_by_guest,
            perf_lost: 0,
        }
    }

    pub fn is_map_of_maps(&self) -> bool {
        matches!(
            self.spec.map_type,
            map_type::ARRAY_OF_MAPS | map_type::HASH_OF_MAPS
        )
    }

    fn is_array_like(&self) -> bool {
        matches!(
            self.spec.map_type,
            map_type::ARRAY | map_type::PERCPU_ARRAY | map_type::ARRAY_OF_MAPS
        )
    }

    fn is_percpu(&self) -> bool {
        matches!(
            self.spec.map_type,
            map_type::PERCPU_HASH | map_type::PERCPU_ARRAY | map_type::LRU_PERCPU_HASH
        )
    }

    /// Why lookup/update/delete refuse this map type, if they do (file
    /// descriptor maps and types the emulator does not model).
    pub fn refuse_reason(&self) -> Option<String> {
        match self.spec.map_type {
            map_type::HASH
            | map_type::ARRAY
            | map_type::PERCPU_HASH
            | map_type::PERCPU_ARRAY
            | map_type::LRU_HASH
            | map_type::LRU_PERCPU_HASH
            | map_type::ARRAY_OF_MAPS
            | map_type::HASH_OF_MAPS => None,
            map_type::PROG_ARRAY | map_type::PERF_EVENT_ARRAY | map_type::CGROUP_ARRAY => Some(
                format!("map type {} holds file descriptors", self.spec.map_type),
            ),
            t => Some(format!("map type {t} is not supported")),
        }
    }

    /// Bytes of a stored value as user space sees them: per-CPU maps round
    /// the value size up to 8 and repeat it per possible CPU.
    pub fn user_value_size(&self, cpus: u32) -> usize {
        if self.is_map_of_maps() {
            4
        } else if self.is_percpu() {
            (self.spec.value_size as usize).div_ceil(8) * 8 * cpus as usize
        } else {
            self.spec.value_size as usize
        }
    }

    fn check_key(&self, key: &[u8]) -> Result<(), String> {
        if key.len() != self.spec.key_size as usize {
            return Err(format!(
                "key has {} bytes, the map's key size is {}",
                key.len(),
                self.spec.key_size
            ));
        }
        Ok(())
    }

    fn array_index(&self, key: &[u8]) -> Option<u32> {
        let idx = u32::from_le_bytes(key.get(..4)?.try_into().ok()?);
        (idx < self.spec.max_entries).then_some(idx)
    }

    /// The value for a key; `Ok(None)` for a missing key.
    pub fn lookup(&self, key: &[u8], cpus: u32) -> Result<Option<MapValue>, String> {
        if let Some(r) = self.refuse_reason() {
            return Err(r);
        }
        self.check_key(key)?;
        if let Some(v) = self.entries.get(key) {
            return Ok(Some(v.clone()));
        }
        if self.is_array_like() && !self.is_map_of_maps() && self.array_index(key).is_some() {
            return Ok(Some(MapValue::Bytes(vec![0; self.user_value_size(cpus)])));
        }
        Ok(None)
    }

    /// Stores a value after the kernel's checks.
    pub fn update(&mut self, key: &[u8], value: MapValue, flag: u64) -> Result<(), String> {
        if let Some(r) = self.refuse_reason() {
            return Err(r);
        }
        self.check_key(key)?;
        if flag > flags::LOCK {
            return Err(format!("flags {flag} are above 4"));
        }
        if flag != flags::ANY
            && flag != flags::NO_EXIST
            && flag != flags::EXIST
            && flag != flags::LOCK
        {
            return Err(format!("flags {flag}: the kernel rejects this combination"));
        }
        let exists = if self.is_array_like() {
            if self.array_index(key).is_none() {
                return Err(format!(
                    "index out of range (max_entries {})",
                    self.spec.max_entries
                ));
            }
            !self.is_map_of_maps() || self.entries.contains_key(key)
        } else {
            self.entries.contains_key(key)
        };
        if flag == flags::NO_EXIST && exists {
            return Err("key exists (flag BPF_NOEXIST)".into());
        }
        if flag == flags::EXIST && !exists {
            return Err("key does not exist (flag BPF_EXIST)".into());
        }
        if !exists && !self.is_array_like() && self.entries.len() >= self.spec.max_entries as usize
        {
            return Err(format!("map is full ({} entries)", self.spec.max_entries));
        }
        self.entries.insert(key.to_vec(), value);
        Ok(())
    }

    /// Deletes a key.
    pub fn delete(&mut self, key: &[u8]) -> Result<(), String> {
        if let Some(r) = self.refuse_reason() {
            return Err(r);
        }
        self.check_key(key)?;
        if self.is_array_like() && !self.is_map_of_maps() {
            return Err("array map elements cannot be deleted".into());
        }
        self.entries
            .remove(key)
            .map(|_| ())
            .ok_or_else(|| "key does not exist".into())
    }

    /// Whether `inner` may be stored in this map-of-maps.
    pub fn accepts_inner(&self, inner: &MapSpec) -> Result<(), String> {
        let Some(want) = &self.spec.inner else {
            return Err("the map-of-maps has no inner-map shape".into());
        };
        if want.map_type != inner.map_type
            || want.key_size != inner.key_size
            || want.value_size != inner.value_size
            || want.max_entries != inner.max_entries
        {
            return Err(format!(
                "inner map (type {}, key {}, value {}, max {}) does not match the declared inner map (type {}, key {}, value {}, max {})",
                inner.map_type,
                inner.key_size,
                inner.value_size,
                inner.max_entries,
                want.map_type,
                want.key_size,
                want.value_size,
                want.max_entries
            ));
        }
        Ok(())
    }
}

/// Writes a map's initial `entries` (declared with [`MapSpec::entries`])
/// into map `id`, creating the inner maps of a map-of-maps.
pub(crate) fn fill(
    maps: &mut Vec<MapObj>,
    id: MapId,
    entries: &[MapEntry],
    cpus: u32,
) -> Result<(), String> {
    for e in entries {
        let key = &e.key.0;
        let at = || format!("entry {}", crate::to_hex(key));
        let m = &maps[id];
        match (m.is_map_of_maps(), &e.value, &e.inner) {
            (false, Some(value), None) => {
                let need = m.user_value_size(cpus);
                if value.0.len() != need {
                    return Err(format!(
                        "{}: the value has {} bytes, the map's values have {need}",
                        at(),
                        value.0.len()
                    ));
                }
                maps[id]
                    .update(key, MapValue::Bytes(value.0.clone()), flags::ANY)
                    .map_err(|r| format!("{}: {r}", at()))?;
            }
            (true, None, Some(inner_entries)) => {
                let mut inner = m
                    .spec
                    .inner
                    .as_deref()
                    .cloned()
                    .ok_or_else(|| format!("{}: the map-of-maps has no inner shape", at()))?;
                inner.name = format!("{}[inner]", m.spec.name);
                inner.entries.clear();
                let inner_id = maps.len();
                maps.push(MapObj::new(inner, false));
                fill(maps, inner_id, inner_entries, cpus)
                    .map_err(|r| format!("{} (inner map): {r}", at()))?;
                maps[id]
                    .update(key, MapValue::Inner(inner_id), flags::ANY)
                    .map_err(|r| format!("{}: {r}", at()))?;
            }
            (false, _, _) => {
                return Err(format!(
                    "{}: give the value (`value`), and no `inner`",
                    at()
                ));
            }
            (true, _, _) => {
                return Err(format!(
                    "{}: an entry of a map-of-maps is an inner map (`inner`: [entries]), not a `value`",
                    at()
                ));
            }
        }
    }
    Ok(())
}
