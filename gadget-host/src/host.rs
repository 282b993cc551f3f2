//! [`Host`]: a wasmtime engine and linker with WASI preview 1 and the `ig`
//! module, plus the world (data sources, maps, params, ...) every gadget it
//! loads starts with.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use wasmtime::{Config, Engine, Extern, Linker, Module, Store, StoreLimitsBuilder};

use crate::abi::{AbiTable, WasmType};
use crate::logging::LogLevel;
use crate::module_cache::{ModuleCache, ModuleKey};
use crate::spec::{DataSourceSpec, EnrichmentSpec, FieldSpec, MapSpec, SyscallDecl};
use crate::state::{HostState, WorldSpec};
use crate::{FieldKind, HostError};

/// ig's memory cap: 256 pages.
pub const MEMORY_LIMIT_BYTES: usize = 256 * 65536;

/// A compiled gadget module (cheap to clone), from [`Host::compile`].
#[derive(Clone)]
pub struct CompiledGadget(pub(crate) Module);

impl std::fmt::Debug for CompiledGadget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledGadget").finish_non_exhaustive()
    }
}

/// Where [`Host::compile_with_cache`] got a module from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompiledFrom {
    /// Loaded from the disk cache.
    Cache,
    /// Compiled by cranelift; `stored` says whether the cache now has it.
    Compiler {
        /// Written to the cache.
        stored: bool,
    },
}

/// The module's captured stdout and stderr.
#[derive(Clone)]
pub(crate) struct Output {
    pub stdout: wasmtime_wasi::p2::pipe::MemoryOutputPipe,
    pub stderr: wasmtime_wasi::p2::pipe::MemoryOutputPipe,
}

/// A function registered in the linker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredImport {
    /// Import module (`ig`, `wasi_snapshot_preview1`).
    pub module: String,
    /// Function name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<WasmType>,
    /// Result types.
    pub results: Vec<WasmType>,
}

/// Declares the world gadgets run in; see [`Host::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct HostBuilder {
    spec: WorldSpec,
}

impl HostBuilder {
    /// A data source of the eBPF layer, existing from `gadgetInit` on.
    pub fn datasource(mut self, ds: DataSourceSpec) -> Self {
        self.spec.datasources.push(ds);
        self
    }

    /// A field another operator (an enricher such as `k8s.*`) adds to a data
    /// source at pre-start, before `gadgetPreStart` runs.
    pub fn enrichment_field(
        mut self,
        datasource: impl Into<String>,
        name: impl Into<String>,
        kind: FieldKind,
    ) -> Self {
        self.spec.enrichments.push(EnrichmentSpec {
            datasource: datasource.into(),
            field: FieldSpec::new(name, kind),
        });
        self
    }

    /// An enrichment field given in full (fixed size, tags).
    pub fn enrichment(mut self, e: EnrichmentSpec) -> Self {
        self.spec.enrichments.push(e);
        self
    }

