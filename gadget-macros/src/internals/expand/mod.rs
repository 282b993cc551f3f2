//! Code generation from a validated model: quote only, no checks.
//!
//! Hygiene: every generated local is named `__gadget_*` with a mixed-site
//! span (no user item of the call site can capture it as a pattern, and no
//! user local can see it), the runtime is reached through one `use` of
//! `<crate>::__private` per expansion (a wrong `crate = ".."` path is one
//! error on that path, and every use of the alias behind it stays quiet),
//! and everything else is an absolute path.

mod dispatch;
mod exports;
mod lookups;
mod state;

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{Ident, Path};

pub use exports::{gadget_impl, impl_fallback};
pub use state::{gadget_struct, struct_fallback};

/// The alias of the runtime inside generated blocks.
fn rt() -> TokenStream {
    quote!(__gadget_rt)
}

/// `use <crate>::__private as __gadget_rt;`, spanned on the crate path so
/// that a wrong one is reported there.
fn use_runtime(krate: &Path) -> TokenStream {
    let rt = rt();
    quote!(use #krate::__private as #rt;)
}

/// A generated local: prefixed, with a mixed-site span placed at `at`.
fn local(name: &str, at: Span) -> Ident {
    format_ident!(
        "__gadget_{}",
        name,
        span = Span::mixed_site().located_at(at)
    )
}

/// The macro through which the struct hands what it declares to the impl
/// block. It is re-exported under the struct's own name (in the macro
/// namespace), so that the impl block reaches it through the same path as
/// the type: `impl inner::G` calls `inner::G!`, and `use inner::G;` brings
/// both.
fn bridge_name(ident: &Ident) -> Ident {
    format_ident!("__gadget_bridge_{}", syn::ext::IdentExt::unraw(ident))
}

/// The crate-level item that a second `#[gadget]` struct in the crate
/// redefines, which rustc reports at `cargo check` time with this name. (A
/// second `#[gadget] impl` of one gadget implements `OneGadgetImplBlock`
/// again, which rustc reports with that name.)
fn one_gadget_item(span: Span) -> TokenStream {
    let name = Ident::new("only_one_gadget_per_crate", span);
    quote! {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #name {
            () => {};
        }
    }
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
