//! eBPF maps: typed look-ups, updates and deletes, map-of-maps, and handles
//! that close themselves.
//!
//! Keys and values are plain-old-data types ([`bytemuck::Pod`]), so a Rust
//! struct with `#[repr(C)]` matching the eBPF program's C struct is read and
//! written directly.

use std::marker::PhantomData;
use std::rc::Rc;

use bytemuck::Pod;

use crate::abi::{MapType, UpdateFlags};
use crate::buffer;
use crate::error::{Error, ErrorKind, Result, subject};
use crate::sys;

/// What must happen to a map handle when it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ownership {
    /// Made by `newMap`: closed with `mapRelease`.
    Created,
    /// From `getMap` or a map-of-maps look-up: forgotten with `releaseHandle`.
    Borrowed,
}

/// The description of a map to create with [`Map::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapSpec {
    /// The map's name.
    pub name: String,
    /// The kernel map type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Maximum number of entries.
    pub max_entries: u32,
}

impl MapSpec {
    /// A spec for a map of `map_type` with keys `K` and values `V`.
    pub fn new<K: Pod, V: Pod>(name: &str, map_type: MapType, max_entries: u32) -> Self {
        Self {
            name: name.to_owned(),
            map_type,
            key_size: size_of::<K>() as u32,
            value_size: size_of::<V>() as u32,
            max_entries,
        }
    }
}

/// An eBPF map handle; closed (or forgotten) when dropped.
#[derive(Debug)]
pub struct Map {
    handle: u32,
    name: Rc<str>,
    ownership: Ownership,
}

impl Map {
    /// The map `name` of the gadget's eBPF program (`getMap`); available
    /// from `gadgetStart` on.
    pub fn get(name: &str) -> Result<Self> {
        // SAFETY: the buffer pointer covers `name` for the call.
        let h = unsafe { sys::getMap(buffer::encode(name.as_bytes())) };
        if h == 0 {
            return Err(Error::new(
                ErrorKind::NotFound,
                "getMap",
                "no such map (maps exist from gadgetStart on; check the name in the eBPF program)",
            )
            .with_subject(subject::map(name)));
        }
        Ok(Self {
            handle: h as u32,
            name: name.into(),
            ownership: Ownership::Borrowed,
        })
    }

    /// Creates a map (`newMap`); it is closed when dropped.
    ///
    /// ig cannot create map-of-maps (no inner-map spec can be given).
    pub fn create(spec: &MapSpec) -> Result<Self> {
        // SAFETY: the buffer pointer covers the name for the call.
        let h = unsafe {
            sys::newMap(
                buffer::encode(spec.name.as_bytes()),
                spec.map_type.0 as i32,
                spec.key_size as i32,
                spec.value_size as i32,
                spec.max_entries as i32,
            )
        };
        if h == 0 {
            return Err(Error::new(
                ErrorKind::HostRefused,
                "newMap",
                crate::error::text(format_args!(
                    "the host refused to create it (type {}, key {} bytes, value {} bytes, \
                     {} entries; map-of-maps cannot be created)",
                    spec.map_type.0, spec.key_size, spec.value_size, spec.max_entries
                )),
            )
            .with_subject(subject::map(&spec.name)));
        }
        Ok(Self {
            handle: h as u32,
            name: spec.name.as_str().into(),
            ownership: Ownership::Created,
        })
    }

    /// The map's name (for an inner map: the outer map's name and the key).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw handle, for calls into [`crate::sys`].
    pub fn as_raw(&self) -> u32 {
        self.handle
    }

