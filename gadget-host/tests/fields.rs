//! Fields: scalar reads by size, the error pointer, buffer reads, writes and
//! their size rules, the kind-14 view, tags, data arrays and element handles.

mod common;

use common::*;
use gadget_host::{DataSourceSpec, ElementHandle, Event, FieldKind, Gadget, Host, Value};

const ERR: u32 = 0x3000;

fn host() -> Host {
    Host::builder()
        .datasource(
            DataSourceSpec::single("s")
                .field("u32", FieldKind::Uint32)
                .field("i8", FieldKind::Int8)
                .field("b", FieldKind::Bool)
                .field("f64", FieldKind::Float64)
                .field("s", FieldKind::String)
                .field_fixed("task", FieldKind::String, 8)
                .field_fixed("raw", FieldKind::Bytes, 4)
                .field("bytes", FieldKind::Bytes),
        )
        .datasource(DataSourceSpec::array("arr").field("v", FieldKind::Uint16))
        .build()
        .unwrap()
}

/// A gadget with a single packet on `s`; returns (gadget, ds, packet).
fn setup() -> (Gadget, i64, i64) {
    let mut g = load(&host(), "", "");
    let s = g.put(SCRATCH, b"s");
    let ds = g.ig("getDataSource", &[s]);
    let p = g.ig("dataSourceNewPacketSingle", &[ds]);
    (g, ds, p)
}

fn field(g: &mut Gadget, ds: i64, name: &str) -> i64 {
    let n = g.put(SCRATCH, name.as_bytes());
    let f = g.ig("dataSourceGetField", &[ds, n]);
    assert_ne!(f, 0, "{name}");
    f
}

/// fieldGetScalar with a zeroed error slot: (result, err).
fn scalar(g: &mut Gadget, f: i64, d: i64, kind: i64) -> (i64, u32) {
    g.put(ERR, &[0; 4]);
    let v = g.ig("fieldGetScalar", &[f, d, kind, i64::from(ERR)]);
    (v, g.u32_at(ERR))
}

#[test]
fn scalar_reads_check_size_not_kind() {
    let (mut g, ds, p) = setup();
    let f = field(&mut g, ds, "u32");
    assert_eq!(g.ig("fieldSet", &[f, p, 8, 0xFFFF_FFFE]), 0);
    assert_eq!(scalar(&mut g, f, p, 8), (0xFFFF_FFFE, 0), "uint32");
    assert_eq!(scalar(&mut g, f, p, 4), (-2, 0), "int32 is sign-extended");
    assert_eq!(scalar(&mut g, f, p, 10), (0xFFFF_FFFE, 0), "float32 bits");
    // a size mismatch: err = 1, result not 0 (the field handle)
    for kind in [1, 2, 3, 5, 6, 7, 9, 11, 12, 13, 14, 0, 15] {
        let (v, err) = scalar(&mut g, f, p, kind);
        assert_eq!(err, 1, "kind {kind}");
        assert_eq!(v, f, "kind {kind}: result slot keeps the field handle");
    }
    // success writes nothing at err_ptr
    g.put(ERR, &[7, 7, 7, 7]);
    g.ig("fieldGetScalar", &[f, p, 8, i64::from(ERR)]);
    assert_eq!(g.u32_at(ERR), 0x0707_0707);
    // err_ptr 0: no report
    assert_eq!(g.ig("fieldGetScalar", &[f, p, 1, 0]), f);
    // unknown handles
    assert_eq!(scalar(&mut g, 999, p, 8).1, 1);
    assert_eq!(scalar(&mut g, f, 999, 8).1, 1);
    assert_eq!(scalar(&mut g, ds, p, 8).1, 1, "wrong handle type");
}

