//! Code generation from a validated model: quote only, no checks.

mod dispatch;
mod exports;
mod lookups;
mod state;

use proc_macro2::TokenStream;
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
