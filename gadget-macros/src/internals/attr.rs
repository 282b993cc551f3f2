//! The options of every attribute, as darling models. Parsing only: what
//! the options mean together is checked in `validate`.

use darling::FromMeta;
use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitStr, Meta};

/// `#[gadget(...)]` on the struct or the impl.
#[derive(Debug, Default, FromMeta)]
pub struct GadgetArgs {
    /// `crate = "path"`: where `gadget_api` is, for re-exports.
    #[darling(rename = "crate")]
    pub krate: Option<CratePath>,
    /// On the struct: the data source of every `#[field]` and
    /// `#[subscribe]` that names none.
    pub datasource: Option<Str>,
    /// The options had an error (reported): what they would have given is
    /// unknown, so its absence is not reported again.
    #[darling(skip)]
    pub failed: bool,
}

/// `#[datasource(name = "...", new, array, unreference)]` on a `DataSource` member.
#[derive(Debug, FromMeta)]
pub struct DataSourceArgs {
    pub name: Option<Str>,
    /// Created by the gadget (`newDataSource`) instead of looked up.
    pub new: Word,
    /// With `new`: an array data source.
    pub array: Word,
    /// With `new`: a single data source (the default).
    pub single: Word,
    /// The gadget consumes it: later operators do not receive it.
    pub unreference: Word,
}

/// `#[field(datasource = "...", name = "...", add, tags = [...], phase = "...")]`.
#[derive(Debug, FromMeta)]
pub struct FieldArgs {
    pub datasource: Option<Str>,
    pub name: Option<Str>,
    /// Created by the gadget (`dataSourceAddField`) instead of looked up.
    pub add: Word,
    #[darling(default)]
    pub tags: Tags,
    pub phase: Option<darling::util::SpannedValue<PhaseArg>>,
}

/// `#[param(key = "...", default = ...)]`.
#[derive(Debug, FromMeta)]
pub struct ParamArgs {
    pub key: Option<Str>,
    #[darling(default, with = verbatim_expr, map = Some)]
    pub default: Option<Expr>,
}

/// `#[subscribe(datasource = "...", priority = N, kind = "...", phase = "...")]`.
#[derive(Debug, FromMeta)]
pub struct SubscribeArgs {
    pub datasource: Option<Str>,
    #[darling(default)]
    pub priority: Priority,
    pub kind: Option<darling::util::SpannedValue<KindArg>>,
    pub phase: Option<darling::util::SpannedValue<PhaseArg>>,
}

/// `phase = "init" | "pre_start" | "start"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseArg {
    Init,
    PreStart,
    Start,
}

impl FromMeta for PhaseArg {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        const ALL: [PhaseArg; 3] = [PhaseArg::Init, PhaseArg::PreStart, PhaseArg::Start];
        one_of(expr, "phase", &["init", "pre_start", "start"]).map(|i| ALL[i])
    }
}

/// `kind = "data" | "array" | "packet"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindArg {
    Data,
    Array,
    Packet,
}

impl FromMeta for KindArg {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        const ALL: [KindArg; 3] = [KindArg::Data, KindArg::Array, KindArg::Packet];
        one_of(expr, "kind", &["data", "array", "packet"]).map(|i| ALL[i])
    }
}

/// The index in `values` of the string `expr`, or an error that lists them.
fn one_of(expr: &Expr, option: &str, values: &[&str]) -> darling::Result<usize> {
    let listed = values
        .iter()
        .map(|v| format!("`{option} = \"{v}\"`"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => s.value(),
        Expr::Group(g) => return one_of(&g.expr, option, values),
        other => {
            let written = bare_text(other);
            let hint = values
                .iter()
                .find(|v| **v == written)
                .map(|v| format!("write `{option} = \"{v}\"`"))
                .unwrap_or_else(|| format!("write one of {listed}"));
            return Err(darling::Error::custom(format!(
                "`{option}` is a string in quotes: {hint}"
            ))
            .with_span(other));
        }
    };
    if let Some(i) = values.iter().position(|v| *v == text) {
        return Ok(i);
    }
    let near = values
        .iter()
        .map(|v| (strsim::levenshtein(&text, v), *v))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, v)| format!("did you mean `{option} = \"{v}\"`? "))
        .unwrap_or_default();
    Err(darling::Error::custom(format!(
        "`{option}` cannot be \"{text}\": {near}it is one of {listed}"
    ))
    .with_span(expr))
}

