//! From the macro's input to the model: finds the gadget's attributes,
//! parses their options with darling and strips them from the item. Each
//! problem is kept in the context; whatever could be parsed is returned.

use darling::FromMeta;
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, Fields, ImplItem, ImplItemFn, ItemImpl, ItemStruct, Meta, Path};

use super::attr::{
    self, DataSourceArgs, FieldArgs, GadgetArgs, ParamArgs, PhaseArg, SubscribeArgs,
};
use super::cfg::{self, Cfg};
use super::ctxt::Ctxt;
use super::model::{
    DataSourceDecl, DataSourceKind, FieldDecl, GadgetImpl, GadgetStruct, Hook, HookKind, Member,
    Named, ParamDecl, Phase, Receiver, Role, Subscription,
};
use super::names;
use super::options::{self, AttrSpec};
use super::validate::{self, FieldTypeFix};
use super::wording;

/// `#[gadget(...)]`'s own options.
pub fn gadget_args(attr: TokenStream, cx: &mut Ctxt) -> GadgetArgs {
    if attr.is_empty() {
        return GadgetArgs::default();
    }
    let failed = GadgetArgs {
        failed: true,
        ..GadgetArgs::default()
    };
    let Some(list) = options::of_tokens(attr, &options::GADGET, cx) else {
        return failed;
    };
    from_list(&list, &options::GADGET, cx).unwrap_or(failed)
}

/// Darling's reading of checked options, its errors in the macro's words.
fn from_list<T: FromMeta>(
    list: &[darling::ast::NestedMeta],
    spec: &AttrSpec,
    cx: &mut Ctxt,
) -> Option<T> {
    match T::from_list(list) {
        Ok(value) => Some(value),
        Err(e) => {
            for error in wording::darling_error(e, spec) {
                cx.push_syn(error);
            }
            None
        }
    }
}

/// The options of an attribute on a member or method, checked and read.
fn read_options<T: FromMeta>(meta: &Meta, spec: &AttrSpec, cx: &mut Ctxt) -> Option<T> {
    let list = options::of_meta(meta, spec, cx)?;
    from_list(&list, spec, cx)
}

/// Whether `attr` is `#[gadget]` (or `#[gadget_api::gadget]`, ..).
fn is_gadget_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "gadget")
}

/// Reports and removes a second `#[gadget]` on an item the macro already expands.
fn second_gadget_attr(attrs: &mut Vec<Attribute>, what: &str, cx: &mut Ctxt) {
    let mut first = true;
    attrs.retain(|attr| {
        if !is_gadget_attr(attr) {
            return true;
        }
        if first {
            cx.error_spanned(
                attr,
                format!("this {what} already has `#[gadget]`: remove this one"),
            );
            first = false;
        }
        false
    });
}

/// `::gadget_api`, or the path given with `crate = "..."`.
pub fn crate_path(args: &GadgetArgs) -> Path {
    args.krate
        .clone()
        .map(|k| k.0)
        .unwrap_or_else(|| syn::parse_quote!(::gadget_api))
}

/// Parses the struct's members and strips their gadget attributes.
pub fn gadget_struct(args: &GadgetArgs, item: &mut ItemStruct, cx: &mut Ctxt) -> GadgetStruct {
    second_gadget_attr(&mut item.attrs, "struct", cx);
    if !item.generics.params.is_empty() {
        cx.error_spanned(
            &item.generics,
            "a #[gadget] struct cannot be generic: ig loads one module with one gadget value; \
             remove the generic parameters and use concrete types",
        );
    } else if let Some(clause) = &item.generics.where_clause {
        cx.error_spanned(
            clause,
            "a #[gadget] struct has no `where` clause: it is one concrete type; remove the clause",
        );
    }
    let default_datasource = match &args.datasource {
        Some(d) => Some(Named {
            value: d.value.clone(),
            span: d.span,
        }),
        // Whatever `#[gadget(..)]` said is unknown: no field is reported
        // for lacking a data source it may have given.
        None if args.failed => Some(Named {
            value: "unknown".to_owned(),
            span: Span::call_site(),
        }),
        None => None,
    };
    if let Fields::Unnamed(fields) = &item.fields {
        cx.error_spanned(
            fields,
            format!(
                "a #[gadget] struct has named fields: write `struct {} {{ name: Type, .. }}` \
                 (or `struct {};` for a gadget without state)",
                item.ident, item.ident
            ),
        );
    }
    let mut members = Vec::new();
    for field in item.fields.iter_mut() {
        let roles = member_roles(field, default_datasource.as_ref(), cx);
        if roles.iter().any(|(_, r)| matches!(r, Role::Field(_))) {
            match validate::field_type_fix(&field.ty) {
                FieldTypeFix::Fine => {}
                FieldTypeFix::Replace { at, message, with } => {
                    cx.error_spanned(at, message);
                    field.ty = *with;
                }
                FieldTypeFix::LeftToRustc => cx.left_to_rustc(),
            }
        }
        if let Some(ident) = &field.ident {
            for (cfg, role) in roles {
                members.push(Member {
                    ident: ident.clone(),
                    ty: field.ty.clone(),
                    role,
                    cfg,
                });
            }
        }
    }
    GadgetStruct {
        ident: item.ident.clone(),
        krate: crate_path(args),
        default_datasource,
        members,
    }
}

