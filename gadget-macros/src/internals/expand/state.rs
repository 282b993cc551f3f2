//! The struct's side: `impl GadgetStruct` (how to build the value and
//! resolve later-phase look-ups) and the bridge macro for the impl.

use proc_macro2::TokenStream;
use quote::quote;

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
    let declares = model
        .members
        .iter()
        .any(|m| !matches!(m.role, Role::State))
        .then(|| {
            quote!(
                const __GADGET_DECLARES: bool = true;
            )
        });
    let needs = |phase: Phase| {
        model
            .members
            .iter()
            .any(|m| matches!(&m.role, Role::Field(f) if f.phase == phase))
    };
    let bridge = bridge(ident, needs(Phase::PreStart), needs(Phase::Start));
    quote! {
        impl #p::GadgetStruct for #ident {
            #declares

            fn __gadget_new() -> #p::__Result<Self, #p::Error> {
                #new_body
            }

            fn __gadget_resolve(&mut self, phase: #p::Phase) -> #p::__Result<(), #p::Error> {
                #resolve_body
            }

            #datasource_fn
        }

        #bridge
    }
}

/// The macro that the impl calls with its `gadgetPreStart` / `gadgetStart`
/// export for the struct's look-ups: kept when the struct has look-ups in
/// that phase, dropped otherwise.
fn bridge(ident: &syn::Ident, pre_start: bool, start: bool) -> TokenStream {
    let name = bridge_name(ident);
    let keep = |needed: bool| {
        if needed {
            quote!($($export)*)
        } else {
            TokenStream::new()
        }
    };
    let pre_start = keep(pre_start);
    let start = keep(start);
    quote! {
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #name {
            (pre_start { $($export:tt)* }) => { #pre_start };
            (start { $($export:tt)* }) => { #start };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #name;
    }
}

/// What an invalid struct still gets, so that its impl block causes no
/// follow-on errors: an `impl GadgetStruct` that is never run (the crate
/// does not compile) and a bridge that adds nothing.
pub fn struct_fallback(ident: &syn::Ident, krate: &syn::Path) -> TokenStream {
    let p = private(krate);
    let bridge = bridge(ident, false, false);
    quote! {
        impl #p::GadgetStruct for #ident {
            fn __gadget_new() -> #p::__Result<Self, #p::Error> {
                ::core::unreachable!()
            }
            fn __gadget_resolve(&mut self, _: #p::Phase) -> #p::__Result<(), #p::Error> {
                ::core::unreachable!()
            }
        }

        #bridge
    }
}
