//! eBPF maps (incl. map-of-maps and update flags) and perf readers.

mod common;

use common::*;
use gadget_host::{Gadget, Host, HostError, MapSpec, PerfRecord, PerfWhen};

fn host() -> Host {
    Host::builder()
        .map(MapSpec::hash("counts", 4, 8, 2))
        .map(MapSpec::array("arr", 4, 3))
        .map(MapSpec::perf_event_array("events"))
        .map(MapSpec::hash_of_maps(
            "hom",
            4,
            4,
            MapSpec::hash("", 4, 4, 8),
        ))
        .map(MapSpec::array_of_maps("aom", 2, MapSpec::hash("", 4, 4, 8)))
        .build()
        .unwrap()
}

fn started() -> Gadget {
    let mut g = load(&host(), "", "");
    g.run_to_started().unwrap();
    g
}

fn get_map(g: &mut Gadget, name: &str) -> i64 {
    let n = g.put(SCRATCH, name.as_bytes());
    let m = g.ig("getMap", &[n]);
    assert_ne!(m, 0, "{name}");
    m
}

#[test]
fn get_map_only_from_start_and_new_handle_each_time() {
    let mut g = load(&host(), "", "");
    let n = g.put(SCRATCH, b"counts");
    g.init().unwrap();
    assert_eq!(g.ig("getMap", &[n]), 0, "no maps in gadgetInit");
    g.pre_start().unwrap();
    assert_eq!(g.ig("getMap", &[n]), 0, "nor in gadgetPreStart");
    g.start().unwrap();
    let a = g.ig("getMap", &[n]);
    let b = g.ig("getMap", &[n]);
    assert!(a != 0 && b != 0 && a != b);
    let unknown = g.put(SCRATCH, b"nope");
    assert_eq!(g.ig("getMap", &[unknown]), 0);
    assert_eq!(g.ig("releaseHandle", &[a]), 0);
    assert_eq!(g.ig("releaseHandle", &[a]), 1);
    assert_eq!(
        g.ig("mapRelease", &[b]),
        1,
        "mapRelease only for newMap maps"
    );
}

#[test]
fn hash_lookup_update_delete_and_flags() {
    let mut g = started();
    let m = get_map(&mut g, "counts");
    let key = g.put(0x3000, &1u32.to_le_bytes());
    let val = g.put(0x3010, &77u64.to_le_bytes());
    let out = bp(0x3100, 8);
    // missing key: 0 and nothing written
    g.put(0x3100, &[0xAA; 8]);
    assert_eq!(g.ig("mapLookup", &[m, key, out]), 0);
    assert_eq!(g.read_memory(0x3100, 8).unwrap(), [0xAA; 8]);
    assert_eq!(
        g.ig("mapUpdate", &[m, key, val, 2]),
        1,
        "EXIST on a missing key"
    );
    assert_eq!(
        g.ig("mapUpdate", &[m, key, val, 1]),
        0,
        "NOEXIST on a missing key"
    );
    assert_eq!(
        g.ig("mapUpdate", &[m, key, val, 1]),
        1,
        "NOEXIST on an existing key"
    );
    assert_eq!(g.ig("mapUpdate", &[m, key, val, 2]), 0);
    assert_eq!(g.ig("mapUpdate", &[m, key, val, 4]), 0, "lock passes");
    assert_eq!(
        g.ig("mapUpdate", &[m, key, val, 3]),
        1,
        "3 fails in the kernel"
    );
    assert_eq!(g.ig("mapUpdate", &[m, key, val, 5]), 1, "above 4 rejected");
    assert_eq!(g.ig("mapUpdate", &[m, key, val, 1 << 40]), 1);
    assert_eq!(g.ig("mapLookup", &[m, key, out]), 0);
    assert_eq!(g.read_memory(0x3100, 8).unwrap(), 77u64.to_le_bytes());
    assert_eq!(
        g.map("counts").unwrap().get(&1u32.to_le_bytes()),
        Some(77u64.to_le_bytes().to_vec())
    );
    // sizes
    assert_eq!(g.ig("mapLookup", &[m, bp(0x3000, 3), out]), 1, "short key");
    assert_eq!(
        g.ig("mapLookup", &[m, key, bp(0x3100, 7)]),
        1,
        "value buffer too small"
    );
    assert_eq!(
        g.ig("mapLookup", &[m, key, bp(0x3100, 16)]),
        0,
        "larger value buffer is fine"
    );
    assert_eq!(
        g.ig("mapUpdate", &[m, key, bp(0x3010, 4), 0]),
        1,
        "wrong value size"
    );
    // capacity 2
    let k2 = g.put(0x3020, &2u32.to_le_bytes());
    let k3 = g.put(0x3030, &3u32.to_le_bytes());
    assert_eq!(g.ig("mapUpdate", &[m, k2, val, 0]), 0);
    assert_eq!(g.ig("mapUpdate", &[m, k3, val, 0]), 1, "full");
    assert_eq!(g.ig("mapDelete", &[m, k2]), 0);
    assert_eq!(g.ig("mapDelete", &[m, k2]), 1, "missing");
    assert_eq!(g.map("counts").unwrap().len(), 1);
    // test side writes are visible to the guest
    g.map_update("counts", &9u32.to_le_bytes(), &5u64.to_le_bytes())
        .unwrap();
    let k9 = g.put(0x3040, &9u32.to_le_bytes());
    assert_eq!(g.ig("mapLookup", &[m, k9, out]), 0);
    assert_eq!(g.read_memory(0x3100, 8).unwrap(), 5u64.to_le_bytes());
    assert!(matches!(
        g.map_update("nope", &[], &[]),
        Err(HostError::UnknownMap { .. })
    ));
}

