//! The command-line runner: build or load a gadget, declare its world from a
//! schema file, push the events of a JSON-lines file through the whole
//! lifecycle, and print what the gadget logged and emitted.
//!
//! The `gadget-host` binary is a thin shell around [`run`]; tests call it
//! directly.

mod events_file;
mod print;
mod schema;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use events_file::{Action, After, Input, Packet};
pub use print::Format;
pub use schema::{Schema, SubscriberSpec};

use crate::{CallbackTrap, Gadget, Host, HostError};

/// What to run, as the command line gives it.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// A gadget crate directory (built first) or a `.wasm` file.
    pub gadget: PathBuf,
    /// The schema file (JSON); without it the gadget sees no data source.
    pub schema: Option<PathBuf>,
    /// The events file (JSON lines).
    pub events: Option<PathBuf>,
    /// `--param key=value`, applied over the schema's params.
    pub params: Vec<(String, String)>,
    /// How events are printed.
    pub format: Format,
    /// Also print the packets of data sources the gadget consumed
    /// (`dataSourceUnreference`), marked; ig never shows them.
    pub show_consumed: bool,
    /// Print every map's entries at the end (stdout, one JSON line a map).
    pub dump_maps: bool,
    /// A callback that traps does not end the run: traps are counted and
    /// reported (ig ignores them silently).
    pub keep_going: bool,
}

impl RunOptions {
    /// Runs `gadget` with no schema, no events, no params, JSON output.
    pub fn new(gadget: impl Into<PathBuf>) -> Self {
        Self {
            gadget: gadget.into(),
            schema: None,
            events: None,
            params: Vec::new(),
            format: Format::Json,
            show_consumed: false,
            dump_maps: false,
            keep_going: false,
        }
    }

    fn events_name(&self) -> String {
        self.events
            .as_deref()
            .map_or("events".into(), |p| p.display().to_string())
    }
}

/// Why a run did not complete. Its `Display` is one line for bad input.
#[derive(Debug)]
pub enum RunError {
    /// A schema or events file (or a command-line value) is wrong.
    Input {
        /// The file (or `--param`).
        file: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The gadget crate did not build.
    Build(String),
    /// The `.wasm` could not be loaded.
    Load {
        /// The file.
        file: String,
        /// Why.
        error: HostError,
    },
    /// A lifecycle hook, or pushing an event, failed.
    Gadget(HostError),
    /// A callback trapped (without `--keep-going`).
    Trap {
        /// Where: the hook or events line during which it trapped.
        during: String,
        /// The trap.
        trap: CallbackTrap,
    },
    /// Writing the output failed.
    Output(std::io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input {
                file,
                line: Some(line),
                message,
            } => write!(f, "{file}:{line}: {message}"),
            Self::Input {
                file,
                line: None,
                message,
            } => write!(f, "{file}: {message}"),
            Self::Build(message) => f.write_str(message),
            Self::Load { file, error } => write!(f, "{file}: {}", one_line(&error.to_string())),
            Self::Gadget(error) => write!(f, "{error}"),
            Self::Trap { during, trap } => write!(
                f,
                "the gadget's callback (subscription {}) trapped on an event of `{}` {during}: {} \
                 (ig ignores the trap and goes on; --keep-going does the same)",
                trap.cb_id,
                trap.datasource,
                trap.message.lines().next().unwrap_or_default()
            ),
            Self::Output(error) => write!(f, "writing the output: {error}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<std::io::Error> for RunError {
    fn from(e: std::io::Error) -> Self {
        Self::Output(e)
    }
}

/// Joins a multi-line message (wasmparser prints arrays over several lines).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses `key=value` for `--param`.
pub fn parse_param(text: &str) -> Result<(String, String), RunError> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(RunError::Input {
            file: "--param".into(),
            line: None,
            message: format!("`{text}` is not `key=value`"),
        }),
    }
}

/// What a completed run produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Packets pushed from the events file.
    pub pushed: usize,
    /// Packets emitted (after the gadget's callbacks, plus its own).
    pub emitted: usize,
    /// Of those, packets of data sources the gadget consumed (not printed
    /// without `--show-consumed`).
    pub consumed: usize,
    /// Perf records written from the events file.
    pub perf_records: usize,
    /// Perf records lost: written while no reader received them.
    pub perf_lost: u64,
    /// Perf records whose point (`reader_created`, `next_log`) never came.
    pub perf_never_written: usize,
    /// Callback traps (only with `--keep-going`; without, the first ends
    /// the run).
    pub traps: usize,
    /// Packets each host-side subscriber received, in schema order:
    /// (data source, priority, count).
    pub subscribers: Vec<(String, i32, usize)>,
}

