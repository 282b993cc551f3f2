//! Checks of the model as a whole: member types, option combinations,
//! duplicates, hook signatures. Every problem becomes a spanned error in the
//! context; nothing stops at the first.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, PathArguments, ReturnType, Signature, Type};

use super::ctxt::Ctxt;
use super::model::{
    DataSourceKind, GadgetImpl, GadgetStruct, HookKind, Phase, Receiver, Role, Subscription,
};

/// Items under different cfgs are taken as alternatives, so duplicates are
/// only looked for among items of one cfg (or none).
pub fn gadget_struct(model: &GadgetStruct, cx: &mut Ctxt) {
    type Key<'a> = (String, &'a str);
    let mut datasources: BTreeMap<Key, (&syn::Ident, Option<DataSourceKind>)> = BTreeMap::new();
    let mut added: BTreeMap<(String, &str, &str), &syn::Ident> = BTreeMap::new();
    let mut keys: BTreeMap<Key, &syn::Ident> = BTreeMap::new();
    if let Some(ds) = &model.default_datasource {
        non_empty(&ds.value, ds.span, "data source name", cx);
    }
    for member in &model.members {
        let cfg = member.cfg.key();
        match &member.role {
            Role::DataSource(ds) => {
                non_empty(&ds.name.value, ds.name.span, "data source name", cx);
                if let Some((other, _)) = datasources.get(&(cfg.clone(), ds.name.value.as_str())) {
                    cx.error(
                        ds.name.span,
                        format!(
                            "data source `{}` is already declared by `{other}`; use that member",
                            ds.name.value
                        ),
                    );
                } else {
                    datasources.insert((cfg, &ds.name.value), (&member.ident, ds.create));
                }
            }
            Role::Field(_) => {}
            Role::Param(p) => {
                non_empty(&p.key.value, p.key.span, "param key", cx);
                check_param_default(&member.ty, p.default.as_ref(), cx);
                if let Some(other) = keys.insert((cfg, &p.key.value), &member.ident) {
                    cx.error(
                        p.key.span,
                        format!(
                            "param `{}` is already read into `{other}`; read it once",
                            p.key.value
                        ),
                    );
                }
            }
            Role::State => {}
        }
    }
    for member in &model.members {
        let Role::Field(f) = &member.role else {
            continue;
        };
        non_empty(
            &f.datasource.value,
            f.datasource.span,
            "data source name",
            cx,
        );
        non_empty(&f.name.value, f.name.span, "field name", cx);
        let cfg = member.cfg.key();
        let created = matches!(
            datasources.get(&(cfg.clone(), f.datasource.value.as_str())),
            Some((_, Some(_)))
        );
        if let Some(add) = f.add {
            if f.phase != Phase::Init {
                cx.error(
                    f.phase_span.unwrap_or(add),
                    "fields are added in gadgetInit: remove `phase` (it only applies to look-ups \
                     of fields that other operators add later)",
                );
            }
            let key = (cfg, f.datasource.value.as_str(), f.name.value.as_str());
            if let Some(other) = added.insert(key, &member.ident) {
                cx.error(
                    f.name.span,
                    format!(
                        "field `{}` of data source `{}` is already added by `{other}`; a data \
                         source cannot have two fields of one name",
                        f.name.value, f.datasource.value
                    ),
                );
            }
        } else if created {
            cx.error(
                f.datasource.span,
                format!(
                    "data source `{}` is created by this gadget (`new`), so it has only the \
                     fields the gadget adds: write `#[field(datasource = \"{}\", add)]`",
                    f.datasource.value, f.datasource.value
                ),
            );
        }
    }
}

fn non_empty(value: &str, span: Span, what: &str, cx: &mut Ctxt) {
    if value.is_empty() {
        cx.error(span, format!("the {what} is empty"));
    }
}

/// What to do about a `#[field]` member's written type.
pub enum FieldTypeFix {
    /// `Field<T>` with a `T` that may be allowed, or another type (an
    /// alias): the compiler checks it.
    Fine,
    /// A usual wrong `T` (`&str`, `Vec<u8>`, `usize`): an error that says
    /// what to write, and the struct is emitted with that type, so that
    /// the compiler does not report the same member again.
    Replace {
        at: Box<Type>,
        message: String,
        with: Box<Type>,
    },
    /// A primitive that is never a field type (`char`): the compiler's
    /// error on the struct, which lists the field types, is the only one;
    /// nothing is generated for the struct.
    LeftToRustc,
}

