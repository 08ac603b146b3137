//! `parkflow sweep FILE [--threads N] [--out DIR]`: run a sweep with a
//! progress bar, write samples.csv and summary.json, print the findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Result;
use crate::output;
use crate::sweep::design::Design;
use crate::sweep::stats::Summary;
use crate::sweep::{self, Sensitivity, SweepInfo, SweepSummary};

/// Arguments of `sweep`.
// The field docs are clap's help text, where `<park id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file.
    pub file: PathBuf,
    /// Worker threads, at most 1024 (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = threads_arg)]
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
    remove_stale_partials(&dir, &partial, (k, n), args.resume);
    stop_on_ctrl_c();
    // The runs, and the formatting of samples.csv and of the saved chunks
    // and the statistics, use as many threads as asked for.
    let threads = sweep::thread_pool(args.threads)?;
    let bar = progress_bar(runs.len() as u64, args.quiet);
    let outcome = threads
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
        .map_err(|e| resume_hint(e, &partial));
    bar.finish_and_clear();
    let sweep::Checkpointed {
        table,
        chunks,
        resumed,
    } = match outcome {
        Err(crate::Error::Interrupted {
            saved,
            runs,
            partial,
        }) => {
            eprintln!(
                "interrupted: {saved} of {runs} runs are saved in {}\nto go on from them: {}",
                partial.display(),
                resume_command(args)
            );
            return Ok(ExitCode::from(130));
        }
        outcome => outcome?,
    };
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
                findings(&info, summary.as_ref().expect("written above"))
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

/// On Ctrl-C, ask the sweep to stop after the runs under way, so that it
/// can say what it saved; a second Ctrl-C ends the process at once.
fn stop_on_ctrl_c() {
    #[cfg(unix)]
    {
        extern "C" fn on_interrupt(_: libc::c_int) {
            sweep::request_stop();
            // SAFETY: `signal` is async-signal-safe; it restores the default.
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
            }
        }
        // SAFETY: installs a handler that only stores to an atomic and
        // restores the default action.
        unsafe {
            libc::signal(
                libc::SIGINT,
                on_interrupt as *const () as libc::sighandler_t,
            );
        }
    }
}

/// The command that goes on from the saved runs: this one, with `--resume`.
fn resume_command(args: &SweepArgs) -> String {
    let mut command = format!("parkflow sweep {}", args.file.display());
    if let Some(out) = &args.out {
        command += &format!(" --out {}", out.display());
    }
    if let Some((k, n)) = args.shard {
        command += &format!(" --shard {k}/{n}");
    }
    command + " --resume"
}

/// Remove the saved runs of this shard that belong to another sweep file
/// or park (their fingerprint differs from `partial`'s): they can never be
/// resumed. With `--resume`, say that the sweep starts over.
fn remove_stale_partials(dir: &Path, partial: &Path, (k, n): (u64, u64), resume: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let suffix = format!("-{k}-of-{n}");
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path != partial && name.starts_with(".partial-") && name.ends_with(&suffix) {
            if resume {
                eprintln!(
                    "note: the runs saved in {} are of a different sweep file or park; they are removed and the sweep starts over",
                    path.display()
                );
            }
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// A failure to save a chunk (a full disk, say) loses none of the chunks
/// saved before it: say how to go on from them, when there are any.
fn resume_hint(e: crate::Error, partial: &Path) -> crate::Error {
    let has_chunks = std::fs::read_dir(partial).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "csv")))
    });
    match e {
        crate::Error::Io { path, source } if has_chunks && path.starts_with(partial) => {
            crate::Error::Io {
                path,
                source: std::io::Error::new(
                    source.kind(),
                    format!(
                        "{source}\nthe runs saved so far are kept in {}: fix this, then run the same command with --resume",
                        partial.display()
                    ),
                ),
            }
        }
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

/// Most worker threads `--threads` takes: far beyond any machine's cores,
/// and few enough that starting them cannot exhaust the system.
pub const MAX_THREADS: usize = 1024;

/// Parse `--threads N`: 0 (one per core) to [`MAX_THREADS`].
pub(super) fn threads_arg(s: &str) -> std::result::Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of threads"))?;
    if n > MAX_THREADS {
        return Err(format!(
            "{n} threads is more than {MAX_THREADS}; give at most {MAX_THREADS}, or 0 for one per core"
        ));
    }
    Ok(n)
}

/// Per output: mean and 90% range, the probability of meeting it, and the
/// strongest drivers; for a Sobol design, each output's largest indices.
pub(super) fn findings(info: &SweepInfo, summary: &SweepSummary) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "sweep `{}`: {} runs ({}, seed {})",
        info.sweep,
        summary.runs,
        info.design.as_str(),
        info.seed
    );
    let _ = writeln!(
        s,
        "\n  output             mean          p05          p95   P(met)   strongest drivers (Spearman)"
    );
    for name in &info.outputs {
        let o = summary.outputs.get(name);
        let stat = |f: fn(&Summary) -> f64| o.map_or(0.0, f);
        let probability = |name: &str| summary.probabilities.get(name).copied().unwrap_or(0.0);
        let mut drivers: Vec<(String, f64)> = (summary.sensitivity.get(name).into_iter())
            .flatten()
            .map(|(k, v)| (k.clone(), v.spearman.unwrap_or(0.0)))
            .collect();
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
            stat(|o| o.mean),
            stat(|o| o.p05),
            stat(|o| o.p95),
            probability(name),
            top.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "  all targets and caps met: {:.3}",
        summary.probabilities.get("all").copied().unwrap_or(0.0)
    );
    if info.design == Design::Sobol {
        s += &sobol_table(info, summary);
    }
    s
}

/// Parameters shown per output in the Sobol table: those with the largest
/// total index.
const SOBOL_SHOWN: usize = 5;

/// Each output's largest Sobol indices, first order and total, with their
/// intervals.
fn sobol_table(info: &SweepInfo, summary: &SweepSummary) -> String {
    use std::fmt::Write as _;
    let index = |v: Option<f64>, ci: Option<[Option<f64>; 2]>| {
        let v = v.filter(|v| v.is_finite());
        let [lo, hi] = ci.unwrap_or([None, None]);
        match (v, lo, hi) {
            (Some(v), Some(lo), Some(hi)) => format!("{v:6.3} [{lo:.3}, {hi:.3}]"),
            (Some(v), _, _) => format!("{v:6.3}"),
            _ => "n/a".to_string(),
        }
    };
    let mut s = format!(
        "\n  Sobol indices (S1 first order, ST total; 95% bootstrap intervals), up to {SOBOL_SHOWN} parameters an output\n  output         parameter                                  S1                      ST\n"
    );
    for name in &info.outputs {
        let Some(params) = summary.sensitivity.get(name) else {
            continue;
        };
        let mut rows: Vec<(&String, &Sensitivity)> = params.iter().collect();
        let total = |v: &Sensitivity| v.st.filter(|x| x.is_finite()).unwrap_or(f64::NEG_INFINITY);
        rows.sort_by(|a, b| total(b.1).total_cmp(&total(a.1)).then(a.0.cmp(b.0)));
        // Parameters with no measurable total effect are left out.
        let shown = rows.into_iter().filter(|(_, v)| total(v) >= 0.001);
        for (param, v) in shown.take(SOBOL_SHOWN) {
            let _ = writeln!(
                s,
                "  {name:<14} {param:<38} {:<23} {}",
                index(v.s1, v.s1_ci),
                index(v.st, v.st_ci)
            );
        }
    }
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
