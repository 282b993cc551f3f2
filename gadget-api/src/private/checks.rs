//! Traits and `const fn`s that turn misuse of `#[gadget]` into clear
//! compile errors, and the start values of plain members.

use super::Phase;
use crate::datasource::DataSource;
use crate::error::{ErrorKind, Result};

/// Implemented by `#[gadget]` on the struct: how to build the value and
/// resolve what it declares.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[gadget]` struct",
    label = "the `#[gadget]` impl block is for `{Self}`",
    note = "put `#[gadget]` on `struct {Self}` too: the struct declares the gadget's state, the \
            impl block its hooks"
)]
pub trait GadgetStruct: Sized + 'static {
    /// Builds the value in `gadgetInit`: data sources, fields and params
    /// declared for the init phase, every other field from `Default`.
    fn __gadget_new() -> Result<Self>;

    /// Resolves data sources and fields declared for a later phase.
    fn __gadget_resolve(&mut self, phase: Phase) -> Result<()>;

    /// The `#[datasource]` member named `name`, reused by subscriptions.
    fn __gadget_datasource(&self, _name: &str) -> Option<&DataSource> {
        None
    }
}

/// Implemented by `#[gadget]` on the impl block, so that a `#[gadget]`
/// struct without one fails to compile instead of building a module
/// without hooks, and hooks split over two `#[gadget] impl` blocks are one
/// error that names the rule (conflicting implementations of this trait).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `#[gadget] impl` block",
    label = "this `#[gadget]` struct needs a `#[gadget] impl {Self} {{ .. }}` block",
    note = "add `#[gadget] impl {Self} {{}}` (it holds the hooks, and may be empty): it generates \
            ig's exports"
)]
pub trait OneGadgetImplBlock {}

/// Compiles only for a type with a `#[gadget] impl` block.
pub const fn assert_gadget_impl<T: OneGadgetImplBlock>() {}

/// Compiles only for a `#[gadget]` struct.
pub const fn assert_gadget_struct<T: GadgetStruct>() {}

/// What a member without a gadget attribute needs: a start value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `Default`, so a member of this type has no start value",
    label = "a member without #[datasource], #[field] or #[param] starts from `Default`",
    note = "use a type with `Default` (e.g. wrap it in `Option`), or build the whole value in an \
            `#[on_init] fn new() -> Result<Self>` (without `self`)"
)]
pub trait StateDefault {}

impl<T: Default> StateDefault for T {}

/// Compiles only for a member type with a start value.
pub const fn assert_state_default<T: StateDefault>() {}

/// Picks `Default` for a member when its type has it, and an error
/// otherwise (a value built by an `#[on_init]` constructor never uses it):
/// `(&&StateSlot::<T>::new()).state_default("member")`.
pub struct StateSlot<T>(std::marker::PhantomData<fn() -> T>);

impl<T> StateSlot<T> {
    /// A slot for a member of type `T`.
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for StateSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// `Default` for a member type that has it.
pub trait WithDefault<T> {
    /// `T::default()`.
    fn state_default(&self, member: &'static str) -> Result<T>;
}

impl<T: Default> WithDefault<T> for &StateSlot<T> {
    fn state_default(&self, _member: &'static str) -> Result<T> {
        Ok(T::default())
    }
}

/// The error for a member type without `Default`.
pub trait WithoutDefault<T> {
    /// An error naming the member.
    fn state_default(&self, member: &'static str) -> Result<T>;
}

impl<T> WithoutDefault<T> for StateSlot<T> {
    fn state_default(&self, member: &'static str) -> Result<T> {
        Err(crate::Error::new(
            ErrorKind::NotInitialized,
            "gadgetInit",
            crate::error::text(format_args!(
                "member `{member}` has no Default: build the gadget in #[on_init]"
            )),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // The borrows select the impl (autoref specialisation), as in generated code.
    #[allow(clippy::needless_borrow)]
    fn state_slots_pick_default_when_there_is_one() {
        struct NoDefault;
        assert_eq!((&&StateSlot::<u32>::new()).state_default("n").unwrap(), 0);
        let e = match (&&StateSlot::<NoDefault>::new()).state_default("x") {
            Ok(_) => panic!("no default"),
            Err(e) => e,
        };
        assert!(e.to_string().contains("member `x` has no Default"), "{e}");
    }
}
