//! The impl's side: the gadget cell and ig's exports, in one `const _` block.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::super::model::{GadgetImpl, Hook, HookKind, Phase, Receiver, Subscription};
use super::{bridge_name, dispatch, private};

/// What an invalid impl block still gets, so that its struct causes no
/// follow-on error: the marker of a gadget impl, and no exports.
pub fn impl_fallback(self_ty: &syn::Path, krate: &syn::Path) -> TokenStream {
    let p = private(krate);
    quote!(impl #p::GadgetImpl for #self_ty {})
}

pub fn gadget_impl(model: &GadgetImpl) -> TokenStream {
    let p = private(&model.krate);
    let ty = &model.self_ty;
    let hook = |kind: HookKind| model.hooks.iter().find(|h| h.kind == kind);
    let subscriptions = |phase: Phase| -> Vec<&Subscription> {
        model
            .subscriptions
            .iter()
            .filter(|s| s.phase == phase)
            .collect()
    };

    let init = init_export(model, &p, hook(HookKind::Init), &subscriptions(Phase::Init));
    let phase_export = |kind: HookKind, phase: Phase| {
        let own = hook(kind);
        let subscriptions = subscriptions(phase);
        let export = phase_export(model, &p, kind, phase, own, &subscriptions);
        // Without a hook or subscription of its own, the export is the
        // struct's to keep (when it has look-ups in that phase) or drop.
        if own.is_some() || !subscriptions.is_empty() {
            (export, TokenStream::new())
        } else {
            (TokenStream::new(), export)
        }
    };
    let (pre_start, pre_start_if_needed) = phase_export(HookKind::PreStart, Phase::PreStart);
    let (start, start_if_needed) = phase_export(HookKind::Start, Phase::Start);
    let stop = hook(HookKind::Stop).map(|h| plain_export(model, &p, h));
    let post_stop = hook(HookKind::PostStop).map(|h| plain_export(model, &p, h));
    let callback = dispatch::callback_export(model, &p);
    let mode = match hook(HookKind::Init) {
        Some(h) if h.receiver == Receiver::Constructor => quote!(constructed),
        _ => quote!(declared),
    };
    let type_span = model
        .self_ty
        .segments
        .last()
        .map_or_else(Span::call_site, |s| s.ident.span());
    let mut bridge = model.self_ty.clone();
    if let Some(last) = bridge.segments.last_mut() {
        last.ident = bridge_name(&last.ident);
        last.ident.set_span(type_span);
    }
    let assert_struct =
        quote_spanned!(type_span=> const _: () = #p::assert_gadget_struct::<#ty>(););

    quote! {
        impl #p::GadgetImpl for #ty {}

        #assert_struct

        #bridge! {
            #mode;
            pre_start { #pre_start_if_needed }
            start { #start_if_needed }
            exports {
                #p::thread_local! {
                    static __GADGET: #p::GadgetCell<#ty> = const { #p::GadgetCell::new() };
                }

                #[unsafe(no_mangle)]
                extern "C" fn gadgetAPIVersion() -> i64 {
                    #p::API_VERSION
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

/// `if rc != 0 { return rc; }` after each step but the last.
fn steps(steps: Vec<TokenStream>) -> TokenStream {
    let checked = steps.iter().map(|step| {
        quote! {
            let rc = #step;
            if rc != 0 {
                return rc;
            }
        }
    });
    quote! {
        #(#checked)*
        0
    }
}

fn call_hook(model: &GadgetImpl, p: &TokenStream, hook: &Hook) -> TokenStream {
    let ty = &model.self_ty;
    let export = hook.kind.export();
    let method = &hook.method;
    let name = method.to_string();
    let call = quote_spanned!(hook.output_span=> |gadget| #ty::#method(gadget));
    let p = super::respan(p, hook.output_span);
    quote_spanned!(hook.output_span=> #p::run_hook(cell, #export, #name, #call))
}

fn subscribe(p: &TokenStream, export: &str, sub: &Subscription) -> TokenStream {
    let method = sub.method.to_string();
    let datasource = sub.datasource.lit();
    let kind = format_ident!("{}", sub.kind().variant());
    let priority = proc_macro2::Literal::i32_unsuffixed(sub.priority);
    let id = proc_macro2::Literal::u64_unsuffixed(sub.callback_id);
    quote!(#p::subscribe_method(cell, #export, #method, #datasource, #p::SubscriptionKind::#kind, #priority, #id))
}

fn export_fn(name: &str, body: TokenStream) -> TokenStream {
    let ident = syn::Ident::new(name, Span::call_site());
    quote! {
        #[unsafe(no_mangle)]
        extern "C" fn #ident() -> i32 {
            #body
        }
    }
}

/// `gadgetInit`: the runtime and the value (from the struct's declarations
/// or the constructor), the user's init, then the subscriptions.
fn init_export(
    model: &GadgetImpl,
    p: &TokenStream,
    hook: Option<&Hook>,
    subscriptions: &[&Subscription],
) -> TokenStream {
    let ty = &model.self_ty;
    let mut list = Vec::new();
    match hook {
        Some(h) if h.receiver == Receiver::Constructor => {
            let method = &h.method;
            let name = method.to_string();
            let call = quote_spanned!(h.output_span=> || #ty::#method());
            let p = super::respan(p, h.output_span);
            list.push(quote_spanned!(h.output_span=> #p::init_with(cell, #name, #call)));
        }
        Some(h) => {
            list.push(quote!(#p::init_value(cell)));
            list.push(call_hook(model, p, h));
        }
        None => list.push(quote!(#p::init_value(cell))),
    }
    list.extend(subscriptions.iter().map(|s| subscribe(p, "gadgetInit", s)));
    let body = steps(list);
    export_fn("gadgetInit", quote!(__GADGET.with(|cell| { #body })))
}

/// `gadgetPreStart` / `gadgetStart`: the struct's look-ups of that phase,
/// the hook, the subscriptions.
fn phase_export(
    model: &GadgetImpl,
    p: &TokenStream,
    kind: HookKind,
    phase: Phase,
    hook: Option<&Hook>,
    subscriptions: &[&Subscription],
) -> TokenStream {
    let export = kind.export();
    let variant = format_ident!("{}", phase.variant());
    let mut list = vec![quote!(#p::resolve_phase(cell, #export, #p::Phase::#variant))];
    list.extend(hook.map(|h| call_hook(model, p, h)));
    list.extend(subscriptions.iter().map(|s| subscribe(p, export, s)));
    let body = steps(list);
    export_fn(export, quote!(__GADGET.with(|cell| { #body })))
}

/// `gadgetStop` / `gadgetPostStop`: the hook alone.
fn plain_export(model: &GadgetImpl, p: &TokenStream, hook: &Hook) -> TokenStream {
    let call = call_hook(model, p, hook);
    export_fn(hook.kind.export(), quote!(__GADGET.with(|cell| #call)))
}
