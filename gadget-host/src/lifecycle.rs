//! Loading a gadget and running its hooks as ig does (ABI §1).

use wasmtime::{Func, Instance, Store, Val, ValType};

use crate::HostError;
use crate::datasource::{CtxKind, FieldDef};
use crate::error::Hazard;
use crate::host::{CompiledGadget, Host, Output};

impl Host {
    /// Loads a module from its wasm bytes: compiles,
    /// instantiates, runs `_initialize` and checks `gadgetAPIVersion`.
    pub fn load(&self, wasm: &[u8]) -> Result<Gadget, HostError> {
        Gadget::instantiate(self, &self.compile(wasm)?)
    }

    /// A fresh instance of a compiled module, with a fresh copy of the world.
    pub fn instantiate(&self, module: &CompiledGadget) -> Result<Gadget, HostError> {
        Gadget::instantiate(self, module)
    }

    /// Loads a module from a file.
    pub fn load_file(&self, path: impl AsRef<std::path::Path>) -> Result<Gadget, HostError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| HostError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        self.load(&bytes)
    }
}
use crate::state::{HostState, Phase};

/// A loaded gadget instance: drive its lifecycle, feed it events and look at
/// what it did. Created by [`Host::load`].
pub struct Gadget {
    pub(crate) store: Store<HostState>,
    pub(crate) instance: Instance,
    pub(crate) output: Output,
}

impl std::fmt::Debug for Gadget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gadget")
            .field("phase", &self.phase())
            .finish_non_exhaustive()
    }
}

fn render_type(ty: &wasmtime::FuncType) -> String {
    let list = |it: &mut dyn Iterator<Item = ValType>| {
        it.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
    };
    format!(
        "({}) -> ({})",
        list(&mut ty.params()),
        list(&mut ty.results())
    )
}

/// A result read the way ig reads it: the raw 64-bit slot.
fn val_bits(v: &Val) -> Option<i64> {
    match v {
        Val::I32(x) => Some(i64::from(*x)),
        Val::I64(x) => Some(*x),
        Val::F32(x) => Some(i64::from(*x)),
        Val::F64(x) => Some(*x as i64),
        _ => None,
    }
}

impl Gadget {
    pub(crate) fn instantiate(host: &Host, module: &CompiledGadget) -> Result<Gadget, HostError> {
        let (mut store, output) = host.new_store();
        let instance = host
            .linker
            .instantiate(&mut store, &module.0)
            .map_err(|e| HostError::Instantiate(format!("{e:?}")))?;
        let memory = instance.get_memory(&mut store, "memory");
        store.data_mut().memory = memory;
        if let Some(init) = instance.get_func(&mut store, "_initialize") {
            init.call(&mut store, &[], &mut []).map_err(|e| {
                let stderr = String::from_utf8_lossy(&output.stderr.contents()).into_owned();
                HostError::Instantiate(format!(
                    "calling `_initialize`: {e:?}{}",
                    crate::error::stderr_note(&stderr)
                ))
            })?;
        }
        let mut g = Gadget {
            store,
            instance,
            output,
        };
        g.check_api_version()?;
        g.store.data_mut().callback = g.instance.get_func(&mut g.store, "dataSourceCallback");
        Ok(g)
    }

    fn check_api_version(&mut self) -> Result<(), HostError> {
        let func = self
            .instance
            .get_func(&mut self.store, "gadgetAPIVersion")
            .ok_or(HostError::MissingApiVersion)?;
        let ty = func.ty(&self.store);
        if ty.params().len() != 0 {
            return Err(HostError::ApiVersion {
                found: format!("nothing: it takes parameters {}", render_type(&ty)),
            });
        }
        let mut results = vec![Val::I32(0); ty.results().len()];
        crate::fuel::refuel(&mut self.store);
        func.call(&mut self.store, &[], &mut results)
            .map_err(|e| HostError::ApiVersion {
                found: format!("nothing: it trapped: {e:?}"),
            })?;
        match results.as_slice() {
            [v] if val_bits(v) == Some(1) => Ok(()),
            [v] => Err(HostError::ApiVersion {
                found: format!("{}", val_bits(v).unwrap_or_default()),
            }),
            other => Err(HostError::ApiVersion {
                found: format!("{} results", other.len()),
            }),
        }
    }

