//! The examples, end to end: each is built for wasm32-wasip1, run through the
//! command-line runner's code on its demo files, and compared with what ig's
//! original gadget produced (golden data in `tests/golden`, see its README).

use std::path::{Path, PathBuf};
use std::process::Command;

use gadget_host::runner::{self, RunOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Runs `gadget` with `schema` and `events`; returns (events as JSON lines, log).
fn run(gadget: &Path, schema: &Path, events: &Path) -> (Vec<String>, String) {
    let opts = RunOptions {
        schema: Some(schema.to_path_buf()),
        events: Some(events.to_path_buf()),
        ..RunOptions::new(gadget)
    };
    let (mut out, mut log) = (Vec::new(), Vec::new());
    runner::run(&opts, &mut out, &mut log).unwrap_or_else(|e| panic!("{e}"));
    let lines = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (lines, String::from_utf8(log).unwrap())
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn trace_exec_matches_the_original_on_its_demo() {
    let dir = root().join("examples/trace-exec");
    let (events, log) = run(
        &dir,
        &dir.join("demo/schema.json"),
        &dir.join("demo/events.jsonl"),
    );
    assert_eq!(events, lines(&golden("trace_exec/demo-original.jsonl")));
    assert!(
        log.contains("INFO  trace_exec: 3 exec events processed"),
        "{log}"
    );
}

#[test]
fn trace_exec_differs_from_the_original_only_where_documented() {
    let dir = root().join("examples/trace-exec");
    let (port, _) = run(
        &dir,
        &dir.join("demo/schema.json"),
        &golden("trace_exec/edge-events.jsonl"),
    );
    let original = lines(&golden("trace_exec/edge-original.jsonl"));
    assert_eq!(port.len(), original.len());
    // args_count 2 of 3 arguments: the original ignores the count.
    assert!(original[0].contains("\"args\":\"a\u{a0}b\u{a0}c\""));
    assert!(port[0].contains("\"args\":\"a\u{a0}b\""), "{}", port[0]);
    // An unterminated tail, and a count of 0: the same.
    assert_eq!(port[1], original[1]);
    assert_eq!(port[2], original[2]);
    // args_size past the field: the original's fieldSet fails, args stay raw.
    assert!(original[3].contains(r#""args":"x""#));
    assert!(port[3].contains("\"args\":\"x\u{a0}y\""), "{}", port[3]);
}

/// The README's main-job command, as a user runs it.
#[test]
fn the_readme_command_prints_logs_and_events() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let command = readme
        .lines()
        .find(|l| l.starts_with("cargo run -p gadget-host -- run "))
        .expect("the README has the main-job command");
    let args: Vec<&str> = command.split_whitespace().skip(5).collect();
    let output = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
        .args(&args)
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{command}\n{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout.contains("\"args\":\"/bin/cat\u{a0}/proc/version\""),
        "{stdout}"
    );
    assert!(
        stderr.contains("INFO  trace_exec: joining the arguments"),
        "{stderr}"
    );
    assert!(
        stderr.contains("done: 3 packets pushed, 3 emitted"),
        "{stderr}"
    );
}

#[test]
fn the_runner_reports_bad_input_in_one_line() {
    let dir = root().join("examples/trace-exec");
    let tmp = std::env::temp_dir().join(format!("gadget-host-runner-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let bad_events = tmp.join("bad.jsonl");
    std::fs::write(&bad_events, "{\"pid\": 1}\n{\"pidd\": 2}\n").unwrap();
    let bad_wasm = tmp.join("bad.wasm");
    std::fs::write(&bad_wasm, b"not wasm").unwrap();
    let cases: [(Vec<String>, &str, i32); 4] = [
        (
            vec![
                dir.display().to_string(),
                "--schema".into(),
                dir.join("demo/schema.json").display().to_string(),
                "--events".into(),
                bad_events.display().to_string(),
            ],
            "bad.jsonl:2: field `pidd` is not in data source `exec` (its fields: pid, comm, args, args_size, args_count)",
            2,
        ),
        (
            vec![
                dir.display().to_string(),
                "--schema".into(),
                tmp.join("missing.json").display().to_string(),
            ],
            "missing.json: cannot read the schema",
            2,
        ),
        (
            vec![bad_wasm.display().to_string()],
            "bad.wasm: compiling the module",
            1,
        ),
        (
            vec![
                dir.display().to_string(),
                "--param".into(),
                "novalue".into(),
            ],
            "--param: `novalue` is not `key=value`",
            2,
        ),
    ];
    for (args, message, code) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_gadget-host"))
            .arg("run")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let error: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(error.len(), 1, "{stderr}");
        assert!(
            error[0].contains(message),
            "expected `{message}` in `{}`",
            error[0]
        );
        assert_eq!(output.status.code(), Some(code), "{stderr}");
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn the_runner_shows_the_config_a_gadget_sets_and_applies_params() {
    let tmp = std::env::temp_dir().join(format!("gadget-host-config-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let schema = tmp.join("schema.json");
    std::fs::write(
        &schema,
        r#"{"config": {"programs.p.attach_to": "", "untouched": "x"}}"#,
    )
    .unwrap();
    let opts = RunOptions {
        schema: Some(schema),
        params: vec![
            ("scenario".into(), "misc".into()),
            ("str".into(), "from --param".into()),
        ],
        ..RunOptions::new(root().join("test-gadgets/api-coverage"))
    };
    let (mut out, mut log) = (Vec::new(), Vec::new());
    runner::run(&opts, &mut out, &mut log).unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("CONFIG programs.p.attach_to = fsnotify_insert_event\n"),
        "{log}"
    );
    assert!(!log.contains("CONFIG untouched"), "{log}");
    assert!(
        log.contains("INFO  param_str=Ok(\"from --param\")"),
        "{log}"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn trace_open_adds_a_summary_of_each_event() {
    let dir = root().join("examples/trace-open");
    let (events, log) = run(
        &dir,
        &dir.join("demo/schema.json"),
        &dir.join("demo/events.jsonl"),
    );
    let summaries: Vec<String> = events
        .iter()
        .map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).unwrap();
            json["event"]["summary"]
                .as_str()
                .unwrap_or_else(|| panic!("{line}"))
                .to_owned()
        })
        .collect();
    assert_eq!(
        summaries,
        [
            r#"cat[1000] uid=0 open("/etc/passwd", 0o100000) = 3 mntns=4026531840"#,
            r#"bash[2417] uid=1000 open("/home/me/.bash_history", 0o102101) = 4 mntns=4026532211"#,
            r#"ls[1001] uid=1000 open("/root", 0o304000) = -13 mntns=4026531840"#,
            r#"vi[1002] uid=1000 open("/tmp/caf�.txt", 0o101) = 5 mntns=4026531840"#,
        ],
        "{log}"
    );
}
