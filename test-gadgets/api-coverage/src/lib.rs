//! A test gadget that calls every function of gadget-api's safe layer.
//!
//! The param `scenario` picks what it does; every result is logged at info
//! level as `key=<Debug of the result>`, so a host test can assert on each
//! one. Scenarios and the data sources they expect:
//!
//! - `fields`: single data source `events` with fields `b` (bool), `i8`..`i64`,
//!   `u8`..`u64`, `f32`, `f64`, `s` (string), `fixed` (16-byte string), `raw`
//!   (bytes); adds `out_*` fields and writes them for every event.
//! - `arrays`: array data source `arr` with fields `n` (u32) and `name`.
//! - `packets`: `events` as above; creates data sources `out` and `outarr`.
//! - `maps`: maps `hash` (u32 → u64), `array` (u32 → u32), `outer`
//!   (hash of maps, u32 keys) and `perf` (perf event array).
//! - `misc`: syscalls, kallsyms, the mount-namespace filter, config, params, logging.
//! - `panic`: panics in gadgetStart.

use std::cell::RefCell;
use std::fmt::Debug;

use gadget_api::prelude::*;
use gadget_api::{
    Element, FieldKind, LogLevel, MapSpec, PerfRead, handle, logger, params, syscalls,
};

gadget_api::export_api_version!();

/// Logs `key=<result>`.
fn report<T: Debug>(key: &str, value: T) {
    log::info!("{key}={value:?}");
}

/// Logs `key=Err(<message>)` for errors, so tests can match the message.
fn report_result<T: Debug>(key: &str, value: Result<T>) {
    match value {
        Ok(v) => log::info!("{key}=Ok({v:?})"),
        Err(e) => log::info!("{key}=Err({e})"),
    }
}

#[derive(Default)]
struct Fields {
    b: Option<Field<bool>>,
    i8: Option<Field<i8>>,
    i16: Option<Field<i16>>,
    i32: Option<Field<i32>>,
    i64: Option<Field<i64>>,
    u8: Option<Field<u8>>,
    u16: Option<Field<u16>>,
    u32: Option<Field<u32>>,
    u64: Option<Field<u64>>,
    f32: Option<Field<f32>>,
    f64: Option<Field<f64>>,
    s: Option<Field<String>>,
    fixed: Option<Field<String>>,
    raw: Option<Field<Bytes>>,
    u32_as_u8: Option<Field<u8>>,
    out_b: Option<Field<bool>>,
    out_i8: Option<Field<i8>>,
    out_u32: Option<Field<u32>>,
    out_f64: Option<Field<f64>>,
    out_s: Option<Field<String>>,
    out_raw: Option<Field<Bytes>>,
    n: Option<Field<u32>>,
    name: Option<Field<String>>,
    late: Option<Field<u32>>,
}

