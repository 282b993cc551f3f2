//! Typed values, events and emissions, with their JSON forms.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A field kind, numbered as ig numbers them (§3 of the ABI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u32)]
pub enum FieldKind {
    /// 0
    Invalid = 0,
    /// 1
    Bool = 1,
    /// 2
    Int8 = 2,
    /// 3
    Int16 = 3,
    /// 4
    Int32 = 4,
    /// 5
    Int64 = 5,
    /// 6
    Uint8 = 6,
    /// 7
    Uint16 = 7,
    /// 8
    Uint32 = 8,
    /// 9
    Uint64 = 9,
    /// 10
    Float32 = 10,
    /// 11
    Float64 = 11,
    /// 12
    String = 12,
    /// 13
    #[serde(rename = "cstring")]
    CString = 13,
    /// 14
    Bytes = 14,
}

impl FieldKind {
    /// All kinds, by number.
    pub const ALL: [FieldKind; 15] = [
        FieldKind::Invalid,
        FieldKind::Bool,
        FieldKind::Int8,
        FieldKind::Int16,
        FieldKind::Int32,
        FieldKind::Int64,
        FieldKind::Uint8,
        FieldKind::Uint16,
        FieldKind::Uint32,
        FieldKind::Uint64,
        FieldKind::Float32,
        FieldKind::Float64,
        FieldKind::String,
        FieldKind::CString,
        FieldKind::Bytes,
    ];

    /// The kind of an ABI number.
    pub fn from_abi(n: u32) -> Option<Self> {
        Self::ALL.get(n as usize).copied()
    }

    /// The ABI number.
    pub fn abi(self) -> u32 {
        self as u32
    }

    /// Byte width of a scalar kind (1..=11); `None` for the others.
    pub fn scalar_width(self) -> Option<usize> {
        use FieldKind::*;
        match self {
            Bool | Int8 | Uint8 => Some(1),
            Int16 | Uint16 => Some(2),
            Int32 | Uint32 | Float32 => Some(4),
            Int64 | Uint64 | Float64 => Some(8),
            Invalid | String | CString | Bytes => None,
        }
    }

    /// Whether values are text (string or cstring).
    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::String | FieldKind::CString)
    }

    /// Lower-case name (`uint32`, `cstring`, ...).
    pub fn name(self) -> &'static str {
        use FieldKind::*;
        match self {
            Invalid => "invalid",
            Bool => "bool",
            Int8 => "int8",
            Int16 => "int16",
            Int32 => "int32",
            Int64 => "int64",
            Uint8 => "uint8",
            Uint16 => "uint16",
            Uint32 => "uint32",
            Uint64 => "uint64",
            Float32 => "float32",
            Float64 => "float64",
            String => "string",
            CString => "cstring",
            Bytes => "bytes",
        }
    }
}

impl std::fmt::Display for FieldKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A typed field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// bool
    Bool(bool),
    /// int8
    I8(i8),
    /// int16
    I16(i16),
    /// int32
    I32(i32),
    /// int64
    I64(i64),
    /// uint8
    U8(u8),
    /// uint16
    U16(u16),
    /// uint32
    U32(u32),
    /// uint64
    U64(u64),
    /// float32
    F32(f32),
    /// float64
    F64(f64),
    /// string / cstring (decoded lossily if the bytes are not UTF-8)
    Str(String),
    /// bytes
    Bytes(Vec<u8>),
}

macro_rules! value_from {
    ($($t:ty => $v:ident),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(x: $t) -> Self { Value::$v(x) }
        })*
    };
}
value_from!(bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f32 => F32, f64 => F64, String => Str, Vec<u8> => Bytes);

impl From<&str> for Value {
    fn from(x: &str) -> Self {
        Value::Str(x.to_owned())
    }
}

impl From<&[u8]> for Value {
    fn from(x: &[u8]) -> Self {
        Value::Bytes(x.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Value {
    fn from(x: [u8; N]) -> Self {
        Value::Bytes(x.to_vec())
    }
}

impl Value {
    fn as_i128(&self) -> Option<i128> {
        Some(match *self {
            Value::Bool(b) => i128::from(b),
            Value::I8(x) => x.into(),
            Value::I16(x) => x.into(),
            Value::I32(x) => x.into(),
            Value::I64(x) => x.into(),
            Value::U8(x) => x.into(),
            Value::U16(x) => x.into(),
            Value::U32(x) => x.into(),
            Value::U64(x) => x.into(),
            _ => return None,
        })
    }

    fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(x) => Some(f64::from(x)),
            Value::F64(x) => Some(x),
            _ => self.as_i128().map(|x| x as f64),
        }
    }

    /// The value as an unsigned integer, if it is one (or a bool).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|x| u64::try_from(x).ok())
    }