/// A path without generic arguments (`u32`, `gadget_api::Bytes`, `Pid`).
fn plain_name(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.qself.is_none() && p.path.segments.iter().all(|s| s.arguments.is_none()),
        Type::Group(g) => plain_name(&g.elem),
        Type::Paren(p) => plain_name(&p.elem),
        _ => false,
    }
}

/// Looks at the `T` of a `Field<T>` member.
pub fn field_type_fix(ty: &Type) -> FieldTypeFix {
    let inner = match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().and_then(|last| {
            if last.ident != "Field" {
                return None;
            }
            match &last.arguments {
                PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
                    match args.args.first() {
                        Some(GenericArgument::Type(t)) => Some(t),
                        _ => None,
                    }
                }
                _ => None,
            }
        }),
        _ => None,
    };
    let Some(inner) = inner else {
        return FieldTypeFix::Fine;
    };
    let shown = show(inner);
    let hint = match shown.as_str() {
        "&str" | "str" | "&'static str" | "Box<str>" | "&'a str" => Some(("String", "")),
        "Vec<u8>" | "&[u8]" | "[u8]" | "Box<[u8]>" | "&'static [u8]" => Some(("Bytes", "")),
        "usize" => Some(("u64", " (or the field's exact width)")),
        "isize" => Some(("i64", " (or the field's exact width)")),
        "char" | "i128" | "u128" | "()" | "f16" | "f128" => return FieldTypeFix::LeftToRustc,
        _ => None,
    };
    match hint {
        Some((replacement, shown_hint)) => {
            let mut with = ty.clone();
            if let Type::Path(p) = &mut with {
                if let Some(PathArguments::AngleBracketed(args)) =
                    p.path.segments.last_mut().map(|s| &mut s.arguments)
                {
                    let ident = syn::Ident::new(replacement, inner.span());
                    args.args = syn::parse_quote!(#ident);
                }
            }
            FieldTypeFix::Replace {
                at: Box::new(inner.clone()),
                message: format!(
                    "`Field<{shown}>` is not a field type: write `Field<{replacement}>`{shown_hint}"
                ),
                with: Box::new(with),
            }
        }
        // Every field type is a plain name (`u32`, `String`, `Bytes`, or an
        // alias of one): a reference, tuple, array or generic type never is.
        None if !plain_name(inner) => FieldTypeFix::LeftToRustc,
        None => FieldTypeFix::Fine,
    }
}

