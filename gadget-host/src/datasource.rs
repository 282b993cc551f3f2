//! In-memory data sources, fields, records and packets.

use std::borrow::Cow;

use crate::FieldKind;
use crate::events::{Emission, Event, Value};
use crate::spec::{DataSourceType, FieldSpec};

/// Index of a data source in the instance's arena (a replaced registration
/// keeps its own id).
pub(crate) type SourceId = usize;
/// Id of a live packet.
pub(crate) type PacketId = u64;

/// A field of a data source.
#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
    /// Fixed size in bytes; `None` for variable-size fields.
    pub fixed: Option<usize>,
    pub tags: Vec<String>,
}

impl FieldDef {
    pub fn from_spec(spec: &FieldSpec) -> Self {
        FieldDef {
            name: spec.name.clone(),
            kind: spec.kind,
            fixed: spec.fixed_size(),
            tags: spec.tags.clone(),
        }
    }

    /// A field added by `dataSourceAddField`: scalars at their width,
    /// everything else variable-size.
    pub fn added(name: String, kind: FieldKind) -> Self {
        FieldDef {
            name,
            kind,
            fixed: kind.scalar_width(),
            tags: Vec::new(),
        }
    }
}

/// Which context a subscription's callbacks run with (ABI §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CtxKind {
    /// The gadget's context (gadgetInit, gadgetPostStop): never ends here.
    Gadget,
    /// The instance's context (gadgetPreStart, gadgetStart): ends when stop begins.
    Instance,
    /// gadgetStop's deadline context: ends when gadgetStop returns.
    Stop,
}

impl CtxKind {
    pub fn name(self) -> &'static str {
        match self {
            CtxKind::Gadget => "the gadget's context (gadgetInit/gadgetPostStop)",
            CtxKind::Instance => {
                "the instance's context (gadgetPreStart/gadgetStart), cancelled when stop begins"
            }
            CtxKind::Stop => "gadgetStop's context, which ends when gadgetStop returns",
        }
    }
}

/// Subscription types (ABI §3: 1 data, 2 array, 3 packet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubKind {
    Data,
    Array,
    Packet,
}

/// Who receives a data source's packets.
#[derive(Debug, Clone)]
pub(crate) enum SubTarget {
    /// The module's `dataSourceCallback`.
    Wasm {
        kind: SubKind,
        cb_id: u64,
        ctx: CtxKind,
    },
    /// A test observer: records a snapshot.
    Observer(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Subscriber {
    pub priority: i32,
    pub seq: u64,
    pub target: SubTarget,
}

/// A data source.
#[derive(Debug, Clone)]
pub(crate) struct DataSource {
    pub name: String,
    pub ds_type: DataSourceType,
    pub fields: Vec<FieldDef>,
    pub referenced: bool,
    pub subscribers: Vec<Subscriber>,
}

impl DataSource {
    pub fn new(name: String, ds_type: DataSourceType) -> Self {
        DataSource {
            name,
            ds_type,
            fields: Vec::new(),
            referenced: true,
            subscribers: Vec::new(),
        }
    }

    /// Field index by name: exact first, then case-insensitive.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name).or_else(|| {
            self.fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(name))
        })
    }

    /// Subscribers in delivery order: ascending priority, ties in order of
    /// subscription.
    pub fn ordered_subscribers(&self) -> Vec<Subscriber> {
        let mut subs = self.subscribers.clone();
        subs.sort_by_key(|s| (s.priority, s.seq));
        subs
    }

    pub fn has_wasm_subscriber(&self) -> bool {
        self.subscribers
            .iter()
            .any(|s| matches!(s.target, SubTarget::Wasm { .. }))
    }
}

/// A field's current bytes in a record.
#[derive(Debug, Clone, Default)]
pub(crate) enum Slot {
    /// Never set: zeros for fixed-size fields, empty for variable ones.
    #[default]
    Unset,
    Bytes(Vec<u8>),
    /// `fieldSet` kind 14 on a variable field: a view of guest memory,
    /// resolved on every read and snapshotted when the event is consumed.
    View {
        addr: u32,
        len: u32,
    },
}

/// One event's field values.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Data source the record was made for.
    pub source: SourceId,
    pub slots: Vec<Slot>,
}

impl Record {
    pub fn new(source: SourceId) -> Self {
        Record {
            source,
            slots: Vec::new(),
        }
    }

    pub fn slot(&self, index: usize) -> &Slot {
        self.slots.get(index).unwrap_or(&Slot::Unset)
    }

    pub fn set(&mut self, index: usize, slot: Slot) {
        if self.slots.len() <= index {
            self.slots.resize(index + 1, Slot::Unset);
        }
        self.slots[index] = slot;
    }

    /// Current bytes of a field (views resolved against `mem`).
    pub fn bytes<'a>(&'a self, index: usize, def: &FieldDef, mem: &'a [u8]) -> Cow<'a, [u8]> {
        match self.slot(index) {
            Slot::Unset => match def.fixed {
                Some(n) => Cow::Owned(vec![0; n]),
                None => Cow::Borrowed(&[]),
            },
            Slot::Bytes(b) => Cow::Borrowed(b),
            Slot::View { addr, len } => {
                let start = *addr as usize;
                let end = start + *len as usize;
                Cow::Borrowed(mem.get(start..end).unwrap_or_default())
            }
        }
    }

    /// Replaces every view by a copy of the bytes it shows now.
    pub fn snapshot_views(&mut self, mem: &[u8]) {
        for slot in &mut self.slots {
            if let Slot::View { addr, len } = *slot {
                let start = addr as usize;
                let bytes = mem
                    .get(start..start + len as usize)
                    .unwrap_or_default()
                    .to_vec();
                *slot = Slot::Bytes(bytes);
            }
        }
    }

    /// The record as a typed event, with every field of `fields`.
    pub fn to_event(&self, fields: &[FieldDef], mem: &[u8]) -> Event {
        let mut ev = Event::new();
        for (i, def) in fields.iter().enumerate() {
            let raw = self.bytes(i, def, mem);
            ev.insert(
                def.name.clone(),
                Value::decode(def.kind, def.fixed.is_some(), &raw),
            );
        }
        ev
    }
}

/// A packet's payload.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Single(Record),
    Array(Vec<Record>),
}

/// A live packet.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    pub source: SourceId,
    pub body: Body,
}

impl Packet {
    pub fn to_emission(&self, fields: &[FieldDef], mem: &[u8]) -> Emission {
        match &self.body {
            Body::Single(r) => Emission::Single(r.to_event(fields, mem)),
            Body::Array(rs) => {
                Emission::Array(rs.iter().map(|r| r.to_event(fields, mem)).collect())
            }
        }
    }
}
