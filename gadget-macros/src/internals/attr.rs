//! The options of every attribute, as darling models. Parsing only: what
//! the options mean together is checked in `validate`.

use darling::FromMeta;
use darling::util::{Flag, SpannedValue};
use syn::{Expr, LitStr, Meta};

/// `#[gadget(...)]` on the struct or the impl.
#[derive(Debug, Default, FromMeta)]
pub struct GadgetArgs {
    /// `crate = "path"`: where `gadget_api` is, for re-exports.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `#[datasource(name = "...", new, array, unreference)]` on a `DataSource` member.
#[derive(Debug, FromMeta)]
pub struct DataSourceArgs {
    pub name: Option<SpannedValue<String>>,
    /// Created by the gadget (`newDataSource`) instead of looked up.
    pub new: Flag,
    /// With `new`: an array data source.
    pub array: Flag,
    /// With `new`: a single data source (the default).
    pub single: Flag,
    /// The gadget consumes it: later operators do not receive it.
    pub unreference: Flag,
}

/// `#[field(datasource = "...", name = "...", add, tags = [...], phase = "...")]`.
#[derive(Debug, FromMeta)]
pub struct FieldArgs {
    pub datasource: SpannedValue<String>,
    pub name: Option<SpannedValue<String>>,
    /// Created by the gadget (`dataSourceAddField`) instead of looked up.
    pub add: Flag,
    #[darling(default)]
    pub tags: Vec<LitStr>,
    pub phase: Option<SpannedValue<PhaseArg>>,
}

/// `#[param(key = "...", default = ...)]`.
#[derive(Debug, FromMeta)]
pub struct ParamArgs {
    pub key: Option<SpannedValue<String>>,
    #[darling(default, with = verbatim_expr, map = Some)]
    pub default: Option<Expr>,
}

/// `#[subscribe(datasource = "...", priority = N, kind = "...", phase = "...")]`.
#[derive(Debug, FromMeta)]
pub struct SubscribeArgs {
    pub datasource: SpannedValue<String>,
    #[darling(default)]
    pub priority: Priority,
    pub kind: Option<SpannedValue<KindArg>>,
    pub phase: Option<SpannedValue<PhaseArg>>,
}

/// `phase = "init" | "pre_start" | "start"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromMeta)]
pub enum PhaseArg {
    #[darling(rename = "init")]
    Init,
    #[darling(rename = "pre_start")]
    PreStart,
    #[darling(rename = "start")]
    Start,
}

/// `kind = "data" | "array" | "packet"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromMeta)]
pub enum KindArg {
    #[darling(rename = "data")]
    Data,
    #[darling(rename = "array")]
    Array,
    #[darling(rename = "packet")]
    Packet,
}

/// A subscription priority: an `i32`, negative ones included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Priority(pub i32);

impl FromMeta for Priority {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let (negative, inner) = match expr {
            Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Neg(_),
                expr,
                ..
            }) => (true, &**expr),
            Expr::Group(g) => return Self::from_expr(&g.expr),
            other => (false, other),
        };
        let wrong = || {
            darling::Error::custom(
                "`priority` is an integer (i32), e.g. `priority = 10` or `priority = -5`",
            )
            .with_span(expr)
        };
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) = inner
        else {
            return Err(wrong());
        };
        let value: i64 = int.base10_parse().map_err(|_| wrong())?;
        let value = if negative { -value } else { value };
        i32::try_from(value).map(Priority).map_err(|_| {
            darling::Error::custom(format!(
                "`priority` {value} does not fit in an i32 ({}..={})",
                i32::MIN,
                i32::MAX
            ))
            .with_span(expr)
        })
    }
}

/// The `default` of a param, kept exactly as written (darling would parse a
/// string literal as an expression).
fn verbatim_expr(meta: &Meta) -> darling::Result<Expr> {
    match meta {
        Meta::NameValue(nv) => Ok(nv.value.clone()),
        other => Err(darling::Error::custom(
            "write `default = <value>`, e.g. `default = 16` or `default = \"info\"`",
        )
        .with_span(other)),
    }
}

/// Parses an attribute's options; a bare `#[attr]` is an empty list.
pub fn parse_options<T: FromMeta>(meta: &Meta) -> darling::Result<T> {
    match meta {
        Meta::Path(_) => T::from_list(&[]).map_err(|e| e.with_span(meta)),
        _ => T::from_meta(meta),
    }
}