#[test]
fn array_maps() {
    let mut g = started();
    let m = get_map(&mut g, "arr");
    let k1 = g.put(0x3000, &1u32.to_le_bytes());
    let k5 = g.put(0x3004, &5u32.to_le_bytes());
    let v = g.put(0x3010, &[1, 2, 3, 4]);
    let out = bp(0x3100, 4);
    g.put(0x3100, &[9; 4]);
    assert_eq!(g.ig("mapLookup", &[m, k1, out]), 0);
    assert_eq!(
        g.read_memory(0x3100, 4).unwrap(),
        [0; 4],
        "array elements exist, zeroed"
    );
    assert_eq!(g.ig("mapUpdate", &[m, k1, v, 1]), 1, "NOEXIST on an array");
    assert_eq!(g.ig("mapUpdate", &[m, k1, v, 2]), 0);
    assert_eq!(g.ig("mapUpdate", &[m, k5, v, 0]), 1, "out of range");
    assert_eq!(
        g.ig("mapDelete", &[m, k1]),
        1,
        "array elements cannot be deleted"
    );
}

#[test]
fn new_map_rules_and_release() {
    let mut g = started();
    let n = g.put(SCRATCH, b"mine");
    assert_eq!(g.ig("newMap", &[n, 34, 4, 4, 1]), 0, "types above 33 fail");
    assert_eq!(g.ig("newMap", &[n, 12, 4, 4, 1]), 0, "array of maps fails");
    assert_eq!(g.ig("newMap", &[n, 13, 4, 4, 1]), 0, "hash of maps fails");
    assert_eq!(
        g.ig("newMap", &[n, 2, 8, 4, 1]),
        0,
        "array needs 4-byte keys"
    );
    let m = g.ig("newMap", &[n, 1, 4, 4, 4]);
    assert_ne!(m, 0);
    let k = g.put(0x3000, &[1, 0, 0, 0]);
    let v = g.put(0x3010, &[2, 0, 0, 0]);
    assert_eq!(g.ig("mapUpdate", &[m, k, v, 0]), 0);
    assert_eq!(g.open_guest_maps(), ["mine"]);
    assert_eq!(g.ig("mapRelease", &[m]), 0);
    assert_eq!(g.ig("mapRelease", &[m]), 1);
    assert!(g.open_guest_maps().is_empty());
    // releaseHandle only forgets: the map leaks
    let leak = g.ig("newMap", &[n, 1, 4, 4, 4]);
    assert_eq!(g.ig("releaseHandle", &[leak]), 0);
    assert_eq!(g.open_guest_maps(), ["mine"]);
    // fd maps are refused
    let ev = get_map(&mut g, "events");
    assert_eq!(g.ig("mapLookup", &[ev, k, bp(0x3100, 4)]), 1);
    assert_eq!(g.ig("mapUpdate", &[ev, k, v, 0]), 1);
    assert_eq!(g.ig("mapDelete", &[ev, k]), 1);
}