pub fn gadget_impl(model: &GadgetImpl, cx: &mut Ctxt) {
    if let Some(span) = model.misplaced_datasource {
        cx.error(
            span,
            "the gadget's data source is named on the struct: move `datasource = ..` to the \
             struct's `#[gadget(..)]`",
        );
    }
    for kind in HookKind::ALL {
        let same: Vec<_> = model.hooks.iter().filter(|h| h.kind == kind).collect();
        for (i, dup) in same.iter().enumerate() {
            // Hooks under different cfgs are alternatives.
            if let Some(first) = same[..i].iter().find(|h| h.cfg.overlaps(&dup.cfg)) {
                cx.error_spanned(
                    &dup.attr,
                    format!(
                        "a gadget has one `#[{}]` hook, and `{}` already is it; call `{}` from \
                         `{}` instead",
                        kind.attribute(),
                        first.method,
                        dup.method,
                        first.method
                    ),
                );
            }
        }
    }
    let mut methods: BTreeMap<(String, String), &'static str> = BTreeMap::new();
    for hook in &model.hooks {
        let key = (hook.method.to_string(), hook.cfg.key());
        if let Some(other) = methods.insert(key, hook.kind.attribute()) {
            cx.error_spanned(
                &hook.attr,
                format!(
                    "`{}` already is the `#[{other}]` hook; a method has one gadget attribute",
                    hook.method
                ),
            );
            continue;
        }
        common_signature(&hook.sig, cx);
        check_hook_signature(hook.kind, hook.receiver, &hook.sig, cx);
    }
    let mut seen: BTreeMap<(String, String, &str), ()> = BTreeMap::new();
    let mut signed: std::collections::BTreeSet<(String, String)> = Default::default();
    for sub in &model.subscriptions {
        if let Some(hook) = methods.get(&(sub.method.to_string(), sub.cfg.key())) {
            cx.error_spanned(
                &sub.attr,
                format!(
                    "`{}` already is the `#[{hook}]` hook; a subscription needs its own method",
                    sub.method
                ),
            );
            continue;
        }
        let datasource = sub
            .datasource
            .as_ref()
            .map_or("the gadget's data source", |d| d.value.as_str());
        if seen
            .insert((sub.method.to_string(), sub.cfg.key(), datasource), ())
            .is_some()
        {
            cx.error_spanned(
                &sub.attr,
                format!(
                    "`{}` is already subscribed to data source `{datasource}`",
                    sub.method
                ),
            );
        }
        if let Some(ds) = &sub.datasource {
            non_empty(&ds.value, ds.span, "data source name", cx);
        }
        // A method with several subscriptions has its signature checked
        // once; each subscription's `kind` still against its argument.
        if signed.insert((sub.method.to_string(), sub.cfg.key())) {
            common_signature(&sub.sig, cx);
            check_subscription_signature(sub, cx);
        } else {
            check_kind(sub, cx);
        }
    }
}

/// `kind = ".."` against the argument's type, when its name says its kind.
fn check_kind(sub: &Subscription, cx: &mut Ctxt) {
    let (Some((opt, span)), Some(found), Some(arg)) =
        (sub.kind_option, sub.kind_of_argument(), sub.argument())
    else {
        return;
    };
    if sub.kind() != found {
        cx.error(
            span,
            format!(
                "`kind = \"{}\"` receives `{}`, but `{}` takes `{}`: change one of them",
                kind_word(opt),
                sub.kind().argument(),
                sub.method,
                show(arg)
            ),
        );
    }
}

/// What every hook and subscription method must not be.
fn common_signature(sig: &Signature, cx: &mut Ctxt) {
    let name = &sig.ident;
    if let Some(a) = &sig.asyncness {
        cx.error(
            a.span(),
            format!("`{name}` cannot be async: ig calls the gadget synchronously; remove `async`"),
        );
    }
    if let Some(u) = &sig.unsafety {
        cx.error(
            u.span(),
            format!("`{name}` cannot be `unsafe`: the generated code calls it as a safe fn"),
        );
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned(
            abi,
            format!(
                "`{name}` is a plain Rust method: remove `{}` (the generated exports are the \
                 `extern \"C\"` functions)",
                abi.to_token_stream()
            ),
        );
    }
    let generic = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
    if let Some(param) = generic {
        let which = match param {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
        };
        cx.error_spanned(
            param,
            format!(
                "`{name}` cannot be generic: the generated code calls it with concrete types; \
                 remove the parameter `{which}`"
            ),
        );
    }
    if let Some(v) = &sig.variadic {
        cx.error(v.span(), format!("`{name}` cannot be variadic"));
    }
}

/// `&self` or `&mut self` (also `self: &Self` / `self: &mut Self`).
fn borrowed_receiver(sig: &Signature) -> Result<(), Span> {
    match sig.receiver() {
        Some(r) if r.reference.is_some() => Ok(()),
        Some(r) if matches!(&*r.ty, Type::Reference(t) if show(&t.elem) == "Self") => Ok(()),
        Some(r) => Err(r.span()),
        None => Err(sig.ident.span()),
    }
}

