//! What a wasm module imports and exports, and whether that is what ig's
//! host accepts: the ABI table (`gadget-api/abi/imports.toml`) read once
//! and every check written once, for every test that builds a gadget.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef, ValType};

/// The ABI table, as the project keeps it (the single source of truth).
pub const ABI_TABLE: &str = include_str!("../../gadget-api/abi/imports.toml");

/// A function type as wasm value-type names, e.g. `(i64, i32) -> (i32)`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Signature {
    /// Parameter types (`"i32"`, `"i64"`, ...).
    pub params: Vec<String>,
    /// Result types.
    pub results: Vec<String>,
}

impl Signature {
    /// A signature from type names.
    pub fn new(params: &[&str], results: &[&str]) -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Self {
            params: owned(params),
            results: owned(results),
        }
    }

    /// The type in WebAssembly text form: `(param i32 i64) (result i32)`.
    pub fn wat(&self) -> String {
        let mut out = String::new();
        if !self.params.is_empty() {
            out += &format!("(param {})", self.params.join(" "));
        }
        if !self.results.is_empty() {
            out += &format!(
                "{}(result {})",
                if out.is_empty() { "" } else { " " },
                self.results.join(" ")
            );
        }
        out
    }

    fn of(f: &FuncType) -> Self {
        let names = |v: &[ValType]| v.iter().map(|t| val_type(t).to_owned()).collect();
        Self {
            params: names(f.params()),
            results: names(f.results()),
        }
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({}) -> ({})",
            self.params.join(", "),
            self.results.join(", ")
        )
    }
}

fn val_type(t: &ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::Ref(_) => "ref",
    }
}

/// One entry of the ABI table.
#[derive(Debug, Clone, Deserialize)]
pub struct AbiEntry {
    /// The function's name.
    pub name: String,
    /// Its family (imports only).
    #[serde(default)]
    pub family: Option<String>,
    /// Its type.
    #[serde(flatten)]
    pub signature: Signature,
    /// Whether ig refuses a module without it (exports only).
    #[serde(default)]
    pub mandatory: bool,
}

/// The ABI table: ig's host imports and the exports it looks up.
#[derive(Debug, Clone, Deserialize)]
pub struct AbiTable {
    /// The host module's name, `ig`.
    pub module: String,
    /// The API version `gadgetAPIVersion` must return.
    pub api_version: i64,
    /// The host's functions.
    #[serde(rename = "import")]
    pub imports: Vec<AbiEntry>,
    /// The exports ig calls.
    #[serde(rename = "export")]
    pub exports: Vec<AbiEntry>,
}

impl AbiTable {
    /// The project's table.
    pub fn load() -> Self {
        toml::from_str(ABI_TABLE)
            .expect("gadget-api/abi/imports.toml is valid (checked by gadget-api's tests)")
    }

    /// The import `name`, if ig's host has it.
    pub fn import(&self, name: &str) -> Option<&AbiEntry> {
        self.imports.iter().find(|e| e.name == name)
    }

    /// The export `name`, if ig looks it up.
    pub fn export(&self, name: &str) -> Option<&AbiEntry> {
        self.exports.iter().find(|e| e.name == name)
    }
}

/// What a module exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// A function, with its type.
    Func(Signature),
    /// A memory, table, global or tag.
    Other(&'static str),
}

impl fmt::Display for Export {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Func(sig) => write!(f, "a function {sig}"),
            Self::Other(kind) => write!(f, "a {kind}"),
        }
    }
}

/// A module's function imports (by module and name) and its exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interface {
    /// `(module, name) -> type` of every imported function.
    pub imports: BTreeMap<(String, String), Signature>,
    /// Every export by name.
    pub exports: BTreeMap<String, Export>,
}

