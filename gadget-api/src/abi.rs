//! The enumerations of the ABI (section 3 of ig's wasm ABI), as Rust types.

/// The kind of a field's value, with ig's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum FieldKind {
    /// A boolean (one byte; reads as true only when the byte is exactly 1).
    Bool = 1,
    /// `i8`.
    Int8 = 2,
    /// `i16`.
    Int16 = 3,
    /// `i32`.
    Int32 = 4,
    /// `i64`.
    Int64 = 5,
    /// `u8`.
    Uint8 = 6,
    /// `u16`.
    Uint16 = 7,
    /// `u32`.
    Uint32 = 8,
    /// `u64`.
    Uint64 = 9,
    /// `f32`, passed as its IEEE-754 bits.
    Float32 = 10,
    /// `f64`, passed as its IEEE-754 bits.
    Float64 = 11,
    /// A string (raw bytes; ig checks no UTF-8).
    String = 12,
    /// A NUL-terminated C string, as eBPF programs often produce.
    CString = 13,
    /// Raw bytes.
    Bytes = 14,
}

impl FieldKind {
    /// Every kind, in ig's order.
    pub const ALL: [FieldKind; 14] = [
        Self::Bool,
        Self::Int8,
        Self::Int16,
        Self::Int32,
        Self::Int64,
        Self::Uint8,
        Self::Uint16,
        Self::Uint32,
        Self::Uint64,
        Self::Float32,
        Self::Float64,
        Self::String,
        Self::CString,
        Self::Bytes,
    ];

    /// ig's number for this kind.
    pub const fn as_raw(self) -> u32 {
        self as u32
    }

    /// The kind with ig's number `raw`, if there is one (0 is "invalid").
    pub fn from_raw(raw: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_raw() == raw)
    }

    /// The width in bytes of a scalar kind; `None` for strings and bytes.
    pub const fn scalar_size(self) -> Option<usize> {
        match self {
            Self::Bool | Self::Int8 | Self::Uint8 => Some(1),
            Self::Int16 | Self::Uint16 => Some(2),
            Self::Int32 | Self::Uint32 | Self::Float32 => Some(4),
            Self::Int64 | Self::Uint64 | Self::Float64 => Some(8),
            Self::String | Self::CString | Self::Bytes => None,
        }
    }

    /// ig's name of the kind, as shown in error messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::Int8 => "int8",
            Self::Int16 => "int16",
            Self::Int32 => "int32",
            Self::Int64 => "int64",
            Self::Uint8 => "uint8",
            Self::Uint16 => "uint16",
            Self::Uint32 => "uint32",
            Self::Uint64 => "uint64",
            Self::Float32 => "float32",
            Self::Float64 => "float64",
            Self::String => "string",
            Self::CString => "cstring",
            Self::Bytes => "bytes",
        }
    }
}

/// Whether a data source carries one record per packet or an array of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum DataSourceType {
    /// One record per packet.
    Single = 1,
    /// An array of records per packet.
    Array = 2,
}

/// What a subscription's callback receives (ig's numbers: 1, 2, 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum SubscriptionKind {
    /// One record; on an array data source, called once per element.
    Data = 1,
    /// The whole array of an array data source.
    Array = 2,
    /// The packet itself.
    Packet = 3,
}

/// Log levels with ig's numbers (0 error .. 4 trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum LogLevel {
    /// 0.
    Error = 0,
    /// 1.
    Warn = 1,
    /// 2.
    Info = 2,
    /// 3.
    Debug = 3,
    /// 4.
    Trace = 4,
}

impl From<log::Level> for LogLevel {
    fn from(level: log::Level) -> Self {
        match level {
            log::Level::Error => Self::Error,
            log::Level::Warn => Self::Warn,
            log::Level::Info => Self::Info,
            log::Level::Debug => Self::Debug,
            log::Level::Trace => Self::Trace,
        }
    }
}

impl From<LogLevel> for log::Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => Self::Error,
            LogLevel::Warn => Self::Warn,
            LogLevel::Info => Self::Info,
            LogLevel::Debug => Self::Debug,
            LogLevel::Trace => Self::Trace,
        }
    }
}

/// An eBPF map type, with the kernel's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MapType(pub u32);

impl MapType {
    /// `BPF_MAP_TYPE_HASH`.
    pub const HASH: Self = Self(1);
    /// `BPF_MAP_TYPE_ARRAY`.
    pub const ARRAY: Self = Self(2);
    /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY`.
    pub const PERF_EVENT_ARRAY: Self = Self(4);
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    pub const PERCPU_HASH: Self = Self(5);
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    pub const PERCPU_ARRAY: Self = Self(6);
    /// `BPF_MAP_TYPE_LRU_HASH`.
    pub const LRU_HASH: Self = Self(9);
    /// `BPF_MAP_TYPE_ARRAY_OF_MAPS`.
    pub const ARRAY_OF_MAPS: Self = Self(12);
    /// `BPF_MAP_TYPE_HASH_OF_MAPS`.
    pub const HASH_OF_MAPS: Self = Self(13);
    /// `BPF_MAP_TYPE_RINGBUF`.
    pub const RINGBUF: Self = Self(27);
}

/// How `mapUpdate` treats an existing key (the kernel's `BPF_*` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u64)]
pub enum UpdateFlags {
    /// Create or overwrite (`BPF_ANY`).
    #[default]
    Any = 0,
    /// Only create; fail if the key exists (`BPF_NOEXIST`).
    NoExist = 1,
    /// Only overwrite; fail if the key is missing (`BPF_EXIST`).
    Exist = 2,
    /// Update a value holding a spin lock under that lock (`BPF_F_LOCK`).
    Lock = 4,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_kinds_have_igs_numbers() {
        assert_eq!(FieldKind::Bool.as_raw(), 1);
        assert_eq!(FieldKind::Float64.as_raw(), 11);
        assert_eq!(FieldKind::Bytes.as_raw(), 14);
        assert_eq!(FieldKind::from_raw(13), Some(FieldKind::CString));
        assert_eq!(FieldKind::from_raw(0), None);
        assert_eq!(FieldKind::from_raw(15), None);
        for k in FieldKind::ALL {
            assert_eq!(FieldKind::from_raw(k.as_raw()), Some(k));
        }
    }

    #[test]
    fn subscription_kinds_use_the_hosts_numbers_not_the_docs() {
        assert_eq!(SubscriptionKind::Data as u32, 1);
        assert_eq!(SubscriptionKind::Array as u32, 2);
        assert_eq!(SubscriptionKind::Packet as u32, 3);
    }

    #[test]
    fn log_levels_round_trip() {
        for l in [
            log::Level::Error,
            log::Level::Warn,
            log::Level::Info,
            log::Level::Debug,
            log::Level::Trace,
        ] {
            assert_eq!(log::Level::from(LogLevel::from(l)), l);
        }
        assert_eq!(LogLevel::from(log::Level::Error) as u32, 0);
        assert_eq!(LogLevel::from(log::Level::Trace) as u32, 4);
    }
}
