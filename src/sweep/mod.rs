//! Sweeps (docs/MODEL.md, "Sweeps"): many runs of one compiled plan with
//! parameters drawn from distributions, in parallel, and the statistics of
//! their outcomes.
//!
//! A sweep is prepared once: the park (or scenario) is loaded, validated
//! and compiled, and every parameter path is bound to its places in the plan
//! ([`bind`]). Each worker thread then owns a copy of the plan, a workspace
//! and an indicator accumulator, and for each run writes the run's draws into
//! its plan and simulates. Results land in a table with one fixed-width row
//! per run, in run order, so any thread count gives the same bits.

pub mod bind;
pub mod design;
pub mod dist;
pub mod stats;
mod summary;

pub use summary::summary_json;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Deserialize;

use crate::engine::{Plan, Workspace, run_years};
use crate::error::{Error, Result};
use crate::indicators::Indicators;
use crate::model::{self, Park};
use crate::scenario::{self, path};
use bind::{Apply, PlanSlot};
use design::{Design, U_MAX, U_MIN};
use dist::Dist;

/// A sweep file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// Identifier, `[a-z0-9_-]+`.
    pub id: String,
    /// Scenario file to sweep around, relative to the sweep file.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Park file, relative to the sweep file (when no scenario).
    #[serde(default)]
    pub park: Option<String>,
    /// Samples (base rows for Sobol).
    pub samples: u64,
    /// Seed of every draw.
    pub seed: u64,
    /// Sampling design.
    #[serde(default = "monte_carlo")]
    pub design: Design,
    /// Swept parameters.
    pub params: Vec<Param>,
}

fn monte_carlo() -> Design {
    Design::MonteCarlo
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Parameter path (docs/MODEL.md, "Parameter paths").
    pub path: String,
    /// Distribution of the drawn value.
    pub dist: Dist,
    /// Set (default) or Scale.
    #[serde(default)]
    pub apply: Apply,
    /// With `*`: an independent draw per matched item.
    #[serde(default)]
    pub each: bool,
}

/// One column of draws: a parameter, or one item of an `each` parameter.
#[derive(Debug, Clone)]
pub struct Column {
    /// The path as written, or expanded for `each`.
    pub name: String,
    /// Distribution.
    pub dist: Dist,
    /// Set or Scale.
    pub apply: Apply,
    /// Where the value goes in the plan.
    pub slots: Vec<PlanSlot>,
}

/// One output of every run.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The judged linkage metric in a target year: `linkage_<year>`.
    Linkage {
        /// Year.
        year: i32,
    },
    /// A cap's scope total: `<pollutant>_<year>`.
    Cap {
        /// Index into the plan's caps.
        cap: usize,
        /// Index into that cap's limits.
        limit: usize,
    },
}

/// A sweep ready to run.
pub struct Prepared {
    /// The sweep file.
    pub sweep: Sweep,
    /// The park swept (with its scenario's changes).
    pub park: Park,
    /// The compiled base plan.
    pub plan: Plan,
    /// Draw columns.
    pub columns: Vec<Column>,
    /// Outputs.
    pub outputs: Vec<Output>,
    /// Output names, in order.
    pub output_names: Vec<String>,
    /// The years the outputs read, ascending: a run simulates only these
    /// when the park carries nothing from year to year (see
    /// [`crate::engine::run_years`]).
    pub years: Vec<i32>,
    /// SHA-256 of the sweep file and the park (and scenario) it runs.
    pub fingerprint: String,
}

/// What identifies a sweep's results, kept with shard parts so that
/// `merge` needs nothing but the parts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct SweepInfo {
    /// Sweep id.
    pub sweep: String,
    /// Design.
    pub design: Design,
    /// Seed.
    pub seed: u64,
    /// Samples (base rows for Sobol).
    pub samples: u64,
    /// Runs of the whole sweep.
    pub runs: u64,
    /// Draw column names.
    pub columns: Vec<String>,
    /// Output names.
    pub outputs: Vec<String>,
    /// Per output, the target or cap limit it is judged against (as in the
    /// park; a swept cap limit varies by run).
    #[serde(default)]
    pub thresholds: Vec<f64>,
    /// SHA-256 of the sweep file and the park (and scenario) it runs.
    pub fingerprint: String,
}