    /// The value as a signed integer, if it is one (or a bool).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128().and_then(|x| i64::try_from(x).ok())
    }

    /// The text of a `Str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a `Bytes` or `Str`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Encodes the value for a field of `kind` (with a fixed size for
    /// string/bytes fields, `None` when variable-size). Integers convert
    /// between widths when in range; text and bytes are interchangeable; a
    /// shorter text for a fixed-size text field is zero-padded.
    pub fn encode(
        &self,
        kind: FieldKind,
        fixed: Option<usize>,
    ) -> Result<Vec<u8>, std::string::String> {
        use FieldKind::*;
        let mismatch = || format!("cannot store {self:?} in a {kind} field");
        let int = |lo: i128, hi: i128| -> Result<i128, std::string::String> {
            let v = self.as_i128().ok_or_else(mismatch)?;
            if v < lo || v > hi {
                return Err(format!("{v} is out of range for a {kind} field"));
            }
            Ok(v)
        };
        let bytes = match kind {
            Bool => vec![u8::from(int(0, 1)? == 1)],
            Int8 => (int(i8::MIN.into(), i8::MAX.into())? as i8)
                .to_le_bytes()
                .to_vec(),
            Int16 => (int(i16::MIN.into(), i16::MAX.into())? as i16)
                .to_le_bytes()
                .to_vec(),
            Int32 => (int(i32::MIN.into(), i32::MAX.into())? as i32)
                .to_le_bytes()
                .to_vec(),
            Int64 => (int(i64::MIN.into(), i64::MAX.into())? as i64)
                .to_le_bytes()
                .to_vec(),
            Uint8 => (int(0, u8::MAX.into())? as u8).to_le_bytes().to_vec(),
            Uint16 => (int(0, u16::MAX.into())? as u16).to_le_bytes().to_vec(),
            Uint32 => (int(0, u32::MAX.into())? as u32).to_le_bytes().to_vec(),
            Uint64 => (int(0, u64::MAX.into())? as u64).to_le_bytes().to_vec(),
            Float32 => (self.as_f64().ok_or_else(mismatch)? as f32)
                .to_le_bytes()
                .to_vec(),
            Float64 => self.as_f64().ok_or_else(mismatch)?.to_le_bytes().to_vec(),
            String | CString | Bytes | Invalid => self.as_bytes().ok_or_else(mismatch)?.to_vec(),
        };
        match fixed {
            Some(size) if bytes.len() != size => {
                if bytes.len() < size && kind.is_text() {
                    let mut padded = bytes;
                    padded.resize(size, 0);
                    Ok(padded)
                } else {
                    Err(format!(
                        "value has {} bytes, the field has a fixed size of {size}",
                        bytes.len()
                    ))
                }
            }
            _ => Ok(bytes),
        }
    }

    /// Decodes raw field bytes. Text of fixed-size fields and of cstring
    /// fields ends at the first NUL; a scalar whose bytes do not have the
    /// kind's width (an unset variable field) comes back as `Bytes`.
    pub fn decode(kind: FieldKind, fixed: bool, raw: &[u8]) -> Value {
        use FieldKind::*;
        if let Some(w) = kind.scalar_width() {
            if raw.len() != w {
                return Value::Bytes(raw.to_vec());
            }
            let mut b8 = [0u8; 8];
            b8[..w].copy_from_slice(raw);
            let u = u64::from_le_bytes(b8);
            return match kind {
                Bool => Value::Bool(raw[0] == 1),
                Int8 => Value::I8(u as u8 as i8),
                Int16 => Value::I16(u as u16 as i16),
                Int32 => Value::I32(u as u32 as i32),
                Int64 => Value::I64(u as i64),
                Uint8 => Value::U8(u as u8),
                Uint16 => Value::U16(u as u16),
                Uint32 => Value::U32(u as u32),
                Uint64 => Value::U64(u),
                Float32 => Value::F32(f32::from_bits(u as u32)),
                _ => Value::F64(f64::from_bits(u)),
            };
        }
        match kind {
            String | CString => {
                let text = if fixed || kind == CString {
                    raw.split(|&b| b == 0).next().unwrap_or_default()
                } else {
                    raw
                };
                Value::Str(std::string::String::from_utf8_lossy(text).into_owned())
            }
            _ => Value::Bytes(raw.to_vec()),
        }
    }

    /// JSON form: numbers, booleans, strings; bytes as a hex string (as ig
    /// prints them); floats in their shortest form that reads back the same
    /// value (a float32 as a float32: 3.14159, not 3.141590118408203);
    /// non-finite floats as `null`.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Bool(b) => Json::from(*b),
            Value::I8(x) => Json::from(*x),
            Value::I16(x) => Json::from(*x),
            Value::I32(x) => Json::from(*x),
            Value::I64(x) => Json::from(*x),
            Value::U8(x) => Json::from(*x),
            Value::U16(x) => Json::from(*x),
            Value::U32(x) => Json::from(*x),
            Value::U64(x) => Json::from(*x),
            // `{}` of an f32 is its shortest round-trip text; read back as
            // an f64 it prints the same digits.
            Value::F32(x) => Json::from(x.to_string().parse::<f64>().unwrap_or(f64::NAN)),
            Value::F64(x) => Json::from(*x),
            Value::Str(s) => Json::from(s.as_str()),
            Value::Bytes(b) => Json::from(to_hex(b)),
        }
    }

    /// Reads a JSON value without a schema: integers become `I64`/`U64`,
    /// other numbers `F64`, strings `Str`, arrays of bytes `Bytes`. Storing it
    /// in a field converts it to the field's kind.
    pub fn from_json(json: &Json) -> Result<Value, String> {
        match json {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::Number(n) => n
                .as_i64()
                .map(Value::I64)
                .or_else(|| n.as_u64().map(Value::U64))
                .or_else(|| n.as_f64().map(Value::F64))
                .ok_or_else(|| format!("unsupported number {n}")),
            Json::String(s) => Ok(Value::Str(s.clone())),
            Json::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_u64()
                        .and_then(|x| u8::try_from(x).ok())
                        .ok_or_else(|| format!("bytes must be numbers 0..=255, found {i}"))
                })
                .collect::<Result<Vec<u8>, String>>()
                .map(Value::Bytes),
            other => Err(format!("unsupported JSON value {other}")),
        }
    }
}

