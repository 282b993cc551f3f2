//! The ABI table (`gadget-api/abi/imports.toml`), loaded at build time of
//! this crate and parsed once: the list of `ig` imports the host registers,
//! with their exact wasm types, and the exports ig looks up.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::HostError;

/// The text of the project's ABI table, embedded when this crate is built.
pub const ABI_TABLE_TOML: &str = include_str!("../../gadget-api/abi/imports.toml");

/// A wasm value type as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WasmType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl WasmType {
    /// The type as wasmtime spells it.
    pub fn to_val_type(self) -> wasmtime::ValType {
        match self {
            WasmType::I32 => wasmtime::ValType::I32,
            WasmType::I64 => wasmtime::ValType::I64,
            WasmType::F32 => wasmtime::ValType::F32,
            WasmType::F64 => wasmtime::ValType::F64,
        }
    }

    /// The table's type for a wasmtime type, if it is a number type.
    pub fn from_val_type(ty: &wasmtime::ValType) -> Option<Self> {
        match ty {
            wasmtime::ValType::I32 => Some(WasmType::I32),
            wasmtime::ValType::I64 => Some(WasmType::I64),
            wasmtime::ValType::F32 => Some(WasmType::F32),
            wasmtime::ValType::F64 => Some(WasmType::F64),
            _ => None,
        }
    }
}

/// One function of the table (an import of module `ig` or an export ig
/// looks up).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiFunction {
    /// Exact name.
    pub name: String,
    /// Import family (`log`, `datasource`, ...); empty for exports.
    #[serde(default)]
    pub family: String,
    /// Parameter types.
    pub params: Vec<WasmType>,
    /// Result types.
    pub results: Vec<WasmType>,
    /// Whether ig requires the export (exports only).
    #[serde(default)]
    pub mandatory: bool,
    /// One-line description.
    #[serde(default)]
    pub summary: String,
}

/// The whole table.
#[derive(Debug, Clone, Deserialize)]
pub struct AbiTable {
    /// Import module name (`ig`).
    pub module: String,
    /// API version the module must report (1).
    pub api_version: i64,
    /// Functions of the host module.
    #[serde(rename = "import")]
    pub imports: Vec<AbiFunction>,
    /// Exports ig looks up.
    #[serde(rename = "export")]
    pub exports: Vec<AbiFunction>,
}

impl AbiTable {
    /// Parses a table from TOML text.
    pub fn parse(text: &str) -> Result<Self, HostError> {
        toml::from_str(text).map_err(|e| HostError::Abi(e.to_string()))
    }

    /// The embedded table, parsed once.
    pub fn embedded() -> Result<&'static AbiTable, HostError> {
        static TABLE: OnceLock<Result<AbiTable, String>> = OnceLock::new();
        TABLE
            .get_or_init(|| AbiTable::parse(ABI_TABLE_TOML).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| HostError::Abi(e.clone()))
    }

    /// The import of that name.
    pub fn import(&self, name: &str) -> Option<&AbiFunction> {
        self.imports.iter().find(|f| f.name == name)
    }
}
