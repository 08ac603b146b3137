//! `parkflow reconcile FILE [--out DIR] [--json]`: data reconciliation of
//! a reconciliation file (`crate::reconcile`). Prints the table of
//! quantities and the global test (or the JSON), and writes
//! `reconciled.csv` and `reconcile.json` together, atomically.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::Result;
use crate::output;
use crate::reconcile::solve::{ALPHA, Z_CRITICAL};
use crate::reconcile::{self, Reconciled, files};

/// Arguments of `reconcile`.
// The field docs are clap's help text, where `<id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Reconciliation file (`Reconcile(...)`).
    pub file: PathBuf,
    /// Directory for reconciled.csv and reconcile.json
    /// (default: results/<id>-reconcile).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print reconcile.json instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Reconcile the file, print and write the results.
pub fn reconcile(args: &ReconcileArgs) -> Result<ExitCode> {
    let system = reconcile::load(&args.file)?;
    let result = reconcile::reconcile(&system)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-reconcile", system.id)));
    let json = files::json_text(&result);
    let mut batch = output::Batch::new(&dir)?;
    batch.add(files::CSV, files::csv(&result).as_bytes())?;
    batch.add(files::JSON, json.as_bytes())?;
    batch.commit()?;
    if args.json {
        print!("{json}");
    } else {
        print!(
            "{}",
            table(
                &result,
                &args.file.display().to_string(),
                system.equations.len()
            )
        );
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn cell(v: Option<f64>, width: usize, decimals: usize) -> String {
    v.map_or_else(
        || format!("{:>width$}", "-"),
        |x| format!("{x:>width$.decimals$}"),
    )
}

/// The table: one row per quantity, then the global test and the flagged
/// readings.
pub fn table(r: &Reconciled, file: &str, equations: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Reconciliation `{}` ({file}): {} quantities, {equations} equations, {} linearisation{}",
        r.id,
        r.outcomes.len(),
        r.iterations,
        if r.iterations == 1 { "" } else { "s" }
    );
    let w = r
        .outcomes
        .iter()
        .map(|o| o.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        s,
        "  {:<w$}  {:<9}  {:>12}  {:>10}  {:>12}  {:>13}  {:<12}  {:>8}",
        "id", "kind", "measured", "sd", "reconciled", "reconciled sd", "status", "z"
    );
    for o in &r.outcomes {
        let z = o.z.map_or_else(
            || format!("{:>8}", "-"),
            |z| format!("{z:>8.2}{}", if o.flagged() { " !" } else { "" }),
        );
        let _ = writeln!(
            s,
            "  {:<w$}  {:<9}  {}  {}  {}  {}  {:<12}  {z}",
            o.id,
            o.kind.as_str(),
            cell(o.measured, 12, 4),
            cell(o.sd, 10, 4),
            cell(o.reconciled, 12, 4),
            cell(o.reconciled_sd, 13, 4),
            o.status.as_str(),
        );
    }
    match r.p_value {
        Some(p) => {
            let _ = writeln!(
                s,
                "Global test: chi2 = {:.4} on {} degree{} of freedom, p = {p:.4}: {} at {}%",
                r.chi2,
                r.dof,
                if r.dof == 1 { "" } else { "s" },
                r.verdict(),
                ALPHA * 100.0
            );
        }
        None => {
            let _ = writeln!(
                s,
                "Global test: none; no equation checks one reading against another (0 degrees of freedom)"
            );
        }
    }
    let flagged = r.flagged();
    if flagged.is_empty() {
        let _ = writeln!(s, "Flagged (|z| > {Z_CRITICAL}): none");
    } else {
        let names: Vec<String> = flagged
            .iter()
            .map(|o| format!("{} (z = {:.2})", o.id, o.z.unwrap_or(0.0)))
            .collect();
        let _ = writeln!(
            s,
            "Flagged (|z| > {Z_CRITICAL}), largest first: {}",
            names.join(", ")
        );
    }
    s
}
