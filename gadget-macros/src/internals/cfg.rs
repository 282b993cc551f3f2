//! `#[cfg]` and `#[cfg_attr]` on members and methods. An attribute macro
//! sees its input before cfg-stripping, so it must carry each item's cfg to
//! everything generated for it, and read gadget attributes hidden in
//! `#[cfg_attr(pred, field(..))]` as holding only under `pred`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

/// The predicates an item is compiled under: all of them must hold.
#[derive(Debug, Clone, Default)]
pub struct Cfg(Vec<TokenStream>);

impl Cfg {
    /// The `#[cfg(..)]` attributes among `attrs` (left in place: rustc
    /// applies them to the item itself).
    pub fn of(attrs: &[Attribute]) -> Self {
        Cfg(attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .filter_map(|a| match &a.meta {
                Meta::List(list) => Some(list.tokens.clone()),
                _ => None,
            })
            .collect())
    }

    /// `self` and `predicate`.
    pub fn and(&self, predicate: TokenStream) -> Self {
        let mut more = self.clone();
        more.0.push(predicate);
        more
    }

    /// Whether the item is compiled in every configuration.
    pub fn is_always(&self) -> bool {
        self.0.is_empty()
    }

    /// A text that is equal for equal predicates, to compare items.
    pub fn key(&self) -> String {
        self.0
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(" && ")
    }

    /// The predicate: `all(p, q)`, or `all()` (true) when unconditional.
    pub fn predicate(&self) -> TokenStream {
        match self.0.as_slice() {
            [one] => one.clone(),
            all => quote!(all(#(#all),*)),
        }
    }

    /// `#[cfg(..)]` for generated code of the item, one per predicate (as
    /// the user wrote them); nothing when unconditional.
    pub fn attr(&self) -> TokenStream {
        let each = &self.0;
        quote!(#(#[cfg(#each)])*)
    }

    /// Whether two items can both be compiled in: the same predicates (or
    /// none) certainly; different ones are taken as alternatives.
    pub fn overlaps(&self, other: &Cfg) -> bool {
        self.key() == other.key()
    }
}

/// `not(any(p, q))`: none of the `predicates` holds.
pub fn none_of(predicates: &[TokenStream]) -> TokenStream {
    quote!(not(any(#(#predicates),*)))
}

/// `attrs` with every `#[cfg_attr(pred, a, b)]` that holds an attribute
/// for which `wanted` is true split up: those come out alone, with their
/// predicate; the others stay in a `cfg_attr` of their own. Nested
/// `cfg_attr`s combine their predicates.
pub fn unwrap_cfg_attrs(
    attrs: Vec<Attribute>,
    wanted: &dyn Fn(&Meta) -> bool,
) -> Vec<(Option<TokenStream>, Attribute)> {
    let mut out = Vec::new();
    for attr in attrs {
        let parsed = match &attr.meta {
            Meta::List(list) if attr.path().is_ident("cfg_attr") => list
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok(),
            _ => None,
        };
        let Some(parsed) = parsed else {
            out.push((None, attr));
            continue;
        };
        let mut items = parsed.into_iter();
        let Some(predicate) = items.next() else {
            out.push((None, attr));
            continue;
        };
        let predicate = predicate.into_token_stream();
        let mut rest: Vec<Meta> = Vec::new();
        let mut found = Vec::new();
        for meta in items {
            let inner = Attribute {
                meta: meta.clone(),
                ..attr.clone()
            };
            let nested = if meta.path().is_ident("cfg_attr") {
                unwrap_cfg_attrs(vec![inner], wanted)
            } else if wanted(&meta) {
                vec![(None, inner)]
            } else {
                rest.push(meta);
                continue;
            };
            for (inner_predicate, inner) in nested {
                if inner_predicate.is_none() && !wanted(&inner.meta) {
                    rest.push(inner.meta);
                    continue;
                }
                let combined = match inner_predicate {
                    Some(q) => quote!(all(#predicate, #q)),
                    None => predicate.clone(),
                };
                found.push((Some(combined), inner));
            }
        }
        if !rest.is_empty() {
            let kept: Attribute = syn::parse_quote!(#[cfg_attr(#predicate, #(#rest),*)]);
            out.push((
                None,
                Attribute {
                    meta: kept.meta,
                    ..attr.clone()
                },
            ));
        }
        out.extend(found);
    }
    out
}
