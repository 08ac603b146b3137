//! Running a prepared sweep: each worker thread owns a copy of the plan, a
//! workspace and an indicator accumulator, and writes each run's draws
//! into its plan and simulates; rows land in run order, so any thread
//! count gives the same bits. [`run_checkpointed`] saves finished chunks so
//! that an interrupted sweep resumes where it stopped.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use super::{Output, Prepared, SweepInfo, Table, bind, read_samples, write_samples};
use crate::engine::{Plan, Workspace, run_years};
use crate::error::{Error, Result};
use crate::indicators::Indicators;

/// One worker's private state: its plan copy, workspace, indicators and draws.
struct Worker {
    plan: Plan,
    ws: Workspace,
    indicators: Indicators,
    uniforms: Vec<f64>,
}

impl Worker {
    fn new(base: &Plan, columns: usize) -> Worker {
        Worker {
            plan: base.clone(),
            ws: Workspace::new(base),
            indicators: Indicators::new(base),
            uniforms: vec![0.0; columns],
        }
    }
}

/// Run `run` into `row`: `[draws…, outputs…, met…]`.
fn run_one(prep: &Prepared, worker: &mut Worker, run_index: u64, row: &mut [f64]) -> Result<()> {
    let sweep = &prep.sweep;
    sweep
        .design
        .uniforms(sweep.seed, sweep.samples, run_index, &mut worker.uniforms);
    let nc = prep.columns.len();
    for (c, column) in prep.columns.iter().enumerate() {
        let value = column.dist.quantile(worker.uniforms[c]);
        row[c] = value;
        for slot in &column.slots {
            bind::write(&mut worker.plan, &prep.plan, slot, column.apply, value);
        }
    }
    let Worker {
        plan,
        ws,
        indicators,
        ..
    } = worker;
    indicators.clear();
    run_years(plan, ws, &prep.years, |v| indicators.observe(v))?;
    indicators.finish();
    indicators.check(plan)?;
    let no = prep.outputs.len();
    for (o, output) in prep.outputs.iter().enumerate() {
        let (value, met) = match output {
            Output::Linkage { year } => {
                let y = indicators
                    .years
                    .iter()
                    .find(|y| y.year == *year)
                    .expect("target years are simulated");
                let target = plan
                    .params
                    .targets
                    .iter()
                    .find(|t| t.0 == *year)
                    .expect("an output per target")
                    .1;
                let v = y.linkage(plan.params.metric);
                (v, v >= target)
            }
            Output::Cap { cap, limit } => {
                let c = &plan.params.caps[*cap];
                let (k, lim) = c.limits[*limit];
                let y = indicators
                    .years
                    .iter()
                    .find(|y| y.year == c.year)
                    .expect("cap years are simulated");
                let v = y.scoped(c.scope, k);
                (v, v <= lim)
            }
        };
        row[nc + o] = value;
        row[nc + no + o] = if met { 1.0 } else { 0.0 };
    }
    Ok(())
}

/// A rayon pool of `threads` threads (0: one per core).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Io {
            path: "<threads>".into(),
            source: std::io::Error::other(e),
        })
}

/// Set when the user asks a sweep to stop (Ctrl-C): tasks not yet started
/// are skipped, and [`run_checkpointed`] saves no further chunk.
static STOP: AtomicBool = AtomicBool::new(false);

/// Ask every running sweep to stop after the runs under way. Safe to call
/// from a signal handler: it only stores to an atomic.
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// Whether a stop was asked for.
fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Runs a worker takes at a time: enough that taking its worker costs
/// nothing, few enough that both threads stay busy to the end.
const RUNS_PER_TASK: usize = 64;

