//! The command line: clap definitions and one file per subcommand. The only
//! part of parkflow that prints.

mod bands;
mod caps;
mod check;
mod diff;
mod init;
mod links;
mod merge;
mod reconcile;
mod report;
mod run;
mod sweep;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Result;
use crate::model::{self, BUILTIN_PARK, BUILTIN_PARK_NAME, Park};
use crate::scenario;

/// Simulate material flows in an eco-industrial park: linkage rates against
/// targets, emissions against caps.
#[derive(Debug, Parser)]
#[command(name = "parkflow", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Largest input file read (park, scenario, sweep, and the result files
    /// merge, report and diff read back), in bytes or with K, M, G (powers
    /// of 1024); larger files are refused unread. A sweep's samples.csv,
    /// which report reads row by row, is limited per row. Default 64M.
    #[arg(
        long,
        global = true,
        value_name = "BYTES",
        env = "PARKFLOW_MAX_INPUT_SIZE",
        value_parser = crate::limits::parse_size
    )]
    pub max_input_size: Option<u64>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a park (the built-in Jilin park if no FILE) and write its result files.
    Run(run::RunArgs),
    /// Validate a park file and report warnings.
    Check(check::CheckArgs),
    /// Run a sweep: many runs with parameters drawn from distributions.
    Sweep(sweep::SweepArgs),
    /// Merge the parts of a sharded sweep.
    Merge(merge::MergeArgs),
    /// Write report.html (findings, plots, tables, sources) for a run or sweep directory.
    Report(report::ReportArgs),
    /// Rank candidate links: each alone, then a greedy portfolio toward the targets.
    Links(links::LinksArgs),
    /// Emissions against caps, with the largest sources (exit 3 if any cap is exceeded).
    Caps(caps::CapsArgs),
    /// Compare two runs (result directories, or park or scenario files).
    Diff(diff::DiffArgs),
    /// Reconcile measured data with a system's balances and relations
    /// (weighted least squares, chi-squared test, flagged readings).
    Reconcile(reconcile::ReconcileArgs),
    /// Start a new park: a commented park, a scenario, a sweep and a README.
    Init(init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
}

/// Parse the command line and run it, returning the exit status.
pub fn main() -> ExitCode {
    // Output into a pipe that closed early (`parkflow check park.ron | head`)
    // ends parkflow quietly by SIGPIPE, as it does other Unix tools; Rust
    // ignores the signal, and println! would panic on the write error.
    #[cfg(unix)]
    // SAFETY: restores the signal's default action; no thread runs yet.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Some(bytes) = cli.max_input_size {
        crate::limits::set_max_input_size(bytes);
    }
    let command = cli.command.unwrap_or(Command::Run(run::RunArgs::default()));
    let outcome = match command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check::check(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Report(args) => report::report(&args),
        Command::Links(args) => links::links(&args),
        Command::Caps(args) => caps::caps(&args),
        Command::Init(args) => init::init(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Reconcile(args) => reconcile::reconcile(&args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "parkflow", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => man(),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Print the man page generated from the clap definitions.
fn man() -> Result<ExitCode> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .and_then(|()| std::io::Write::write_all(&mut std::io::stdout(), &out))
        .map_err(|source| crate::Error::Io {
            path: "<stdout>".into(),
            source,
        })?;
    Ok(ExitCode::SUCCESS)
}

/// A park as loaded: the value, its text and a name for messages.
pub struct Loaded {
    /// The validated park (with a scenario's changes applied).
    pub park: Park,
    /// The file's text (a scenario's park text followed by the scenario's).
    pub text: String,
    /// How to name the file in messages.
    pub name: String,
    /// The scenario's id, when the file was a scenario.
    pub scenario: Option<String>,
}

/// Load and validate `file` (a park or a scenario), or the built-in park,
/// with the park's `uncertainty` bound to it.
pub fn load(file: Option<&Path>) -> Result<Loaded> {
    let loaded = load_unchecked(file)?;
    let mut problems = Vec::new();
    let plan = crate::engine::Plan::compile(&loaded.park);
    crate::sweep::bind_params(&loaded.park, &plan, &loaded.park.uncertainty, &mut problems);
    if !problems.is_empty() {
        return Err(crate::error::Error::Invalid {
            file: loaded.name,
            problems: problems
                .into_iter()
                .map(|p| format!("uncertainty: {p}"))
                .collect(),
        });
    }
    Ok(loaded)
}

fn load_unchecked(file: Option<&Path>) -> Result<Loaded> {
    match file {
        Some(path) => {
            let text = model::read_text(path)?;
            if model::top_level_name(&text) == Some("Scenario") {
                let applied = scenario::load_scenario(path)?;
                return Ok(Loaded {
                    park: applied.park,
                    text: applied.text,
                    name: path.display().to_string(),
                    scenario: Some(applied.scenario.id),
                });
            }
            let name = path.display().to_string();
            let park = model::parse_park(&text, &name)?;
            model::validate_text(&park, &text, &name)?;
            Ok(Loaded {
                park,
                text,
                name,
                scenario: None,
            })
        }
        None => {
            let park = model::parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME)?;
            model::validate(&park, BUILTIN_PARK_NAME)?;
            Ok(Loaded {
                park,
                text: BUILTIN_PARK.to_string(),
                name: BUILTIN_PARK_NAME.to_string(),
                scenario: None,
            })
        }
    }
}
