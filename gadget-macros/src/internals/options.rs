//! Reads an attribute's option list before darling sees it: each option is
//! parsed on its own, so that an unfinished one (`datasource = `) is
//! reported on itself, and unknown, repeated and ill-shaped options get the
//! macro's own wording with an example of what to write.

use darling::ast::NestedMeta;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Meta, Token};

use super::ctxt::Ctxt;

/// How an option is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `add`: a word alone.
    Flag,
    /// `name = value`.
    Value,
}

/// One option an attribute accepts, with what to write for it.
pub struct OptionSpec {
    pub name: &'static str,
    pub shape: Shape,
    pub example: &'static str,
}

const fn value(name: &'static str, example: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        shape: Shape::Value,
        example,
    }
}

const fn flag(name: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        shape: Shape::Flag,
        example: name,
    }
}

/// The options of one attribute.
pub struct AttrSpec {
    /// `field` for `#[field(..)]`.
    pub attr: &'static str,
    pub options: &'static [OptionSpec],
}

pub const GADGET: AttrSpec = AttrSpec {
    attr: "gadget",
    options: &[
        value("crate", "crate = \"my_sdk::gadget_api\""),
        value("datasource", "datasource = \"exec\""),
    ],
};

pub const DATASOURCE: AttrSpec = AttrSpec {
    attr: "datasource",
    options: &[
        value("name", "name = \"exec\""),
        flag("new"),
        flag("array"),
        flag("single"),
        flag("unreference"),
    ],
};

pub const FIELD: AttrSpec = AttrSpec {
    attr: "field",
    options: &[
        value("datasource", "datasource = \"exec\""),
        value("name", "name = \"comm\""),
        flag("add"),
        value("tags", "tags = [\"columns.width:16\"]"),
        value("phase", "phase = \"pre_start\""),
    ],
};

pub const PARAM: AttrSpec = AttrSpec {
    attr: "param",
    options: &[
        value("key", "key = \"max-events\""),
        value("default", "default = 16"),
    ],
};

pub const SUBSCRIBE: AttrSpec = AttrSpec {
    attr: "subscribe",
    options: &[
        value("datasource", "datasource = \"exec\""),
        value("priority", "priority = 10"),
        value("kind", "kind = \"data\""),
        value("phase", "phase = \"start\""),
    ],
};

