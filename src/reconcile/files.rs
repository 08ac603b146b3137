//! A reconciliation's result files, rendered in memory so that the command
//! writes them together and atomically (`output::Batch`): `reconciled.csv`,
//! one row per quantity, and `reconcile.json`, the same with the global
//! test (docs/MODEL.md, "Reconciliation results").

use serde::{Deserialize, Serialize};

use super::solve::{ALPHA, Reconciled, Z_CRITICAL};
use crate::output::num;

/// The CSV file's name.
pub const CSV: &str = "reconciled.csv";
/// The JSON file's name.
pub const JSON: &str = "reconcile.json";
/// The CSV header.
pub const HEADER: &str = "id,kind,status,measured,sd,reconciled,reconciled_sd,z,flagged";

fn cell(v: Option<f64>) -> String {
    v.map_or_else(String::new, num)
}

/// `reconciled.csv`: one row per quantity in file order; an undefined
/// value is an empty cell.
pub fn csv(r: &Reconciled) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for o in &r.outcomes {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            o.id,
            o.kind.as_str(),
            o.status.as_str(),
            cell(o.measured),
            cell(o.sd),
            cell(o.reconciled),
            cell(o.reconciled_sd),
            cell(o.z),
            o.flagged()
        ));
    }
    s
}

/// `reconcile.json`, as written.
pub fn json(r: &Reconciled) -> ReconcileJson {
    ReconcileJson {
        id: r.id.clone(),
        parkflow_version: env!("CARGO_PKG_VERSION").to_string(),
        variables: (r.outcomes.iter())
            .map(|o| VariableJson {
                id: o.id.clone(),
                kind: o.kind.as_str().to_string(),
                status: o.status.as_str().to_string(),
                measured: o.measured,
                sd: o.sd,
                reconciled: o.reconciled,
                reconciled_sd: o.reconciled_sd,
                z: o.z,
                flagged: o.flagged(),
            })
            .collect(),
        chi2: r.chi2,
        dof: r.dof,
        p_value: r.p_value,
        verdict: r.verdict().to_string(),
        alpha: ALPHA,
        z_critical: Z_CRITICAL,
        iterations: r.iterations,
    }
}

/// `reconcile.json` as pretty text with a final newline.
pub fn json_text(r: &Reconciled) -> String {
    let mut s = serde_json::to_string_pretty(&json(r)).unwrap_or_default();
    s.push('\n');
    s
}

/// `reconcile.json`: what [`json`] writes and the report reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReconcileJson {
    /// The system's id.
    pub id: String,
    /// The version of parkflow that wrote the file.
    #[serde(default)]
    pub parkflow_version: String,
    /// One per quantity.
    pub variables: Vec<VariableJson>,
    /// χ² of the adjustments.
    pub chi2: f64,
    /// Degrees of freedom.
    pub dof: usize,
    /// P-value; none without redundancy.
    pub p_value: Option<f64>,
    /// `"passed"`, `"failed"` or `"no redundancy, no test"`.
    pub verdict: String,
    /// The test's level.
    pub alpha: f64,
    /// The flagging threshold of |z|.
    pub z_critical: f64,
    /// Linearisations solved.
    #[serde(default)]
    pub iterations: usize,
}

/// One quantity of `reconcile.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VariableJson {
    /// Its id.
    pub id: String,
    /// `flow`, `stock` or `parameter`.
    pub kind: String,
    /// `measured`, `constant`, `determined` or `unobservable`.
    pub status: String,
    /// The value given.
    pub measured: Option<f64>,
    /// Its sd.
    pub sd: Option<f64>,
    /// The estimate.
    pub reconciled: Option<f64>,
    /// The estimate's sd.
    pub reconciled_sd: Option<f64>,
    /// The normalized adjustment.
    pub z: Option<f64>,
    /// Whether |z| exceeds the threshold.
    pub flagged: bool,
}
