//! The sweep's `summary.json` (docs/MODEL.md, "The sweep's summary.json"):
//! statistics per output, the probability of meeting each target and cap
//! and all of them, and the sensitivity of each output to each parameter.

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::design::Design;
use super::stats::{pearson, ranks, sobol, summarize};
use super::{SweepInfo, Table};

/// Build the summary of a complete table (every run of the design).
pub fn summary_json(info: &SweepInfo, table: &Table) -> Value {
    let (nc, no) = (info.columns.len(), info.outputs.len());
    let width = table.width;
    let n_runs = table.runs.len();
    let column =
        |c: usize| -> Vec<f64> { (0..n_runs).map(|r| table.rows[r * width + c]).collect() };

    let mut outputs = Map::new();
    let mut probabilities = Map::new();
    let mut all = vec![true; n_runs];
    let summaries: Vec<_> = (0..no)
        .into_par_iter()
        .map(|o| summarize(&column(nc + o)))
        .collect();
    for ((o, name), summary) in info.outputs.iter().enumerate().zip(summaries) {
        outputs.insert(
            name.clone(),
            serde_json::to_value(summary).expect("plain numbers"),
        );
        let met = column(nc + no + o);
        let share = met.iter().filter(|m| **m > 0.5).count() as f64 / n_runs.max(1) as f64;
        probabilities.insert(name.clone(), json!(share));
        for (a, m) in all.iter_mut().zip(&met) {
            *a &= *m > 0.5;
        }
    }
    let all_share = all.iter().filter(|a| **a).count() as f64 / n_runs.max(1) as f64;
    probabilities.insert("all".into(), json!(all_share));

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
    let mut sensitivity = Map::new();
    for (o, name) in info.outputs.iter().enumerate() {
        let y = ranks(&pick(nc + o));
        let mut per_param = Map::new();
        for (c, col) in info.columns.iter().enumerate() {
            per_param.insert(
                col.clone(),
                json!({"spearman": pearson(&param_ranks[c], &y)}),
            );
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
                let entry = per_param
                    .get_mut(&info.columns[c])
                    .and_then(Value::as_object_mut)
                    .expect("inserted above");
                entry.insert("s1".into(), json!(ix.s1));
                entry.insert("s1_ci".into(), json!(ix.s1_ci));
                entry.insert("st".into(), json!(ix.st));
                entry.insert("st_ci".into(), json!(ix.st_ci));
            }
        }
        sensitivity.insert(name.clone(), Value::Object(per_param));
    }
    json!({
        "sweep": info.sweep,
        "design": info.design.as_str(),
        "seed": info.seed,
        "samples": info.samples,
        "runs": n_runs,
        "outputs": outputs,
        "probabilities": probabilities,
        "thresholds": info
            .outputs
            .iter()
            .zip(&info.thresholds)
            .map(|(name, t)| (name.clone(), json!(t)))
            .collect::<Map<String, Value>>(),
        "sensitivity": sensitivity,
    })
}