#[test]
fn bool_sign_and_float_reads() {
    let (mut g, ds, p) = setup();
    let i8f = field(&mut g, ds, "i8");
    assert_eq!(
        g.ig("fieldSet", &[i8f, p, 2, 0x1_80]),
        0,
        "truncated to the width"
    );
    assert_eq!(scalar(&mut g, i8f, p, 2), (-128, 0));
    assert_eq!(scalar(&mut g, i8f, p, 6), (0x80, 0));
    let b = field(&mut g, ds, "b");
    assert_eq!(g.ig("fieldSet", &[b, p, 1, 5]), 0, "non-zero sets a bool");
    assert_eq!(scalar(&mut g, b, p, 1), (1, 0));
    assert_eq!(
        g.ig("fieldSet", &[b, p, 6, 2]),
        0,
        "a 1-byte kind writes the raw byte"
    );
    assert_eq!(
        scalar(&mut g, b, p, 1),
        (0, 0),
        "a bool reads 1 only if its byte is 1"
    );
    let f64f = field(&mut g, ds, "f64");
    assert_eq!(g.ig("fieldSet", &[f64f, p, 11, 2.5f64.to_bits() as i64]), 0);
    assert_eq!(scalar(&mut g, f64f, p, 11), (2.5f64.to_bits() as i64, 0));
    assert_eq!(
        g.ig("fieldSet", &[f64f, p, 8, 1]),
        1,
        "4-byte kind on an 8-byte field"
    );
}

#[test]
fn buffer_reads() {
    let (mut g, ds, p) = setup();
    let s = field(&mut g, ds, "s");
    let dst = bp(0x5000, 64);
    assert_eq!(
        g.ig("fieldGetBuffer", &[s, p, 12, dst]),
        0,
        "unset variable field"
    );
    let v = g.put(0x3100, b"hello");
    assert_eq!(g.ig("fieldSet", &[s, p, 12, v]), 0);
    assert_eq!(g.ig("fieldGetBuffer", &[s, p, 12, dst]), 5);
    assert_eq!(g.read_memory(0x5000, 5).unwrap(), b"hello");
    assert_eq!(g.ig("fieldGetBuffer", &[s, p, 14, dst]), 5);
    assert_eq!(
        g.ig("fieldGetBuffer", &[s, p, 13, dst]),
        -1,
        "cstring kind rejected"
    );
    assert_eq!(g.ig("fieldGetBuffer", &[s, p, 8, dst]), -1);
    assert_eq!(
        g.ig("fieldGetBuffer", &[s, p, 12, bp(0x5000, 4)]),
        -1,
        "too small"
    );
    // raw bytes of a scalar field
    let u = field(&mut g, ds, "u32");
    g.ig("fieldSet", &[u, p, 8, 0x0403_0201]);
    assert_eq!(g.ig("fieldGetBuffer", &[u, p, 14, dst]), 4);
    assert_eq!(g.read_memory(0x5000, 4).unwrap(), [1, 2, 3, 4]);
    // fixed-size string keeps its trailing NULs
    let task = field(&mut g, ds, "task");
    let v = g.put(0x3100, b"sh");
    assert_eq!(g.ig("fieldSet", &[task, p, 12, v]), 0);
    assert_eq!(g.ig("fieldGetBuffer", &[task, p, 12, dst]), 8);
    assert_eq!(g.read_memory(0x5000, 8).unwrap(), b"sh\0\0\0\0\0\0");
}