    /// A wasm param value (ig: `operator.oci.wasm.<key>`).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec.params.insert(key.into(), value.into());
        self
    }

    /// A map of the gadget's eBPF program (`getMap` from `gadgetStart` on).
    pub fn map(mut self, map: MapSpec) -> Self {
        self.spec.maps.push(map);
        self
    }

    /// Kernel symbols that exist.
    pub fn kallsyms<I: IntoIterator<Item = S>, S: Into<String>>(mut self, symbols: I) -> Self {
        self.spec
            .kallsyms
            .extend(symbols.into_iter().map(Into::into));
        self
    }

    /// A syscall declaration (what ig would read from tracefs).
    pub fn syscall_declaration(mut self, decl: SyscallDecl) -> Self {
        self.spec.syscall_decls.push(decl);
        self
    }

    /// Activates the mount-namespace filter with the mount namespaces the
    /// user selected (as ig's `--containername` and the like do): from
    /// `gadgetStart` on, `shouldDiscardMntnsID` returns 0 for these ids and 1
    /// for every other id. Without a filter every id is kept (0). Calls add
    /// to the set; an empty list still activates the filter (nothing kept).
    pub fn mntns_filter<I: IntoIterator<Item = u64>>(mut self, selected: I) -> Self {
        self.spec
            .mntns_filter
            .get_or_insert_with(BTreeSet::new)
            .extend(selected);
        self
    }

    /// A configuration key present before the gadget runs.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec
            .config
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The gadget has no configuration: `setConfig` fails.
    pub fn no_config(mut self) -> Self {
        self.spec.config = None;
        self
    }

    /// The most verbose level the gadget's logger emits (ig's default: info).
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.spec.log_level = level;
        self
    }

    /// How many wasm instructions one call into the gadget (a hook, an
    /// event pushed with every callback it causes) may run before the host
    /// stops it with [`Hazard::Runaway`](crate::Hazard::Runaway) (default
    /// [`DEFAULT_FUEL_PER_CALL`](crate::DEFAULT_FUEL_PER_CALL)). ig sets no
    /// such limit: a gadget stuck in a loop hangs it.
    pub fn fuel_per_call(mut self, instructions: u64) -> Self {
        self.spec.fuel_per_call = instructions.max(1);
        self
    }

    /// Possible CPUs, for per-CPU map value sizes (default 1).
    pub fn possible_cpus(mut self, cpus: u32) -> Self {
        self.spec.possible_cpus = cpus.max(1);
        self
    }

    /// Checks the declarations and builds the engine and linker.
    pub fn build(self) -> Result<Host, HostError> {
        let mut names = BTreeSet::new();
        for ds in &self.spec.datasources {
            if !names.insert(ds.name.as_str()) {
                return Err(HostError::Spec(format!(
                    "data source `{}` declared twice",
                    ds.name
                )));
            }
            let mut fields = BTreeSet::new();
            for f in &ds.fields {
                if !fields.insert(f.name.as_str()) {
                    return Err(HostError::Spec(format!(
                        "data source `{}`: field `{}` declared twice",
                        ds.name, f.name
                    )));
                }
            }
        }
        let mut maps = BTreeSet::new();
        for m in &self.spec.maps {
            if m.name.is_empty() {
                return Err(HostError::Spec("a map is declared without a name".into()));
            }
            if !maps.insert(m.name.as_str()) {
                return Err(HostError::Spec(format!("map `{}` declared twice", m.name)));
            }
            if m.max_entries == 0 && m.map_type != crate::spec::map_type::PERF_EVENT_ARRAY {
                return Err(HostError::Spec(format!(
                    "map `{}`: give `max_entries` (only perf event arrays go without)",
                    m.name
                )));
            }
            let mut scratch = vec![crate::maps::MapObj::new(m.clone(), false)];
            crate::maps::fill(&mut scratch, 0, &m.entries, self.spec.possible_cpus)
                .map_err(|e| HostError::Spec(format!("map `{}`: {e}", m.name)))?;
            if matches!(
                m.map_type,
                crate::spec::map_type::ARRAY_OF_MAPS | crate::spec::map_type::HASH_OF_MAPS
            ) && m.inner.is_none()
            {
                return Err(HostError::Spec(format!(
                    "map-of-maps `{}` needs an inner map shape",
                    m.name
                )));
            }
        }
        let engine = shared_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut HostState| &mut s.wasi)
            .map_err(|e| HostError::Setup(format!("WASI: {e:#}")))?;
        let table = AbiTable::embedded()?;
        crate::imports::register_all(&mut linker, table)?;
        let host = Host {
            engine,
            linker,
            spec: self.spec,
        };
        host.check_against_table(table)?;
        Ok(host)
    }
}

/// The one engine of the process: every host uses the same settings, so
/// compiled modules can be shared between them.
fn shared_engine() -> Result<Engine, HostError> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = Config::new();
            config.wasm_backtrace(true);
            // Fuel bounds every call into the guest, so a runaway loop becomes
            // an error instead of a hung test (see `fuel_per_call`).
            config.consume_fuel(true);
            Engine::new(&config).map_err(|e| format!("{e:#}"))
        })
        .clone()
        .map_err(HostError::Setup)
}

/// An emulated ig host. Build one with [`Host::builder`], then
/// [`load`](Host::load) gadgets: each gets its own instance and a fresh copy
/// of the declared world.
pub struct Host {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) spec: WorldSpec,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

impl Host {
    /// Starts declaring a host.
    pub fn builder() -> HostBuilder {
        HostBuilder::default()
    }

    /// A host with an empty world.
    pub fn new() -> Result<Host, HostError> {
        Self::builder().build()
    }