/// Everything the runs produced: one row per run of
/// `[draws…, outputs…, met flags (1 or 0)…]`.
pub struct Table {
    /// Row width.
    pub width: usize,
    /// The runs computed, ascending.
    pub runs: Vec<u64>,
    /// Rows, in the order of `runs`.
    pub rows: Vec<f64>,
}

impl Prepared {
    /// Runs the design calls for.
    pub fn runs(&self) -> u64 {
        self.sweep
            .design
            .runs(self.sweep.samples, self.columns.len())
    }

    /// The runs of shard `k` of `n` (1-based): those whose index is k − 1
    /// modulo n. Refused above [`MAX_SHARD_RUNS`].
    pub fn shard_runs(&self, k: u64, n: u64) -> Result<Vec<u64>, String> {
        let total = self.runs();
        let first = k.saturating_sub(1);
        let count = total.saturating_sub(first).div_ceil(n.max(1));
        if count > MAX_SHARD_RUNS {
            let which = if n == 1 {
                "the sweep".to_string()
            } else {
                format!("shard {k} of {n}")
            };
            return Err(format!(
                "{which} has {count} runs; one process runs at most {MAX_SHARD_RUNS}: split the sweep into at least {} shards with --shard K/N",
                total.div_ceil(MAX_SHARD_RUNS)
            ));
        }
        Ok((first..total).step_by(n.max(1) as usize).collect())
    }

    /// Width of a result row.
    pub fn width(&self) -> usize {
        self.columns.len() + 2 * self.outputs.len()
    }

    /// What identifies the results.
    pub fn info(&self) -> SweepInfo {
        SweepInfo {
            sweep: self.sweep.id.clone(),
            design: self.sweep.design,
            seed: self.sweep.seed,
            samples: self.sweep.samples,
            runs: self.runs(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
            outputs: self.output_names.clone(),
            thresholds: self
                .outputs
                .iter()
                .map(|o| match o {
                    Output::Linkage { year } => self
                        .plan
                        .params
                        .targets
                        .iter()
                        .find(|t| t.0 == *year)
                        .map_or(0.0, |t| t.1),
                    Output::Cap { cap, limit } => self.plan.params.caps[*cap].limits[*limit].1,
                })
                .collect(),
            fingerprint: self.fingerprint.clone(),
        }
    }
}

/// Most runs in a sweep (all its shards).
pub const MAX_RUNS: u64 = 1_000_000_000;

/// Most runs one process computes: an unsharded sweep, or one shard. The
/// results are kept in memory until they are written (about 500 bytes a
/// run for the default park), so a larger sweep is run in shards.
pub const MAX_SHARD_RUNS: u64 = 10_000_000;

/// Read and prepare a sweep file.
pub fn load_sweep(path: &Path) -> Result<Prepared> {
    let text = model::read_text(path)?;
    let file = path.display().to_string();
    let sweep: Sweep = model::parse_ron(&text, &file)?;
    let invalid = |problems: Vec<String>| Error::Invalid {
        file: file.clone(),
        problems,
    };
    let (park, model_text) = match (&sweep.scenario, &sweep.park) {
        (Some(_), Some(_)) => {
            return Err(invalid(vec!["give `scenario` or `park`, not both".into()]));
        }
        (Some(s), None) => {
            let applied = scenario::load_scenario(&scenario::resolve_relative(path, s))?;
            (applied.park, applied.text)
        }
        (None, Some(p)) => model::load_park(&scenario::resolve_relative(path, p))?,
        (None, None) => {
            let park = model::parse_park(model::BUILTIN_PARK, model::BUILTIN_PARK_NAME)?;
            model::validate(&park, model::BUILTIN_PARK_NAME)?;
            (park, model::BUILTIN_PARK.to_string())
        }
    };
    let mut prep = prepare(sweep, park).map_err(invalid)?;
    prep.fingerprint = crate::output::sha256_hex(&format!("{text}\n{model_text}"));
    Ok(prep)
}

/// Bind a sweep's parameters to a validated park, checking every draw stays in its field's range.
pub fn prepare(sweep: Sweep, park: Park) -> Result<Prepared, Vec<String>> {
    let mut problems = Vec::new();
    if let Some(p) = model::file_id_check("sweep", &sweep.id, "the result directory") {
        problems.push(p);
    }
    if sweep.samples == 0 {
        problems.push("samples: at least 1".into());
    }
    if sweep.params.is_empty() {
        problems.push("params: at least one parameter".into());
    }
    let plan = Plan::compile(&park);
    let mut columns = Vec::new();
    for (i, param) in sweep.params.iter().enumerate() {
        let item = format!("param {} (`{}`)", i + 1, param.path);
        if let Err(e) = param.dist.check() {
            problems.push(format!("{item}: {e}"));
            continue;
        }
        let targets = match path::resolve(&park, &param.path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{item}: {e}"));
                continue;
            }
        };
        let mut bound = Vec::new();
        for t in &targets {
            match bind::bind(&park, &plan, t) {
                Ok(Some(slot)) => {
                    if let Err(e) = check_range(&plan, t, &slot, &param.dist, param.apply) {
                        problems.push(format!("{item}: {e}"));
                    }
                    bound.push((path_of(&park, t), slot));
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("{item}: {e}")),
            }
        }
        if param.each && param.path.contains('*') {
            columns.extend(bound.into_iter().map(|(name, slot)| Column {
                name,
                dist: param.dist.clone(),
                apply: param.apply,
                slots: vec![slot],
            }));
        } else {
            columns.push(Column {
                name: param.path.clone(),
                dist: param.dist.clone(),
                apply: param.apply,
                slots: bound.into_iter().map(|(_, s)| s).collect(),
            });
        }
    }
    let mut names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        problems.push(format!("`{}` is swept twice", w[0]));
    }
    match sweep.design.checked_runs(sweep.samples, columns.len()) {
        Some(runs) if runs <= MAX_RUNS => {}
        runs => problems.push(format!(
            "samples: {} samples make {} runs{}; a sweep makes at most {MAX_RUNS}",
            sweep.samples,
            runs.map_or_else(|| "more than 2^64".to_string(), |r| r.to_string()),
            if sweep.design == Design::Sobol {
                format!(" (samples × ({} parameter columns + 2))", columns.len())
            } else {
                String::new()
            },
        )),
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut outputs = Vec::new();
    let mut output_names = Vec::new();
    for &(year, _) in &plan.params.targets {
        outputs.push(Output::Linkage { year });
        output_names.push(format!("linkage_{year}"));
    }
    for (c, cap) in plan.params.caps.iter().enumerate() {
        for (i, &(k, _)) in cap.limits.iter().enumerate() {
            outputs.push(Output::Cap { cap: c, limit: i });
            output_names.push(format!("{}_{}", plan.topology.pollutants[k], cap.year));
        }
    }
    let mut years: Vec<i32> = outputs
        .iter()
        .map(|output| match *output {
            Output::Linkage { year } => year,
            Output::Cap { cap, .. } => plan.params.caps[cap].year,
        })
        .collect();
    years.sort_unstable();
    years.dedup();
    Ok(Prepared {
        sweep,
        park,
        plan,
        columns,
        outputs,
        output_names,
        years,
        fingerprint: String::new(),
    })
}

