//! The input model: what a `#[gadget]` struct and impl declare, with the
//! spans of everything an error may point at. Built by `parse`, checked by
//! `validate`, read by `expand`.

use proc_macro2::Span;
use syn::{Expr, Ident, LitStr, Path, Type};

pub use super::attr::KindArg;
pub use super::cfg::Cfg;

/// In which export a look-up or subscription happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Init,
    PreStart,
    Start,
}

impl Phase {
    pub const LATER: [Phase; 2] = [Phase::PreStart, Phase::Start];

    /// The runtime's name for it (`Phase::PreStart`).
    pub fn variant(self) -> &'static str {
        match self {
            Phase::Init => "Init",
            Phase::PreStart => "PreStart",
            Phase::Start => "Start",
        }
    }
}

/// A string option with where it was written.
#[derive(Debug, Clone)]
pub struct Named {
    pub value: String,
    pub span: Span,
}

impl Named {
    pub fn lit(&self) -> LitStr {
        LitStr::new(&self.value, self.span)
    }
}

/// `#[gadget]` on the struct.
#[derive(Debug)]
pub struct GadgetStruct {
    pub ident: Ident,
    pub krate: Path,
    /// `#[gadget(datasource = "..")]`: for `#[field]`s and `#[subscribe]`s
    /// without their own.
    pub default_datasource: Option<Named>,
    /// `struct Foo;`: built as `Foo {}` all the same. A member whose role
    /// depends on a `cfg_attr` appears once per alternative, each with its cfg.
    pub members: Vec<Member>,
}

/// One field of the struct and what the gadget does with it.
#[derive(Debug)]
pub struct Member {
    pub ident: Ident,
    pub ty: Type,
    pub role: Role,
    pub cfg: Cfg,
}

#[derive(Debug)]
pub enum Role {
    /// `#[datasource(..)]`.
    DataSource(DataSourceDecl),
    /// `#[field(..)]`.
    Field(FieldDecl),
    /// `#[param(..)]`.
    Param(ParamDecl),
    /// Anything else: `Default::default()`.
    State,
}

#[derive(Debug)]
pub struct DataSourceDecl {
    pub name: Named,
    /// `Some` when the gadget creates it.
    pub create: Option<DataSourceKind>,
    pub unreference: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSourceKind {
    Single,
    Array,
}

#[derive(Debug)]
pub struct FieldDecl {
    pub datasource: Named,
    pub name: Named,
    pub add: Option<Span>,
    pub tags: Vec<LitStr>,
    pub phase: Phase,
    pub phase_span: Option<Span>,
}

#[derive(Debug)]
pub struct ParamDecl {
    pub key: Named,
    pub default: Option<Expr>,
}

/// `#[gadget]` on the impl block.
#[derive(Debug)]
pub struct GadgetImpl {
    /// The type as written after `impl`.
    pub self_ty: Path,
    pub krate: Path,
    pub hooks: Vec<Hook>,
    pub subscriptions: Vec<Subscription>,
    /// `#[gadget(datasource = ..)]` given on the impl (it belongs on the struct).
    pub misplaced_datasource: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Init,
    PreStart,
    Start,
    Stop,
    PostStop,
}

impl HookKind {
    pub const ALL: [HookKind; 5] = [
        HookKind::Init,
        HookKind::PreStart,
        HookKind::Start,
        HookKind::Stop,
        HookKind::PostStop,
    ];

    pub fn attribute(self) -> &'static str {
        match self {
            HookKind::Init => "on_init",
            HookKind::PreStart => "on_pre_start",
            HookKind::Start => "on_start",
            HookKind::Stop => "on_stop",
            HookKind::PostStop => "on_post_stop",
        }
    }

    pub fn export(self) -> &'static str {
        match self {
            HookKind::Init => "gadgetInit",
            HookKind::PreStart => "gadgetPreStart",
            HookKind::Start => "gadgetStart",
            HookKind::Stop => "gadgetStop",
            HookKind::PostStop => "gadgetPostStop",
        }
    }

    pub fn from_attribute(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.attribute() == name)
    }
}

