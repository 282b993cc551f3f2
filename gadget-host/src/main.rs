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
        /// Also print the events of data sources the gadget consumed
        /// (dataSourceUnreference), marked "consumed"; ig never shows them.
        #[arg(long)]
        show_consumed: bool,
        /// Print every map's entries at the end (JSON lines on stdout).
        #[arg(long)]
        dump_maps: bool,
        /// Go on when a callback traps (as ig does), counting the traps;
        /// without it the first trap ends the run with an error.
        #[arg(long)]
        keep_going: bool,
    },
}

fn main() -> ExitCode {
    let Command::Run {
        gadget,
        schema,
        events,
        params,
        json,
        show_consumed,
        dump_maps,
        keep_going,
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
        show_consumed,
        dump_maps,
        keep_going,
    };
    match runner::run(
        &opts,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    ) {
        Ok(summary) => {
            eprintln!("{}", summary.line(show_consumed));
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