    fn error(
        &self,
        kind: ErrorKind,
        op: &'static str,
        detail: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Error {
        Error::new(kind, op, detail).with_subject(subject::map(&self.name))
    }

    /// Looks `key` up into `value`; `Ok(false)` when the key is missing.
    ///
    /// ig writes nothing for a missing key and still reports success, so the
    /// buffer is pre-filled with a pattern and, only when the pattern comes
    /// back untouched, looked up once more with another: a stored value
    /// cannot equal both.
    pub fn lookup_raw(&self, key: &[u8], value: &mut [u8]) -> Result<bool> {
        const FIRST: u8 = 0xA5;
        const SECOND: u8 = 0x5A;
        Ok(self.lookup_with_pattern(key, value, FIRST)?
            || self.lookup_with_pattern(key, value, SECOND)?)
    }

    fn lookup_with_pattern(&self, key: &[u8], value: &mut [u8], pattern: u8) -> Result<bool> {
        value.fill(pattern);
        // SAFETY: both buffer pointers cover live memory for the call.
        let rc = unsafe {
            sys::mapLookup(
                self.handle as i32,
                buffer::encode(key),
                buffer::encode_mut(value),
            )
        };
        if rc != 0 {
            return Err(self.error(
                ErrorKind::HostRefused,
                "mapLookup",
                crate::error::text(format_args!(
                    "the host refused the look-up (key {} bytes, value {} bytes: they must be the \
                     map's sizes; perf event arrays cannot be looked up)",
                    key.len(),
                    value.len()
                )),
            ));
        }
        Ok(value.iter().any(|&b| b != pattern))
    }

    /// The value stored under `key`, or `None` when the key is missing.
    ///
    /// ```no_run
    /// # fn f() -> gadget_api::Result<()> {
    /// let counts = gadget_api::Map::get("counts")?;
    /// let n: Option<u64> = counts.lookup(&1234u32)?;
    /// # Ok(()) }
    /// ```
    pub fn lookup<K: Pod, V: Pod>(&self, key: &K) -> Result<Option<V>> {
        let mut value = V::zeroed();
        let found = self.lookup_raw(bytemuck::bytes_of(key), bytemuck::bytes_of_mut(&mut value))?;
        Ok(found.then_some(value))
    }

    /// Writes `value` under `key` (`mapUpdate`).
    pub fn update_raw(&self, key: &[u8], value: &[u8], flags: UpdateFlags) -> Result<()> {
        // SAFETY: both buffer pointers cover live memory for the call.
        let rc = unsafe {
            sys::mapUpdate(
                self.handle as i32,
                buffer::encode(key),
                buffer::encode(value),
                flags as i64,
            )
        };
        if rc != 0 {
            return Err(self.error(
                ErrorKind::HostRefused,
                "mapUpdate",
                crate::error::text(format_args!(
                    "the host refused the update with flags {flags:?} (key {} bytes, value {} \
                     bytes: they must be the map's sizes; NoExist fails on an existing key, \
                     Exist on a missing one)",
                    key.len(),
                    value.len()
                )),
            ));
        }
        Ok(())
    }

    /// Writes `value` under `key`.
    pub fn update<K: Pod, V: Pod>(&self, key: &K, value: &V, flags: UpdateFlags) -> Result<()> {
        self.update_raw(bytemuck::bytes_of(key), bytemuck::bytes_of(value), flags)
    }

    /// Deletes `key` (`mapDelete`); a missing key is an error.
    pub fn delete_raw(&self, key: &[u8]) -> Result<()> {
        // SAFETY: the buffer pointer covers `key` for the call.
        let rc = unsafe { sys::mapDelete(self.handle as i32, buffer::encode(key)) };
        if rc != 0 {
            return Err(self.error(
                ErrorKind::NotFound,
                "mapDelete",
                crate::error::text(format_args!(
                    "the key ({} bytes) is missing or the host refused it",
                    key.len()
                )),
            ));
        }
        Ok(())
    }

    /// Deletes `key`; a missing key is an error.
    pub fn delete<K: Pod>(&self, key: &K) -> Result<()> {
        self.delete_raw(bytemuck::bytes_of(key))
    }

    /// The inner map stored under `key` of this array-of-maps or
    /// hash-of-maps; the returned handle is freed when dropped.
    ///
    /// ig traps the module (a host panic) when `key` is missing from a
    /// map-of-maps, so only look up keys that exist.
    pub fn lookup_map<K: Pod>(&self, key: &K) -> Result<Map> {
        let mut inner: u32 = 0;
        // SAFETY: both buffer pointers cover live memory for the call.
        let rc = unsafe {
            sys::mapLookup(
                self.handle as i32,
                buffer::encode(bytemuck::bytes_of(key)),
                buffer::encode_mut(bytemuck::bytes_of_mut(&mut inner)),
            )
        };
        if rc != 0 || inner == 0 {
            return Err(self.error(
                ErrorKind::HostRefused,
                "mapLookup",
                "no inner map for this key (is this a map of maps, with that key size?)",
            ));
        }
        Ok(Map {
            handle: inner,
            name: crate::error::text(format_args!("{}[inner]", self.name)).into(),
            ownership: Ownership::Borrowed,
        })
    }

    /// Stores `inner` under `key` of this map-of-maps.
    pub fn update_map<K: Pod>(&self, key: &K, inner: &Map, flags: UpdateFlags) -> Result<()> {
        self.update(key, &inner.handle, flags)
    }

    /// A typed view with fixed key and value types.
    pub fn typed<K: Pod, V: Pod>(self) -> TypedMap<K, V> {
        TypedMap {
            map: self,
            _types: PhantomData,
        }
    }

    /// Closes the map now and reports the result (dropping does the same silently).
    pub fn close(mut self) -> Result<()> {
        let rc = self.release_handle();
        self.handle = 0; // released: nothing left for `drop`
        if rc == 0 {
            Ok(())
        } else {
            Err(self.error(
                ErrorKind::HostRefused,
                self.release_op(),
                "the host refused to close it",
            ))
        }
    }

    fn release_op(&self) -> &'static str {
        match self.ownership {
            Ownership::Created => "mapRelease",
            Ownership::Borrowed => "releaseHandle",
        }
    }

