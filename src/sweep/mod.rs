//! Sweeps (docs/MODEL.md, "Sweeps"): many runs of one compiled plan with parameters drawn
//! from distributions, in parallel, and the statistics of their outcomes.
//!
//! A sweep is prepared once: the park (or scenario) is loaded, validated
//! and compiled, and every parameter path is bound to its places in the plan
//! ([`bind`]). Each worker thread then owns a copy of the plan, a workspace
//! and an indicator accumulator, and for each run writes the run's draws into
//! its plan and simulates. Results land in a table with one fixed-width row
//! per run, in run order, so any thread count gives the same bits.
//!
//! Here are the types a sweep is described by; preparing is in `prepare`,
//! running in `run`, the result files in `files` and their summary in
//! `summary`.

pub mod bands;
pub mod bind;
pub mod design;
mod files;
mod prepare;
mod run;
pub mod stats;
mod summary;

pub use files::{
    merge_parts, part_paths, read_samples, write_parquet, write_part, write_samples, write_sweep,
};
pub use prepare::{bind_params, load_sweep, prepare};
pub use run::{Checkpointed, Resumed, request_stop, run_checkpointed, run_sweep, thread_pool};
pub use summary::{Sensitivity, SweepParam, SweepSummary, summary_json};

use serde::Deserialize;

use crate::engine::Plan;
use crate::error::Result;
use crate::model::{Apply, Dist, Param, Park};
use bind::PlanSlot;
use design::Design;

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
    /// Swept parameters; none: the park's declared `uncertainty`.
    #[serde(default)]
    pub params: Vec<Param>,
}

fn monte_carlo() -> Design {
    Design::MonteCarlo
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
    /// Each draw column's path, distribution and apply mode, for the
    /// summary and the report (empty in parts written before they were
    /// recorded).
    #[serde(default)]
    pub params: Vec<SweepParam>,
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
            params: (self.columns.iter())
                .map(|c| SweepParam {
                    apply: match c.apply {
                        Apply::Set => "set",
                        Apply::Scale => "scale",
                    }
                    .to_string(),
                    dist: c.dist.written(),
                    path: c.name.clone(),
                })
                .collect(),
        }
    }
}

/// Most runs in a sweep (all its shards).
pub const MAX_RUNS: u64 = 1_000_000_000;

/// Most runs one process computes: an unsharded sweep, or one shard. The
/// results are kept in memory until they are written (about 500 bytes a
/// run for the default park), so a larger sweep is run in shards.
pub const MAX_SHARD_RUNS: u64 = 10_000_000;

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
