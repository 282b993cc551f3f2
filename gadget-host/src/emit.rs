//! Emission: runs a data source's subscribers on a packet, in order,
//! re-entering the module for wasm subscriptions, then records the packet as
//! it left the data source.

use wasmtime::{AsContextMut, Val};

use crate::datasource::{Body, PacketId, SourceId, SubKind, SubTarget};
use crate::error::Hazard;
use crate::events::Emitted;
use crate::handles::{DataLoc, Entry};
use crate::state::{CallbackTrap, HostState};

/// Why an emission stopped.
#[derive(Debug, Clone)]
pub(crate) enum EmitError {
    Hazard(Hazard),
    Closed(String),
}

/// Runs every subscriber of `source` on packet `pid` and records the result.
/// The packet is not freed here.
pub(crate) fn emit<C: StateCtx>(
    ctx: &mut C,
    source: SourceId,
    pid: PacketId,
) -> Result<(), EmitError> {
    let st = ctx.state();
    let ds = &st.sources[source];
    let name = ds.name.clone();
    if st.callback_depth > 0 && ds.has_wasm_subscriber() {
        let hazard = Hazard::CallbackEmitDeadlock { datasource: name };
        st.hazard = Some(hazard.clone());
        return Err(EmitError::Hazard(hazard));
    }
    for sub in ds.ordered_subscribers() {
        match sub.target {
            SubTarget::Observer(i) => {
                let Some(emission) = snapshot(ctx, pid) else {
                    return Ok(());
                };
                ctx.state().observers[i].seen.push(emission);
            }
            SubTarget::Wasm {
                kind,
                cb_id,
                ctx: sub_ctx,
            } => {
                let st = ctx.state();
                let Some(packet) = st.packets.get(&pid) else {
                    return Ok(());
                };
                let entries: Vec<Entry> = match (&packet.body, kind) {
                    (Body::Single(_), SubKind::Data) => vec![Entry::Data(DataLoc::Packet(pid))],
                    (Body::Array(recs), SubKind::Data) => (0..recs.len())
                        .map(|i| Entry::Data(DataLoc::Element(pid, i)))
                        .collect(),
                    (Body::Array(_), SubKind::Array) => vec![Entry::Array(pid)],
                    (_, SubKind::Packet) => vec![Entry::Packet(pid)],
                    (Body::Single(_), SubKind::Array) => Vec::new(),
                };
                for entry in entries {
                    if st_of(ctx).ctx_done(sub_ctx) {
                        let reason = format!(
                            "an event of `{name}` was delivered to subscription {cb_id} after its context ended \
                             (it was made in {}): ig closes the module",
                            sub_ctx.name()
                        );
                        st_of(ctx).close(reason.clone());
                        return Err(EmitError::Closed(reason));
                    }
                    call_back(ctx, &name, cb_id, sub_ctx, entry)?;
                    if !st_of(ctx).packets.contains_key(&pid) {
                        // The guest emitted or released the packet it was given.
                        return Ok(());
                    }
                }
            }
        }
    }
    if let Some(emission) = snapshot(ctx, pid) {
        let st = st_of(ctx);
        let consumed = !st.sources[source].referenced;
        st.emitted.push(Emitted {
            datasource: name,
            emission,
            consumed,
        });
    }
    Ok(())
}

fn st_of<C: StateCtx>(ctx: &mut C) -> &mut HostState {
    ctx.state()
}

/// A store or a caller: something that holds the state and can call into
/// the module.
pub(crate) trait StateCtx: AsContextMut<Data = HostState> {
    fn state(&mut self) -> &mut HostState;
}

impl StateCtx for wasmtime::Store<HostState> {
    fn state(&mut self) -> &mut HostState {
        self.data_mut()
    }
}

impl StateCtx for wasmtime::Caller<'_, HostState> {
    fn state(&mut self) -> &mut HostState {
        self.data_mut()
    }
}

/// Freezes the packet's views and renders it with its data source's fields.
fn snapshot<C: StateCtx>(ctx: &mut C, pid: PacketId) -> Option<crate::events::Emission> {
    let mem = st_of(ctx).memory;
    let mut ctx = ctx.as_context_mut();
    let (mem, st): (&[u8], &mut HostState) = match mem {
        Some(m) => {
            let (m, st) = m.data_and_store_mut(&mut ctx);
            (m, st)
        }
        None => (&[], ctx.data_mut()),
    };
    let packet = st.packets.get_mut(&pid)?;
    match &mut packet.body {
        Body::Single(r) => r.snapshot_views(mem),
        Body::Array(rs) => rs.iter_mut().for_each(|r| r.snapshot_views(mem)),
    }
    let fields = &st.sources[packet.source].fields;
    Some(packet.to_emission(fields, mem))
}

/// Calls `dataSourceCallback` once with a fresh handle for `entry`.
fn call_back<C: StateCtx>(
    ctx: &mut C,
    ds_name: &str,
    cb_id: u64,
    sub_ctx: crate::datasource::CtxKind,
    entry: Entry,
) -> Result<(), EmitError> {
    let st = st_of(ctx);
    let Some(func) = st.callback else {
        return Ok(());
    };
    let handle = match st.alloc(entry) {
        Ok(h) => h,
        Err(e) => {
            let reason = format!("delivering an event of `{ds_name}`: {e}");
            st.close(reason.clone());
            return Err(EmitError::Closed(reason));
        }
    };
    let saved_ctx = std::mem::replace(&mut st.current_ctx, sub_ctx);
    st.callback_depth += 1;
    // The `ds` argument is deliberately 0: ig's is unreliable (a stale stack
    // value), so guests must identify subscriptions by `cb_id` only.
    let args = [Val::I64(cb_id as i64), Val::I32(0), Val::I32(handle as i32)];
    let result = func.call(&mut *ctx, &args, &mut []);
    let st = st_of(ctx);
    st.callback_depth -= 1;
    st.current_ctx = saved_ctx;
    if handle != 0 {
        st.handles.remove(handle);
    }
    if let Some(h) = &st.hazard {
        return Err(EmitError::Hazard(h.clone()));
    }
    if let Err(err) = result {
        let call = format!("`dataSourceCallback` for an event of `{ds_name}`");
        if let Some(h) = crate::fuel::runaway(&err, st, call) {
            st.hazard = Some(h.clone());
            return Err(EmitError::Hazard(h));
        }
        if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
            st.close(format!("dataSourceCallback called proc_exit({})", exit.0));
        }
        if let Some(reason) = &st.closed {
            return Err(EmitError::Closed(reason.clone()));
        }
        st.callback_traps.push(CallbackTrap {
            cb_id,
            datasource: ds_name.to_owned(),
            message: format!("{err:?}"),
        });
    } else if let Some(reason) = &st.closed {
        return Err(EmitError::Closed(reason.clone()));
    }
    Ok(())
}
