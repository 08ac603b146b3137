//! The sweep's `summary.json` (docs/MODEL.md, "The sweep's summary.json"):
//! statistics per output, the probability of meeting each target and cap
//! and all of them, and the sensitivity of each output to each parameter.
//! [`SweepSummary`] is the file's one schema: the sweep writes it and the
//! report reads it.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::design::Design;
use super::stats::{Summary, pearson, ranks, sobol, summarize};
use super::{SweepInfo, Table};

/// A sweep's `summary.json`. Fields and maps are in the file's key order
/// (alphabetical); a number that is not finite is written as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// The design (`monte_carlo`, `latin_hypercube`, `sobol`).
    pub design: String,
    /// Statistics of each output.
    pub outputs: BTreeMap<String, Summary>,
    /// The parameters drawn, one per draw column, in the sweep file's
    /// order (empty in files written before they were recorded).
    #[serde(default)]
    pub params: Vec<SweepParam>,
    /// Per output with a target or cap, and `all`, the share of runs that
    /// met it (all of them).
    pub probabilities: BTreeMap<String, f64>,
    /// Runs done.
    pub runs: usize,
    /// Samples asked for.
    pub samples: u64,
    /// The seed of the draws.
    pub seed: u64,
    /// Per output, per parameter column, its sensitivity.
    pub sensitivity: BTreeMap<String, BTreeMap<String, Sensitivity>>,
    /// The sweep's id.
    pub sweep: String,
    /// Per output, the target or cap it is judged against, if any.
    pub thresholds: BTreeMap<String, Option<f64>>,
}

/// One draw column of a sweep: what it changes, how it is drawn, and how
/// the draw is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepParam {
    /// `"set"` or `"scale"`.
    pub apply: String,
    /// The distribution as a sweep file writes it, arguments named:
    /// `Uniform(min: 0.77, max: 0.95)`.
    pub dist: String,
    /// The parameter path, expanded for `each: true` (the column's name).
    pub path: String,
}

/// How one output depends on one parameter column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Sobol first-order index (Sobol designs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s1: Option<f64>,
    /// Interval of `s1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s1_ci: Option<[Option<f64>; 2]>,
    /// Spearman rank correlation over independent runs (`None`: not
    /// defined, as for a constant output).
    pub spearman: Option<f64>,
    /// Sobol total-order index (Sobol designs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub st: Option<f64>,
    /// Interval of `st`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub st_ci: Option<[Option<f64>; 2]>,
}

/// `Some(v)` for a finite `v`: what JSON can hold.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Build the summary of a complete table (every run of the design).
pub fn summary_json(info: &SweepInfo, table: &Table) -> SweepSummary {
    let (nc, no) = (info.columns.len(), info.outputs.len());
    let width = table.width;
    let n_runs = table.runs.len();
    let column =
        |c: usize| -> Vec<f64> { (0..n_runs).map(|r| table.rows[r * width + c]).collect() };

    let mut outputs = BTreeMap::new();
    let mut probabilities = BTreeMap::new();
    let mut all = vec![true; n_runs];
    let summaries: Vec<_> = (0..no)
        .into_par_iter()
        .map(|o| summarize(&column(nc + o)))
        .collect();
    for ((o, name), summary) in info.outputs.iter().enumerate().zip(summaries) {
        outputs.insert(name.clone(), summary);
        let met = column(nc + no + o);
        let share = met.iter().filter(|m| **m > 0.5).count() as f64 / n_runs.max(1) as f64;
        probabilities.insert(name.clone(), share);
        for (a, m) in all.iter_mut().zip(&met) {
            *a &= *m > 0.5;
        }
    }
    let all_share = all.iter().filter(|a| **a).count() as f64 / n_runs.max(1) as f64;
    probabilities.insert("all".into(), all_share);

    // Spearman over independent rows: all runs, or A and B rows for Saltelli.
    let d = nc as u64;
    let independent: Vec<usize> = (0..n_runs)
        .filter(|&r| info.design != Design::Sobol || table.runs[r] % (d + 2) < 2)
        .collect();
    let pick = |c: usize| -> Vec<f64> {
        independent
            .iter()
            .map(|&r| table.rows[r * width + c])
            .collect()
    };
    // Spearman = Pearson of ranks: rank each column once.
    // Each column on its own (on the current rayon pool): the same values
    // whatever the thread count.
    let param_ranks: Vec<Vec<f64>> = (0..nc).into_par_iter().map(|c| ranks(&pick(c))).collect();
    let mut sensitivity = BTreeMap::new();
    for (o, name) in info.outputs.iter().enumerate() {
        let y = ranks(&pick(nc + o));
        let mut per_param: BTreeMap<String, Sensitivity> = BTreeMap::new();
        for (c, col) in info.columns.iter().enumerate() {
            let spearman = finite(pearson(&param_ranks[c], &y));
            let entry = Sensitivity {
                s1: None,
                s1_ci: None,
                spearman,
                st: None,
                st_ci: None,
            };
            per_param.insert(col.clone(), entry);
        }
        if info.design == Design::Sobol {
            let by_row = |m: u64| -> Vec<f64> {
                (0..n_runs)
                    .filter(|&r| table.runs[r] % (d + 2) == m)
                    .map(|r| table.rows[r * width + nc + o])
                    .collect()
            };
            let f_ab: Vec<Vec<f64>> = (0..d).map(|i| by_row(2 + i)).collect();
            let indices = sobol(&by_row(0), &by_row(1), &f_ab, info.seed);
            for (c, ix) in indices.iter().enumerate() {
                let entry = (per_param.get_mut(&info.columns[c])).expect("inserted above");
                entry.s1 = Some(finite(ix.s1).unwrap_or(f64::NAN));
                entry.s1_ci = Some(ix.s1_ci.map(finite));
                entry.st = Some(finite(ix.st).unwrap_or(f64::NAN));
                entry.st_ci = Some(ix.st_ci.map(finite));
            }
        }
        sensitivity.insert(name.clone(), per_param);
    }
    SweepSummary {
        design: info.design.as_str().to_string(),
        outputs,
        params: info.params.clone(),
        probabilities,
        runs: n_runs,
        samples: info.samples,
        seed: info.seed,
        sensitivity,
        sweep: info.sweep.clone(),
        thresholds: (info.outputs.iter().cloned())
            .zip(info.thresholds.iter().map(|&t| finite(t)))
            .collect(),
    }
}