#[test]
fn map_of_maps() {
    let mut g = started();
    g.map_insert_inner("hom", &7u32.to_le_bytes()).unwrap();
    g.inner_map_update(
        "hom",
        &7u32.to_le_bytes(),
        &1u32.to_le_bytes(),
        &42u32.to_le_bytes(),
    )
    .unwrap();
    let hom = get_map(&mut g, "hom");
    let k7 = g.put(0x3000, &7u32.to_le_bytes());
    let out = bp(0x3100, 4);
    assert_eq!(g.ig("mapLookup", &[hom, k7, out]), 0);
    let inner = i64::from(g.u32_at(0x3100));
    assert_ne!(inner, 0, "a new inner-map handle");
    assert_eq!(g.ig("mapLookup", &[hom, k7, out]), 0);
    assert_ne!(
        i64::from(g.u32_at(0x3100)),
        inner,
        "every lookup takes a new handle"
    );
    let k1 = g.put(0x3010, &1u32.to_le_bytes());
    assert_eq!(g.ig("mapLookup", &[inner, k1, bp(0x3200, 4)]), 0);
    assert_eq!(g.u32_at(0x3200), 42);
    // missing key traps
    let k8 = g.put(0x3020, &8u32.to_le_bytes());
    let err = g.call_export("t.mapLookup", &[hom, k8, out]).unwrap_err();
    assert!(err.to_string().contains("map-of-maps `hom`"), "{err}");
    // update with an inner handle of the right shape
    let name = g.put(SCRATCH, b"newinner");
    let fresh = g.ig("newMap", &[name, 1, 4, 4, 8]);
    let hv = g.put(0x3030, &(fresh as u32).to_le_bytes());
    assert_eq!(g.ig("mapUpdate", &[hom, k8, hv, 0]), 0);
    assert_eq!(g.map("hom").unwrap().keys().len(), 2);
    let wrong = g.ig("newMap", &[name, 1, 4, 8, 8]);
    let wv = g.put(0x3030, &(wrong as u32).to_le_bytes());
    assert_eq!(
        g.ig("mapUpdate", &[hom, k8, wv, 0]),
        1,
        "inner map of another shape"
    );
    let bogus = g.put(0x3030, &12345u32.to_le_bytes());
    assert_eq!(
        g.ig("mapUpdate", &[hom, k8, bogus, 0]),
        1,
        "not a map handle"
    );
    let err = g
        .call_export("t.mapUpdate", &[hom, k8, bp(0x3030, 2), 0])
        .unwrap_err();
    assert!(err.to_string().contains("4-byte"), "{err}");
}

#[test]
fn array_of_maps_missing_key_traps() {
    let mut g = started();
    let aom = get_map(&mut g, "aom");
    let k0 = g.put(0x3000, &0u32.to_le_bytes());
    assert!(
        g.call_export("t.mapLookup", &[aom, k0, bp(0x3100, 4)])
            .is_err()
    );
}

#[test]
fn perf_readers() {
    let mut g = started();
    let ev = get_map(&mut g, "events");
    assert_eq!(
        g.ig("newPerfReader", &[4242, 4096, 0]),
        1,
        "ig's bug: unknown map handle gives 1"
    );
    let counts = get_map(&mut g, "counts");
    assert_eq!(
        g.ig("newPerfReader", &[counts, 4096, 0]),
        0,
        "not a perf event array"
    );
    g.push_perf_record("events", 0, b"lost".to_vec()).unwrap();
    assert_eq!(
        g.map("events").unwrap().lost_perf_records(),
        1,
        "no reader yet: lost, as in ig"
    );
    let r = g.ig("newPerfReader", &[ev, 4096, 0]);
    assert!(r > 1);
    g.push_perf_record("events", 0, b"abc".to_vec()).unwrap();
    g.push_perf_lost("events", 1, 3).unwrap();
    g.push_perf_record("events", 1, vec![7; 32]).unwrap();
    let dst = bp(0x3000, 16);
    g.put(0x3000, &[0; 16]);
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 4).unwrap(), b"abc\0");
    g.put(0x3000, &[0; 16]);
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 0, "lost samples");
    assert_eq!(g.read_memory(0x3000, 4).unwrap(), [0; 4], "nothing written");
    assert_eq!(
        g.ig("perfReaderRead", &[r, dst]),
        1,
        "record longer than dst is an error"
    );
    assert_eq!(
        g.map("events").unwrap().pending_perf_records(),
        0,
        "and lost"
    );
    assert_eq!(g.ig("perfReaderPause", &[r]), 0);
    assert_eq!(g.ig("perfReaderResume", &[r]), 0);
    assert_eq!(g.ig("perfReaderClose", &[r]), 0);
    assert_eq!(g.ig("perfReaderClose", &[r]), 1);
    assert_eq!(g.ig("perfReaderPause", &[r]), 1);
}

#[test]
fn overwritable_reader_must_be_paused_and_returns_2_when_empty() {
    let mut g = started();
    let ev = get_map(&mut g, "events");
    let r = g.ig("newPerfReader", &[ev, 4096, 1]);
    let dst = bp(0x3000, 16);
    g.push_perf_record("events", 0, b"x".to_vec()).unwrap();
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 1, "not paused");
    assert_eq!(g.ig("perfReaderPause", &[r]), 0);
    g.push_perf_record("events", 0, b"y".to_vec()).unwrap();
    assert_eq!(
        g.map("events").unwrap().lost_perf_records(),
        1,
        "paused: lost"
    );
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 1).unwrap(), b"x");
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 2, "nothing to read");
}

