//! `cargo run --profile bench -p gadget-bench`: runs each macro gadget of the
//! repository against its hand-written raw-ABI twin in `bench/` (and, for
//! trace_exec, ig's Go original when `../shared/ig-originals` holds it) in
//! one gadget-host process, and prints a Markdown table: ns/event (best of
//! several interleaved runs), the same minus what the host alone costs (a
//! null gadget that subscribes and ignores every event: pushing an event
//! through the emulator costs far more than ig's own host would, so the
//! difference between gadgets shows in this column), `ig` host calls per
//! event (counted by the host), allocations per event after warm-up
//! (counted in the guest by the `count-allocs` builds), `.wasm` bytes
//! (release) and the clean build time of the gadget crate.
//!
//! Options: `--events N` (per run, default 100000), `--runs R` (default 7),
//! `--no-build-time` (skip the clean builds, which take minutes), `--only
//! PAIR` (`trace_exec` or `trace_open`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod measure;

use measure::{Subject, Workload};

/// One benchmark pair: a gadget of the repository, its raw twin, and
/// optionally ig's original.
struct Pair {
    name: &'static str,
    gadget: &'static str,
    raw: &'static str,
    original: Option<&'static str>,
}

const PAIRS: &[Pair] = &[
    Pair {
        name: "trace_exec",
        gadget: "examples/trace-exec",
        raw: "bench/raw-trace-exec",
        original: Some("trace_exec.wasm"),
    },
    Pair {
        name: "trace_open",
        gadget: "examples/trace-open",
        raw: "bench/raw-trace-open",
        original: None,
    },
];

struct Options {
    events: usize,
    runs: usize,
    build_time: bool,
    only: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        events: 100_000,
        runs: 7,
        build_time: true,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| {
            args.next()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("{what} takes a positive number"))
        };
        match arg.as_str() {
            "--events" => opts.events = number("--events")?,
            "--runs" => opts.runs = number("--runs")?,
            "--no-build-time" => opts.build_time = false,
            "--only" => {
                let name = args.next().unwrap_or_default();
                if !PAIRS.iter().any(|p| p.name == name) {
                    let names: Vec<&str> = PAIRS.iter().map(|p| p.name).collect();
                    return Err(format!("--only takes one of {}", names.join(", ")));
                }
                opts.only = Some(name);
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (expected --events N, --runs R, --no-build-time, --only PAIR)"
                ));
            }
        }
    }
    Ok(opts)
}

fn root() -> PathBuf {
    gadget_build::workspace_root()
}

fn originals_dir() -> PathBuf {
    std::env::var_os("IG_ORIGINALS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/ig-originals"))
}

/// How the gadget crate at `dir` counts its allocations.
fn counting_feature(dir: &str) -> &'static str {
    if dir.starts_with("bench/") {
        "count-allocs"
    } else {
        "gadget-api/count-allocs"
    }
}

/// A clean release build of the crate in a fresh target directory.
fn clean_build_time(dir: &Path) -> Result<Duration, String> {
    let tmp = std::env::temp_dir().join(format!(
        "gadget-bench-{}-{}",
        std::process::id(),
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("gadget")
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let start = Instant::now();
    let built = gadget_build::build_wasm_into(dir, &tmp, &[]);
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&tmp);
    built.map_err(|e| e.to_string())?;
    Ok(elapsed)
}

/// Builds one gadget crate twice (plain and counting) and loads both.
fn subject(
    label: String,
    dir: &str,
    workload: &Workload,
    opts: &Options,
) -> Result<Subject, String> {
    let path = root().join(dir);
    eprintln!("building {dir}...");
    let plain = gadget_build::build_wasm(&path).map_err(|e| e.to_string())?;
    let plain = std::fs::read(&plain).map_err(|e| format!("{}: {e}", plain.display()))?;
    let counting = gadget_build::build_wasm_with_features(&path, &[counting_feature(dir)])
        .map_err(|e| e.to_string())?;
    let counting = std::fs::read(&counting).map_err(|e| format!("{}: {e}", counting.display()))?;
    let build = if opts.build_time {
        eprintln!("timing a clean build of {dir}...");
        Some(clean_build_time(&path)?)
    } else {
        None
    };
    Subject::new(label, workload, &plain, Some(&counting), build)
}

fn run_pair(pair: &Pair, opts: &Options) -> Result<Vec<measure::Row>, String> {
    let workload = Workload::from_demo(&root().join(pair.gadget).join("demo"))?;
    let null = workload.null_gadget()?;
    let mut subjects = vec![
        Subject::new(
            format!("{}: host alone (null gadget)", pair.name),
            &workload,
            &null,
            None,
            None,
        )?,
        subject(
            format!("{}: gadget-api, macros", pair.name),
            pair.gadget,
            &workload,
            opts,
        )?,
        subject(
            format!("{}: raw ABI, by hand", pair.name),
            pair.raw,
            &workload,
            opts,
        )?,
    ];
    if let Some(file) = pair.original {
        let path = originals_dir().join(file);
        match std::fs::read(&path) {
            Ok(bytes) => subjects.push(Subject::new(
                format!("{}: ig's Go original", pair.name),
                &workload,
                &bytes,
                None,
                None,
            )?),
            Err(e) => eprintln!(
                "skipping ig's original {}: {e} (set IG_ORIGINALS to the folder holding it)",
                path.display()
            ),
        }
    }
    measure::run(&mut subjects, &workload, opts.events, opts.runs)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("gadget-bench: {e}");
            std::process::exit(2);
        }
    };
    let mut rows = Vec::new();
    for pair in PAIRS {
        if opts.only.as_ref().is_some_and(|only| only != pair.name) {
            continue;
        }
        match run_pair(pair, &opts) {
            Ok(r) => rows.extend(r),
            Err(e) => {
                eprintln!("gadget-bench: {}: {e}", pair.name);
                std::process::exit(1);
            }
        }
    }
    println!(
        "{} events per run, best of {} interleaved runs, one gadget-host process\n",
        opts.events, opts.runs
    );
    print!("{}", measure::table(&rows));
}