/// Bytes as lowercase hex, two digits each.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex text (two digits a byte, either case, nothing else) as bytes.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(format!(
            "hex bytes need two digits each, `{text}` has an odd length"
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{text}` is not hex (two digits 0-9a-f a byte)"));
    }
    let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    Ok(text
        .as_bytes()
        .chunks(2)
        .map(|pair| (digit(pair[0]) << 4) | digit(pair[1]))
        .collect())
}

/// An event: field values by name, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    fields: Vec<(String, Value)>,
}

impl Event {
    /// An empty event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a field (replacing an earlier value of the same name).
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets a field in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let name = name.into();
        let value = value.into();
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// JSON object, fields in order.
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.fields
                .iter()
                .map(|(n, v)| (n.clone(), v.to_json()))
                .collect(),
        )
    }

    /// Reads a JSON object (see [`Value::from_json`]).
    pub fn from_json(json: &Json) -> Result<Event, String> {
        let obj = json
            .as_object()
            .ok_or_else(|| format!("an event must be an object, found {json}"))?;
        let mut ev = Event::new();
        for (k, v) in obj {
            ev.insert(
                k.clone(),
                Value::from_json(v).map_err(|e| format!("field `{k}`: {e}"))?,
            );
        }
        Ok(ev)
    }
}

/// One packet as it left a data source, after every subscriber ran.
#[derive(Debug, Clone, PartialEq)]
pub enum Emission {
    /// A single event.
    Single(Event),
    /// An array packet.
    Array(Vec<Event>),
}

impl Emission {
    /// The events (one for a single packet).
    pub fn events(&self) -> &[Event] {
        match self {
            Emission::Single(e) => std::slice::from_ref(e),
            Emission::Array(v) => v,
        }
    }

    /// The single event, if this is a single packet.
    pub fn single(&self) -> Option<&Event> {
        match self {
            Emission::Single(e) => Some(e),
            Emission::Array(_) => None,
        }
    }

    /// JSON: an object, or an array of objects.
    pub fn to_json(&self) -> Json {
        match self {
            Emission::Single(e) => e.to_json(),
            Emission::Array(v) => Json::Array(v.iter().map(Event::to_json).collect()),
        }
    }
}

/// A packet as it left its data source, with where it went next.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    /// The data source's name.
    pub datasource: String,
    /// The packet after every subscriber ran.
    pub emission: Emission,
    /// The gadget had consumed the data source (`dataSourceUnreference`)
    /// when the packet left it: ig forwards it to no later operator and
    /// prints nothing.
    pub consumed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_shortest_and_f32_as_f32() {
        assert_eq!(Value::F32(1.1).to_json().to_string(), "1.1");
        assert_eq!(Value::F32(0.1).to_json().to_string(), "0.1");
        assert_eq!(Value::F32(16_777_216.0).to_json().to_string(), "16777216.0");
        assert_eq!(Value::F64(0.1).to_json().to_string(), "0.1");
        assert_eq!(Value::F32(f32::NAN).to_json(), Json::Null);
        // What prints reads back to the same f32.
        for x in [1.0e-7f32, 123.456, f32::MAX, f32::MIN_POSITIVE] {
            let text = Value::F32(x).to_json().to_string();
            assert_eq!(text.parse::<f32>().unwrap(), x, "{text}");
        }
    }

    #[test]
    fn bytes_print_as_hex_and_hex_reads_back() {
        assert_eq!(
            Value::Bytes(vec![0, 0xab, 0x10]).to_json(),
            Json::from("00ab10")
        );
        assert_eq!(from_hex("00AB10").unwrap(), [0, 0xab, 0x10]);
        assert_eq!(from_hex("").unwrap(), Vec::<u8>::new());
        assert!(from_hex("abc").unwrap_err().contains("odd length"));
        assert!(from_hex("zz").unwrap_err().contains("is not hex"));
        assert!(from_hex("+1").is_err(), "a sign is not a hex digit");
    }
}
