//! The runner's schema file: the world a gadget runs in, as JSON.
//!
//! ```json
//! {
//!   "datasources": [
//!     { "name": "exec", "type": "single", "fields": [
//!       { "name": "pid", "kind": "uint32" },
//!       { "name": "comm", "kind": "string", "size": 16 }
//!     ] }
//!   ],
//!   "enrichment": [ { "datasource": "exec", "name": "k8s.namespace", "kind": "string" } ],
//!   "params": { "max_args": "20" },
//!   "maps": [ { "name": "counts", "type": 1, "key_size": 4, "value_size": 8, "max_entries": 64 } ],
//!   "config": { "programs.p.attach_to": "" },
//!   "kallsyms": ["fsnotify_insert_event"],
//!   "mntns_filter": [4026531840],
//!   "syscalls": [ { "name": "openat", "params": [ { "name": "filename", "pointer": true } ] } ],
//!   "log_level": "debug",
//!   "possible_cpus": 2,
//!   "fuel_per_call": 1000000000,
//!   "subscribers": [ { "datasource": "exec", "priority": 10000 } ]
//! }
//! ```
//!
//! Every key is optional; unknown keys are errors, so a typo is caught.
//! `gadget-host/FORMATS.md` documents every key for users.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::RunError;
use crate::spec::{DataSourceSpec, EnrichmentSpec, FieldSpec, MapSpec, SyscallDecl};
use crate::{HostBuilder, LogLevel};

/// What a schema file declares.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The eBPF layer's data sources.
    #[serde(default)]
    pub datasources: Vec<DataSourceSpec>,
    /// Fields that other operators add at pre-start.
    #[serde(default)]
    pub enrichment: Vec<EnrichmentSpec>,
    /// The gadget's params (overridden by `--param`).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// The eBPF program's maps.
    #[serde(default)]
    pub maps: Vec<MapSpec>,
    /// The gadget's configuration (as parsed from gadget.yaml).
    #[serde(default)]
    pub config: Option<BTreeMap<String, String>>,
    /// Kernel symbols that exist.
    #[serde(default)]
    pub kallsyms: Vec<String>,
    /// The container filter: the mount namespaces the user selected. Events
    /// of these are kept, of any other id discarded; absent, no filter.
    #[serde(default)]
    pub mntns_filter: Option<Vec<u64>>,
    /// Syscall declarations.
    #[serde(default)]
    pub syscalls: Vec<SyscallDecl>,
    /// The most verbose level the gadget's logger emits (default: info).
    #[serde(default)]
    pub log_level: Option<LogLevel>,
    /// Possible CPUs, for per-CPU map values (default 1).
    #[serde(default)]
    pub possible_cpus: Option<u32>,
    /// Wasm instructions one call into the gadget may run (default
    /// [`DEFAULT_FUEL_PER_CALL`](crate::DEFAULT_FUEL_PER_CALL)).
    #[serde(default)]
    pub fuel_per_call: Option<u64>,
    /// Host-side subscribers (later operators): each counts the packets it
    /// receives, printed at the end.
    #[serde(default)]
    pub subscribers: Vec<SubscriberSpec>,
}

/// A host-side subscriber to a data source, ordered with the gadget's own
/// subscriptions by priority (ties: in order of subscription; it subscribes
/// right after `gadgetInit`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriberSpec {
    /// The data source (declared, or created by the gadget in `gadgetInit`).
    pub datasource: String,
    /// Priority: lower runs first (ig's default for operators is 0).
    #[serde(default)]
    pub priority: i32,
}

impl Schema {
    /// Reads and parses a schema file; errors name the file, line and column.
    pub fn load(path: &Path) -> Result<Self, RunError> {
        let text = std::fs::read_to_string(path).map_err(|e| RunError::Input {
            file: path.display().to_string(),
            line: None,
            message: format!("cannot read the schema: {e}"),
        })?;
        let schema: Schema = serde_json::from_str(&text).map_err(|e| RunError::Input {
            file: path.display().to_string(),
            line: Some(e.line()),
            message: strip_position(&e.to_string()),
        })?;
        schema.check().map_err(|message| RunError::Input {
            file: path.display().to_string(),
            line: None,
            message,
        })?;
        Ok(schema)
    }