/// The path naming one target, for `each` columns.
fn path_of(park: &Park, t: &path::Target) -> String {
    use path::{CoeffMap, LinkYear, ProcessSeries, StorageField, Target};
    let process = |p: &usize| &park.processes[*p].id;
    match t {
        Target::ProcessSeries(p, f) => format!(
            "processes.{}.{}",
            process(p),
            match f {
                ProcessSeries::Capacity => "capacity",
                ProcessSeries::Utilization => "utilization",
                ProcessSeries::Demand => "demand",
            }
        ),
        Target::ProcessCoeff(p, m, k) => format!(
            "processes.{}.{}.{k}",
            process(p),
            match m {
                CoeffMap::Inputs => "inputs",
                CoeffMap::Outputs => "outputs",
                CoeffMap::Emissions => "emissions",
            }
        ),
        Target::Abatement(p, k) => format!("processes.{}.abatement.{k}", process(p)),
        Target::LinkYear(l, y) => format!(
            "links.{}.{}",
            park.links[*l].id,
            if *y == LinkYear::Start {
                "start"
            } else {
                "end"
            }
        ),
        Target::LinkMaxRate(l) => format!("links.{}.max_rate", park.links[*l].id),
        Target::LinkPriority(l) => format!("links.{}.priority", park.links[*l].id),
        Target::TonnesPerUnit(m) => format!("materials.{}.t_per_unit", park.materials[*m].id),
        Target::DisposalFactor(m, k) => {
            format!("materials.{}.fate.emissions.{k}", park.materials[*m].id)
        }
        Target::Storage(s, f) => format!(
            "storages.{}.{}",
            park.storages[*s].id,
            if *f == StorageField::Capacity {
                "capacity"
            } else {
                "initial"
            }
        ),
        Target::Background(k) => format!("background.{k}"),
        Target::CapLimit(c, k) => format!("caps.{}.{k}", park.caps[*c].year),
    }
}

