//! Collects every error of one macro call, with its span, so that all of
//! them are reported together instead of only the first.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
    /// A mistake the compiler reports by itself (on the user's own code):
    /// no error of ours, but no expansion either.
    left_to_rustc: bool,
}

impl Ctxt {
    pub fn new() -> Self {
        Self::default()
    }

    /// An error at `span`.
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error covering all of `tokens` (an attribute, a type).
    pub fn error_spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Keeps a darling error (unknown options with suggestions, wrong value types).
    pub fn push(&mut self, error: darling::Error) {
        self.errors.push(error.into());
    }

    /// Keeps an error already built (a reworded darling error).
    pub fn push_syn(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// The value of `result`, or `None` with its error kept.
    pub fn handle<T>(&mut self, result: darling::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Marks a mistake that the compiler reports on the user's code.
    pub fn left_to_rustc(&mut self) {
        self.left_to_rustc = true;
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.left_to_rustc
    }

    /// The `compile_error!`s of every error kept, in the order found.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors
            .into_iter()
            .map(|e| e.into_compile_error())
            .collect()
    }
}
