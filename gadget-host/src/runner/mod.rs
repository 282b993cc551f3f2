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

pub use events_file::{Input, Packet};
pub use print::Format;
pub use schema::Schema;

use crate::{Gadget, Host, HostError};

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
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Packets pushed from the events file.
    pub pushed: usize,
    /// Packets emitted (after the gadget's callbacks, plus its own).
    pub emitted: usize,
}

/// Runs a gadget end to end: events go to `out`, logs and progress to `log`.
pub fn run(
    opts: &RunOptions,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Summary, RunError> {
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
    let host = builder.build().map_err(RunError::Gadget)?;
    let mut gadget = host.load_file(&wasm).map_err(|error| RunError::Load {
        file: wasm.display().to_string(),
        error,
    })?;
    let mut printer = print::Printer::new(opts.format);
    let result = drive(&mut gadget, &inputs, opts, &mut printer, out, log);
    printer.logs(&gadget, log)?;
    printer.config_changes(&gadget, schema.config.as_ref(), log)?;
    printer.finish(out)?;
    printer.module_output(&gadget, log)?;
    result
}

/// The lifecycle, printing as it goes.
fn drive(
    g: &mut Gadget,
    inputs: &[Input],
    opts: &RunOptions,
    printer: &mut print::Printer,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Summary, RunError> {
    let mut summary = Summary::default();
    for phase in [Gadget::init, Gadget::pre_start, Gadget::start] {
        phase(g).map_err(RunError::Gadget)?;
        printer.logs(g, log)?;
        summary.emitted += printer.emitted(g, out)?;
    }
    for input in inputs {
        let pushed = match &input.packet {
            Packet::Single(event) => g.push(&input.datasource, event.clone()),
            Packet::Array(events) => g.push_array(&input.datasource, events.clone()),
        };
        pushed.map_err(|e| RunError::Input {
            file: opts
                .events
                .as_deref()
                .map_or("events".into(), |p| p.display().to_string()),
            line: Some(input.line),
            message: e.to_string(),
        })?;
        summary.pushed += 1;
        printer.logs(g, log)?;
        summary.emitted += printer.emitted(g, out)?;
    }
    for phase in [Gadget::stop, Gadget::post_stop] {
        phase(g).map_err(RunError::Gadget)?;
        printer.logs(g, log)?;
        summary.emitted += printer.emitted(g, out)?;
    }
    Ok(summary)
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
