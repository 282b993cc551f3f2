//! Collects every error of one macro call, with its span, so that all of
//! them are reported together instead of only the first.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<darling::Error>,
}

impl Ctxt {
    pub fn new() -> Self {
        Self::default()
    }

    /// An error at `span`.
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.errors
            .push(syn::Error::new(span, message.to_string()).into());
    }

    /// Keeps a darling error (unknown options with suggestions, wrong value types).
    pub fn push(&mut self, error: darling::Error) {
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

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The `compile_error!`s of every error kept, in the order found.
    pub fn into_compile_errors(self) -> TokenStream {
        darling::Error::multiple(self.errors).write_errors()
    }
}
