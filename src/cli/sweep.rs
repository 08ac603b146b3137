//! `parkflow sweep FILE [--threads N] [--out DIR]`: run a sweep with a
//! progress bar, write samples.csv and summary.json, print the findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Result;
use crate::output;
use crate::sweep::{self, Prepared, summary_json};

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file.
    pub file: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Directory for result files (default: results/<sweep id>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run a sweep and write its results.
pub fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let prep = sweep::load_sweep(&args.file)?;
    let runs: Vec<u64> = (0..prep.runs()).collect();
    let bar = progress_bar(runs.len() as u64, args.quiet);
    let table = sweep::run_sweep(&prep, runs, args.threads, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&prep.sweep.id));
    output::write_sweep(&dir, &prep, &table)?;
    if !args.quiet {
        print!("{}", findings(&prep, &summary_json(&prep, &table)));
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar with rate and ETA on a terminal; hidden otherwise.
pub fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}")
            .expect("a valid template"),
    );
    bar
}

/// Per output: mean and 90% range, the probability of meeting it, and the
/// strongest drivers.
fn findings(prep: &Prepared, summary: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "sweep `{}`: {} runs ({}, seed {})",
        prep.sweep.id,
        summary["runs"],
        prep.sweep.design.as_str(),
        prep.sweep.seed
    );
    let _ = writeln!(
        s,
        "\n  output             mean          p05          p95   P(met)   strongest drivers (Spearman)"
    );
    for name in &prep.output_names {
        let o = &summary["outputs"][name];
        let mut drivers: Vec<(String, f64)> = summary["sensitivity"][name]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v["spearman"].as_f64().unwrap_or(0.0)))
                    .collect()
            })
            .unwrap_or_default();
        drivers.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let top: Vec<String> = drivers
            .iter()
            .take(3)
            .map(|(k, r)| format!("{k} {r:+.2}"))
            .collect();
        let _ = writeln!(
            s,
            "  {:<14} {:>12.4} {:>12.4} {:>12.4}   {:>5.3}   {}",
            name,
            o["mean"].as_f64().unwrap_or(0.0),
            o["p05"].as_f64().unwrap_or(0.0),
            o["p95"].as_f64().unwrap_or(0.0),
            summary["probabilities"][name].as_f64().unwrap_or(0.0),
            top.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "  all targets and caps met: {:.3}",
        summary["probabilities"]["all"].as_f64().unwrap_or(0.0)
    );
    s
}
