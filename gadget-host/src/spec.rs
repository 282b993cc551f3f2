//! What a test (or a CLI schema file) declares about the world the gadget
//! runs in: the eBPF layer's data sources, maps, syscall declarations.

use serde::{Deserialize, Serialize};

use crate::FieldKind;

/// Data-source type (ABI numbers 1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DataSourceType {
    /// One event per packet (1).
    #[default]
    Single,
    /// An array of events per packet (2).
    Array,
}

impl DataSourceType {
    /// From the ABI number.
    pub fn from_abi(n: u32) -> Option<Self> {
        match n {
            1 => Some(Self::Single),
            2 => Some(Self::Array),
            _ => None,
        }
    }

    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Array => "array",
        }
    }
}

/// A field declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Full name (`k8s.namespace` is one plain name).
    pub name: String,
    /// Kind.
    pub kind: FieldKind,
    /// Fixed size in bytes for string/cstring/bytes fields; `None` makes them
    /// variable-size. Scalars always have their kind's width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl FieldSpec {
    /// A field of the kind's natural size (variable for text and bytes).
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        FieldSpec {
            name: name.into(),
            kind,
            size: None,
            tags: Vec::new(),
        }
    }

    /// The fixed byte size, if any.
    pub fn fixed_size(&self) -> Option<usize> {
        self.kind.scalar_width().or(self.size.map(|s| s as usize))
    }
}

/// A data source of the eBPF layer (or any operator before the gadget).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceSpec {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(default, rename = "type")]
    pub ds_type: DataSourceType,
    /// Fields, in order.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

impl DataSourceSpec {
    /// A single data source with no fields yet.
    pub fn single(name: impl Into<String>) -> Self {
        DataSourceSpec {
            name: name.into(),
            ds_type: DataSourceType::Single,
            fields: Vec::new(),
        }
    }

    /// An array data source with no fields yet.
    pub fn array(name: impl Into<String>) -> Self {
        DataSourceSpec {
            name: name.into(),
            ds_type: DataSourceType::Array,
            fields: Vec::new(),
        }
    }

    /// Adds a field (scalars at their width, text/bytes variable-size).
    pub fn field(mut self, name: impl Into<String>, kind: FieldKind) -> Self {
        self.fields.push(FieldSpec::new(name, kind));
        self
    }

    /// Adds a fixed-size string/cstring/bytes field.
    pub fn field_fixed(mut self, name: impl Into<String>, kind: FieldKind, size: u32) -> Self {
        let mut f = FieldSpec::new(name, kind);
        f.size = Some(size);
        self.fields.push(f);
        self
    }

    /// Adds a field given in full.
    pub fn field_spec(mut self, spec: FieldSpec) -> Self {
        self.fields.push(spec);
        self
    }
}

/// A field another operator (an enricher) adds at pre-start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrichmentSpec {
    /// Data source it is added to.
    pub datasource: String,
    /// The field.
    #[serde(flatten)]
    pub field: FieldSpec,
}

/// eBPF map type numbers the emulator knows by name.
pub mod map_type {
    /// BPF_MAP_TYPE_HASH
    pub const HASH: u32 = 1;
    /// BPF_MAP_TYPE_ARRAY
    pub const ARRAY: u32 = 2;
    /// BPF_MAP_TYPE_PROG_ARRAY
    pub const PROG_ARRAY: u32 = 3;
    /// BPF_MAP_TYPE_PERF_EVENT_ARRAY
    pub const PERF_EVENT_ARRAY: u32 = 4;
    /// BPF_MAP_TYPE_PERCPU_HASH
    pub const PERCPU_HASH: u32 = 5;
    /// BPF_MAP_TYPE_PERCPU_ARRAY
    pub const PERCPU_ARRAY: u32 = 6;
    /// BPF_MAP_TYPE_CGROUP_ARRAY
    pub const CGROUP_ARRAY: u32 = 8;
    /// BPF_MAP_TYPE_LRU_HASH
    pub const LRU_HASH: u32 = 9;
    /// BPF_MAP_TYPE_LRU_PERCPU_HASH
    pub const LRU_PERCPU_HASH: u32 = 10;
    /// BPF_MAP_TYPE_ARRAY_OF_MAPS
    pub const ARRAY_OF_MAPS: u32 = 12;
    /// BPF_MAP_TYPE_HASH_OF_MAPS
    pub const HASH_OF_MAPS: u32 = 13;
    /// Highest type number ig accepts in `newMap`.
    pub const MAX: u32 = 33;
}

/// Bytes given as a hex string in JSON (`"0a1b"`); an array of numbers is
/// read too. Written as hex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl Serialize for HexBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = HexBytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes as a hex string (\"0a1b\") or an array of numbers 0..=255")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<HexBytes, E> {
                crate::from_hex(text).map(HexBytes).map_err(E::custom)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<HexBytes, A::Error> {
                let mut bytes = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(HexBytes(bytes))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl From<&[u8]> for HexBytes {
    fn from(b: &[u8]) -> Self {
        HexBytes(b.to_vec())
    }
}

impl From<Vec<u8>> for HexBytes {
    fn from(b: Vec<u8>) -> Self {
        HexBytes(b)
    }
}

/// An entry a map holds before the gadget runs: a value, or for a
/// map-of-maps an inner map (of the declared inner shape) with its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapEntry {
    /// The key.
    pub key: HexBytes,
    /// The value (every map type but map-of-maps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<HexBytes>,
    /// Map-of-maps: the inner map's entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<Vec<MapEntry>>,
}