    /// Compiles a module once, to instantiate it many times with
    /// [`instantiate`](Self::instantiate).
    ///
    /// Hosts share one engine, and a module is compiled once per process:
    /// loading the same bytes again (another test, another world) reuses it.
    /// Across processes, compiled modules are kept on disk
    /// ([`ModuleCache::default_location`]): the next run of the same bytes
    /// loads the compiled code instead of compiling again.
    pub fn compile(&self, wasm: &[u8]) -> Result<CompiledGadget, HostError> {
        static COMPILED: Mutex<BTreeMap<ModuleKey, Module>> = Mutex::new(BTreeMap::new());
        let key = ModuleKey::new(&self.engine, wasm);
        if let Some(module) = COMPILED.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(CompiledGadget(module.clone()));
        }
        let cache = ModuleCache::default_location();
        let (module, _) = self.compile_keyed(wasm, &key, cache.as_ref())?;
        COMPILED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, module.0.clone());
        Ok(module)
    }

    /// Compiles a module through `cache` only (no per-process sharing):
    /// loaded from it when a valid entry is there, else compiled and stored.
    pub fn compile_with_cache(
        &self,
        wasm: &[u8],
        cache: Option<&ModuleCache>,
    ) -> Result<(CompiledGadget, CompiledFrom), HostError> {
        self.compile_keyed(wasm, &ModuleKey::new(&self.engine, wasm), cache)
    }

    fn compile_keyed(
        &self,
        wasm: &[u8],
        key: &ModuleKey,
        cache: Option<&ModuleCache>,
    ) -> Result<(CompiledGadget, CompiledFrom), HostError> {
        if let Some(module) = cache.and_then(|c| c.load(&self.engine, key)) {
            return Ok((CompiledGadget(module), CompiledFrom::Cache));
        }
        let module =
            Module::new(&self.engine, wasm).map_err(|e| HostError::Compile(format!("{e:#}")))?;
        let stored = cache.is_some_and(|c| c.store(key, &module));
        Ok((CompiledGadget(module), CompiledFrom::Compiler { stored }))
    }

    /// A store with a fresh world, and the pipes capturing stdout/stderr.
    pub(crate) fn new_store(&self) -> (Store<HostState>, Output) {
        let wasi = crate::wasi::new_wasi();
        let limits = StoreLimitsBuilder::new()
            .memory_size(MEMORY_LIMIT_BYTES)
            .build();
        let state = HostState::new(wasi.ctx, limits, self.spec.clone());
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        crate::fuel::refuel(&mut store);
        (
            store,
            Output {
                stdout: wasi.stdout,
                stderr: wasi.stderr,
            },
        )
    }

    /// Every function the linker holds, with its types (the `ig` module's
    /// and WASI's).
    pub fn registered_imports(&self) -> Vec<RegisteredImport> {
        let (mut store, _) = self.new_store();
        let defs: Vec<(String, String, Extern)> = self
            .linker
            .iter(&mut store)
            .map(|(m, n, e)| (m.to_owned(), n.to_owned(), e))
            .collect();
        defs.into_iter()
            .filter_map(|(module, name, ext)| {
                let ty = ext.into_func()?.ty(&store);
                let conv = |it: &mut dyn Iterator<Item = wasmtime::ValType>| {
                    it.map(|t| WasmType::from_val_type(&t))
                        .collect::<Option<Vec<_>>>()
                };
                Some(RegisteredImport {
                    module,
                    name,
                    params: conv(&mut ty.params())?,
                    results: conv(&mut ty.results())?,
                })
            })
            .collect()
    }

    fn check_against_table(&self, table: &AbiTable) -> Result<(), HostError> {
        let registered: Vec<RegisteredImport> = self
            .registered_imports()
            .into_iter()
            .filter(|i| i.module == table.module)
            .collect();
        for imp in &table.imports {
            match registered.iter().find(|r| r.name == imp.name) {
                None => {
                    return Err(HostError::Abi(format!(
                        "`{}` is in the table but not registered",
                        imp.name
                    )));
                }
                Some(r) if r.params != imp.params || r.results != imp.results => {
                    return Err(HostError::Abi(format!(
                        "`{}` is registered as {:?} -> {:?}, the table says {:?} -> {:?}",
                        imp.name, r.params, r.results, imp.params, imp.results
                    )));
                }
                Some(_) => {}
            }
        }
        if registered.len() != table.imports.len() {
            return Err(HostError::Abi(format!(
                "{} functions registered in `{}`, the table has {}",
                registered.len(),
                table.module,
                table.imports.len()
            )));
        }
        Ok(())
    }
}
