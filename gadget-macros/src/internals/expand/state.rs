//! The struct's side: `impl GadgetStruct` (how to build the value and
//! resolve later-phase look-ups) and the bridge macro through which the
//! impl block's exports learn what the struct declares.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::super::model::{GadgetStruct, Phase, Role};
use super::{bridge_name, lookups, private};

pub fn gadget_struct(model: &GadgetStruct) -> TokenStream {
    let p = private(&model.krate);
    let ident = &model.ident;
    let new_body = lookups::build_value(model, &p);
    let resolve_body = lookups::resolve_later(model, &p);
    let datasource_arms: Vec<_> = model
        .members
        .iter()
        .filter_map(|m| match &m.role {
            Role::DataSource(ds) => {
                let name = ds.name.lit();
                let member = &m.ident;
                Some(quote!(#name => ::core::option::Option::Some(&self.#member),))
            }
            _ => None,
        })
        .collect();
    let datasource_fn = (!datasource_arms.is_empty()).then(|| {
        quote! {
            fn __gadget_datasource(&self, name: &str) -> ::core::option::Option<&#p::__DataSource> {
                match name {
                    #(#datasource_arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let bridge = bridge(model, &p);
    quote! {
        impl #p::GadgetStruct for #ident {
            fn __gadget_new() -> #p::__Result<Self, #p::Error> {
                #new_body
            }

            fn __gadget_resolve(&mut self, phase: #p::Phase) -> #p::__Result<(), #p::Error> {
                #resolve_body
            }

            #datasource_fn
        }

        const _: () = #p::assert_gadget_impl::<#ident>();

        #bridge
    }
}

/// The macro that the impl block calls with its exports. It adds what only
/// the struct knows: `gadgetPreStart` / `gadgetStart` (handed over by the
/// impl block when it has no hook there) when the struct has look-ups in
/// that phase; for a value built from the declarations, the check that
/// every plain member has `Default`; for a value built by an `#[on_init]`
/// constructor, the error that the struct declares look-ups it cannot use.
fn bridge(model: &GadgetStruct, p: &TokenStream) -> TokenStream {
    let needs = |phase: Phase| {
        model
            .members
            .iter()
            .any(|m| matches!(&m.role, Role::Field(f) if f.phase == phase))
    };
    let keep = |needed: bool, tokens: TokenStream| if needed { tokens } else { TokenStream::new() };
    let pre_start = keep(needs(Phase::PreStart), quote!($($pre)*));
    let start = keep(needs(Phase::Start), quote!($($start)*));
    let defaults = model.members.iter().filter_map(|m| match m.role {
        Role::State => {
            let ty = &m.ty;
            Some(quote_spanned!(ty.span()=> #p::assert_state_default::<#ty>();))
        }
        _ => None,
    });
    let declared = quote! {
        const _: () = {
            #(#defaults)*
        };
    };
    let constructed = model
        .members
        .iter()
        .find(|m| !matches!(m.role, Role::State))
        .map(|m| {
            let message = format!(
                "`{}` is declared with a gadget attribute, but the `#[on_init]` of this gadget \
                 builds the value itself (it has no `self`): look data sources, fields and \
                 params up in that constructor and remove the attribute, or make on_init take \
                 `&mut self`",
                m.ident
            );
            quote_spanned!(m.ident.span()=> ::core::compile_error!(#message);)
        });
    arms(
        &model.ident,
        declared,
        constructed.unwrap_or_default(),
        pre_start,
        start,
    )
}

fn arms(
    ident: &syn::Ident,
    declared: TokenStream,
    constructed: TokenStream,
    pre_start: TokenStream,
    start: TokenStream,
) -> TokenStream {
    let name = bridge_name(ident);
    quote! {
        #[doc(hidden)]
        macro_rules! #name {
            (declared; pre_start { $($pre:tt)* } start { $($start:tt)* } exports { $($exports:tt)* }) => {
                #declared
                // A hook taking `&self` needs the forwarding closure; clippy
                // would flag the `&mut self` ones in the user's crate.
                #[allow(clippy::redundant_closure)]
                const _: () = {
                    $($exports)*
                    #pre_start
                    #start
                };
            };
            (constructed; pre_start { $($pre:tt)* } start { $($start:tt)* } exports { $($exports:tt)* }) => {
                #constructed
                #[allow(clippy::redundant_closure)]
                const _: () = {
                    $($exports)*
                    #pre_start
                    #start
                };
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #name;
    }
}

/// What an invalid struct still gets, so that its impl block causes no
/// follow-on errors: an `impl GadgetStruct` that never runs (the crate does
/// not compile) and a bridge that drops the exports.
pub fn struct_fallback(ident: &syn::Ident, krate: &syn::Path) -> TokenStream {
    let p = private(krate);
    let name = bridge_name(ident);
    quote! {
        impl #p::GadgetStruct for #ident {
            fn __gadget_new() -> #p::__Result<Self, #p::Error> {
                ::core::unreachable!()
            }
            fn __gadget_resolve(&mut self, _: #p::Phase) -> #p::__Result<(), #p::Error> {
                ::core::unreachable!()
            }
        }

        #[doc(hidden)]
        macro_rules! #name {
            ($($tokens:tt)*) => {};
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #name;
    }
}