impl Summary {
    fn add(&mut self, counts: print::Counts) {
        self.emitted += counts.emitted;
        self.consumed += counts.consumed;
    }

    /// The closing line the command prints.
    pub fn line(&self, show_consumed: bool) -> String {
        let mut line = format!(
            "done: {} packets pushed, {} emitted",
            self.pushed, self.emitted
        );
        if self.consumed > 0 && !show_consumed {
            line += &format!(
                " ({} on consumed data sources, not shown: --show-consumed shows them)",
                self.consumed
            );
        }
        if self.perf_records > 0 {
            line += &format!(", {} perf records written", self.perf_records);
        }
        if self.perf_lost > 0 {
            line += &format!(", {} perf records lost (no reader)", self.perf_lost);
        }
        if self.perf_never_written > 0 {
            line += &format!(
                ", {} perf records never written (their point never came)",
                self.perf_never_written
            );
        }
        if self.traps > 0 {
            line += &format!(", {} callback traps", self.traps);
        }
        line
    }
}

/// Runs a gadget end to end: events go to `out`, logs and progress to `log`.
pub fn run(
    opts: &RunOptions,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Summary, RunError> {
    let schema_file = opts
        .schema
        .as_deref()
        .map_or("schema".into(), |p| p.display().to_string());
    let schema = match &opts.schema {
        Some(path) => Schema::load(path)?,
        None => Schema::default(),
    };
    let inputs = match &opts.events {
        Some(path) => events_file::load(path, &schema)?,
        None => Vec::new(),
    };
    let wasm = wasm_of(&opts.gadget, log)?;
    let mut builder = schema.apply(Host::builder());
    for (key, value) in &opts.params {
        builder = builder.param(key.clone(), value.clone());
    }
    let host = builder.build().map_err(|e| RunError::Input {
        file: schema_file.clone(),
        line: None,
        message: e.to_string(),
    })?;
    let mut gadget = host.load_file(&wasm).map_err(|error| RunError::Load {
        file: wasm.display().to_string(),
        error,
    })?;
    let mut printer = print::Printer::new(opts.format, opts.show_consumed);
    let mut run = Run {
        g: &mut gadget,
        opts,
        schema: &schema,
        schema_file,
        printer: &mut printer,
        out: &mut *out,
        log: &mut *log,
        summary: Summary::default(),
        observers: Vec::new(),
    };
    let result = run.drive(&inputs);
    let Run {
        observers,
        mut summary,
        ..
    } = run;
    printer.step(&mut gadget, out, log)?;
    printer.finish(out)?;
    printer.rest_of_module_output(&gadget, log)?;
    for (spec, id) in schema.subscribers.iter().zip(&observers) {
        let count = gadget.observed(*id).len();
        writeln!(
            log,
            "SUBSCRIBER {} priority {}: {count} packets",
            spec.datasource, spec.priority
        )?;
        summary
            .subscribers
            .push((spec.datasource.clone(), spec.priority, count));
    }
    for name in schema.maps.iter().map(|m| m.name.as_str()) {
        if let Some(map) = gadget.map(name) {
            summary.perf_lost += map.lost_perf_records();
        }
    }
    for name in gadget.open_guest_maps() {
        if let Some(map) = gadget.map(&name) {
            summary.perf_lost += map.lost_perf_records();
        }
    }
    summary.perf_never_written = gadget.scheduled_perf_records();
    if opts.dump_maps {
        print::dump_maps(&gadget, &schema, out)?;
    }
    result.map(|()| summary)
}

/// A lifecycle hook of [`Gadget`].
type Hook = fn(&mut Gadget) -> Result<(), HostError>;

/// One run in progress.
struct Run<'a, 'w> {
    g: &'a mut Gadget,
    opts: &'a RunOptions,
    schema: &'a Schema,
    schema_file: String,
    printer: &'a mut print::Printer,
    out: &'a mut (dyn Write + 'w),
    log: &'a mut (dyn Write + 'w),
    summary: Summary,
    observers: Vec<crate::ObserverId>,
}