fn check_hook_signature(kind: HookKind, receiver: Receiver, sig: &Signature, cx: &mut Ctxt) {
    let name = &sig.ident;
    let attr = kind.attribute();
    if receiver == Receiver::Constructor {
        if kind != HookKind::Init {
            cx.error(
                sig.ident.span(),
                format!(
                    "a `#[{attr}]` hook takes `&mut self`: write `fn {name}(&mut self)` \
                     (only `#[on_init]` may build the gadget, as `fn {name}() -> Result<Self>`)"
                ),
            );
            return;
        }
        if sig.inputs.iter().next().is_some() {
            cx.error_spanned(
                &sig.inputs,
                format!(
                    "an `#[on_init]` that builds the gadget takes no arguments: write `fn \
                     {name}() -> Result<Self>`, or `fn {name}(&mut self)` to finish a value \
                     built from the struct's declarations"
                ),
            );
        }
        // Other return types are checked by the compiler (`Self`, the type's
        // name or path, an alias, `Result<Self, E>`); `()` and `Result<()>`
        // say that `self` was forgotten.
        if matches!(sig.output, ReturnType::Default) || returns_unit(&sig.output) {
            cx.error(
                output_span(sig),
                format!(
                    "an `#[on_init]` without `self` builds the gadget: it returns `Self` or \
                     `Result<Self, E>`; to finish a value built from the struct's \
                     declarations, write `fn {name}(&mut self)`"
                ),
            );
        }
        return;
    }
    if let Err(span) = borrowed_receiver(sig) {
        cx.error(
            span,
            format!(
                "a `#[{attr}]` hook takes `&mut self` (or `&self`): write `fn {name}(&mut self)`"
            ),
        );
    }
    let extra: Vec<_> = sig
        .inputs
        .iter()
        .filter(|a| matches!(a, FnArg::Typed(_)))
        .collect();
    if let Some(first) = extra.first() {
        cx.error_spanned(
            first,
            format!(
                "a `#[{attr}]` hook takes no arguments besides `self`: write `fn {name}(&mut \
                 self)`"
            ),
        );
    }
    check_unit_output(sig, &format!("a `#[{attr}]` hook"), cx);
}

fn check_subscription_signature(sub: &Subscription, cx: &mut Ctxt) {
    let sig = &sub.sig;
    let name = &sig.ident;
    let expected = sub.kind().argument();
    if let Err(span) = borrowed_receiver(sig) {
        cx.error(
            span,
            format!(
                "a `#[subscribe]` method takes `&mut self` (or `&self`) and the event: write \
                 `fn {name}(&mut self, data: {expected})`"
            ),
        );
    }
    let typed: Vec<_> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .collect();
    match typed.as_slice() {
        [] => cx.error(
            sig.paren_token.span.join(),
            format!(
                "a `#[subscribe]` method receives the event: write `fn {name}(&mut self, data: \
                 {expected})`"
            ),
        ),
        [arg] => {
            let by_type = sub.kind_of_argument();
            if let Some(lifetime) = foreign_lifetime(&arg.ty, sig) {
                cx.error_spanned(
                    lifetime,
                    format!(
                        "the event lives for one callback only: write `'_` instead of `{lifetime}` \
                         (`fn {name}(&mut self, data: {expected})`)"
                    ),
                );
            } else if let Type::Reference(r) = &*arg.ty {
                cx.error_spanned(
                    &arg.ty,
                    format!(
                        "take the event by value: `{}` is `Copy` and borrows the callback \
                         already (write `{}`)",
                        show(&r.elem),
                        show(&r.elem)
                    ),
                );
            } else {
                match (sub.kind_option, by_type) {
                    (Some((opt, span)), Some(found)) if sub.kind() != found => cx.error(
                        span,
                        format!(
                            "`kind = \"{}\"` receives `{}`, but `{name}` takes `{}`: change \
                             one of them",
                            kind_word(opt),
                            sub.kind().argument(),
                            show(&arg.ty)
                        ),
                    ),
                    _ => {}
                }
            }
        }
        [_, extra, ..] => cx.error_spanned(
            extra,
            format!(
                "a `#[subscribe]` method receives one event: write `fn {name}(&mut self, data: \
                 {expected})`"
            ),
        ),
    }
    check_unit_output(sig, "a `#[subscribe]` method", cx);
}

fn kind_word(kind: super::model::KindArg) -> &'static str {
    match kind {
        super::model::KindArg::Data => "data",
        super::model::KindArg::Array => "array",
        super::model::KindArg::Packet => "packet",
    }
}