#[test]
fn set_size_rules() {
    let (mut g, ds, p) = setup();
    let task = field(&mut g, ds, "task");
    let raw = field(&mut g, ds, "raw");
    let long = g.put(0x3100, b"123456789");
    assert_eq!(
        g.ig("fieldSet", &[task, p, 12, long]),
        1,
        "longer than a fixed field"
    );
    let exact = g.put(0x3100, b"12345678");
    assert_eq!(g.ig("fieldSet", &[task, p, 14, exact]), 0);
    let short = g.put(0x3100, b"ab");
    assert_eq!(
        g.ig("fieldSet", &[raw, p, 14, short]),
        1,
        "shorter into fixed bytes"
    );
    let four = g.put(0x3100, b"abcd");
    assert_eq!(g.ig("fieldSet", &[raw, p, 12, four]), 0);
    assert_eq!(g.ig("fieldSet", &[raw, p, 13, four]), 1, "kind 13 rejected");
    assert_eq!(g.ig("fieldSet", &[raw, p, 0, four]), 1);
    assert_eq!(g.ig("fieldSet", &[raw, p, 15, four]), 1);
    assert_eq!(
        g.ig("fieldSet", &[raw, p, 8, 1]),
        0,
        "a 4-byte bytes field takes a 4-byte scalar"
    );
    let u = field(&mut g, ds, "u32");
    assert_eq!(g.ig("fieldSet", &[u, p, 9, 1]), 1);
    // variable-size scalar via added field kinds: an unset variable field has length 0
    let s = field(&mut g, ds, "s");
    assert_eq!(g.ig("fieldSet", &[s, p, 8, 1]), 1);
    let four = g.put(0x3100, b"wxyz");
    assert_eq!(g.ig("fieldSet", &[s, p, 12, four]), 0);
    assert_eq!(
        scalar(&mut g, s, p, 8),
        (i64::from(u32::from_le_bytes(*b"wxyz")), 0),
        "a 4-byte variable field reads as u32"
    );
    assert_eq!(
        g.ig("fieldSet", &[s, p, 12, bp(0x7fff_0000, 4)]),
        1,
        "value outside memory"
    );
}

#[test]
fn kind_14_keeps_a_view_of_guest_memory_until_consumed() {
    let mut g = load(&host(), "", "");
    let s = g.put(SCRATCH, b"s");
    let ds = g.ig("getDataSource", &[s]);
    let bytes = field(&mut g, ds, "bytes");
    let sf = field(&mut g, ds, "s");
    let p = g.ig("dataSourceNewPacketSingle", &[ds]);
    let v = g.put(0x3100, b"first");
    assert_eq!(g.ig("fieldSet", &[bytes, p, 14, v]), 0);
    assert_eq!(g.ig("fieldSet", &[sf, p, 12, v]), 0, "kind 12 copies");
    g.put(0x3100, b"SECON");
    let dst = bp(0x5000, 16);
    assert_eq!(g.ig("fieldGetBuffer", &[bytes, p, 14, dst]), 5);
    assert_eq!(
        g.read_memory(0x5000, 5).unwrap(),
        b"SECON",
        "the field aliases the guest buffer"
    );
    assert_eq!(g.ig("fieldGetBuffer", &[sf, p, 12, dst]), 5);
    assert_eq!(g.read_memory(0x5000, 5).unwrap(), b"first");
    assert_eq!(g.ig("dataSourceEmitAndRelease", &[ds, p]), 0);
    g.put(0x3100, b"third");
    let ev = g.emitted_events("s")[0];
    assert_eq!(
        ev.get("bytes"),
        Some(&Value::Bytes(b"SECON".to_vec())),
        "snapshot when consumed"
    );
    assert_eq!(ev.get("s"), Some(&Value::from("first")));
}

#[test]
fn tags() {
    let (mut g, ds, _) = setup();
    let f = field(&mut g, ds, "u32");
    let t = g.put(0x3100, b"columns.width:10");
    assert_eq!(g.ig("fieldAddTag", &[f, t]), 0);
    assert_eq!(g.ig("fieldAddTag", &[ds, t]), 1);
    assert_eq!(g.ig("fieldAddTag", &[f, bp(0x7fff_fff0, 100)]), 1);
    let info = g.datasource("s").unwrap();
    assert_eq!(info.fields[0].tags, ["columns.width:10"]);
}

