//! What the generated code does with a member, through traits whose bounds
//! are the checks: a member of the wrong type (another crate's `Field`, a
//! `u32` marked `#[datasource]`) is one error on its type, in the user's
//! words, and type aliases of the real types work.

use crate::abi::DataSourceType;
use crate::datasource::DataSource;
use crate::error::Result;
use crate::field::{Field, FieldType};

/// The type of a `#[datasource]` member.
#[diagnostic::on_unimplemented(
    message = "a `#[datasource]` member has type `DataSource`, not `{Self}`",
    label = "write `DataSource` (gadget_api's) here",
    note = "to keep another value, remove `#[datasource]` and fill the member in `#[on_init]`"
)]
pub trait DataSourceMember: Sized {
    /// Looks the data source up (`getDataSource`).
    fn get(name: &str) -> Result<Self>;
    /// Creates it (`newDataSource`).
    fn create(name: &str, kind: DataSourceType) -> Result<Self>;
    /// The data source itself.
    fn datasource(&self) -> &DataSource;
}

impl DataSourceMember for DataSource {
    fn get(name: &str) -> Result<Self> {
        DataSource::get(name)
    }

    fn create(name: &str, kind: DataSourceType) -> Result<Self> {
        DataSource::new(name, kind)
    }

    fn datasource(&self) -> &DataSource {
        self
    }
}

/// The type of a `#[field]` member.
#[diagnostic::on_unimplemented(
    message = "a `#[field]` member has type `Field<T>`, not `{Self}`",
    label = "write `Field<T>` (gadget_api's) here",
    note = "`T` is one of bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, String, Bytes"
)]
pub trait FieldMember: Sized {
    /// Looks the field up (`getField`).
    fn lookup(datasource: &DataSource, name: &str) -> Result<Self>;
    /// Adds it (`dataSourceAddField`).
    fn add(datasource: &DataSource, name: &str) -> Result<Self>;
    /// A field looked up in a later phase, until then.
    fn unresolved(datasource: &str, name: &str) -> Self;
    /// Adds a tag (`fieldAddTag`).
    fn tag(&self, tag: &str) -> Result<()>;
}

impl<T: FieldType> FieldMember for Field<T> {
    fn lookup(datasource: &DataSource, name: &str) -> Result<Self> {
        datasource.field(name)
    }

    fn add(datasource: &DataSource, name: &str) -> Result<Self> {
        datasource.add_field(name)
    }

    fn unresolved(datasource: &str, name: &str) -> Self {
        Field::unresolved(datasource, name)
    }

    fn tag(&self, tag: &str) -> Result<()> {
        self.add_tag(tag)
    }
}
