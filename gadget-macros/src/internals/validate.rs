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

pub fn gadget_struct(model: &GadgetStruct, cx: &mut Ctxt) {
    let mut datasources: BTreeMap<&str, (&syn::Ident, Option<DataSourceKind>)> = BTreeMap::new();
    let mut added: BTreeMap<(&str, &str), &syn::Ident> = BTreeMap::new();
    let mut keys: BTreeMap<&str, &syn::Ident> = BTreeMap::new();
    for member in &model.members {
        match &member.role {
            Role::DataSource(ds) => {
                if last_ident(&member.ty).as_deref() != Some("DataSource") {
                    cx.error_spanned(
                        &member.ty,
                        format!(
                            "a `#[datasource]` member has type `DataSource` (found `{}`)",
                            show(&member.ty)
                        ),
                    );
                }
                non_empty(&ds.name.value, ds.name.span, "data source name", cx);
                if let Some((other, _)) = datasources.get(ds.name.value.as_str()) {
                    cx.error(
                        ds.name.span,
                        format!(
                            "data source `{}` is already declared by `{other}`; use that member",
                            ds.name.value
                        ),
                    );
                } else {
                    datasources.insert(&ds.name.value, (&member.ident, ds.create));
                }
            }
            Role::Field(_) => check_field_type(&member.ty, cx),
            Role::Param(p) => {
                non_empty(&p.key.value, p.key.span, "param key", cx);
                if let Some(other) = keys.insert(&p.key.value, &member.ident) {
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
        let created = matches!(
            datasources.get(f.datasource.value.as_str()),
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
            let key = (f.datasource.value.as_str(), f.name.value.as_str());
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

/// `Field<T>`, with hints for the usual wrong `T`s.
fn check_field_type(ty: &Type, cx: &mut Ctxt) {
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
        cx.error_spanned(
            ty,
            format!(
                "a `#[field]` member has type `Field<T>`, with `T` one of bool, i8..i64, \
                 u8..u64, f32, f64, String, Bytes (found `{}`)",
                show(ty)
            ),
        );
        return;
    };
    let shown = show(inner);
    let hint = match shown.as_str() {
        "&str" | "str" | "&'static str" | "Box<str>" => Some("Field<String>"),
        "Vec<u8>" | "&[u8]" | "[u8]" | "Box<[u8]>" => Some("Field<Bytes>"),
        "usize" => Some("Field<u64> (or the field's exact width)"),
        "isize" => Some("Field<i64> (or the field's exact width)"),
        _ => None,
    };
    if let Some(hint) = hint {
        cx.error_spanned(
            inner,
            format!("`Field<{shown}>` is not a field type: write `{hint}`"),
        );
    }
}

pub fn gadget_impl(model: &GadgetImpl, cx: &mut Ctxt) {
    let type_name = model
        .self_ty
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    for kind in HookKind::ALL {
        let mut same = model.hooks.iter().filter(|h| h.kind == kind);
        if let Some(first) = same.next() {
            for dup in same {
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
    let mut methods: BTreeMap<String, &'static str> = BTreeMap::new();
    for hook in &model.hooks {
        if let Some(other) = methods.insert(hook.method.to_string(), hook.kind.attribute()) {
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
        check_hook_signature(hook.kind, hook.receiver, &hook.sig, &type_name, cx);
    }
    let mut seen: BTreeMap<(String, &str), ()> = BTreeMap::new();
    for sub in &model.subscriptions {
        if let Some(hook) = methods.get(&sub.method.to_string()) {
            cx.error_spanned(
                &sub.attr,
                format!(
                    "`{}` already is the `#[{hook}]` hook; a subscription needs its own method",
                    sub.method
                ),
            );
            continue;
        }
        if seen
            .insert((sub.method.to_string(), &sub.datasource.value), ())
            .is_some()
        {
            cx.error_spanned(
                &sub.attr,
                format!(
                    "`{}` is already subscribed to data source `{}`",
                    sub.method, sub.datasource.value
                ),
            );
        }
        non_empty(
            &sub.datasource.value,
            sub.datasource.span,
            "data source name",
            cx,
        );
        common_signature(&sub.sig, cx);
        check_subscription_signature(sub, cx);
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

fn check_hook_signature(
    kind: HookKind,
    receiver: Receiver,
    sig: &Signature,
    type_name: &str,
    cx: &mut Ctxt,
) {
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
        if !returns_self(&sig.output, type_name) {
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
            if let Type::Reference(r) = &*arg.ty {
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
                    (None, None) => cx.error_spanned(
                        &arg.ty,
                        format!(
                            "a subscription receives `Data<'_>` (one record), `DataArray<'_>` \
                             (an array data source's records) or `Packet<'_>` (the packet), \
                             not `{}`; for a type alias, say which with `kind = \"data\"`, \
                             `\"array\"` or `\"packet\"`",
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

/// `()`, nothing, or `Result<(), E>` (any path ending in `Result`).
fn check_unit_output(sig: &Signature, what: &str, cx: &mut Ctxt) {
    let ReturnType::Type(_, ty) = &sig.output else {
        return;
    };
    let ok = match &**ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Path(p) => match p.path.segments.last() {
            Some(last) if last.ident == "Result" => match &last.arguments {
                PathArguments::None => true,
                PathArguments::AngleBracketed(args) => match args.args.first() {
                    Some(GenericArgument::Type(Type::Tuple(t))) => t.elems.is_empty(),
                    Some(GenericArgument::Type(other)) => {
                        cx.error_spanned(
                            other,
                            format!(
                                "{what} returns `Result<(), E>`: ig only learns success or \
                                 failure, so the `Ok` value would be lost (found `{}`)",
                                show(other)
                            ),
                        );
                        return;
                    }
                    _ => true,
                },
                PathArguments::Parenthesized(_) => false,
            },
            _ => false,
        },
        _ => false,
    };
    if !ok {
        cx.error_spanned(
            ty,
            format!(
                "{what} returns `()` or `Result<(), E>` with `E: Display` (found `{}`); errors \
                 are logged with the method's name and make the export return 1",
                show(ty)
            ),
        );
    }
}

fn returns_self(output: &ReturnType, type_name: &str) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    let is_self = |t: &Type| {
        let s = show(t);
        s == "Self" || s == type_name
    };
    if is_self(ty) {
        return true;
    }
    let Type::Path(p) = &**ty else {
        return false;
    };
    match p.path.segments.last() {
        Some(last) if last.ident == "Result" => match &last.arguments {
            PathArguments::AngleBracketed(args) => {
                matches!(args.args.first(), Some(GenericArgument::Type(t)) if is_self(t))
            }
            _ => false,
        },
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
