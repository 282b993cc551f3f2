//! `dataSourceCallback`: a `match` on the callback id, assigned to the
//! subscriptions in declaration order; each arm under its subscription's cfg.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::super::model::{GadgetImpl, Subscription, SubscriptionKind};
use super::exports::{cell_local, cell_static};
use super::{local, rt};

/// The subscription's data source: its own, or the struct's default,
/// which the struct's bridge macro gives (`Type!(datasource)`).
pub fn datasource(model: &GadgetImpl, sub: &Subscription) -> TokenStream {
    match &sub.datasource {
        Some(ds) => {
            let lit = ds.lit();
            quote!(#lit)
        }
        None => {
            let path = &model.self_ty;
            let error = syn::Error::new_spanned(
                &sub.attr,
                "`#[subscribe]` needs the name of its data source: write \
                 `#[subscribe(datasource = \"exec\", ..)]`, or name the gadget's data source \
                 once on the struct: `#[gadget(datasource = \"exec\")]`",
            )
            .to_compile_error();
            quote!(#path!(datasource #error))
        }
    }
}

pub fn callback_export(model: &GadgetImpl) -> Option<TokenStream> {
    if model.subscriptions.is_empty() {
        return None;
    }
    let rt = rt();
    let ty = &model.self_ty;
    let cell = cell_local();
    let gadget_static = cell_static();
    let id_var = local("callback_id", Span::call_site());
    let handle = local("handle", Span::call_site());
    let arms = model.subscriptions.iter().map(|sub| {
        let id = proc_macro2::Literal::u64_unsuffixed(sub.callback_id);
        let method = &sub.method;
        let name = method.to_string();
        let datasource = datasource(model, sub);
        // `kind = ".."` asks for that kind's event; without it, the event
        // type says the kind (an alias included).
        let event_fn = match sub.kind_option.map(|_| sub.kind()) {
            Some(SubscriptionKind::Data) => quote!(data_event),
            Some(SubscriptionKind::Array) => quote!(array_event),
            Some(SubscriptionKind::Packet) => quote!(packet_event),
            None => quote!(event),
        };
        // The event is built where the argument's type is written, so that
        // a type that is not the subscription's event is an error there.
        let arg_span = sub.argument().map_or(sub.output_span, |t| t.span());
        let event_fn = super::respan(&quote!(#rt::#event_fn), arg_span);
        let gadget = local("gadget", sub.output_span);
        let event = local("event", arg_span);
        let build = match sub.kind_by_type() {
            // Written like the subscription's kind (see `exports::subscribe`),
            // so that a type that is no event is one error, not two.
            Some(ty) => {
                quote_spanned!(arg_span=> <#ty as #rt::SubscriptionEvent<'_>>::from_handle(#event))
            }
            None => quote_spanned!(arg_span=> #event_fn(#event)),
        };
        let call =
            quote_spanned!(sub.output_span=> |#gadget, #event| #ty::#method(#gadget, #build));
        let run = super::respan(&quote!(#rt::run_callback), sub.output_span);
        let run = quote_spanned!(sub.output_span=> #run(#cell, #name, #datasource, #handle, #call));
        let cfg = sub.cfg.attr();
        quote! {
            #cfg
            #id => #run,
        }
    });
    Some(quote! {
        #[unsafe(no_mangle)]
        extern "C" fn dataSourceCallback(#id_var: i64, _: i32, #handle: i32) {
            #gadget_static.with(|#cell| match #id_var {
                #(#arms)*
                _ => #rt::unknown_callback(#id_var),
            })
        }
    })
}