#[test]
fn element_handles_encode_and_work_only_with_field_calls() {
    let mut g = load(&host(), "", "");
    let a = g.put(SCRATCH, b"arr");
    let ds = g.ig("getDataSource", &[a]);
    let v = field(&mut g, ds, "v");
    let arr = g.ig("dataSourceNewPacketArray", &[ds]);
    for x in [11, 22] {
        let e = g.ig("dataArrayNew", &[arr]);
        g.ig("fieldSet", &[v, e, 7, x]);
        g.ig("dataArrayAppend", &[arr, e]);
    }
    let el = g.ig("dataArrayGet", &[arr, 1]) as u32;
    assert_eq!(el, ElementHandle::encode(arr as u32, 1));
    assert_eq!(el, 0x8000_0000 | (1 << 16) | arr as u32);
    assert_eq!(g.ig("dataArrayGet", &[arr, 2]), 0, "out of range");
    assert_eq!(g.ig("dataArrayGet", &[arr, -1]), 0);
    assert_eq!(g.ig("dataArrayGet", &[arr, 40000]), 0);
    assert_eq!(scalar(&mut g, v, i64::from(el), 7), (22, 0));
    assert_eq!(g.ig("fieldSet", &[v, i64::from(el), 7, 33]), 0);
    assert_eq!(
        g.ig("fieldGetBuffer", &[v, i64::from(el), 14, bp(0x5000, 2)]),
        2
    );
    assert_eq!(g.read_memory(0x5000, 2).unwrap(), 33u16.to_le_bytes());
    // every other function fails on element handles
    assert_eq!(g.ig("releaseHandle", &[i64::from(el)]), 1);
    assert_eq!(g.ig("dataArrayLen", &[i64::from(el)]), 0);
    assert_eq!(g.ig("dataSourceRelease", &[ds, i64::from(el)]), 1);
    assert_eq!(g.ig("dataArrayRelease", &[arr, i64::from(el)]), 1);
    assert_eq!(g.ig("dataArrayLen", &[arr]), 2);
    assert_eq!(g.ig("dataArrayLen", &[ds]), 0, "not an array");
}

#[test]
fn element_handles_break_above_0xffff_like_ig() {
    let mut g = load(&host(), "", "");
    let a = g.put(SCRATCH, b"arr");
    let ds = g.ig("getDataSource", &[a]);
    let v = field(&mut g, ds, "v");
    g.set_next_handle(0x1_0005);
    let arr = g.ig("dataSourceNewPacketArray", &[ds]);
    assert_eq!(arr, 0x1_0005);
    let e = g.ig("dataArrayNew", &[arr]);
    g.ig("dataArrayAppend", &[arr, e]);
    let el = g.ig("dataArrayGet", &[arr, 0]);
    // decodes to array 0x0005, not ours: the field call fails
    assert_eq!(ElementHandle::decode(el as u32).unwrap().array, 5);
    assert_eq!(scalar(&mut g, v, el, 7).1, 1);
}

#[test]
fn push_values_convert_and_fixed_text_pads() {
    let mut g = load(&host(), "", "");
    g.push(
        "s",
        Event::new()
            .set("u32", 7)
            .set("task", "bash")
            .set("f64", 1.5f32)
            .set("raw", [1u8, 2, 3, 4])
            .set("b", true),
    )
    .unwrap();
    let ev = g.emitted_events("s")[0].clone();
    assert_eq!(ev.get("u32"), Some(&Value::U32(7)));
    assert_eq!(ev.get("task"), Some(&Value::from("bash")));
    assert_eq!(ev.get("f64"), Some(&Value::F64(1.5)));
    assert_eq!(ev.get("raw"), Some(&Value::Bytes(vec![1, 2, 3, 4])));
    assert_eq!(ev.get("b"), Some(&Value::Bool(true)));
    assert_eq!(ev.get("s"), Some(&Value::from("")));
    assert!(
        g.push("s", Event::new().set("raw", vec![1u8])).is_err(),
        "fixed bytes must match"
    );
    assert!(
        g.push("s", Event::new().set("task", "123456789")).is_err(),
        "too long"
    );
}