/// `Result<T, E>` with a `T` other than `()`: the one mistake in a hook's
/// return type that is clear from its syntax. Every other type (`()`, an
/// alias such as `type HookResult = Result<(), String>`) is checked by the
/// compiler against the runtime's `HookOutput` bound.
fn check_unit_output(sig: &Signature, what: &str, cx: &mut Ctxt) {
    let ReturnType::Type(_, ty) = &sig.output else {
        return;
    };
    let Type::Path(p) = &**ty else {
        return;
    };
    let Some(last) = p.path.segments.last() else {
        return;
    };
    if last.ident != "Result" {
        return;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return;
    };
    match args.args.first() {
        Some(GenericArgument::Type(Type::Tuple(t))) if t.elems.is_empty() => {}
        Some(GenericArgument::Type(other)) if args.args.len() <= 2 => cx.error_spanned(
            other,
            format!(
                "{what} returns `Result<(), E>`: ig only learns success or failure, so the `Ok` \
                 value would be lost (found `{}`)",
                show(other)
            ),
        ),
        _ => {}
    }
}

/// A lifetime in the event's type that the method does not declare
/// (`Data<'static>`): the event cannot outlive the callback.
fn foreign_lifetime<'a>(ty: &'a Type, sig: &Signature) -> Option<&'a syn::Lifetime> {
    let Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Lifetime(l) if l.ident != "_" => {
            let declared = sig.generics.params.iter().any(
                |g| matches!(g, syn::GenericParam::Lifetime(d) if d.lifetime.ident == l.ident),
            );
            (!declared).then_some(l)
        }
        _ => None,
    })
}

/// A string `default` of a param whose type is a primitive is parsed here,
/// so that `default = "abc"` on a `u32` fails the build, not gadgetInit.
fn check_param_default(ty: &Type, default: Option<&syn::Expr>, cx: &mut Ctxt) {
    let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    })) = default
    else {
        return;
    };
    let Some(name) = last_ident(ty) else {
        return;
    };
    let value = text.value();
    let parses = match name.as_str() {
        "bool" => value.parse::<bool>().is_ok(),
        "char" => value.parse::<char>().is_ok(),
        "f32" => value.parse::<f32>().is_ok(),
        "f64" => value.parse::<f64>().is_ok(),
        "i8" => value.parse::<i8>().is_ok(),
        "i16" => value.parse::<i16>().is_ok(),
        "i32" => value.parse::<i32>().is_ok(),
        "i64" => value.parse::<i64>().is_ok(),
        "i128" => value.parse::<i128>().is_ok(),
        "isize" => value.parse::<isize>().is_ok(),
        "u8" => value.parse::<u8>().is_ok(),
        "u16" => value.parse::<u16>().is_ok(),
        "u32" => value.parse::<u32>().is_ok(),
        "u64" => value.parse::<u64>().is_ok(),
        "u128" => value.parse::<u128>().is_ok(),
        "usize" => value.parse::<usize>().is_ok(),
        _ => return,
    };
    if !parses {
        cx.error(
            text.span(),
            format!(
                "the default \"{value}\" is not a `{name}`: write a `{name}` value, e.g. \
                 `default = {}`",
                match name.as_str() {
                    "bool" => "false",
                    "char" => "'x'",
                    "f32" | "f64" => "1.5",
                    _ => "16",
                }
            ),
        );
    }
}

/// `-> ()` or `-> Result<(), ..>` (any path ending in `Result`).
fn returns_unit(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return true;
    };
    match &**ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Path(p) => p.path.segments.last().is_some_and(|last| {
            last.ident == "Result"
                && matches!(&last.arguments, PathArguments::AngleBracketed(args)
                    if matches!(args.args.first(), Some(GenericArgument::Type(Type::Tuple(t))) if t.elems.is_empty()))
        }),
        _ => false,
    }
}

fn output_span(sig: &Signature) -> Span {
    match &sig.output {
        ReturnType::Default => sig.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    }
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// A type as the user would write it (`Vec<u8>`, `&str`).
pub fn show(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    raw.replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace("& ", "&")
        .replace(" ,", ",")
        .replace("[ ", "[")
        .replace(" ]", "]")
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace("' ", "'")
}
