//! `gadget-host`: run an ig wasm gadget in the emulator from the command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gadget_host::runner::{self, Format, RunError, RunOptions};

/// Run Inspektor Gadget wasm gadgets without ig, a kernel or root.
#[derive(Debug, Parser)]
#[command(name = "gadget-host", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build (if needed) and run a gadget through its whole lifecycle, pushing
    /// the events of a JSON-lines file, and print its logs and events.
    Run {
        /// A gadget crate directory (built for wasm32-wasip1) or a .wasm file.
        gadget: PathBuf,
        /// JSON file declaring data sources, fields, maps, params, ...
        #[arg(long)]
        schema: Option<PathBuf>,
        /// JSON-lines file of events to push, one packet per line.
        #[arg(long)]
        events: Option<PathBuf>,
        /// A param of the gadget, `key=value` (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// Print events as JSON lines even on a terminal.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let Command::Run {
        gadget,
        schema,
        events,
        params,
        json,
    } = Cli::parse().command;
    let params = match params.iter().map(|p| runner::parse_param(p)).collect() {
        Ok(params) => params,
        Err(e) => return fail(&e),
    };
    let format = if json || !std::io::stdout().is_terminal() {
        Format::Json
    } else {
        Format::Table
    };
    let opts = RunOptions {
        gadget,
        schema,
        events,
        params,
        format,
    };
    match runner::run(
        &opts,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    ) {
        Ok(summary) => {
            eprintln!(
                "done: {} packets pushed, {} emitted",
                summary.pushed, summary.emitted
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &RunError) -> ExitCode {
    eprintln!("error: {e}");
    match e {
        RunError::Input { .. } => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}
