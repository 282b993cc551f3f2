//! The look-ups of `gadgetInit` (data sources, fields, params, plain state,
//! in that order) and of the later phases. Each member's statements carry
//! the member's cfg; its value goes through a runtime trait named on the
//! member's type, so that a wrong type is one error on that type.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Lit};

use super::super::model::{Cfg, DataSourceKind, FieldDecl, GadgetStruct, Member, Phase, Role};
use super::{local, rt};

/// The local that holds a member's value in `__gadget_new`.
fn member_local(member: &Member) -> syn::Ident {
    let name = syn::ext::IdentExt::unraw(&member.ident).to_string();
    local(&format!("m_{name}"), member.ty.span())
}

/// The body of `__gadget_new`.
pub fn build_value(model: &GadgetStruct) -> TokenStream {
    let rt = rt();
    let mut datasources = Vec::new();
    let mut fields = Vec::new();
    let mut params = Vec::new();
    let mut state = Vec::new();
    // Data sources the init-phase fields need that no member declares.
    let mut locals = DataSourceLocals::new(model);
    for member in &model.members {
        let ty = &member.ty;
        let at = ty.span();
        let var = member_local(member);
        let cfg = member.cfg.attr();
        match &member.role {
            Role::DataSource(ds) => {
                let name = ds.name.lit();
                let made = match ds.create {
                    None => quote_spanned!(at=> <#ty as #rt::DataSourceMember>::get(#name)?),
                    Some(kind) => {
                        let kind = match kind {
                            DataSourceKind::Single => quote!(Single),
                            DataSourceKind::Array => quote!(Array),
                        };
                        quote_spanned!(at=> <#ty as #rt::DataSourceMember>::create(#name, #rt::DataSourceType::#kind)?)
                    }
                };
                datasources.push(quote!(#cfg let #var: #ty = #made;));
                if ds.unreference.is_some() {
                    datasources.push(quote_spanned!(at=>
                        #cfg <#ty as #rt::DataSourceMember>::datasource(&#var).unreference()?;
                    ));
                }
            }
            Role::Field(f) if f.phase == Phase::Init => {
                let ds = locals.get(f, &member.cfg, &mut datasources, false);
                let name = f.name.lit();
                let call = if f.add.is_some() {
                    quote!(add)
                } else {
                    quote!(lookup)
                };
                fields.push(quote_spanned!(at=>
                    #cfg let #var: #ty = <#ty as #rt::FieldMember>::#call(#ds, #name)?;
                ));
                fields.extend(tags(quote!(&#var), f, &member.cfg));
            }
            Role::Field(f) => {
                let ds = f.datasource.lit();
                let name = f.name.lit();
                fields.push(quote_spanned!(at=>
                    #cfg let #var: #ty = <#ty as #rt::FieldMember>::unresolved(#ds, #name);
                ));
            }
            Role::Param(param) => {
                let key = param.key.lit();
                let value = match &param.default {
                    None => quote_spanned!(at=> #rt::param::<#ty>(#key)?),
                    Some(Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(text),
                        ..
                    })) => quote_spanned!(at=> #rt::param_or_parse::<#ty>(#key, #text)?),
                    Some(default) => {
                        let typed = local("default", default.span());
                        let default =
                            quote_spanned!(default.span()=> { let #typed: #ty = #default; #typed });
                        quote_spanned!(at=> #rt::param_or::<#ty>(#key, #default)?)
                    }
                };
                params.push(quote!(#cfg let #var: #ty = #value;));
            }
            Role::State => {
                let name = syn::ext::IdentExt::unraw(&member.ident).to_string();
                state.push(quote_spanned!(at=>
                    #cfg let #var: #ty = (&&#rt::StateSlot::<#ty>::new()).state_default(#name)?;
                ));
            }
        }
    }
    let inits = model.members.iter().map(|m| {
        let ident = &m.ident;
        let var = member_local(m);
        let cfg = m.cfg.attr();
        quote!(#cfg #ident: #var)
    });
    let traits =
        (!state.is_empty()).then(|| quote!(use #rt::{WithDefault as _, WithoutDefault as _};));
    quote! {
        #traits
        #(#datasources)*
        #(#fields)*
        #(#params)*
        #(#state)*
        ::core::result::Result::Ok(Self { #(#inits),* })
    }
}

/// The body of `__gadget_resolve`: one arm per later phase with look-ups.
pub fn resolve_later(model: &GadgetStruct) -> TokenStream {
    let rt = rt();
    let phase = local("phase", Span::call_site());
    let mut arms = Vec::new();
    for later in Phase::LATER {
        let mut datasources = Vec::new();
        let mut fields = Vec::new();
        let mut locals = DataSourceLocals::new(model);
        for member in &model.members {
            let Role::Field(f) = &member.role else {
                continue;
            };
            if f.phase != later {
                continue;
            }
            let ds = locals.get(f, &member.cfg, &mut datasources, true);
            let ident = &member.ident;
            let ty = &member.ty;
            let name = f.name.lit();
            let cfg = member.cfg.attr();
            fields.push(quote_spanned!(ty.span()=>
                #cfg { self.#ident = <#ty as #rt::FieldMember>::lookup(#ds, #name)?; }
            ));
            fields.extend(tags(quote!(&self.#ident), f, &member.cfg));
        }
        if fields.is_empty() {
            continue;
        }
        let variant = format_ident!("{}", later.variant());
        arms.push(quote! {
            #rt::Phase::#variant => {
                #(#datasources)*
                #(#fields)*
            }
        });
    }
    if arms.is_empty() {
        return quote! {
            let _ = #phase;
            ::core::result::Result::Ok(())
        };
    }
    quote! {
        match #phase {
            #(#arms)*
            _ => {}
        }
        ::core::result::Result::Ok(())
    }
}

fn tags<'a>(
    field: TokenStream,
    f: &'a FieldDecl,
    cfg: &'a Cfg,
) -> impl Iterator<Item = TokenStream> + 'a {
    let rt = rt();
    let cfg = cfg.attr();
    f.tags
        .iter()
        .map(move |tag| quote!(#cfg #rt::FieldMember::tag(#field, #tag)?;))
}

/// Where each data source of a phase's field look-ups comes from: its
/// `#[datasource]` member, or one `getDataSource` per name, cfg and phase.
struct DataSourceLocals<'a> {
    members: BTreeMap<(String, &'a str), &'a Member>,
    locals: BTreeMap<(String, String), syn::Ident>,
}

impl<'a> DataSourceLocals<'a> {
    fn new(model: &'a GadgetStruct) -> Self {
        let members = model
            .members
            .iter()
            .filter_map(|m| match &m.role {
                Role::DataSource(ds) => Some(((m.cfg.key(), ds.name.value.as_str()), m)),
                _ => None,
            })
            .collect();
        Self {
            members,
            locals: BTreeMap::new(),
        }
    }

    /// `&DataSource` for `f`'s data source, declaring a local for it first
    /// when needed.
    fn get(
        &mut self,
        f: &FieldDecl,
        cfg: &Cfg,
        out: &mut Vec<TokenStream>,
        on_self: bool,
    ) -> TokenStream {
        let rt = rt();
        let key = (cfg.key(), f.datasource.value.as_str());
        let member = self.members.get(&key).or_else(|| {
            // A data source member without a cfg serves every field.
            self.members
                .get(&(String::new(), f.datasource.value.as_str()))
        });
        if let Some(member) = member {
            let ty = &member.ty;
            let at = ty.span();
            return if on_self {
                let ident = &member.ident;
                quote_spanned!(at=> <#ty as #rt::DataSourceMember>::datasource(&self.#ident))
            } else {
                let var = member_local(member);
                quote_spanned!(at=> <#ty as #rt::DataSourceMember>::datasource(&#var))
            };
        }
        let next = self.locals.len();
        let local_key = (cfg.key(), f.datasource.value.clone());
        let var = self.locals.entry(local_key).or_insert_with(|| {
            let var = local(&format!("ds_{next}"), Span::call_site());
            let name = f.datasource.lit();
            let cfg = cfg.attr();
            out.push(quote!(#cfg let #var = #rt::__DataSource::get(#name)?;));
            var
        });
        quote!(&#var)
    }
}