    /// Whole-schema checks serde cannot express.
    fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for ds in &self.datasources {
            if !seen.insert(ds.name.as_str()) {
                return Err(format!("data source `{}` is declared twice", ds.name));
            }
        }
        if self.possible_cpus == Some(0) {
            return Err("`possible_cpus` must be at least 1".into());
        }
        if self.fuel_per_call == Some(0) {
            return Err("`fuel_per_call` must be at least 1".into());
        }
        for e in &self.enrichment {
            if !seen.contains(e.datasource.as_str()) {
                return Err(format!(
                    "enrichment field `{}` names data source `{}`, which is not declared",
                    e.field.name, e.datasource
                ));
            }
        }
        Ok(())
    }

    /// The data source `name` and every field an event may set on it.
    pub fn input_fields(&self, name: &str) -> Option<(&DataSourceSpec, Vec<&FieldSpec>)> {
        let ds = self.datasources.iter().find(|d| d.name == name)?;
        let enriched = self
            .enrichment
            .iter()
            .filter(|e| e.datasource == name)
            .map(|e| &e.field);
        Some((ds, ds.fields.iter().chain(enriched).collect()))
    }

    /// A host builder with everything the schema declares.
    pub fn apply(&self, mut builder: HostBuilder) -> HostBuilder {
        for ds in &self.datasources {
            builder = builder.datasource(ds.clone());
        }
        for e in &self.enrichment {
            builder = builder.enrichment(e.clone());
        }
        for (key, value) in &self.params {
            builder = builder.param(key.clone(), value.clone());
        }
        for map in &self.maps {
            builder = builder.map(map.clone());
        }
        if let Some(config) = &self.config {
            for (key, value) in config {
                builder = builder.config(key.clone(), value.clone());
            }
        }
        if !self.kallsyms.is_empty() {
            builder = builder.kallsyms(self.kallsyms.iter().cloned());
        }
        if let Some(selected) = &self.mntns_filter {
            builder = builder.mntns_filter(selected.iter().copied());
        }
        for decl in &self.syscalls {
            builder = builder.syscall_declaration(decl.clone());
        }
        if let Some(level) = self.log_level {
            builder = builder.log_level(level);
        }
        if let Some(cpus) = self.possible_cpus {
            builder = builder.possible_cpus(cpus);
        }
        if let Some(fuel) = self.fuel_per_call {
            builder = builder.fuel_per_call(fuel);
        }
        builder
    }
}

/// serde_json appends " at line L column C"; the runner prints its own.
pub(super) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Schema, String> {
        let dir = std::env::temp_dir().join(format!(
            "gadget-host-schema-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::write(&dir, text).unwrap();
        let r = Schema::load(&dir).map_err(|e| e.to_string());
        std::fs::remove_file(&dir).unwrap();
        r
    }

    #[test]
    fn reads_data_sources_fields_and_the_rest() {
        let s = parse(
            r#"{"datasources":[{"name":"exec","fields":[{"name":"pid","kind":"uint32"},{"name":"comm","kind":"string","size":16}]}],
                "enrichment":[{"datasource":"exec","name":"k8s.namespace","kind":"string"}],
                "params":{"a":"1"},"kallsyms":["x"],"mntns_filter":[7],"log_level":"debug"}"#,
        )
        .unwrap();
        let (ds, fields) = s.input_fields("exec").unwrap();
        assert_eq!(ds.fields.len(), 2);
        let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["pid", "comm", "k8s.namespace"]);
        assert_eq!(s.params["a"], "1");
        assert_eq!(s.log_level, Some(LogLevel::Debug));
    }

    #[test]
    fn unknown_keys_name_the_file_and_line() {
        let e = parse("{\n  \"datasource\": []\n}").unwrap_err();
        assert!(e.contains(":2: unknown field `datasource`"), "{e}");
    }

    #[test]
    fn unknown_kinds_are_refused() {
        let e = parse(r#"{"datasources":[{"name":"x","fields":[{"name":"a","kind":"u32"}]}]}"#)
            .unwrap_err();
        assert!(e.contains("unknown variant `u32`"), "{e}");
    }

    #[test]
    fn enrichment_needs_a_declared_data_source() {
        let e = parse(r#"{"enrichment":[{"datasource":"exec","name":"k8s.pod","kind":"string"}]}"#)
            .unwrap_err();
        assert!(
            e.contains(
                "enrichment field `k8s.pod` names data source `exec`, which is not declared"
            ),
            "{e}"
        );
    }
}