/// The roles of one member, from its attributes (removed from `field`),
/// each with the cfg under which it holds: one, unless `cfg_attr`s make
/// the role depend on the configuration.
fn member_roles(
    field: &mut syn::Field,
    default_datasource: Option<&Named>,
    cx: &mut Ctxt,
) -> Vec<(Cfg, Role)> {
    let rust_name = field
        .ident
        .as_ref()
        .map(|i| syn::ext::IdentExt::unraw(i).to_string())
        .unwrap_or_default();
    let rust_span = field
        .ident
        .as_ref()
        .map_or_else(|| field.ty.span(), |i| i.span());
    let cfg = Cfg::of(&field.attrs);
    let mut roles: Vec<(TokenStream, &'static str, Option<TokenStream>, Role)> = Vec::new();
    for (predicate, attr) in take_attrs(
        &mut field.attrs,
        names::MEMBER_ATTRS,
        names::METHOD_ATTRS,
        cx,
    ) {
        let span = attr.to_token_stream();
        let Some(name) = names::single_ident(attr.path()) else {
            continue;
        };
        let role = match name.as_str() {
            "datasource" => read_options::<DataSourceArgs>(&attr.meta, &options::DATASOURCE, cx)
                .map(|a| datasource_role(a, &rust_name, rust_span, cx)),
            "field" => read_options::<FieldArgs>(&attr.meta, &options::FIELD, cx).and_then(|a| {
                cx.handle(field_role(
                    a,
                    &rust_name,
                    rust_span,
                    &attr,
                    default_datasource,
                ))
            }),
            "param" => read_options::<ParamArgs>(&attr.meta, &options::PARAM, cx).map(|a| {
                Role::Param(ParamDecl {
                    key: named_or(a.key, &rust_name, rust_span),
                    default: a.default,
                })
            }),
            _ => {
                method_attr_on_member(&attr, &name, cx);
                continue;
            }
        };
        if let Some(role) = role {
            roles.push((span, names::static_name(&name), predicate, role));
        }
    }
    let mut kept: Vec<(Option<TokenStream>, &'static str, Role)> = Vec::new();
    for (attr, name, predicate, role) in roles {
        let key = predicate.as_ref().map(|p| p.to_string());
        let clash = kept.iter().find(|(p, _, _)| {
            p.is_none() || key.is_none() || p.as_ref().map(|p| p.to_string()) == key
        });
        if let Some((_, first_name, _)) = clash {
            cx.error_spanned(
                attr,
                format!(
                    "`{rust_name}` already has `#[{first_name}]`: a member is either a data \
                     source, a field or a param; declare another member for `#[{name}]`"
                ),
            );
            continue;
        }
        kept.push((predicate, name, role));
    }
    if kept.is_empty() {
        return vec![(cfg, Role::State)];
    }
    let conditions: Vec<TokenStream> = kept.iter().filter_map(|(p, _, _)| p.clone()).collect();
    let all_conditional = conditions.len() == kept.len();
    let mut out: Vec<(Cfg, Role)> = kept
        .into_iter()
        .map(|(p, _, role)| (p.map_or_else(|| cfg.clone(), |p| cfg.and(p)), role))
        .collect();
    if all_conditional {
        out.push((cfg.and(cfg::none_of(&conditions)), Role::State));
    }
    out
}

fn method_attr_on_member(attr: &Attribute, name: &str, cx: &mut Ctxt) {
    cx.error_spanned(
        attr,
        format!(
            "`#[{name}]` goes on a method of the `#[gadget] impl` block, not on a member of the \
             struct"
        ),
    );
}

fn named_or(value: Option<attr::Str>, fallback: &str, span: Span) -> Named {
    match value {
        Some(v) => Named {
            span: v.span,
            value: v.value,
        },
        None => Named {
            value: fallback.to_owned(),
            span,
        },
    }
}

fn datasource_role(args: DataSourceArgs, rust_name: &str, span: Span, cx: &mut Ctxt) -> Role {
    let kind = if args.array.is_present() {
        if args.single.is_present() {
            cx.error(
                args.single.span(),
                "`single` and `array` exclude each other: a new data source is one or the other",
            );
        }
        Some((DataSourceKind::Array, args.array.span()))
    } else if args.single.is_present() {
        Some((DataSourceKind::Single, args.single.span()))
    } else {
        None
    };
    let create = if args.new.is_present() {
        Some(kind.map_or(DataSourceKind::Single, |(k, _)| k))
    } else {
        if let Some((k, span)) = kind {
            let word = if k == DataSourceKind::Array {
                "array"
            } else {
                "single"
            };
            cx.error(
                span,
                format!(
                    "`{word}` applies to a data source the gadget creates: write \
                     `#[datasource(new, {word})]`, or remove `{word}` for an existing one"
                ),
            );
        }
        None
    };
    if args.new.is_present() && args.unreference.is_present() {
        cx.error(
            args.unreference.span(),
            "`unreference` consumes an existing data source so that later operators do not \
             receive it; a data source the gadget creates (`new`) is not unreferenced",
        );
    }
    Role::DataSource(DataSourceDecl {
        name: named_or(args.name, rust_name, span),
        create,
        unreference: args
            .unreference
            .is_present()
            .then(|| args.unreference.span()),
    })
}

fn field_role(
    args: FieldArgs,
    rust_name: &str,
    span: Span,
    attr: &Attribute,
    default_datasource: Option<&Named>,
) -> darling::Result<Role> {
    let (phase, phase_span) = match args.phase {
        Some(p) => (phase_of(*p), Some(p.span())),
        None => (Phase::Init, None),
    };
    let datasource = match (args.datasource, default_datasource) {
        (None, Some(default)) => default.clone(),
        (own, _) => required_datasource(own, "field", attr)?,
    };
    Ok(Role::Field(FieldDecl {
        datasource,
        name: named_or(args.name, rust_name, span),
        add: args.add.is_present().then(|| args.add.span()),
        tags: args.tags.0,
        phase,
        phase_span,
    }))
}

/// `datasource = "..."`, which `#[field]` and `#[subscribe]` cannot do without.
fn required_datasource(
    value: Option<attr::Str>,
    which: &str,
    attr: &Attribute,
) -> darling::Result<Named> {
    match value {
        Some(v) => Ok(Named {
            span: v.span,
            value: v.value,
        }),
        None => Err(syn::Error::new_spanned(
            attr,
            format!(
                "`#[{which}]` needs the name of its data source: write \
                 `#[{which}(datasource = \"exec\", ..)]`, or name the gadget's data source \
                 once on the struct: `#[gadget(datasource = \"exec\")]`"
            ),
        )
        .into()),
    }
}

pub fn phase_of(p: PhaseArg) -> Phase {
    match p {
        PhaseArg::Init => Phase::Init,
        PhaseArg::PreStart => Phase::PreStart,
        PhaseArg::Start => Phase::Start,
    }
}

/// Removes the attributes named in `ours` (and near misses, reported) from
/// `attrs` and returns `ours`' plus `theirs` (the other item's attributes,
/// also removed so that they cause no follow-on error), each with the
/// predicate of the `cfg_attr` it came from, if any.
fn take_attrs(
    attrs: &mut Vec<Attribute>,
    ours: &[&'static str],
    theirs: &[&'static str],
    cx: &mut Ctxt,
) -> Vec<(Option<TokenStream>, Attribute)> {
    let gadget_attr = |meta: &Meta| {
        names::single_ident(meta.path())
            .is_some_and(|name| ours.contains(&name.as_str()) || theirs.contains(&name.as_str()))
    };
    let mut taken = Vec::new();
    let mut kept = Vec::new();
    for (predicate, attr) in cfg::unwrap_cfg_attrs(std::mem::take(attrs), &gadget_attr) {
        let Some(name) = names::single_ident(attr.path()) else {
            kept.push(attr);
            continue;
        };
        if gadget_attr(&attr.meta) {
            taken.push((predicate, attr));
        } else if let Some(suggestion) = names::near_miss(&name, ours) {
            cx.error(
                attr.path().span(),
                format!("unknown gadget attribute `#[{name}]`; did you mean `#[{suggestion}]`?"),
            );
        } else {
            kept.push(attr);
        }
    }
    *attrs = kept;
    taken
}

/// Parses the impl's hooks and subscriptions and strips their attributes.
pub fn gadget_impl(args: &GadgetArgs, item: &mut ItemImpl, cx: &mut Ctxt) -> Option<GadgetImpl> {
    second_gadget_attr(&mut item.attrs, "impl block", cx);
    let mut fine = true;
    if let Some((_, path, _)) = &item.trait_ {
        cx.error_spanned(
            path,
            "#[gadget] goes on the gadget's own impl block (`impl MyGadget { .. }`) that holds \
             its hooks, not on a trait impl",
        );
        fine = false;
    }
    if !item.generics.params.is_empty() {
        cx.error_spanned(
            &item.generics,
            "a #[gadget] impl cannot be generic: the gadget is one concrete type; remove the \
             generic parameters",
        );
        fine = false;
    } else if let Some(clause) = &item.generics.where_clause {
        cx.error_spanned(
            clause,
            "a #[gadget] impl has no `where` clause: the gadget is one concrete type; remove \
             the clause",
        );
        fine = false;
    }
    let self_ty = match &*item.self_ty {
        syn::Type::Path(p)
            if p.qself.is_none() && p.path.segments.iter().all(|s| s.arguments.is_none()) =>
        {
            Some(p.path.clone())
        }
        other => {
            if fine {
                cx.error(
                    other.span(),
                    "#[gadget] goes on `impl MyGadget { .. }` where `MyGadget` is the \
                     #[gadget] struct, without generic arguments",
                );
            }
            None
        }
    };
    let mut hooks = Vec::new();
    let mut subscriptions = Vec::new();
    let mut next_id = 1;
    for impl_item in item.items.iter_mut() {
        match impl_item {
            ImplItem::Fn(method) => {
                method_roles(method, &mut hooks, &mut subscriptions, &mut next_id, cx)
            }
            ImplItem::Const(c) => strip_misplaced(&mut c.attrs, cx),
            ImplItem::Type(t) => strip_misplaced(&mut t.attrs, cx),
            ImplItem::Macro(m) => strip_misplaced(&mut m.attrs, cx),
            _ => {}
        }
    }
    Some(GadgetImpl {
        self_ty: self_ty?,
        krate: crate_path(args),
        hooks,
        subscriptions,
        misplaced_datasource: args.datasource.as_ref().map(|d| d.span),
    })
}

fn strip_misplaced(attrs: &mut Vec<Attribute>, cx: &mut Ctxt) {
    for (_, attr) in take_attrs(attrs, names::METHOD_ATTRS, names::MEMBER_ATTRS, cx) {
        let name = names::single_ident(attr.path()).unwrap_or_default();
        cx.error_spanned(
            &attr,
            format!("`#[{name}]` goes on a method (`fn name(&mut self ..)`)"),
        );
    }
}

fn method_roles(
    method: &mut ImplItemFn,
    hooks: &mut Vec<Hook>,
    subscriptions: &mut Vec<Subscription>,
    next_id: &mut u64,
    cx: &mut Ctxt,
) {
    let output_span = match &method.sig.output {
        syn::ReturnType::Default => method.sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    let receiver = if method.sig.receiver().is_some() {
        Receiver::Borrowed
    } else {
        Receiver::Constructor
    };
    let method_cfg = Cfg::of(&method.attrs);
    let attrs = take_attrs(
        &mut method.attrs,
        names::METHOD_ATTRS,
        names::MEMBER_ATTRS,
        cx,
    );
    for (predicate, attr) in attrs {
        let cfg = predicate.map_or_else(|| method_cfg.clone(), |p| method_cfg.and(p));
        let name = names::single_ident(attr.path()).unwrap_or_default();
        if let Some(kind) = HookKind::from_attribute(&name) {
            if !matches!(attr.meta, Meta::Path(_)) {
                cx.error_spanned(
                    &attr.meta,
                    format!("`#[{name}]` takes no options: write `#[{name}]`"),
                );
            }
            hooks.push(Hook {
                kind,
                method: method.sig.ident.clone(),
                receiver,
                output_span,
                sig: method.sig.clone(),
                attr: attr.to_token_stream(),
                cfg,
            });
        } else if name == "subscribe" {
            let Some(args) = read_options::<SubscribeArgs>(&attr.meta, &options::SUBSCRIBE, cx)
            else {
                continue;
            };
            let datasource = args.datasource.clone().map(|v| Named {
                span: v.span,
                value: v.value,
            });
            let id = *next_id;
            *next_id += 1;
            subscriptions.push(Subscription {
                method: method.sig.ident.clone(),
                datasource,
                priority: args.priority.0,
                kind_option: args.kind.map(|k| (*k, k.span())),
                phase: args.phase.map_or(Phase::Init, |p| phase_of(*p)),
                callback_id: id,
                output_span,
                sig: method.sig.clone(),
                attr: attr.to_token_stream(),
                cfg,
            });
        } else {
            cx.error(
                attr.span(),
                format!("`#[{name}]` goes on a member of the `#[gadget]` struct, not on a method"),
            );
        }
    }
}
