//! Everything behind the `#[gadget]` entry point, on `proc_macro2` tokens so
//! that tests can call it: `parse` (darling models in `attr`, the input
//! model in `model`), `validate`, `expand`, with errors collected in `ctxt`.

mod attr;
mod cfg;
mod ctxt;
mod expand;
mod model;
mod names;
mod options;
mod parse;
mod validate;
mod wording;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Item;
use syn::spanned::Spanned;

use ctxt::Ctxt;

/// `#[gadget(attr)] item`, expanded. On errors: the errors and the item
/// with its gadget attributes removed (plus, for a struct, a skeleton that
/// keeps its impl block from failing too), so that IDEs keep working.
pub fn expand_gadget(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::new();
    let args = parse::gadget_args(attr, &mut cx);
    let item: Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let error = e.to_compile_error();
            return quote!(#error #item);
        }
    };
    match item {
        Item::Struct(mut item) => {
            let model = parse::gadget_struct(&args, &mut item, &mut cx);
            validate::gadget_struct(&model, &mut cx);
            if cx.has_errors() {
                let errors = cx.into_compile_errors();
                let generic = !item.generics.params.is_empty();
                let fallback = expand::struct_fallback(&model, generic);
                return quote!(#errors #item #fallback);
            }
            let state = expand::gadget_struct(&model);
            quote!(#item #state)
        }
        Item::Impl(mut item) => {
            if let Some(bridge) = generic_struct_bridge(&item) {
                // `impl<T> G<T>`: the struct is generic too. The error goes
                // through the struct's bridge: a generic `#[gadget]` struct
                // (which reports itself) drops it, any other gadget shows it.
                let _ = parse::gadget_impl(&args, &mut item, &mut Ctxt::new());
                let error = syn::Error::new_spanned(
                    &item.generics,
                    "a #[gadget] impl cannot be generic: the gadget is one concrete type; \
                     remove the generic parameters",
                )
                .to_compile_error();
                let errors = cx.into_compile_errors();
                return quote!(#errors #item #bridge! { generic_impl #error });
            }
            let model = parse::gadget_impl(&args, &mut item, &mut cx);
            if let Some(model) = &model {
                validate::gadget_impl(model, &mut cx);
            }
            match model {
                Some(model) if !cx.has_errors() => {
                    let exports = expand::gadget_impl(&model);
                    quote!(#item #exports)
                }
                Some(model) => {
                    let errors = cx.into_compile_errors();
                    let fallback = expand::impl_fallback(&model.self_ty, &model.krate);
                    quote!(#errors #item #fallback)
                }
                None => {
                    let errors = cx.into_compile_errors();
                    quote!(#errors #item)
                }
            }
        }
        other => {
            let (span, what) = match &other {
                Item::Enum(e) => (e.enum_token.span(), "an enum"),
                Item::Union(u) => (u.union_token.span(), "a union"),
                Item::Fn(f) => (f.sig.fn_token.span(), "a function"),
                Item::Trait(t) => (t.trait_token.span(), "a trait"),
                Item::Mod(m) => (m.mod_token.span(), "a module"),
                _ => (other.span(), "this item"),
            };
            let hint = match &other {
                Item::Enum(_) => {
                    "; keep the enum as a member of the gadget's struct: `#[gadget] struct \
                     MyGadget { mode: Mode }`"
                }
                Item::Fn(_) => {
                    "; make the function a method of the `#[gadget] impl` block with a hook \
                     attribute such as `#[on_init]`"
                }
                _ => "",
            };
            cx.error(
                span,
                format!(
                    "#[gadget] goes on a struct (the gadget's state) and on its impl block \
                     (its hooks), not on {what}{hint}"
                ),
            );
            let errors = cx.into_compile_errors();
            let item = other.into_token_stream();
            quote!(#errors #item)
        }
    }
}

/// For `impl<T> G<T>`, the path of `G` without its arguments (the bridge).
fn generic_struct_bridge(item: &syn::ItemImpl) -> Option<syn::Path> {
    if item.generics.params.is_empty() || item.trait_.is_some() {
        return None;
    }
    let syn::Type::Path(p) = &*item.self_ty else {
        return None;
    };
    if p.qself.is_some() || p.path.segments.iter().all(|s| s.arguments.is_none()) {
        return None;
    }
    let mut path = p.path.clone();
    for segment in path.segments.iter_mut() {
        segment.arguments = syn::PathArguments::None;
    }
    Some(path)
}