impl AttrSpec {
    fn find(&self, name: &str) -> Option<&OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    fn names(&self) -> String {
        self.options
            .iter()
            .map(|o| format!("`{}`", o.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The options of `#[attr(..)]` (none for a bare `#[attr]`), each checked
/// against `spec`; `None` when one of them is wrong (reported).
pub fn of_meta(meta: &Meta, spec: &AttrSpec, cx: &mut Ctxt) -> Option<Vec<NestedMeta>> {
    match meta {
        Meta::Path(_) => Some(Vec::new()),
        Meta::List(list) => of_tokens(list.tokens.clone(), spec, cx),
        Meta::NameValue(nv) => {
            cx.error_spanned(
                nv,
                format!(
                    "options go in parentheses: write `#[{}({})]`",
                    spec.attr, spec.options[0].example
                ),
            );
            None
        }
    }
}

/// The options in `tokens` (the inside of the parentheses), checked.
pub fn of_tokens(tokens: TokenStream, spec: &AttrSpec, cx: &mut Ctxt) -> Option<Vec<NestedMeta>> {
    let split = match split.parse2(tokens) {
        Ok(split) => split,
        Err(e) => {
            cx.error(
                e.span(),
                format!("cannot read the options of `#[{}]`", spec.attr),
            );
            return None;
        }
    };
    let mut fine = true;
    let mut seen: Vec<String> = Vec::new();
    let mut options = Vec::new();
    for option in split {
        let meta = match option {
            Ok(meta) => meta,
            Err(bad) => {
                unreadable(&bad, spec, cx);
                fine = false;
                continue;
            }
        };
        let name = meta.path().to_token_stream().to_string().replace(' ', "");
        let Some(known) = spec.find(&name) else {
            unknown(&meta, &name, spec, cx);
            fine = false;
            continue;
        };
        if seen.contains(&name) {
            cx.error_spanned(
                meta.path(),
                format!("`{name}` is given twice in `#[{}]`: keep one", spec.attr),
            );
            fine = false;
            continue;
        }
        seen.push(name.clone());
        if !shaped(&meta, known, cx) {
            fine = false;
            continue;
        }
        options.push(NestedMeta::Meta(meta));
    }
    fine.then_some(options)
}

/// Splits at top-level commas; an option that does not parse is kept as
/// its tokens, so that the error can cover exactly it.
fn split(input: ParseStream) -> syn::Result<Vec<Result<Meta, TokenStream>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        match fork.parse::<Meta>() {
            Ok(meta) if fork.is_empty() || fork.peek(Token![,]) => {
                syn::parse::discouraged::Speculative::advance_to(input, &fork);
                out.push(Ok(meta));
            }
            _ => {
                let mut bad = TokenStream::new();
                while !input.is_empty() && !input.peek(Token![,]) {
                    let tt: TokenTree = input.parse()?;
                    bad.extend([tt]);
                }
                if bad.is_empty() {
                    // `a,,b`: the extra comma is the mistake.
                    let comma: TokenTree = input.parse()?;
                    bad.extend([comma]);
                    out.push(Err(bad));
                    continue;
                }
                out.push(Err(bad));
            }
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(out)
}

/// An option that is not `name`, `name = value` or `name(..)`.
fn unreadable(bad: &TokenStream, spec: &AttrSpec, cx: &mut Ctxt) {
    let mut tokens = bad.clone().into_iter();
    let first = tokens.next();
    let name = match &first {
        Some(TokenTree::Ident(i)) => Some(i.to_string()),
        _ => None,
    };
    let rest: Vec<TokenTree> = tokens.collect();
    let shown = bad.to_string();
    let message = match name.as_deref().and_then(|n| spec.find(n)) {
        Some(known) if is_eq(rest.first()) && rest.len() == 1 => {
            format!("`{}` has no value: write `{}`", known.name, known.example)
        }
        Some(known) => format!(
            "`{shown}` is not a complete option: write `{}`",
            known.example
        ),
        None => format!(
            "`{shown}` is not an option of `#[{}]`; its options are {}",
            spec.attr,
            spec.names()
        ),
    };
    if shown == "," {
        cx.error_spanned(
            bad,
            format!(
                "an option of `#[{}]` is empty: remove the extra comma",
                spec.attr
            ),
        );
    } else {
        cx.error_spanned(bad, message);
    }
}

fn is_eq(tt: Option<&TokenTree>) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == '=')
}

fn unknown(meta: &Meta, name: &str, spec: &AttrSpec, cx: &mut Ctxt) {
    let best = spec
        .options
        .iter()
        .map(|o| (strsim::levenshtein(name, o.name), o))
        .min_by_key(|(d, _)| *d);
    let message = match best {
        Some((d, o))
            if d <= 2
                || (d <= 3 && name.len() > 6)
                || (name.len() >= 3 && (o.name.starts_with(name) || name.starts_with(o.name))) =>
        {
            format!(
                "`#[{}]` has no option `{name}`; did you mean `{}`? (write `{}`)",
                spec.attr, o.name, o.example
            )
        }
        _ => format!(
            "`#[{}]` has no option `{name}`; its options are {}",
            spec.attr,
            spec.names()
        ),
    };
    cx.error_spanned(meta.path(), message);
}

/// Whether `meta` is written the way `known` is (flag or `name = value`).
fn shaped(meta: &Meta, known: &OptionSpec, cx: &mut Ctxt) -> bool {
    let name = known.name;
    match (known.shape, meta) {
        (Shape::Flag, Meta::Path(_)) | (Shape::Value, Meta::NameValue(_)) => true,
        (Shape::Flag, Meta::NameValue(nv)) => {
            cx.error_spanned(
                nv,
                format!("`{name}` is a flag without a value: write `{name}` alone"),
            );
            false
        }
        (Shape::Flag, Meta::List(list)) => {
            cx.error_spanned(
                list,
                format!("`{name}` is a flag without a value: write `{name}` alone"),
            );
            false
        }
        (Shape::Value, Meta::Path(p)) => {
            cx.error(
                p.span(),
                format!("`{name}` needs a value: write `{}`", known.example),
            );
            false
        }
        (Shape::Value, Meta::List(list)) => {
            cx.error_spanned(
                list,
                format!(
                    "`{name}` takes its value after `=`: write `{}`",
                    known.example
                ),
            );
            false
        }
    }
}
