//! `dataSourceCallback`: a `match` on the callback id, assigned to the
//! subscriptions in declaration order.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::super::model::{GadgetImpl, SubscriptionKind};

pub fn callback_export(model: &GadgetImpl, p: &TokenStream) -> Option<TokenStream> {
    if model.subscriptions.is_empty() {
        return None;
    }
    let ty = &model.self_ty;
    let arms = model.subscriptions.iter().map(|sub| {
        let id = proc_macro2::Literal::u64_unsuffixed(sub.callback_id);
        let method = &sub.method;
        let name = method.to_string();
        let datasource = sub.datasource.lit();
        let run = match sub.kind() {
            SubscriptionKind::Data => quote!(run_data_callback),
            SubscriptionKind::Array => quote!(run_array_callback),
            SubscriptionKind::Packet => quote!(run_packet_callback),
        };
        let call = quote_spanned!(sub.output_span=> |gadget, event| #ty::#method(gadget, event));
        let p = super::respan(p, sub.output_span);
        let run =
            quote_spanned!(sub.output_span=> #p::#run(cell, #name, #datasource, handle, #call));
        quote! {
            #id => #run,
        }
    });
    Some(quote! {
        #[unsafe(no_mangle)]
        extern "C" fn dataSourceCallback(callback_id: i64, _datasource: i32, handle: i32) {
            __GADGET.with(|cell| match callback_id {
                #(#arms)*
                _ => #p::unknown_callback(callback_id),
            })
        }
    })
}
