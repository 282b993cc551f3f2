//! Code generation from a validated model: quote only, no checks.

mod dispatch;
mod exports;
mod lookups;
mod state;

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::Path;

pub use exports::{gadget_impl, impl_fallback};
pub use state::{gadget_struct, struct_fallback};

/// `::gadget_api::__private`, or the `crate = "..."` override's.
fn private(krate: &Path) -> TokenStream {
    quote!(#krate::__private)
}

/// The name of the macro through which the struct tells the impl which
/// later-phase exports its look-ups need (`__gadget_Upper` for `Upper`).
fn bridge_name(ident: &syn::Ident) -> syn::Ident {
    quote::format_ident!("__gadget_{}", syn::ext::IdentExt::unraw(ident))
}

/// `tokens` with every span set to `span`, so that a type error in
/// generated code points at the user's code it comes from.
fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), respan(&g.stream(), span));
                group.set_span(span);
                TokenTree::Group(group)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}