impl Interface {
    /// Reads the imports and exports of a wasm module.
    pub fn read(wasm: &[u8]) -> Result<Self, String> {
        let mut types = Vec::new();
        let mut funcs = Vec::new();
        let mut interface = Interface::default();
        let mut exports = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(|e| e.to_string())? {
                Payload::TypeSection(reader) => {
                    for ty in reader.into_iter_err_on_gc_types() {
                        types.push(Signature::of(&ty.map_err(|e| e.to_string())?));
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader {
                        let import = import.map_err(|e| e.to_string())?;
                        if let TypeRef::Func(t) = import.ty {
                            funcs.push(t);
                            let sig = types
                                .get(t as usize)
                                .cloned()
                                .ok_or("import of an unknown type")?;
                            interface
                                .imports
                                .insert((import.module.to_owned(), import.name.to_owned()), sig);
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for f in reader {
                        funcs.push(f.map_err(|e| e.to_string())?);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(|e| e.to_string())?;
                        exports.push((export.name.to_owned(), export.kind, export.index));
                    }
                }
                _ => {}
            }
        }
        for (name, kind, index) in exports {
            let export = match kind {
                ExternalKind::Func => {
                    let sig = funcs
                        .get(index as usize)
                        .and_then(|t| types.get(*t as usize))
                        .cloned()
                        .ok_or_else(|| format!("export `{name}` of an unknown function"))?;
                    Export::Func(sig)
                }
                ExternalKind::Memory => Export::Other("memory"),
                ExternalKind::Table => Export::Other("table"),
                ExternalKind::Global => Export::Other("global"),
                _ => Export::Other("tag"),
            };
            interface.exports.insert(name, export);
        }
        Ok(interface)
    }

    /// The exported functions' names.
    pub fn exported_functions(&self) -> Vec<&str> {
        self.exports
            .iter()
            .filter(|(_, e)| matches!(e, Export::Func(_)))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Everything about this module that ig would refuse or not call:
    /// imports from `ig` that are not in the table or have another type,
    /// imports from modules other than `ig` and WASI preview 1, a missing
    /// mandatory export, table exports with another type, and other exported
    /// functions (ig never calls them). Empty when the module conforms.
    pub fn conformance_problems(&self, table: &AbiTable) -> Vec<String> {
        let mut problems = Vec::new();
        for ((module, name), sig) in &self.imports {
            if *module == table.module {
                match table.import(name) {
                    None => problems.push(format!(
                        "imports `{module}.{name}`, which ig's host does not have"
                    )),
                    Some(entry) if entry.signature != *sig => problems.push(format!(
                        "imports `{module}.{name}` as {sig}; ig's host has {}",
                        entry.signature
                    )),
                    Some(_) => {}
                }
            } else if module != "wasi_snapshot_preview1" {
                problems.push(format!(
                    "imports `{module}.{name}`: ig provides only `ig` and WASI preview 1"
                ));
            }
        }
        for entry in &table.exports {
            match self.exports.get(&entry.name) {
                None if entry.mandatory => problems.push(format!(
                    "does not export `{}`, which ig requires",
                    entry.name
                )),
                None => {}
                Some(Export::Func(sig)) if *sig == entry.signature => {}
                Some(other) => problems.push(format!(
                    "exports `{}` as {other}; ig expects a function {}",
                    entry.name, entry.signature
                )),
            }
        }
        for name in self.exported_functions() {
            if table.export(name).is_none() {
                problems.push(format!("exports function `{name}`, which ig never calls"));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_41_imports_and_the_mandatory_version_export() {
        let t = AbiTable::load();
        assert_eq!(t.module, "ig");
        assert_eq!(t.imports.len(), 41);
        let version = t.export("gadgetAPIVersion").unwrap();
        assert!(version.mandatory);
        assert_eq!(version.signature, Signature::new(&[], &["i64"]));
        assert_eq!(
            t.import("fieldGetScalar").unwrap().signature,
            Signature::new(&["i32", "i32", "i32", "i32"], &["i64"])
        );
    }

    #[test]
    fn signatures_display_like_wasm() {
        assert_eq!(
            Signature::new(&["i64", "i32"], &[]).to_string(),
            "(i64, i32) -> ()"
        );
    }

    #[test]
    fn reads_imports_and_exports_and_finds_every_problem() {
        let wasm = wat::parse_str(
            r#"(module
                (import "ig" "gadgetLog" (func (param i32 i64)))
                (import "ig" "nope" (func))
                (import "env" "other" (func))
                (memory (export "memory") 1)
                (func (export "gadgetInit"))
                (func (export "helper") (result i32) i32.const 0))"#,
        )
        .unwrap();
        let i = Interface::read(&wasm).unwrap();
        assert_eq!(
            i.imports[&("ig".into(), "gadgetLog".into())],
            Signature::new(&["i32", "i64"], &[])
        );
        assert_eq!(
            i.exports["gadgetInit"],
            Export::Func(Signature::new(&[], &[]))
        );
        assert_eq!(i.exports["memory"], Export::Other("memory"));
        let problems = i.conformance_problems(&AbiTable::load());
        assert_eq!(
            problems,
            [
                "imports `env.other`: ig provides only `ig` and WASI preview 1",
                "imports `ig.nope`, which ig's host does not have",
                "does not export `gadgetAPIVersion`, which ig requires",
                "exports `gadgetInit` as a function () -> (); ig expects a function () -> (i32)",
                "exports function `helper`, which ig never calls",
            ]
        );
    }
}
