//! The look-ups of `gadgetInit` (data sources, fields, params, plain state,
//! in that order) and of the later phases.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Lit};

use super::super::model::{DataSourceKind, FieldDecl, GadgetStruct, Phase, Role};

/// The body of `__gadget_new`.
pub fn build_value(model: &GadgetStruct, p: &TokenStream) -> TokenStream {
    let mut datasources = Vec::new();
    let mut fields = Vec::new();
    let mut params = Vec::new();
    let mut state = Vec::new();
    // Data sources the init-phase fields need that no member declares.
    let mut locals = DataSourceLocals::new(model, "__gadget_ds_");
    for member in &model.members {
        let ident = &member.ident;
        let ty = &member.ty;
        match &member.role {
            Role::DataSource(ds) => {
                let name = ds.name.lit();
                let made = match ds.create {
                    None => quote!(#p::__DataSource::get(#name)?),
                    Some(kind) => {
                        let kind = match kind {
                            DataSourceKind::Single => quote!(Single),
                            DataSourceKind::Array => quote!(Array),
                        };
                        quote!(#p::__DataSource::new(#name, #p::DataSourceType::#kind)?)
                    }
                };
                datasources.push(quote_spanned!(ty.span()=> let #ident: #ty = #made;));
                if ds.unreference.is_some() {
                    datasources.push(quote!(#ident.unreference()?;));
                }
            }
            Role::Field(f) if f.phase == Phase::Init => {
                let ds = locals.get(f, &mut datasources, p, false);
                let name = f.name.lit();
                let call = if f.add.is_some() {
                    quote!(add_field)
                } else {
                    quote!(field)
                };
                fields.push(quote_spanned!(ty.span()=> let #ident: #ty = #ds.#call(#name)?;));
                fields.extend(tags(quote!(#ident), f));
            }
            Role::Field(f) => {
                let ds = f.datasource.lit();
                let name = f.name.lit();
                fields.push(
                    quote_spanned!(ty.span()=> let #ident: #ty = #p::Field::unresolved(#ds, #name);),
                );
            }
            Role::Param(param) => {
                let key = param.key.lit();
                let p = &super::respan(p, ty.span());
                let value = match &param.default {
                    None => quote_spanned!(ty.span()=> #p::param::<#ty>(#key)?),
                    Some(Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(text),
                        ..
                    })) => quote_spanned!(ty.span()=> #p::param_or_parse::<#ty>(#key, #text)?),
                    Some(default) => {
                        let default = quote_spanned!(default.span()=> { let default: #ty = #default; default });
                        quote_spanned!(ty.span()=> #p::param_or::<#ty>(#key, #default)?)
                    }
                };
                params.push(quote!(let #ident: #ty = #value;));
            }
            Role::State => {
                let member = syn::ext::IdentExt::unraw(ident).to_string();
                let p = &super::respan(p, ty.span());
                state.push(quote_spanned!(ty.span()=>
                    let #ident: #ty = (&&#p::StateSlot::<#ty>::new()).state_default(#member)?;
                ));
            }
        }
    }
    let members = model.members.iter().map(|m| &m.ident);
    let traits =
        (!state.is_empty()).then(|| quote!(use #p::{WithDefault as _, WithoutDefault as _};));
    quote! {
        #traits
        #(#datasources)*
        #(#fields)*
        #(#params)*
        #(#state)*
        ::core::result::Result::Ok(Self { #(#members),* })
    }
}

/// The body of `__gadget_resolve`: one arm per later phase with look-ups.
pub fn resolve_later(model: &GadgetStruct, p: &TokenStream) -> TokenStream {
    let mut arms = Vec::new();
    for phase in Phase::LATER {
        let mut datasources = Vec::new();
        let mut fields = Vec::new();
        let mut locals = DataSourceLocals::new(model, "__gadget_ds_");
        for member in &model.members {
            let Role::Field(f) = &member.role else {
                continue;
            };
            if f.phase != phase {
                continue;
            }
            let ds = locals.get(f, &mut datasources, p, true);
            let ident = &member.ident;
            let name = f.name.lit();
            fields.push(quote_spanned!(member.ty.span()=> self.#ident = #ds.field(#name)?;));
            fields.extend(tags(quote!(self.#ident), f));
        }
        if fields.is_empty() {
            continue;
        }
        let variant = format_ident!("{}", phase.variant());
        arms.push(quote! {
            #p::Phase::#variant => {
                #(#datasources)*
                #(#fields)*
            }
        });
    }
    if arms.is_empty() {
        return quote! {
            let _ = phase;
            ::core::result::Result::Ok(())
        };
    }
    quote! {
        match phase {
            #(#arms)*
            _ => {}
        }
        ::core::result::Result::Ok(())
    }
}

fn tags(field: TokenStream, f: &FieldDecl) -> impl Iterator<Item = TokenStream> + '_ {
    f.tags.iter().map(move |tag| quote!(#field.add_tag(#tag)?;))
}

/// Where each data source of a phase's field look-ups comes from: its
/// `#[datasource]` member, or one `getDataSource` per name and phase.
struct DataSourceLocals<'a> {
    members: BTreeMap<&'a str, &'a syn::Ident>,
    locals: BTreeMap<String, syn::Ident>,
    prefix: &'static str,
}

impl<'a> DataSourceLocals<'a> {
    fn new(model: &'a GadgetStruct, prefix: &'static str) -> Self {
        let members = model
            .members
            .iter()
            .filter_map(|m| match &m.role {
                Role::DataSource(ds) => Some((ds.name.value.as_str(), &m.ident)),
                _ => None,
            })
            .collect();
        Self {
            members,
            locals: BTreeMap::new(),
            prefix,
        }
    }

    /// The expression for `f`'s data source, declaring a local for it first
    /// when needed.
    fn get(
        &mut self,
        f: &FieldDecl,
        out: &mut Vec<TokenStream>,
        p: &TokenStream,
        on_self: bool,
    ) -> TokenStream {
        if let Some(member) = self.members.get(f.datasource.value.as_str()) {
            return if on_self {
                quote!(self.#member)
            } else {
                quote!(#member)
            };
        }
        let next = self.locals.len();
        let local = self
            .locals
            .entry(f.datasource.value.clone())
            .or_insert_with(|| {
                let local = format_ident!("{}{}", self.prefix, next);
                let name = f.datasource.lit();
                out.push(quote!(let #local = #p::__DataSource::get(#name)?;));
                local
            });
        quote!(#local)
    }
}