/// Check that every value a parameter can write lies in its field's range,
/// so no run can meet a value validation would reject.
fn check_range(
    plan: &Plan,
    t: &path::Target,
    slot: &PlanSlot,
    dist: &Dist,
    apply: Apply,
) -> Result<(), String> {
    let (lo, hi) = dist.support();
    if t.is_integer() && apply == Apply::Scale {
        return Err(
            "a year cannot be scaled; Set it (drawn values are rounded to whole years)".into(),
        );
    }
    let bases = match apply {
        Apply::Set => vec![1.0],
        Apply::Scale => bind::base_values(plan, slot),
    };
    if apply == Apply::Scale && bases.is_empty() {
        return Err("it has no value to scale (unbounded or unset): use Set".into());
    }
    // What a draw writes stays a quantity validation would accept: the
    // draws themselves are finite (Dist::check), and their extremes, times
    // each value they scale, stay within MAX_QUANTITY.
    let draws = [dist.quantile(U_MIN), dist.quantile(U_MAX)];
    if !t.is_integer()
        && let Some(v) = bases
            .iter()
            .flat_map(|b| draws.map(|d| b * d))
            .find(|v| !v.is_finite() || v.abs() > model::MAX_QUANTITY)
    {
        let v = if v.is_finite() {
            model::quantity(v)
        } else {
            "infinite".into()
        };
        return Err(format!(
            "draws can make it {v}, above 1e18, the largest quantity a park may hold; narrow the distribution"
        ));
    }
    let mut range = (f64::INFINITY, f64::NEG_INFINITY);
    for b in bases {
        for v in [b * lo, b * hi] {
            let v = if v.is_nan() { 0.0 } else { v };
            range = (range.0.min(v), range.1.max(v));
        }
    }
    if t.is_integer() {
        return Ok(());
    }
    if range.0 < 0.0 {
        return Err(format!(
            "draws can make it negative (down to {}); bound the distribution (e.g. Normal's min)",
            range.0
        ));
    }
    if t.is_fraction() && range.1 > 1.0 {
        return Err(format!(
            "it is a fraction in [0, 1], but draws reach {}; bound the distribution (e.g. Normal's max)",
            range.1
        ));
    }
    if let PlanSlot::Input(s) = slot
        && plan.topology.is_feed(*s)
        && range.0 <= 0.0
    {
        return Err("a Feed input needs a positive coefficient, but draws can reach 0".into());
    }
    Ok(())
}

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
                if runs[0] > first_failed.load(Ordering::Relaxed) {
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

impl Table {
    /// A table of the given `(run, row)` pairs, sorted by run, each run once.
    pub fn from_rows(width: usize, mut rows: Vec<(u64, &[f64])>) -> Table {
        rows.sort_by_key(|(r, _)| *r);
        rows.dedup_by_key(|(r, _)| *r);
        Table {
            width,
            runs: rows.iter().map(|(r, _)| *r).collect(),
            rows: rows
                .iter()
                .flat_map(|(_, row)| row.iter().copied())
                .collect(),
        }
    }
}

/// What [`run_checkpointed`] returns.
pub struct Checkpointed {
    /// The runs' rows, in run order.
    pub table: Table,
    /// The saved chunks, in run order, when their rows are exactly the
    /// table's (each run once, none that was not asked for, none out of
    /// order): then samples.csv is their text, and need not be formatted
    /// again (see [`crate::output::write_sweep`]). `None` when chunks of a
    /// resumed sweep interleave or overlap.
    pub chunks: Option<Vec<PathBuf>>,
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
            let table = crate::output::read_samples(&path, info)?;
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
    for batch in todo.chunks(chunk) {
        let table = run_sweep(prep, batch.to_vec(), threads, progress)?;
        let path = partial.join(format!("chunk-{:012}.csv", batch[0]));
        crate::output::write_streamed(&path, |w| crate::output::write_samples(w, info, &table))?;
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
    Ok(Checkpointed { table, chunks })
}