/// What a value was meant to say without its quoting or prefix (`exec` for
/// `exec`, `b"exec"` and `5` for `5`).
fn bare_text(expr: &Expr) -> String {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::ByteStr(b),
            ..
        }) => String::from_utf8_lossy(&b.value()).into_owned(),
        Expr::Lit(syn::ExprLit {
            lit: Lit::CStr(c), ..
        }) => c.value().to_string_lossy().into_owned(),
        Expr::Lit(syn::ExprLit {
            lit: Lit::Char(c), ..
        }) => c.value().to_string(),
        other => other
            .to_token_stream()
            .to_string()
            .replace(' ', "")
            .trim_matches('"')
            .to_owned(),
    }
}

/// A string option's value (`"exec"`) and where it was written.
#[derive(Debug, Clone)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

impl FromMeta for Str {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(Str {
                value: s.value(),
                span: s.span(),
            }),
            Expr::Group(g) => Self::from_expr(&g.expr),
            other => Err(darling::Error::custom(format!(
                "expected a string in quotes: write `\"{}\"`",
                bare_text(other)
            ))
            .with_span(other)),
        }
    }

    fn from_word() -> darling::Result<Self> {
        Err(darling::Error::custom(
            "this option needs a value: write `option = \"value\"`",
        ))
    }
}

/// A flag option (`add`, `new`): present or not, without a value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Word(Option<Span>);

impl Word {
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }

    pub fn span(&self) -> Span {
        self.0.unwrap_or_else(Span::call_site)
    }
}

impl FromMeta for Word {
    fn from_none() -> Option<Self> {
        Some(Word(None))
    }

    fn from_meta(item: &Meta) -> darling::Result<Self> {
        match item {
            Meta::Path(p) => Ok(Word(Some(p.span()))),
            Meta::NameValue(nv) => Err(darling::Error::custom(format!(
                "`{0}` is a flag without a value: write `{0}` alone",
                nv.path.to_token_stream()
            ))
            .with_span(&nv.value)),
            Meta::List(list) => Err(darling::Error::custom(format!(
                "`{0}` is a flag without a value: write `{0}` alone",
                list.path.to_token_stream()
            ))
            .with_span(list)),
        }
    }
}

/// `tags = ["columns.width:16", ...]` (or one tag as a string).
#[derive(Debug, Clone, Default)]
pub struct Tags(pub Vec<LitStr>);

impl FromMeta for Tags {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let tag = |e: &Expr| match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(s.clone()),
            other => Err(darling::Error::custom(
                "a tag is a string in quotes: write `tags = [\"columns.width:16\"]`",
            )
            .with_span(other)),
        };
        match expr {
            Expr::Array(array) => {
                let mut errors = darling::Error::accumulator();
                let tags = array
                    .elems
                    .iter()
                    .filter_map(|e| errors.handle(tag(e)))
                    .collect();
                errors.finish_with(Tags(tags))
            }
            Expr::Group(g) => Self::from_expr(&g.expr),
            other => tag(other).map(|t| Tags(vec![t])),
        }
    }
}

/// `crate = "path"`.
#[derive(Debug, Clone)]
pub struct CratePath(pub syn::Path);

impl FromMeta for CratePath {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let wrong = || {
            darling::Error::custom(
                "`crate` is the path to gadget_api in quotes: write `crate = \"my_sdk::gadget_api\"`",
            )
            .with_span(expr)
        };
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => s.parse().map(CratePath).map_err(|_| wrong()),
            Expr::Group(g) => Self::from_expr(&g.expr),
            _ => Err(wrong()),
        }
    }
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