/// A map of the gadget's eBPF program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    /// Name (not needed for the inner shape of a map-of-maps).
    #[serde(default)]
    pub name: String,
    /// Kernel map type number (see [`map_type`]).
    #[serde(rename = "type")]
    pub map_type: u32,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes (4 for map-of-maps and perf event arrays).
    pub value_size: u32,
    /// Capacity (not needed for a perf event array: one slot per CPU).
    #[serde(default)]
    pub max_entries: u32,
    /// For map-of-maps: the inner map's shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<Box<MapSpec>>,
    /// Entries present before the gadget runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<MapEntry>,
}

impl MapSpec {
    /// Any map type.
    pub fn new(
        name: impl Into<String>,
        map_type: u32,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
    ) -> Self {
        MapSpec {
            name: name.into(),
            map_type,
            key_size,
            value_size,
            max_entries,
            inner: None,
            entries: Vec::new(),
        }
    }

    /// An entry present before the gadget runs.
    pub fn entry(mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        self.entries.push(MapEntry {
            key: HexBytes(key.into()),
            value: Some(HexBytes(value.into())),
            inner: None,
        });
        self
    }

    /// Map-of-maps: an inner map under `key`, holding `entries`
    /// (`(key, value)` pairs).
    pub fn inner_entry(
        mut self,
        key: impl Into<Vec<u8>>,
        entries: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Self {
        self.entries.push(MapEntry {
            key: HexBytes(key.into()),
            value: None,
            inner: Some(
                entries
                    .into_iter()
                    .map(|(k, v)| MapEntry {
                        key: HexBytes(k),
                        value: Some(HexBytes(v)),
                        inner: None,
                    })
                    .collect(),
            ),
        });
        self
    }

    /// A hash map.
    pub fn hash(name: impl Into<String>, key_size: u32, value_size: u32, max_entries: u32) -> Self {
        Self::new(name, map_type::HASH, key_size, value_size, max_entries)
    }

    /// An array map (4-byte keys).
    pub fn array(name: impl Into<String>, value_size: u32, max_entries: u32) -> Self {
        Self::new(name, map_type::ARRAY, 4, value_size, max_entries)
    }

    /// A perf event array (one slot per CPU).
    pub fn perf_event_array(name: impl Into<String>) -> Self {
        Self::new(name, map_type::PERF_EVENT_ARRAY, 4, 4, 0)
    }

    /// An array of maps whose values are maps shaped like `inner`.
    pub fn array_of_maps(name: impl Into<String>, max_entries: u32, inner: MapSpec) -> Self {
        let mut m = Self::new(name, map_type::ARRAY_OF_MAPS, 4, 4, max_entries);
        m.inner = Some(Box::new(inner));
        m
    }

    /// A hash of maps whose values are maps shaped like `inner`.
    pub fn hash_of_maps(
        name: impl Into<String>,
        key_size: u32,
        max_entries: u32,
        inner: MapSpec,
    ) -> Self {
        let mut m = Self::new(name, map_type::HASH_OF_MAPS, key_size, 4, max_entries);
        m.inner = Some(Box::new(inner));
        m
    }
}

/// A syscall parameter of a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallParam {
    /// Name (cut to 32 bytes in the record).
    pub name: String,
    /// Whether the parameter is a pointer (flag bit 0).
    #[serde(default)]
    pub pointer: bool,
}

impl SyscallParam {
    /// A plain parameter.
    pub fn value(name: impl Into<String>) -> Self {
        SyscallParam {
            name: name.into(),
            pointer: false,
        }
    }

    /// A pointer parameter.
    pub fn pointer(name: impl Into<String>) -> Self {
        SyscallParam {
            name: name.into(),
            pointer: true,
        }
    }
}

/// A syscall declaration as ig reads it from tracefs (at most 6 params are
/// written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallDecl {
    /// Name as the guest asks for it (after ig's remapping, e.g. `fstat`).
    pub name: String,
    /// Parameters.
    #[serde(default)]
    pub params: Vec<SyscallParam>,
}

/// Size of a declaration record written by `getSyscallDeclaration`.
pub const SYSCALL_DECL_RECORD_SIZE: usize = 252;

impl SyscallDecl {
    /// The 252-byte record, with `asked` (the name the guest passed) as name.
    pub fn encode(&self, asked: &[u8]) -> [u8; SYSCALL_DECL_RECORD_SIZE] {
        let mut rec = [0u8; SYSCALL_DECL_RECORD_SIZE];
        let n = asked.len().min(32);
        rec[..n].copy_from_slice(&asked[..n]);
        rec[32] = self.params.len().min(u8::MAX as usize) as u8;
        for (i, p) in self.params.iter().take(6).enumerate() {
            let base = 36 + i * 36;
            let name = p.name.as_bytes();
            let n = name.len().min(32);
            rec[base..base + n].copy_from_slice(&name[..n]);
            rec[base + 32..base + 36].copy_from_slice(&u32::from(p.pointer).to_le_bytes());
        }
        rec
    }
}
