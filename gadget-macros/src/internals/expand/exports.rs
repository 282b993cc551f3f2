//! The impl's side: the gadget cell and ig's exports, handed to the
//! struct's bridge macro. Each hook's and subscription's steps carry its
//! cfg; `#[on_init]` constructors under different cfgs make one bridge
//! call per alternative, each under its own cfg.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::super::model::{Cfg, GadgetImpl, Hook, HookKind, Phase, Receiver, Subscription};
use super::{dispatch, local, rt, use_runtime};

/// What an invalid impl block still gets, so that its struct causes no
/// follow-on error: the marker of a gadget impl, and no exports.
pub fn impl_fallback(self_ty: &syn::Path, krate: &syn::Path) -> TokenStream {
    let rt = rt();
    let use_rt = use_runtime(krate);
    quote! {
        const _: () = {
            #use_rt
            impl #rt::OneGadgetImplBlock for #self_ty {}
        };
    }
}

/// One step of an export: a call returning ig's code, under a cfg.
struct Step {
    cfg: Cfg,
    call: TokenStream,
}

impl Step {
    fn always(call: TokenStream) -> Self {
        Step {
            cfg: Cfg::default(),
            call,
        }
    }
}

pub fn gadget_impl(model: &GadgetImpl) -> TokenStream {
    let rt = rt();
    let ty = &model.self_ty;
    let type_span = ty
        .segments
        .last()
        .map_or_else(Span::call_site, |s| s.ident.span());
    let use_rt = use_runtime(&model.krate);
    let assert_struct =
        quote_spanned!(type_span=> const _: () = #rt::assert_gadget_struct::<#ty>(););
    // An alternative under a cfg is an item under that cfg (the bridge's
    // output is items, which a `const _` block holds as well).
    let calls = variants(model).into_iter().map(|(cfg, constructor)| {
        let call = bridge_call(model, constructor);
        match cfg {
            Some(p) => quote!(#[cfg(#p)] const _: () = { #call };),
            None => call,
        }
    });
    quote! {
        const _: () = {
            #use_rt
            impl #rt::OneGadgetImplBlock for #ty {}
            #assert_struct
        };

        #(#calls)*
    }
}

/// The constructor each alternative uses, with the predicate under which
/// it is the one: one alternative unless constructors are under cfgs.
fn variants(model: &GadgetImpl) -> Vec<(Option<TokenStream>, Option<&Hook>)> {
    let constructors: Vec<&Hook> = model
        .hooks
        .iter()
        .filter(|h| h.kind == HookKind::Init && h.receiver == Receiver::Constructor)
        .collect();
    if constructors.is_empty() {
        return vec![(None, None)];
    }
    if let Some(always) = constructors.iter().find(|h| h.cfg.is_always()) {
        return vec![(None, Some(*always))];
    }
    let mut out = Vec::new();
    let mut earlier: Vec<TokenStream> = Vec::new();
    for c in &constructors {
        let own = c.cfg.predicate();
        let predicate = if earlier.is_empty() {
            own.clone()
        } else {
            let none = super::super::cfg::none_of(&earlier);
            quote!(all(#own, #none))
        };
        out.push((Some(predicate), Some(*c)));
        earlier.push(own);
    }
    out.push((Some(super::super::cfg::none_of(&earlier)), None));
    out
}

/// `Type! { mode; pre_start {..} start {..} exports {..} }`.
fn bridge_call(model: &GadgetImpl, constructor: Option<&Hook>) -> TokenStream {
    let rt = rt();
    let ty = &model.self_ty;
    let use_rt = use_runtime(&model.krate);
    let hooks = |kind: HookKind| -> Vec<&Hook> {
        model
            .hooks
            .iter()
            .filter(|h| h.kind == kind && h.receiver == Receiver::Borrowed)
            .collect()
    };
    let subscriptions = |phase: Phase| -> Vec<&Subscription> {
        model
            .subscriptions
            .iter()
            .filter(|s| s.phase == phase)
            .collect()
    };
    let init = init_export(
        model,
        constructor,
        &hooks(HookKind::Init),
        &subscriptions(Phase::Init),
    );
    let phase_export = |kind: HookKind, phase: Phase| {
        let own = hooks(kind);
        let subscriptions = subscriptions(phase);
        let export = phase_export(model, kind, phase, &own, &subscriptions);
        // Without a hook or subscription of its own, the export is the
        // struct's to keep (when it has look-ups in that phase) or drop.
        if !own.is_empty() || !subscriptions.is_empty() {
            (export, TokenStream::new())
        } else {
            (TokenStream::new(), export)
        }
    };
    let (pre_start, pre_start_if_needed) = phase_export(HookKind::PreStart, Phase::PreStart);
    let (start, start_if_needed) = phase_export(HookKind::Start, Phase::Start);
    let stop = plain_export(model, HookKind::Stop, &hooks(HookKind::Stop));
    let post_stop = plain_export(model, HookKind::PostStop, &hooks(HookKind::PostStop));
    let callback = dispatch::callback_export(model);
    let mode = match constructor {
        Some(_) => quote!(constructed),
        None => quote!(declared),
    };
    let cell = cell_static();
    quote! {
        #ty! {
            #mode;
            pre_start { #pre_start_if_needed }
            start { #start_if_needed }
            exports {
                #use_rt

                #rt::thread_local! {
                    static #cell: #rt::GadgetCell<#ty> = const { #rt::GadgetCell::new() };
                }

                #[unsafe(no_mangle)]
                extern "C" fn gadgetAPIVersion() -> i64 {
                    #rt::API_VERSION
                }

                #init
                #pre_start
                #start
                #stop
                #post_stop
                #callback
            }
        }
    }
}

/// The static that holds the gadget, inside the exports' block.
pub(super) fn cell_static() -> syn::Ident {
    syn::Ident::new("__GADGET", Span::call_site())
}

/// The local the exports bind the cell to.
pub(super) fn cell_local() -> syn::Ident {
    local("cell", Span::call_site())
}

/// Each step, then `return` its code if it is not 0; 0 at the end.
fn steps(steps: Vec<Step>) -> TokenStream {
    let rc = local("rc", Span::call_site());
    let checked = steps.iter().map(|step| {
        let cfg = step.cfg.attr();
        let call = &step.call;
        quote! {
            #cfg
            {
                let #rc = #call;
                if #rc != 0 {
                    return #rc;
                }
            }
        }
    });
    quote! {
        #(#checked)*
        0
    }
}

fn call_hook(model: &GadgetImpl, hook: &Hook) -> Step {
    let rt = rt();
    let ty = &model.self_ty;
    let export = hook.kind.export();
    let method = &hook.method;
    let name = method.to_string();
    let cell = cell_local();
    let gadget = local("gadget", hook.output_span);
    let call = quote_spanned!(hook.output_span=> |#gadget| #ty::#method(#gadget));
    let run = super::respan(&quote!(#rt::run_hook), hook.output_span);
    Step {
        cfg: hook.cfg.clone(),
        call: quote_spanned!(hook.output_span=> #run(#cell, #export, #name, #call)),
    }
}

fn subscribe(model: &GadgetImpl, export: &str, sub: &Subscription) -> Step {
    let rt = rt();
    let method = sub.method.to_string();
    let datasource = dispatch::datasource(model, sub);
    // An alias without `kind`: the kind is the event type's, known to the
    // compiler only.
    let kind = match sub.kind_by_type() {
        Some(ty) => {
            quote_spanned!(ty.span()=> <#ty as #rt::SubscriptionEvent<'_>>::KIND)
        }
        None => {
            let kind = format_ident!("{}", sub.kind().variant());
            quote!(#rt::SubscriptionKind::#kind)
        }
    };
    let priority = proc_macro2::Literal::i32_unsuffixed(sub.priority);
    let id = proc_macro2::Literal::u64_unsuffixed(sub.callback_id);
    let cell = cell_local();
    Step {
        cfg: sub.cfg.clone(),
        call: quote!(#rt::subscribe_method(#cell, #export, #method, #datasource, #kind, #priority, #id)),
    }
}

fn export_fn(name: &str, cfg: TokenStream, body: TokenStream) -> TokenStream {
    let ident = syn::Ident::new(name, Span::call_site());
    quote! {
        #cfg
        #[unsafe(no_mangle)]
        extern "C" fn #ident() -> i32 {
            #body
        }
    }
}

/// `__GADGET.with(|cell| { steps })`.
fn with_cell(list: Vec<Step>) -> TokenStream {
    let cell = cell_local();
    let gadget = cell_static();
    let body = steps(list);
    quote!(#gadget.with(|#cell| { #body }))
}

/// `gadgetInit`: the runtime and the value (from the struct's declarations
/// or the constructor), the user's init hooks, then the subscriptions.
fn init_export(
    model: &GadgetImpl,
    constructor: Option<&Hook>,
    hooks: &[&Hook],
    subscriptions: &[&Subscription],
) -> TokenStream {
    let rt = rt();
    let ty = &model.self_ty;
    let cell = cell_local();
    let mut list = Vec::new();
    match constructor {
        Some(h) => {
            let method = &h.method;
            let name = method.to_string();
            let call = quote_spanned!(h.output_span=> || #ty::#method());
            let run = super::respan(&quote!(#rt::init_with), h.output_span);
            list.push(Step::always(
                quote_spanned!(h.output_span=> #run(#cell, #name, #call)),
            ));
        }
        None => list.push(Step::always(quote!(#rt::init_value(#cell)))),
    }
    list.extend(hooks.iter().map(|h| call_hook(model, h)));
    list.extend(
        subscriptions
            .iter()
            .map(|s| subscribe(model, "gadgetInit", s)),
    );
    export_fn("gadgetInit", TokenStream::new(), with_cell(list))
}

/// `gadgetPreStart` / `gadgetStart`: the struct's look-ups of that phase,
/// the hooks, the subscriptions.
fn phase_export(
    model: &GadgetImpl,
    kind: HookKind,
    phase: Phase,
    hooks: &[&Hook],
    subscriptions: &[&Subscription],
) -> TokenStream {
    let rt = rt();
    let export = kind.export();
    let variant = format_ident!("{}", phase.variant());
    let cell = cell_local();
    let mut list = vec![Step::always(
        quote!(#rt::resolve_phase(#cell, #export, #rt::Phase::#variant)),
    )];
    list.extend(hooks.iter().map(|h| call_hook(model, h)));
    list.extend(subscriptions.iter().map(|s| subscribe(model, export, s)));
    export_fn(export, TokenStream::new(), with_cell(list))
}

/// `gadgetStop` / `gadgetPostStop`: the hooks alone; none, no export.
fn plain_export(model: &GadgetImpl, kind: HookKind, hooks: &[&Hook]) -> TokenStream {
    if hooks.is_empty() {
        return TokenStream::new();
    }
    // Only under a cfg when every hook is.
    let cfg = if hooks.iter().any(|h| h.cfg.is_always()) {
        TokenStream::new()
    } else {
        let any = hooks.iter().map(|h| h.cfg.predicate());
        quote!(#[cfg(any(#(#any),*))])
    };
    let list = hooks.iter().map(|h| call_hook(model, h)).collect();
    export_fn(kind.export(), cfg, with_cell(list))
}