/// Run the given runs (ascending) on `threads` threads (0: all cores),
/// calling `progress` after each. If runs fail, the error names the
/// first of them, whatever the thread count.
pub fn run_sweep(
    prep: &Prepared,
    runs: Vec<u64>,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Table> {
    let width = prep.width();
    let mut rows = vec![0.0; runs.len() * width];
    let pool = thread_pool(threads)?;
    let columns = prep.columns.len();
    // One worker per thread, made when the thread first needs it (a plan
    // copy costs tens of microseconds; rayon splits work far more often).
    let workers: Vec<Mutex<Option<Worker>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    // The first run that failed so far: tasks of later runs are skipped,
    // tasks of earlier ones still run, so the first failure is the one
    // reported.
    let first_failed = AtomicU64::new(u64::MAX);
    let failures = Mutex::new(Vec::new());
    pool.install(|| {
        rows.par_chunks_mut((width * RUNS_PER_TASK).max(1))
            .zip(runs.par_chunks(RUNS_PER_TASK))
            .for_each(|(rows, runs)| {
                if runs[0] > first_failed.load(Ordering::Relaxed) || stop_requested() {
                    return;
                }
                let thread = rayon::current_thread_index().unwrap_or(0);
                let mut worker = workers[thread].lock().unwrap_or_else(|e| e.into_inner());
                let worker = worker.get_or_insert_with(|| Worker::new(&prep.plan, columns));
                for (row, &run_index) in rows.chunks_mut(width).zip(runs) {
                    let result = run_one(prep, worker, run_index, row);
                    progress();
                    if let Err(e) = result {
                        first_failed.fetch_min(run_index, Ordering::Relaxed);
                        failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((run_index, e));
                        return;
                    }
                }
            });
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some((run_index, e)) = failures.into_iter().min_by_key(|(run, _)| *run) {
        return Err(Error::Invalid {
            file: format!("sweep `{}`", prep.sweep.id),
            problems: vec![format!("run {run_index}: {e}")],
        });
    }
    Ok(Table { width, runs, rows })
}

/// What [`run_checkpointed`] returns.
pub struct Checkpointed {
    /// The runs' rows, in run order.
    pub table: Table,
    /// The saved chunks, in run order, when their rows are exactly the
    /// table's (each run once, none that was not asked for, none out of
    /// order): then samples.csv is their text, and need not be formatted
    /// again (see [`write_sweep`]). `None` when chunks of a
    /// resumed sweep interleave or overlap.
    pub chunks: Option<Vec<PathBuf>>,
    /// What a resume read back: the chunks found saved and the runs of
    /// this sweep (or shard) they held. Both 0 when nothing was saved, so
    /// that a log can say whether a restarted task really resumed.
    pub resumed: Resumed,
}

/// The chunks a resumed sweep read back instead of running them again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Saved chunks read back.
    pub chunks: usize,
    /// Runs asked for that those chunks held.
    pub runs: usize,
}

/// Run `runs` (ascending) in chunks of `chunk`, saving each finished chunk
/// in `partial` so that an interrupted sweep loses at most one chunk. With
/// `resume`, chunks already saved there are read back instead of run again;
/// without, any earlier chunks are discarded. Results do not depend on the
/// chunking, the thread count or the interruption.
#[allow(clippy::too_many_arguments)]
pub fn run_checkpointed(
    prep: &Prepared,
    info: &SweepInfo,
    runs: Vec<u64>,
    threads: usize,
    chunk: usize,
    partial: &Path,
    resume: bool,
    progress: &(dyn Fn() + Sync),
) -> Result<Checkpointed> {
    let io = |source| Error::Io {
        path: partial.to_path_buf(),
        source,
    };
    if !resume && partial.exists() {
        std::fs::remove_dir_all(partial).map_err(io)?;
    }
    std::fs::create_dir_all(partial).map_err(io)?;
    // Chunks saved earlier.
    let mut saved = Vec::new();
    for entry in std::fs::read_dir(partial).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "csv")
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            crate::limits::check_input_size(&path)?;
            let table = read_samples(&path, info)?;
            saved.push((path, table));
        }
    }
    let done: std::collections::HashSet<u64> = (saved.iter())
        .flat_map(|(_, t)| t.runs.iter().copied())
        .collect();
    for _ in 0..done.len() {
        progress();
    }
    let todo: Vec<u64> = runs.iter().copied().filter(|r| !done.contains(r)).collect();
    let resumed = Resumed {
        chunks: saved.len(),
        runs: runs.len() - todo.len(),
    };
    for batch in todo.chunks(chunk) {
        let table = run_sweep(prep, batch.to_vec(), threads, progress)?;
        if stop_requested() {
            // The chunk under way may lack runs: it is not saved.
            let saved = saved
                .iter()
                .map(|(_, t): &(PathBuf, Table)| t.runs.len())
                .sum();
            return Err(Error::Interrupted {
                saved,
                runs: runs.len(),
                partial: partial.to_path_buf(),
            });
        }
        let path = partial.join(format!("chunk-{:012}.csv", batch[0]));
        crate::output::write_streamed(&path, |w| write_samples(w, info, &table))?;
        saved.push((path, table));
    }
    // Assemble in run order.
    let width = prep.width();
    let wanted: std::collections::HashSet<u64> = runs.iter().copied().collect();
    let rows: Vec<(u64, &[f64])> = saved
        .iter()
        .flat_map(|(_, t)| t.runs.iter().copied().zip(t.rows.chunks(width)))
        .filter(|(r, _)| wanted.contains(r))
        .collect();
    let table = Table::from_rows(width, rows);
    saved.sort_by_key(|(_, t)| t.runs.first().copied());
    let in_order = (saved.iter())
        .flat_map(|(_, t)| t.runs.iter().copied())
        .eq(table.runs.iter().copied());
    let chunks = in_order.then(|| saved.into_iter().map(|(path, _)| path).collect());
    Ok(Checkpointed {
        table,
        chunks,
        resumed,
    })
}
