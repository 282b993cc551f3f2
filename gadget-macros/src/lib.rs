//! The `#[gadget]` attribute macro of [gadget-api](https://docs.rs/gadget-api).
//! Use it through `gadget_api::gadget` (or `gadget_api::prelude::*`); its
//! attributes and options are documented in `gadget_api::attributes`.

mod internals;

use proc_macro::TokenStream;

/// Turns a struct into a gadget's state and its impl block into the
/// gadget's hooks. See `gadget_api::attributes`.
#[proc_macro_attribute]
pub fn gadget(attr: TokenStream, item: TokenStream) -> TokenStream {
    internals::expand_gadget(attr.into(), item.into()).into()
}
