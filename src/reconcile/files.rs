//! A reconciliation's result files, rendered in memory so that the command
//! writes them together and atomically (`output::Batch`): `reconciled.csv`,
//! one row per quantity, and `reconcile.json`, the same with the global
//! test (docs/MODEL.md, "Reconciliation results").

use serde_json::{Value, json};

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

/// `reconcile.json`, as a value.
pub fn json(r: &Reconciled) -> Value {
    let variables: Vec<Value> = r
        .outcomes
        .iter()
        .map(|o| {
            json!({
                "id": o.id,
                "kind": o.kind.as_str(),
                "status": o.status.as_str(),
                "measured": o.measured,
                "sd": o.sd,
                "reconciled": o.reconciled,
                "reconciled_sd": o.reconciled_sd,
                "z": o.z,
                "flagged": o.flagged(),
            })
        })
        .collect();
    json!({
        "id": r.id,
        "parkflow_version": env!("CARGO_PKG_VERSION"),
        "variables": variables,
        "chi2": r.chi2,
        "dof": r.dof,
        "p_value": r.p_value,
        "verdict": r.verdict(),
        "alpha": ALPHA,
        "z_critical": Z_CRITICAL,
        "iterations": r.iterations,
    })
}

/// `reconcile.json` as pretty text with a final newline.
pub fn json_text(r: &Reconciled) -> String {
    let mut s = serde_json::to_string_pretty(&json(r)).unwrap_or_default();
    s.push('\n');
    s
}

/// `reconcile.json` as the report reads it back: the keys [`json`] writes.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReconcileJson {
    /// The system's id.
    pub id: String,
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
}

/// One quantity of `reconcile.json`.
#[derive(Debug, Clone, serde::Deserialize)]
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