#[test]
fn blocking_read_is_reported_as_a_hazard_not_a_hang() {
    let mut g = started();
    let ev = get_map(&mut g, "events");
    let r = g.ig("newPerfReader", &[ev, 4096, 0]);
    let err = g
        .call_export("t.perfReaderRead", &[r, bp(0x3000, 16)])
        .unwrap_err();
    assert!(
        matches!(
            err,
            HostError::Hazard(gadget_host::Hazard::PerfReadBlocks { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("block forever"), "{err}");
}

fn sample(data: &[u8]) -> PerfRecord {
    PerfRecord::Sample {
        cpu: 0,
        data: data.to_vec(),
    }
}

#[test]
fn perf_records_at_reader_creation_and_at_the_next_log_into_new_maps_by_name() {
    let mut g = started();
    // `dyn` does not exist yet: the gadget creates it with newMap.
    g.schedule_perf("dyn", PerfWhen::ReaderCreated, sample(b"first"))
        .unwrap();
    g.schedule_perf("dyn", PerfWhen::NextLog, sample(b"second"))
        .unwrap();
    assert_eq!(g.scheduled_perf_records(), 2);
    let name = g.put(SCRATCH, b"dyn");
    let m = g.ig("newMap", &[name, 4, 4, 4, 0]);
    assert_ne!(m, 0);
    let r = g.ig("newPerfReader", &[m, 4096, 0]);
    assert!(r > 1);
    assert_eq!(g.scheduled_perf_records(), 1, "written at reader creation");
    assert_eq!(g.map("dyn").unwrap().pending_perf_records(), 1);
    let msg = g.put(0x2000, b"hello");
    g.ig("gadgetLog", &[2, msg]);
    assert_eq!(g.scheduled_perf_records(), 0, "written at the log call");
    let dst = bp(0x3000, 16);
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 5).unwrap(), b"first");
    assert_eq!(g.ig("perfReaderRead", &[r, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 6).unwrap(), b"second");
    // A declared map that is no perf event array is refused.
    let err = g
        .schedule_perf("counts", PerfWhen::NextLog, sample(b"x"))
        .unwrap_err();
    assert!(err.to_string().contains("not a perf event array"), "{err}");
}

#[test]
fn maps_hold_their_declared_entries() {
    let host = Host::builder()
        .possible_cpus(2)
        .map(MapSpec::hash("counts", 4, 8, 4).entry(1u32.to_le_bytes(), 5u64.to_le_bytes()))
        .map(MapSpec::new("percpu", 6, 4, 4, 1).entry(
            0u32.to_le_bytes(),
            [1u8, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
        ))
        .map(
            MapSpec::hash_of_maps("hom", 4, 4, MapSpec::hash("", 4, 4, 8)).inner_entry(
                7u32.to_le_bytes(),
                vec![(1u32.to_le_bytes().to_vec(), 2u32.to_le_bytes().to_vec())],
            ),
        )
        .build()
        .unwrap();
    let g = load(&host, "", "");
    let counts = g.map("counts").unwrap();
    assert_eq!(
        counts.get(&1u32.to_le_bytes()),
        Some(5u64.to_le_bytes().to_vec())
    );
    assert_eq!(
        g.map("percpu")
            .unwrap()
            .get(&0u32.to_le_bytes())
            .unwrap()
            .len(),
        16
    );
    let inner = g.map("hom").unwrap().inner(&7u32.to_le_bytes()).unwrap();
    assert_eq!(
        inner.get(&1u32.to_le_bytes()),
        Some(2u32.to_le_bytes().to_vec())
    );

    // Wrong sizes and shapes are refused, naming the map and the entry.
    for (spec, want) in [
        (
            MapSpec::hash("h", 4, 8, 4).entry([1u8, 0, 0, 0], [1u8]),
            "map `h`: entry 01000000: the value has 1 bytes, the map's values have 8",
        ),
        (
            MapSpec::hash("h", 4, 8, 4).entry([1u8], [0u8; 8]),
            "map `h`: entry 01: ",
        ),
        (MapSpec::hash("h", 4, 8, 0), "map `h`: give `max_entries`"),
        (
            MapSpec::hash_of_maps("m", 4, 4, MapSpec::hash("", 4, 4, 8))
                .entry([1u8, 0, 0, 0], [0u8; 4]),
            "an entry of a map-of-maps is an inner map",
        ),
    ] {
        let err = Host::builder().map(spec).build().unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
}
