//! The struct's side: `impl GadgetStruct` (how to build the value and
//! resolve later-phase look-ups) and the bridge macro through which the
//! impl block's exports learn what the struct declares.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::super::model::{GadgetStruct, Phase, Role};
use super::{bridge_name, local, lookups, one_gadget_item, rt, use_runtime};

pub fn gadget_struct(model: &GadgetStruct) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let new_body = lookups::build_value(model);
    let resolve_body = lookups::resolve_later(model);
    let name = local("name", Span::call_site());
    let datasource_arms: Vec<_> = model
        .members
        .iter()
        .filter_map(|m| match &m.role {
            Role::DataSource(ds) => {
                let lit = ds.name.lit();
                let member = &m.ident;
                let cfg = m.cfg.attr();
                let ty = &m.ty;
                let get = quote_spanned!(ty.span()=> <#ty as #rt::DataSourceMember>::datasource(&self.#member));
                Some(quote! {
                    #cfg
                    #lit => ::core::option::Option::Some(#get),
                })
            }
            _ => None,
        })
        .collect();
    let datasource_fn = (!datasource_arms.is_empty()).then(|| {
        quote! {
            fn __gadget_datasource(&self, #name: &str) -> ::core::option::Option<&#rt::__DataSource> {
                match #name {
                    #(#datasource_arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let phase = local("phase", Span::call_site());
    let use_rt = use_runtime(&model.krate);
    let assert_impl =
        quote_spanned!(ident.span()=> const _: () = #rt::assert_gadget_impl::<#ident>(););
    let bridge = bridge(model);
    let one_gadget = one_gadget_item(ident.span());
    quote! {
        #one_gadget

        const _: () = {
            #use_rt

            impl #rt::GadgetStruct for #ident {
                fn __gadget_new() -> #rt::__Result<Self, #rt::Error> {
                    #new_body
                }

                fn __gadget_resolve(&mut self, #phase: #rt::Phase) -> #rt::__Result<(), #rt::Error> {
                    #resolve_body
                }

                #datasource_fn
            }

            #assert_impl
        };

        #bridge
    }
}

/// The macro that the impl block calls with its exports. It adds what only
/// the struct knows: `gadgetPreStart` / `gadgetStart` (handed over by the
/// impl block when it has no hook there) when the struct has look-ups in
/// that phase; for a value built from the declarations, the check that
/// every plain member has `Default`; for a value built by an `#[on_init]`
/// constructor, the error that the struct declares look-ups it cannot use;
/// and the struct's default data source for subscriptions without one.
fn bridge(model: &GadgetStruct) -> TokenStream {
    let rt = rt();
    let needs = |phase: Phase| {
        model
            .members
            .iter()
            .any(|m| matches!(&m.role, Role::Field(f) if f.phase == phase))
    };
    let keep = |needed: bool, tokens: TokenStream| if needed { tokens } else { TokenStream::new() };
    let pre_start = keep(needs(Phase::PreStart), quote!($($pre)*));
    let start = keep(needs(Phase::Start), quote!($($start)*));
    let defaults: Vec<_> = model
        .members
        .iter()
        .filter_map(|m| match m.role {
            Role::State => {
                let ty = &m.ty;
                let cfg = m.cfg.attr();
                Some(quote_spanned!(ty.span()=> #cfg #rt::assert_state_default::<#ty>();))
            }
            _ => None,
        })
        .collect();
    let use_rt = use_runtime(&model.krate);
    let declared = (!defaults.is_empty()).then(|| {
        quote! {
            const _: () = {
                #use_rt
                #(#defaults)*
            };
        }
    });
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
    // The impl block passes the error to give when the struct has no default.
    let default_datasource = match &model.default_datasource {
        Some(ds) => {
            let lit = ds.lit();
            quote!(#lit)
        }
        None => quote!($($error)*),
    };
    let name = bridge_name(&model.ident);
    let ident = &model.ident;
    let vis = quote!(pub(crate));
    quote! {
        #[doc(hidden)]
        macro_rules! #name {
            (datasource $($error:tt)*) => { #default_datasource };
            (generic_impl $($error:tt)*) => { $($error)* };
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
        #vis use #name as #ident;
    }
}

/// What an invalid struct still gets, so that its impl block causes no
/// follow-on errors: an `impl GadgetStruct` that never runs (the crate does
/// not compile) and a bridge that drops the exports. A generic struct gets
/// only the bridge (its impl block, generic too, does not call it).
pub fn struct_fallback(model: &GadgetStruct, generic: bool) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let name = bridge_name(ident);
    let use_rt = use_runtime(&model.krate);
    let value = (!generic).then(|| {
        quote! {
            const _: () = {
                #use_rt
                impl #rt::GadgetStruct for #ident {
                    fn __gadget_new() -> #rt::__Result<Self, #rt::Error> {
                        ::core::unreachable!()
                    }
                    fn __gadget_resolve(&mut self, _: #rt::Phase) -> #rt::__Result<(), #rt::Error> {
                        ::core::unreachable!()
                    }
                }
            };
        }
    });
    quote! {
        #value

        #[doc(hidden)]
        macro_rules! #name {
            (datasource $($error:tt)*) => { "" };
            ($($tokens:tt)*) => {};
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #name as #ident;
    }
}