    fn release_handle(&self) -> i32 {
        // SAFETY: plain values; the handle is ours.
        unsafe {
            match self.ownership {
                Ownership::Created => sys::mapRelease(self.handle as i32),
                Ownership::Borrowed => sys::releaseHandle(self.handle as i32),
            }
        }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if self.handle != 0 {
            self.release_handle();
        }
    }
}

/// A [`Map`] with fixed key and value types, like a `HashMap<K, V>`.
///
/// ```no_run
/// # fn f() -> gadget_api::Result<()> {
/// use gadget_api::{Map, UpdateFlags};
/// let counts = Map::get("counts")?.typed::<u32, u64>();
/// let n = counts.get(&1234)?.unwrap_or(0);
/// counts.insert(&1234, &(n + 1))?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TypedMap<K: Pod, V: Pod> {
    map: Map,
    _types: PhantomData<fn(K) -> V>,
}

impl<K: Pod, V: Pod> TypedMap<K, V> {
    /// The value under `key`, or `None`.
    pub fn get(&self, key: &K) -> Result<Option<V>> {
        self.map.lookup(key)
    }

    /// Creates or overwrites `key`.
    pub fn insert(&self, key: &K, value: &V) -> Result<()> {
        self.map.update(key, value, UpdateFlags::Any)
    }

    /// Writes `key` with explicit update flags.
    pub fn update(&self, key: &K, value: &V, flags: UpdateFlags) -> Result<()> {
        self.map.update(key, value, flags)
    }

    /// Deletes `key`; a missing key is an error.
    pub fn remove(&self, key: &K) -> Result<()> {
        self.map.delete(key)
    }

    /// The untyped map.
    pub fn as_map(&self) -> &Map {
        &self.map
    }

    /// Gives back the untyped map.
    pub fn into_map(self) -> Map {
        self.map
    }
}