/// How a method receives the gadget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// `&self` or `&mut self`.
    Borrowed,
    /// No receiver: an `#[on_init]` that builds the value.
    Constructor,
}

#[derive(Debug)]
pub struct Hook {
    pub kind: HookKind,
    pub method: Ident,
    pub receiver: Receiver,
    /// The return type's span (or the method name's), for type errors.
    pub output_span: Span,
    pub sig: syn::Signature,
    /// The whole attribute, for errors about it.
    pub attr: proc_macro2::TokenStream,
    pub cfg: Cfg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionKind {
    Data,
    Array,
    Packet,
}

impl SubscriptionKind {
    pub fn variant(self) -> &'static str {
        match self {
            SubscriptionKind::Data => "Data",
            SubscriptionKind::Array => "Array",
            SubscriptionKind::Packet => "Packet",
        }
    }

    /// The argument type that receives it.
    pub fn argument(self) -> &'static str {
        match self {
            SubscriptionKind::Data => "Data<'_>",
            SubscriptionKind::Array => "DataArray<'_>",
            SubscriptionKind::Packet => "Packet<'_>",
        }
    }
}

#[derive(Debug)]
pub struct Subscription {
    pub method: Ident,
    /// `None`: the struct's `#[gadget(datasource = ..)]`.
    pub datasource: Option<Named>,
    pub priority: i32,
    /// `kind = "..."`, when given.
    pub kind_option: Option<(KindArg, Span)>,
    pub phase: Phase,
    /// Assigned in declaration order, from 1.
    pub callback_id: u64,
    pub output_span: Span,
    pub sig: syn::Signature,
    /// The whole attribute, for errors about it.
    pub attr: proc_macro2::TokenStream,
    pub cfg: Cfg,
}

impl Subscription {
    /// The argument's type, when the method has exactly one besides `self`.
    pub fn argument(&self) -> Option<&Type> {
        let mut typed = self.sig.inputs.iter().filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => Some(&*t.ty),
            syn::FnArg::Receiver(_) => None,
        });
        match (typed.next(), typed.next()) {
            (Some(ty), None) => Some(ty),
            _ => None,
        }
    }

    /// The kind the argument's type names (`Data`, `DataArray`, `Packet`).
    pub fn kind_of_argument(&self) -> Option<SubscriptionKind> {
        let Type::Path(p) = self.argument()? else {
            return None;
        };
        match p.path.segments.last()?.ident.to_string().as_str() {
            "Data" => Some(SubscriptionKind::Data),
            "DataArray" => Some(SubscriptionKind::Array),
            "Packet" => Some(SubscriptionKind::Packet),
            _ => None,
        }
    }

    /// The argument's type when only the compiler can tell its kind: no
    /// `kind` option, a name that is not `Data`/`DataArray`/`Packet`, and
    /// a `'_` lifetime (every alias of an event has one).
    pub fn kind_by_type(&self) -> Option<&Type> {
        if self.kind_option.is_some() || self.kind_of_argument().is_some() {
            return None;
        }
        let ty = self.argument()?;
        let Type::Path(p) = ty else {
            return None;
        };
        let last = p.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args
            .iter()
            .any(|a| matches!(a, syn::GenericArgument::Lifetime(l) if l.ident == "_"))
            .then_some(ty)
    }

    /// The subscription's kind: the option's, else the argument's (they
    /// agree once validated), else data.
    pub fn kind(&self) -> SubscriptionKind {
        match self.kind_option {
            Some((KindArg::Data, _)) => SubscriptionKind::Data,
            Some((KindArg::Array, _)) => SubscriptionKind::Array,
            Some((KindArg::Packet, _)) => SubscriptionKind::Packet,
            None => self.kind_of_argument().unwrap_or(SubscriptionKind::Data),
        }
    }
}
