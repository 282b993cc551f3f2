//! Log, params, config, syscalls, kallsyms and the mount-namespace filter.

mod common;

use common::*;
use gadget_host::{Host, LogLevel, LogSource, SyscallDecl, SyscallParam};

#[test]
fn log_levels_and_should_log() {
    let mut g = load(
        &Host::builder().log_level(LogLevel::Info).build().unwrap(),
        "",
        "",
    );
    let msg = g.put(SCRATCH, b"hello");
    for level in [0, 1, 2, 3, 4, 9] {
        g.ig("gadgetLog", &[level, msg]);
    }
    let gadget: Vec<(LogLevel, String)> = g
        .gadget_logs()
        .iter()
        .map(|l| (l.level, l.message.clone()))
        .collect();
    assert_eq!(
        gadget,
        [
            (LogLevel::Error, "hello".into()),
            (LogLevel::Warn, "hello".into()),
            (LogLevel::Info, "hello".into()),
            (LogLevel::Warn, "unknown log level 9: hello".into()),
        ]
    );
    assert_eq!(g.ig("gadgetShouldLog", &[2]), 1);
    assert_eq!(g.ig("gadgetShouldLog", &[3]), 0);
    assert_eq!(g.ig("gadgetShouldLog", &[7]), 0);
    g.ig("gadgetLog", &[0, bp(0x7fff_0000, 8)]);
    assert!(
        g.logs()
            .iter()
            .any(|l| l.source == LogSource::Host && l.message.contains("gadgetLog"))
    );
    let mut g = load(
        &Host::builder().log_level(LogLevel::Trace).build().unwrap(),
        "",
        "",
    );
    assert_eq!(g.ig("gadgetShouldLog", &[4]), 1);
}

#[test]
fn params() {
    let host = Host::builder()
        .param("max_args", "20")
        .param("empty", "")
        .build()
        .unwrap();
    let mut g = load(&host, "", "");
    let key = g.put(SCRATCH, b"max_args");
    g.put(0x3000, &[0; 8]);
    assert_eq!(g.ig("getParamValue", &[key, bp(0x3000, 8)]), 0);
    assert_eq!(g.read_memory(0x3000, 8).unwrap(), b"20\0\0\0\0\0\0");
    assert_eq!(g.ig("getParamValue", &[key, bp(0x3000, 1)]), 1, "too small");
    let unknown = g.put(SCRATCH, b"nope");
    assert_eq!(g.ig("getParamValue", &[unknown, bp(0x3000, 8)]), 1);
    let empty = g.put(SCRATCH, b"empty");
    g.put(0x3000, &[9; 4]);
    assert_eq!(
        g.ig("getParamValue", &[empty, 0]),
        0,
        "empty value, empty buffer"
    );
    assert_eq!(g.ig("getParamValue", &[empty, bp(0x3000, 4)]), 0);
    assert_eq!(g.read_memory(0x3000, 4).unwrap(), [9; 4], "nothing written");
    assert_eq!(
        g.ig("getParamValue", &[key, bp(0x7fff_0000, 8)]),
        1,
        "dst outside memory"
    );
}

#[test]
fn set_config() {
    let mut g = load(
        &Host::builder().config("name", "x").build().unwrap(),
        "",
        "",
    );
    let k = g.put(0x3000, b"programs.p.attach_to");
    let v = g.put(0x3100, b"security_inode_create");
    assert_eq!(g.ig("setConfig", &[k, v, 14]), 1, "only kind 12");
    assert_eq!(g.ig("setConfig", &[k, v, 12]), 0);
    assert_eq!(
        g.config("programs.p.attach_to"),
        Some("security_inode_create")
    );
    assert_eq!(g.config("name"), Some("x"));
    let mut g = load(&Host::builder().no_config().build().unwrap(), "", "");
    let k = g.put(0x3000, b"a");
    assert_eq!(g.ig("setConfig", &[k, k, 12]), 1, "no configuration");
    assert_eq!(g.config_entries(), None);
}