#[derive(Default)]
struct State {
    scenario: String,
    f: Fields,
    out: Option<DataSource>,
    outarr: Option<DataSource>,
    out_v: Option<Field<u32>>,
    outarr_v: Option<Field<u32>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

fn status(key: &str, r: Result<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            log::error!("{key}: {e}");
            1
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn gadgetInit() -> i32 {
    logger::init();
    gadget_api::panic::install_hook();
    status("gadgetInit", with_state(init))
}

fn init(s: &mut State) -> Result<()> {
    s.scenario = params::get("scenario")?;
    report("scenario", &s.scenario);
    match s.scenario.as_str() {
        "fields" => init_fields(s),
        "arrays" => init_arrays(s),
        "packets" => init_packets(s),
        _ => Ok(()),
    }
}

fn init_fields(s: &mut State) -> Result<()> {
    let ds = DataSource::get("events")?;
    report("ds_name", ds.name());
    report("ds_raw_nonzero", ds.as_raw() != 0);
    let f = &mut s.f;
    f.b = Some(ds.field("b")?);
    f.i8 = Some(ds.field("i8")?);
    f.i16 = Some(ds.field("i16")?);
    f.i32 = Some(ds.field("i32")?);
    f.i64 = Some(ds.field("i64")?);
    f.u8 = Some(ds.field("u8")?);
    f.u16 = Some(ds.field("u16")?);
    f.u32 = Some(ds.field("U32")?); // case-insensitive match
    f.u64 = Some(ds.field("u64")?);
    f.f32 = Some(ds.field("f32")?);
    f.f64 = Some(ds.field("f64")?);
    f.s = Some(ds.field("s")?);
    f.fixed = Some(ds.field("fixed")?);
    f.raw = Some(ds.field("raw")?);
    f.u32_as_u8 = Some(ds.field("u32")?);
    f.out_b = Some(ds.add_field("out_b")?);
    f.out_i8 = Some(ds.add_field("out_i8")?);
    f.out_u32 = Some(ds.add_field("out_u32")?);
    f.out_f64 = Some(ds.add_field("out_f64")?);
    let out_s: Field<String> = ds.add_field("out_s")?;
    report_result("add_tag", out_s.add_tag("columns.width:40"));
    report(
        "out_s_name",
        (
            out_s.name(),
            out_s.datasource(),
            out_s.is_resolved(),
            out_s.as_raw() != 0,
        ),
    );
    f.out_s = Some(out_s);
    f.out_raw = Some(ds.add_field("out_raw")?);
    report_result(
        "add_field_raw_cstring",
        ds.add_field_raw("out_c", FieldKind::CString)
            .map(|h| h != 0),
    );
    report_result(
        "add_field_duplicate",
        ds.add_field::<u32>("out_u32").map(|_| ()),
    );
    report_result("field_missing", ds.field::<u32>("nope").map(|_| ()));
    let late: Field<u32> = Field::unresolved("events", "k8s.late");
    report("late_resolved", late.is_resolved());
    f.late = Some(late);
    ds.subscribe(SubscriptionKind::Data, 0, 1)
}

fn on_fields(s: &mut State, data: Data<'_>) -> Result<()> {
    let f = &mut s.f;
    let get = |o: &Option<Field<bool>>| o.as_ref().map(|f| f.get(data));
    report_result("b", get(&f.b).transpose().map(Option::unwrap_or_default));
    report_result("i8", f.i8.as_ref().unwrap().get(data));
    report_result("i16", f.i16.as_ref().unwrap().get(data));
    report_result("i32", f.i32.as_ref().unwrap().get(data));
    report_result("i64", f.i64.as_ref().unwrap().get(data));
    report_result("u8", f.u8.as_ref().unwrap().get(data));
    report_result("u16", f.u16.as_ref().unwrap().get(data));
    let u32v = f.u32.as_ref().unwrap().get(data);
    report_result("u32", u32v.clone());
    report_result("u64", f.u64.as_ref().unwrap().get(data));
    report_result("f32", f.f32.as_ref().unwrap().get(data));
    let f64v = f.f64.as_ref().unwrap().get(data);
    report_result("f64", f64v.clone());
    let sv = f.s.as_ref().unwrap().get_owned(data);
    report_result("s", sv.clone());
    let field_s = f.s.as_mut().unwrap();
    report_result("s_get", field_s.get(data).map(str::len));
    report_result("s_get_bytes", field_s.get_bytes(data).map(<[u8]>::len));
    let mut small = [0u8; 2];
    report_result(
        "s_read_into_small",
        f.s.as_ref().unwrap().read_into(data, &mut small),
    );
    let mut big = [0u8; 64];
    report_result(
        "s_read_into",
        f.s.as_ref().unwrap().read_into(data, &mut big),
    );
    let fixed = f.fixed.as_mut().unwrap();
    report_result("fixed", fixed.get(data));
    report_result("fixed_get_bytes", fixed.get_bytes(data));
    report_result("fixed_get_owned", fixed.get_owned(data));
    report_result("fixed_read_into", fixed.read_into(data, &mut big));
    let raw = f.raw.as_mut().unwrap();
    let rawv = raw.get_owned(data);
    report_result("raw", rawv.clone());
    report_result("raw_get", raw.get(data));
    report_result("raw_read_into", raw.read_into(data, &mut big));
    report_result("u32_as_u8", f.u32_as_u8.as_ref().unwrap().get(data));
    report_result("set_u32_as_u8", f.u32_as_u8.as_ref().unwrap().set(data, 1));
    report_result("late_get", f.late.as_ref().unwrap().get(data));
    report_result("late_set", f.late.as_ref().unwrap().set(data, 1));
    let b = get(&f.b).transpose()?.unwrap_or_default();
    f.out_b.as_ref().unwrap().set(data, !b)?;
    f.out_i8
        .as_ref()
        .unwrap()
        .set(data, f.i8.as_ref().unwrap().get(data)?.wrapping_neg())?;
    f.out_u32
        .as_ref()
        .unwrap()
        .set(data, u32v?.wrapping_add(1))?;
    f.out_f64.as_ref().unwrap().set(data, f64v? * 2.0)?;
    let out_s = f.out_s.as_mut().unwrap();
    out_s.set(data, &sv?.to_uppercase())?;
    report_result("out_s_readback", out_s.get(data));
    report_result(
        "out_s_set_fmt",
        out_s.set_fmt(data, format_args!("{}-{}", "fmt", 7)),
    );
    report_result("out_s_fmt_readback", out_s.get(data));
    let mut reversed = rawv?;
    reversed.reverse();
    let out_raw = f.out_raw.as_mut().unwrap();
    out_raw.set(data, &reversed)?;
    report_result("out_raw_readback", out_raw.get(data));
    report_result("out_s_set_bytes", out_s.set_bytes(data, b"\xffRAW"));
    report_result("out_s_lossy", out_s.get(data));
    report_result("out_s_lossy_bytes", out_s.get_bytes(data));
    report_result("out_s_lossy_owned", out_s.get_owned(data));
    report("buffer_str", gadget_api::buffer_str(b"ab\0cd"));
    Ok(())
}

fn init_arrays(s: &mut State) -> Result<()> {
    let ds = DataSource::get("arr")?;
    s.f.n = Some(ds.field("n")?);
    s.f.name = Some(ds.field("name")?);
    ds.subscribe(SubscriptionKind::Array, 0, 2)?;
    ds.subscribe(SubscriptionKind::Data, 1, 3)
}

fn on_array(s: &mut State, array: DataArray<'_>) -> Result<()> {
    let n = s.f.n.as_ref().unwrap();
    report("len", array.len());
    report("is_empty", array.is_empty());
    let values: Vec<u32> = array.iter().map(|d| n.get(d)).collect::<Result<_>>()?;
    report("values", &values);
    let name = s.f.name.as_mut().unwrap();
    let mut names = Vec::new();
    for d in array {
        names.push(name.get(d)?.to_owned());
    }
    report("names", &names);
    report("get_past_end", array.get(array.len()).is_some());
    report("get_too_far", array.get(40_000).is_some());
    report("raw_nonzero", array.as_raw() != 0);
    let added: Element<'_> = array.new_element()?;
    n.set(added.data(), 99)?;
    report_result("append", added.append());
    let dropped = array.new_element()?;
    n.set(dropped.data(), 1000)?;
    drop(dropped); // released, never in the array
    report("len_after", array.len());
    Ok(())
}

fn on_element(s: &mut State, data: Data<'_>) -> Result<()> {
    report_result("element_n", s.f.n.as_ref().unwrap().get(data));
    report("element_raw_nonzero", data.as_raw() != 0);
    Ok(())
}

fn init_packets(s: &mut State) -> Result<()> {
    let events = DataSource::get("events")?;
    s.f.u32 = Some(events.field("u32")?);
    events.subscribe(SubscriptionKind::Packet, 0, 4)?;
    let out = DataSource::new("out", DataSourceType::Single)?;
    s.out_v = Some(out.add_field("v")?);
    let outarr = DataSource::new("outarr", DataSourceType::Array)?;
    s.outarr_v = Some(outarr.add_field("v")?);
    report_result("out_is_referenced", out.is_referenced());
    s.out = Some(out);
    s.outarr = Some(outarr);
    let consumed = DataSource::get("consumed")?;
    report_result("unreference", consumed.unreference());
    report_result("consumed_is_referenced", consumed.is_referenced());
    report_result(
        "get_consumed",
        DataSource::get("consumed").map(|d| d.name().to_owned()),
    );
    report_result("get_missing", DataSource::get("missing").map(|_| ()));
    Ok(())
}

fn on_packet(s: &mut State, packet: Packet<'_>) -> Result<()> {
    report("packet_raw_nonzero", packet.as_raw() != 0);
    report_result("packet_u32", s.f.u32.as_ref().unwrap().get(packet.data()));
    report("packet_as_array_len", packet.array().len());
    Ok(())
}

fn start_packets(s: &mut State) -> Result<()> {
    let (out, v) = (s.out.as_ref().unwrap(), s.out_v.as_ref().unwrap());
    let p = out.new_packet_single()?;
    v.set(p.data(), 1)?;
    report_result("emit", p.emit());
    let p = out.new_packet_single()?;
    v.set(p.data(), 2)?;
    report_result("release", p.release());
    let p = out.new_packet_single()?;
    v.set(p.data(), 3)?;
    drop(p); // released
    let (outarr, av) = (s.outarr.as_ref().unwrap(), s.outarr_v.as_ref().unwrap());
    let p = outarr.new_packet_array()?;
    for n in [10, 11] {
        let e = p.array().new_element()?;
        av.set(e.data(), n)?;
        e.append()?;
    }
    report("array_packet_len", p.array().len());
    report_result("emit_array", p.emit());
    let p = outarr.new_packet_array()?;
    report_result("release_array", p.release());
    report_result("single_on_array", outarr.new_packet_single().map(|_| ()));
    report_result("array_on_single", out.new_packet_array().map(|_| ()));
    Ok(())
}

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct Pair {
    a: u32,
    b: u32,
}

fn start_maps() -> Result<()> {
    let hash = Map::get("hash")?;
    report("hash_name", hash.name());
    report("hash_raw_nonzero", hash.as_raw() != 0);
    let counts = hash.typed::<u32, u64>();
    report_result("insert", counts.insert(&1, &100));
    report_result("get_1", counts.get(&1));
    report_result("get_2", counts.get(&2));
    report_result(
        "noexist_on_existing",
        counts.update(&1, &5, UpdateFlags::NoExist),
    );
    report_result(
        "exist_on_missing",
        counts.update(&2, &7, UpdateFlags::Exist),
    );
    report_result(
        "exist_on_existing",
        counts.update(&1, &6, UpdateFlags::Exist),
    );
    report_result("get_1_after", counts.get(&1));
    report_result("insert_pattern", counts.insert(&3, &0xA5A5_A5A5_A5A5_A5A5));
    report_result("get_pattern", counts.get(&3));
    report_result("remove", counts.remove(&1));
    report_result("remove_again", counts.remove(&1));
    report_result("wrong_key_size", counts.as_map().lookup::<u64, u64>(&1));
    let hash = counts.into_map();
    let mut value = [0u8; 8];
    report_result(
        "lookup_raw",
        hash.lookup_raw(&3u32.to_le_bytes(), &mut value)
            .map(|found| (found, value)),
    );
    report_result(
        "update_raw",
        hash.update_raw(&4u32.to_le_bytes(), &9u64.to_le_bytes(), UpdateFlags::Any),
    );
    report_result("delete_raw", hash.delete_raw(&4u32.to_le_bytes()));
    report_result("delete", hash.delete(&3u32));
    report_result("update", hash.update(&5u32, &50u64, UpdateFlags::Any));
    report_result("lookup", hash.lookup::<u32, u64>(&5));
    report_result("close_borrowed", hash.close());

    let array = Map::get("array")?;
    report_result(
        "array_update",
        array.update(&0u32, &Pair { a: 1, b: 2 }, UpdateFlags::Any),
    );
    report_result(
        "array_lookup",
        array.lookup::<u32, Pair>(&0).map(|p| p.map(|p| (p.a, p.b))),
    );

    let outer = Map::get("outer")?;
    let inner = outer.lookup_map(&1u32)?;
    report("inner_name", inner.name());
    report_result("inner_lookup", inner.lookup::<u32, u32>(&7));
    report_result(
        "update_map",
        outer.update_map(&2u32, &inner, UpdateFlags::Any),
    );
    let again = outer.lookup_map(&2u32)?;
    report_result("inner_via_2", again.lookup::<u32, u32>(&7));
    drop(again);
    drop(inner);

    let spec = MapSpec::new::<u32, u32>("created", MapType::HASH, 16);
    let created = Map::create(&spec)?;
    report_result(
        "created_update",
        created.update(&1u32, &2u32, UpdateFlags::Any),
    );
    report_result("created_lookup", created.lookup::<u32, u32>(&1));
    report_result("created_close", created.close());
    let bad = MapSpec {
        name: "bad".into(),
        map_type: MapType::HASH_OF_MAPS,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
    };
    report_result("create_map_of_maps", Map::create(&bad).map(|_| ()));
    report_result("get_missing", Map::get("missing").map(|_| ()));

    let raw = Map::get("hash")?;
    let h = raw.as_raw();
    std::mem::forget(raw);
    // SAFETY: `h` is not used after this.
    report_result("release_handle", unsafe { handle::release(h) });
    // SAFETY: as above: a released number, only to see the error.
    report_result("release_handle_again", unsafe { handle::release(h) });

    let perf = Map::get("perf")?;
    let reader = PerfReader::new(&perf, 4096, true)?;
    report("reader_raw_nonzero", reader.as_raw() != 0);
    let mut sample = [0u8; 8];
    report_result("read_unpaused", reader.read(&mut sample));
    report_result("pause", reader.pause());
    let got = reader.read(&mut sample);
    report_result("read", got.map(|r| (r, sample)));
    report_result(
        "read_empty",
        reader.read(&mut sample).map(|r| r == PerfRead::Empty),
    );
    report_result("resume", reader.resume());
    report_result("close_reader", reader.close());
    let dropped = PerfReader::new(&perf, 4096, false)?;
    drop(dropped);
    report_result(
        "reader_on_hash",
        PerfReader::new(&Map::get("array")?, 4096, true).map(|_| ()),
    );
    Ok(())
}

fn run_misc() -> Result<()> {
    report_result("syscall_name_0", syscalls::name(0));
    report_result("syscall_name_59", syscalls::name(59));
    report_result("syscall_name_unknown", syscalls::name(0x7fff));
    report_result("syscall_id", syscalls::id("execve"));
    report_result("syscall_id_missing", syscalls::id("nope"));
    report_result("declaration", syscalls::declaration("openat"));
    report_result(
        "declaration_missing",
        syscalls::declaration("nope").map(|_| ()),
    );
    report(
        "kallsyms_present",
        gadget_api::kallsyms::symbol_exists("present_symbol"),
    );
    report(
        "kallsyms_absent",
        gadget_api::kallsyms::symbol_exists("absent_symbol"),
    );
    report("discard_1", gadget_api::filter::should_discard_mntns_id(1));
    report("discard_2", gadget_api::filter::should_discard_mntns_id(2));
    report_result(
        "config",
        gadget_api::config::set("programs.p.attach_to", "fsnotify_insert_event"),
    );
    report_result("param_str", params::get("str"));
    report_result("param_num", params::parse::<u32>("num"));
    report_result("param_num_bad", params::parse::<u32>("str"));
    report_result("param_or_missing", params::parse_or::<u32>("missing", 7));
    report_result("param_or_bad", params::parse_or::<u32>("str", 7));
    report_result("param_empty", params::get("empty"));
    report_result("param_missing", params::get("missing"));
    report_result("param_long", params::get("long").map(|v| v.len()));
    report_result("parse_value", params::parse_value::<bool>("k", "yes"));
    report("should_log_debug", logger::should_log(LogLevel::Debug));
    logger::log(LogLevel::Warn, "direct warning");
    log::debug!("debug {}", 1);
    log::trace!("trace {}", 2);
    log::error!("error {}", 3);
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn gadgetStart() -> i32 {
    let scenario = with_state(|s| s.scenario.clone());
    match scenario.as_str() {
        "packets" => status("gadgetStart", with_state(start_packets)),
        "maps" => status("gadgetStart", start_maps()),
        "misc" => status("gadgetStart", run_misc()),
        "panic" => {
            let v: Vec<u32> = Vec::new();
            let i = v.len() + 3;
            panic!("boom at index {i}");
        }
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn dataSourceCallback(id: i64, _ds: i32, handle: i32) {
    // SAFETY: ig passes a handle valid for this call, of the kind the
    // subscription asked for.
    let result = with_state(|s| unsafe {
        match id {
            1 => on_fields(s, Data::from_raw(handle as u32)),
            2 => on_array(s, DataArray::from_raw(handle as u32)),
            3 => on_element(s, Data::from_raw(handle as u32)),
            4 => on_packet(s, Packet::from_raw(handle as u32)),
            _ => Ok(()),
        }
    });
    if let Err(e) = result {
        log::error!("callback {id}: {e}");
    }
}