impl Run<'_, '_> {
    /// Prints what the last step produced; a new callback trap ends the run
    /// unless `--keep-going`.
    fn step(&mut self, during: &str) -> Result<(), RunError> {
        let counts = self.printer.step(self.g, self.out, self.log)?;
        self.summary.add(counts.emitted);
        for trap in counts.traps {
            writeln!(
                self.log,
                "TRAP  callback (subscription {}) on an event of `{}` {}: {}",
                trap.cb_id,
                trap.datasource,
                during,
                trap.message.lines().next().unwrap_or_default()
            )?;
            self.summary.traps += 1;
            if !self.opts.keep_going {
                return Err(RunError::Trap {
                    during: during.to_owned(),
                    trap,
                });
            }
        }
        Ok(())
    }

    /// The lifecycle, acting on each input at its point, printing as it goes.
    fn drive(&mut self, inputs: &[Input]) -> Result<(), RunError> {
        let mut pending = inputs.iter().peekable();
        let hooks: [(&str, Hook, After); 3] = [
            ("gadgetInit", Gadget::init, After::Init),
            ("gadgetPreStart", Gadget::pre_start, After::PreStart),
            ("gadgetStart", Gadget::start, After::Start),
        ];
        for (name, hook, point) in hooks {
            let result = hook(self.g);
            self.step(&format!("in {name}"))?;
            result.map_err(RunError::Gadget)?;
            match point {
                After::Init => self.subscribe()?,
                After::PreStart => self.printer.schema(self.g, self.log)?,
                After::Start => {}
            }
            while let Some(input) = pending.next_if(|i| i.after == point) {
                self.act(input)?;
                let at = format!("at {}:{}", self.opts.events_name(), input.line);
                self.step(&at)?;
            }
        }
        for (name, hook) in [
            ("gadgetStop", Gadget::stop as Hook),
            ("gadgetPostStop", Gadget::post_stop),
        ] {
            let result = hook(self.g);
            self.step(&format!("in {name}"))?;
            result.map_err(RunError::Gadget)?;
        }
        Ok(())
    }

    /// The schema's host-side subscribers, right after `gadgetInit`.
    fn subscribe(&mut self) -> Result<(), RunError> {
        for spec in &self.schema.subscribers {
            let id = self
                .g
                .observe(&spec.datasource, spec.priority)
                .map_err(|e| RunError::Input {
                    file: self.schema_file.clone(),
                    line: None,
                    message: format!(
                        "subscriber to `{}`: {e} after gadgetInit (data sources then: {})",
                        spec.datasource,
                        self.g.datasource_names().join(", ")
                    ),
                })?;
            self.observers.push(id);
        }
        Ok(())
    }

    fn act(&mut self, input: &Input) -> Result<(), RunError> {
        let result = match &input.action {
            Action::Push { datasource, packet } => {
                self.summary.pushed += 1;
                match packet {
                    Packet::Single(event) => self.g.push(datasource, event.clone()),
                    Packet::Array(events) => self.g.push_array(datasource, events.clone()),
                }
            }
            Action::Perf { map, when, record } => {
                self.summary.perf_records += 1;
                self.g.schedule_perf(map, *when, record.clone())
            }
        };
        result.map_err(|e| RunError::Input {
            file: self.opts.events_name(),
            line: Some(input.line),
            message: e.to_string(),
        })
    }
}

/// The `.wasm` to load: the file itself, or the gadget crate built first.
fn wasm_of(gadget: &Path, log: &mut dyn Write) -> Result<PathBuf, RunError> {
    if gadget.is_dir() {
        writeln!(
            log,
            "building {} for wasm32-wasip1 (release)...",
            gadget.display()
        )?;
        return gadget_build::build_wasm(gadget).map_err(|e| RunError::Build(e.to_string()));
    }
    if !gadget.exists() {
        return Err(RunError::Input {
            file: gadget.display().to_string(),
            line: None,
            message: "no such file or directory (give a gadget crate directory or a .wasm file)"
                .into(),
        });
    }
    Ok(gadget.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_key_equals_value() {
        assert_eq!(parse_param("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(parse_param("a=").unwrap(), ("a".into(), String::new()));
        assert_eq!(
            parse_param("nokey").unwrap_err().to_string(),
            "--param: `nokey` is not `key=value`"
        );
        assert!(parse_param("=v").is_err());
    }

    #[test]
    fn input_errors_are_one_line_with_file_and_line() {
        let e = RunError::Input {
            file: "events.jsonl".into(),
            line: Some(3),
            message: "field `x` is not in data source `exec`".into(),
        };
        assert_eq!(
            e.to_string(),
            "events.jsonl:3: field `x` is not in data source `exec`"
        );
    }
}