#[test]
fn syscall_names_and_ids() {
    let mut g = plain();
    let dst = bp(0x3000, 32);
    g.put(0x3000, &[0; 32]);
    assert_eq!(g.ig("getSyscallName", &[59, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 7).unwrap(), b"execve\0");
    g.put(0x3000, &[0; 32]);
    assert_eq!(g.ig("getSyscallName", &[0x1_003B, dst]), 0, "low 16 bits");
    assert_eq!(g.read_memory(0x3000, 6).unwrap(), b"execve");
    g.put(0x3000, &[0; 32]);
    assert_eq!(g.ig("getSyscallName", &[0x7777, dst]), 0);
    assert_eq!(g.read_memory(0x3000, 13).unwrap(), b"syscall_7777\0");
    assert_eq!(g.ig("getSyscallName", &[59, bp(0x3000, 3)]), 1, "too small");
    let name = g.put(SCRATCH, b"openat");
    assert_eq!(g.ig("getSyscallID", &[name]), 257);
    let bad = g.put(SCRATCH, b"not_a_syscall");
    assert_eq!(g.ig("getSyscallID", &[bad]), -1);
}

#[test]
fn syscall_declarations() {
    let host = Host::builder()
        .syscall_declaration(SyscallDecl {
            name: "openat".into(),
            params: vec![
                SyscallParam::value("dfd"),
                SyscallParam::pointer("filename"),
                SyscallParam::value("flags"),
                SyscallParam::value("mode"),
            ],
        })
        .build()
        .unwrap();
    let mut g = load(&host, "", "");
    let name = g.put(SCRATCH, b"openat");
    assert_eq!(
        g.ig("getSyscallDeclaration", &[name, bp(0x3000, 251)]),
        1,
        "needs 252 bytes"
    );
    g.put(0x3000, &[0xEE; 252]);
    assert_eq!(g.ig("getSyscallDeclaration", &[name, bp(0x3000, 252)]), 0);
    let rec = g.read_memory(0x3000, 252).unwrap();
    assert_eq!(&rec[..6], b"openat");
    assert!(rec[6..32].iter().all(|&b| b == 0));
    assert_eq!(rec[32], 4);
    assert_eq!(&rec[33..36], [0, 0, 0]);
    assert_eq!(&rec[36..39], b"dfd");
    assert_eq!(&rec[68..72], 0u32.to_le_bytes());
    assert_eq!(&rec[72..80], b"filename");
    assert_eq!(&rec[104..108], 1u32.to_le_bytes(), "pointer flag");
    assert!(
        rec[180..252].iter().all(|&b| b == 0),
        "unused records are zero"
    );
    let unknown = g.put(SCRATCH, b"read");
    assert_eq!(
        g.ig("getSyscallDeclaration", &[unknown, bp(0x3000, 252)]),
        1
    );
}

#[test]
fn kallsyms() {
    let mut g = load(
        &Host::builder()
            .kallsyms(["security_inode_create"])
            .build()
            .unwrap(),
        "",
        "",
    );
    let yes = g.put(SCRATCH, b"security_inode_create");
    let no = g.put(0x3000, b"nope");
    assert_eq!(g.ig("kallsymsSymbolExists", &[yes]), 1);
    assert_eq!(g.ig("kallsymsSymbolExists", &[no]), 0);
    assert_eq!(
        g.ig("kallsymsSymbolExists", &[bp(0x7fff_0000, 4)]),
        0,
        "bad pointer gives 0"
    );
}

#[test]
fn mntns_filter() {
    let mut g = load(
        &Host::builder().mntns_filter([1234]).build().unwrap(),
        "",
        "",
    );
    assert_eq!(
        g.ig("shouldDiscardMntnsID", &[1234]),
        0,
        "no filter before gadgetStart"
    );
    g.run_to_started().unwrap();
    assert_eq!(g.ig("shouldDiscardMntnsID", &[1234]), 0, "selected: kept");
    assert_eq!(
        g.ig("shouldDiscardMntnsID", &[1]),
        1,
        "not selected: dropped"
    );
    let mut g = load(&Host::builder().mntns_filter([]).build().unwrap(), "", "");
    g.run_to_started().unwrap();
    assert_eq!(
        g.ig("shouldDiscardMntnsID", &[1]),
        1,
        "empty filter keeps nothing"
    );
    let mut g = plain();
    g.run_to_started().unwrap();
    assert_eq!(g.ig("shouldDiscardMntnsID", &[1234]), 0, "no filter active");
}
