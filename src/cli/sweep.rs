//! `parkflow sweep FILE [--threads N] [--out DIR]`: run a sweep with a
//! progress bar, write samples.csv and summary.json, print the findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Result;
use crate::output;
use crate::sweep::{self, Prepared};

/// Arguments of `sweep`.
// The field docs are clap's help text, where `<park id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
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
    /// Run shard K of N (1-based): the runs i with i mod N = K − 1, written as
    /// a part for `parkflow merge`. `auto` reads Slurm's array variables,
    /// `auto/N` the index from Slurm or JOB_COMPLETION_INDEX (Kubernetes).
    #[arg(long, value_name = "K/N", value_parser = shard_arg)]
    pub shard: Option<(u64, u64)>,
    /// Finish an interrupted sweep from the chunks it saved.
    #[arg(long)]
    pub resume: bool,
    /// Runs per saved chunk (what an interruption can lose at most).
    #[arg(long, value_name = "RUNS", default_value_t = 8192)]
    pub chunk: usize,
}

/// Run a sweep and write its results.
pub fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let prep = sweep::load_sweep(&args.file)?;
    let shard = args.shard;
    let (k, n) = shard.unwrap_or((1, 1));
    let runs = prep.shard_runs(k, n).map_err(|e| crate::Error::Invalid {
        file: args.file.display().to_string(),
        problems: vec![e],
    })?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&prep.sweep.id));
    let info = prep.info();
    let partial = dir.join(format!(".partial-{}-{k}-of-{n}", &info.fingerprint[..16]));
    // The runs, and the formatting of samples.csv and of the saved chunks
    // and the statistics, use as many threads as asked for.
    let threads = sweep::thread_pool(args.threads)?;
    let bar = progress_bar(runs.len() as u64, args.quiet);
    let sweep::Checkpointed {
        table,
        chunks,
        resumed,
    } = threads
        .install(|| {
            sweep::run_checkpointed(
                &prep,
                &info,
                runs,
                args.threads,
                args.chunk.max(1),
                &partial,
                args.resume,
                &|| bar.inc(1),
            )
        })
        .map_err(|e| resume_hint(e, &partial))?;
    bar.finish_and_clear();
    // Said even with --quiet (which hides only the bar and the table): a
    // scheduler's log must show whether a restarted task really resumed.
    if resumed.chunks > 0 {
        eprintln!(
            "resumed: {} of {} runs read back from {} saved chunk{} in {}",
            resumed.runs,
            table.runs.len(),
            resumed.chunks,
            if resumed.chunks == 1 { "" } else { "s" },
            partial.display()
        );
    }
    // Staged in the checkpoint directory, so that what a kill leaves of
    // them is removed with it.
    let batch = output::Batch::staged_in(&dir, &partial)?;
    let summary = threads.install(|| match shard {
        Some(shard) => {
            sweep::write_part(batch, &info, shard, &table, chunks.as_deref()).map(|()| None)
        }
        None => sweep::write_sweep(batch, &info, &table, chunks.as_deref()).map(Some),
    })?;
    // Everything is written: the saved chunks are no longer needed.
    let _ = std::fs::remove_dir_all(&partial);
    if !args.quiet {
        match shard {
            Some((k, n)) => println!(
                "shard {k} of {n}: {} runs; merge all {n} parts with `parkflow merge`",
                table.runs.len()
            ),
            None => print!(
                "{}",
                findings(&prep, summary.as_ref().expect("written above"))
            ),
        }
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--shard` as clap reads it: a value it cannot read is a usage error
/// (exit status 2), like any other bad option.
fn shard_arg(spec: &str) -> Result<(u64, u64), String> {
    parse_shard(spec, &|k| std::env::var(k).ok())
}

/// A failure to save a chunk (a full disk, say) loses none of the chunks
/// saved before it: say how to go on from them.
fn resume_hint(e: crate::Error, partial: &Path) -> crate::Error {
    match e {
        crate::Error::Io { path, source } if path.starts_with(partial) => crate::Error::Io {
            path,
            source: std::io::Error::new(
                source.kind(),
                format!(
                    "{source}\nthe runs saved so far are kept in {}: fix this, then run the same command with --resume",
                    partial.display()
                ),
            ),
        },
        e => e,
    }
}

/// Parse `--shard`: `K/N`, `auto` (Slurm array variables) or `auto/N`
/// (the index from Slurm or Kubernetes' JOB_COMPLETION_INDEX).
pub fn parse_shard(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(u64, u64), String> {
    let number = |name: &str, text: &str| -> Result<u64, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("--shard: {name} `{text}` is not a whole number"))
    };
    let (k, n) = match spec.split_once('/') {
        Some(("auto", n)) => {
            let n = number("N", n)?;
            (auto_index(env)?, n)
        }
        None if spec == "auto" => {
            let count = env("SLURM_ARRAY_TASK_COUNT")
                .ok_or("--shard auto: SLURM_ARRAY_TASK_COUNT is not set (use auto/N)")?;
            (auto_index(env)?, number("SLURM_ARRAY_TASK_COUNT", &count)?)
        }
        Some((k, n)) => (number("K", k)?, number("N", n)?),
        None => return Err(format!("--shard `{spec}`: write K/N, auto or auto/N")),
    };
    if n == 0 || k == 0 || k > n {
        return Err(format!("--shard {k}/{n}: K must be in 1..=N"));
    }
    Ok((k, n))
}

/// The 1-based shard index from Slurm (task id − min + 1) or Kubernetes (index + 1).
fn auto_index(env: &dyn Fn(&str) -> Option<String>) -> Result<u64, String> {
    let parse = |name: &str, v: String| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| format!("{name} `{v}` is not a whole number"))
    };
    if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
        let min =
            env("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |m| parse("SLURM_ARRAY_TASK_MIN", m))?;
        let id = parse("SLURM_ARRAY_TASK_ID", id)?;
        return id
            .checked_sub(min)
            .map(|i| i + 1)
            .ok_or_else(|| "SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN".to_string());
    }
    if let Some(index) = env("JOB_COMPLETION_INDEX") {
        return Ok(parse("JOB_COMPLETION_INDEX", index)? + 1);
    }
    Err("--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set".into())
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

#[cfg(test)]
mod tests {
    use super::parse_shard;

    #[test]
    fn shards_come_from_the_flag_or_the_scheduler() {
        let none = |_: &str| None;
        assert_eq!(parse_shard("2/8", &none), Ok((2, 8)));
        assert!(parse_shard("0/8", &none).is_err());
        assert!(parse_shard("9/8", &none).is_err());
        assert!(parse_shard("auto", &none).is_err());
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("5".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("16".to_string()),
            _ => None,
        };
        assert_eq!(parse_shard("auto", &slurm), Ok((5, 16)));
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
        assert_eq!(parse_shard("auto/4", &k8s), Ok((1, 4)));
    }
}