    fn ensure_open(&self) -> Result<(), HostError> {
        match &self.store.data().closed {
            Some(reason) => Err(HostError::ModuleClosed {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    fn expect_phase(&self, hook: &'static str, allowed: &[Phase]) -> Result<(), HostError> {
        let phase = self.phase();
        if allowed.contains(&phase) {
            Ok(())
        } else {
            Err(HostError::Phase {
                hook,
                reason: format!("the gadget is in phase {phase:?}, expected one of {allowed:?}"),
            })
        }
    }

    /// Calls a hook export if present, as ig does.
    fn hook(&mut self, hook: &'static str, phase: Phase, ctx: CtxKind) -> Result<(), HostError> {
        self.ensure_open()?;
        let st = self.store.data_mut();
        st.phase = phase;
        st.current_ctx = ctx;
        st.hazard = None;
        let Some(func) = self.instance.get_func(&mut self.store, hook) else {
            return Ok(());
        };
        self.call_hook(hook, func)
    }

    fn call_hook(&mut self, hook: &'static str, func: Func) -> Result<(), HostError> {
        let ty = func.ty(&self.store);
        if ty.params().len() != 0 {
            return Err(HostError::HookSignature {
                hook,
                found: render_type(&ty),
                consequence: "ig calls it without arguments and the phase fails",
            });
        }
        if ty.results().len() == 0 {
            return Err(HostError::Hazard(Hazard::HookWithoutResult { hook }));
        }
        if ty.results().next().is_some_and(|t| {
            !matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
        }) {
            return Err(HostError::HookSignature {
                hook,
                found: render_type(&ty),
                consequence: "ig reads its first result as a number",
            });
        }
        let mut results = vec![Val::I32(0); ty.results().len()];
        crate::fuel::refuel(&mut self.store);
        let result = func.call(&mut self.store, &[], &mut results);
        let st = self.store.data_mut();
        if let Some(h) = st.hazard.take() {
            return Err(HostError::Hazard(h));
        }
        match result {
            Err(e) => {
                if let Some(h) = crate::fuel::runaway(&e, st, format!("`{hook}`")) {
                    return Err(HostError::Hazard(h));
                }
                if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                    st.close(format!("`{hook}` called proc_exit({})", exit.0));
                }
                let message = match &st.closed {
                    Some(reason) => format!("module closed: {reason}\n{e:?}"),
                    None => format!("{e:?}"),
                };
                Err(HostError::HookTrap {
                    hook,
                    message,
                    stderr: self.stderr(),
                })
            }
            Ok(()) => match results.first().and_then(val_bits) {
                Some(0) => Ok(()),
                Some(code) => Err(HostError::HookFailed { hook, code }),
                None => Ok(()),
            },
        }
    }

    /// Runs `gadgetInit` (the eBPF layer's data sources and fields exist).
    pub fn init(&mut self) -> Result<(), HostError> {
        self.expect_phase("gadgetInit", &[Phase::Loaded])?;
        self.hook("gadgetInit", Phase::Init, CtxKind::Gadget)
    }

    /// Adds the enrichment fields, then runs `gadgetPreStart`.
    pub fn pre_start(&mut self) -> Result<(), HostError> {
        self.expect_phase("gadgetPreStart", &[Phase::Init])?;
        self.ensure_open()?;
        let st = self.store.data_mut();
        for e in st.spec.enrichments.clone() {
            let id = *st.source_names.get(&e.datasource).ok_or_else(|| {
                HostError::UnknownDataSource {
                    name: e.datasource.clone(),
                }
            })?;
            let source = &mut st.sources[id];
            if source.fields.iter().any(|f| f.name == e.field.name) {
                return Err(HostError::Spec(format!(
                    "enrichment field `{}` already exists in data source `{}`",
                    e.field.name, e.datasource
                )));
            }
            source.fields.push(FieldDef::from_spec(&e.field));
        }
        self.hook("gadgetPreStart", Phase::PreStart, CtxKind::Instance)
    }

    /// Runs `gadgetStart` (maps and the mount-namespace filter exist).
    pub fn start(&mut self) -> Result<(), HostError> {
        self.expect_phase("gadgetStart", &[Phase::PreStart])?;
        self.hook("gadgetStart", Phase::Start, CtxKind::Instance)
    }

    /// `init`, `pre_start` and `start` in a row.
    pub fn run_to_started(&mut self) -> Result<(), HostError> {
        self.init()?;
        self.pre_start()?;
        self.start()
    }

    /// Cancels the instance context, runs `gadgetStop`, then drops the handle
    /// table (later look-ups fail, creating a handle traps).
    pub fn stop(&mut self) -> Result<(), HostError> {
        self.expect_phase("gadgetStop", &[Phase::Init, Phase::PreStart, Phase::Start])?;
        self.store.data_mut().instance_ctx_done = true;
        let result = self.hook("gadgetStop", Phase::Stop, CtxKind::Stop);
        let st = self.store.data_mut();
        st.stop_ctx_done = true;
        st.handles.drop_all();
        result
    }

    /// Runs `gadgetPostStop` (ig skips it when a run is cancelled).
    pub fn post_stop(&mut self) -> Result<(), HostError> {
        self.expect_phase("gadgetPostStop", &[Phase::Stop])?;
        self.hook("gadgetPostStop", Phase::PostStop, CtxKind::Gadget)
    }

    /// The last hook entered.
    pub fn phase(&self) -> Phase {
        self.store.data().phase
    }

    /// Why the module was closed for good, if it was.
    pub fn closed(&self) -> Option<&str> {
        self.store.data().closed.as_deref()
    }

    /// What the module wrote to stdout (ig discards it).
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout.contents()).into_owned()
    }

    /// What the module wrote to stderr (ig discards it): panic messages of
    /// Rust and Go guests end up here.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr.contents()).into_owned()
    }
}
