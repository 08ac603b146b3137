//! `parkflow check FILE [--tolerance SHARE] [--json]`: validate a park or
//! scenario, report its warnings and the balances beyond the tolerance, as
//! text or as one JSON object.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::model::balance::{Balance, balances};
use crate::model::warnings;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Park or scenario file to check.
    pub file: PathBuf,
    /// Relative gap between tonnes in and out beyond which a process's mass
    /// or element balance is flagged.
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub tolerance: f64,
    /// Print one JSON object (valid, errors, warnings, imbalances) instead
    /// of text.
    #[arg(long)]
    pub json: bool,
}

/// Validate a park, scenario, sweep or reconciliation file, by what it
/// holds; for a park or scenario, print its warnings and flagged balances.
pub fn check(args: &CheckArgs) -> Result<ExitCode> {
    let text = crate::model::read_text(&args.file)?;
    let name = args.file.display().to_string();
    let other = match crate::model::top_level_name(&text) {
        Some("Sweep") => Some(crate::sweep::load_sweep(&args.file).map(|p| {
            let s = &p.sweep;
            format!(
                "{name}: valid sweep `{}`: {} parameter columns, {} samples ({}), {} runs; outputs {}",
                s.id,
                p.columns.len(),
                s.samples,
                s.design.as_str(),
                p.runs(),
                p.output_names.join(", ")
            )
        })),
        Some("Reconcile") => Some(crate::reconcile::load(&args.file).map(|sys| {
            format!(
                "{name}: valid reconciliation `{}`: {} quantities, {} equations",
                sys.id,
                sys.quantities.len(),
                sys.equations.len()
            )
        })),
        _ => None,
    };
    if let Some(outcome) = other {
        return match (outcome, args.json) {
            (Ok(line), false) => {
                println!("{line}");
                Ok(ExitCode::SUCCESS)
            }
            (Ok(_), true) => {
                print_json(&json!({"valid": true, "errors": [], "warnings": [], "imbalances": []}));
                Ok(ExitCode::SUCCESS)
            }
            (Err(e), json) => {
                if json {
                    print_invalid(&e);
                }
                Err(e)
            }
        };
    }
    if args.json {
        return check_json(args);
    }
    let loaded = super::load(Some(&args.file))?;
    let park = &loaded.park;
    let plan = Plan::compile(park);
    runs(&plan, &loaded.name)?;
    let warnings = warnings(park);
    println!(
        "{}: valid park `{}`: {} enterprises, {} processes, {} links ({} candidate), {} storages, {}–{}",
        loaded.name,
        park.id,
        park.enterprises.len(),
        park.processes.len(),
        park.links.len(),
        park.links.iter().filter(|l| l.candidate).count(),
        park.storages.len(),
        park.time.start,
        park.time.end,
    );
    println!(
        "dependency order: {} blocks, {} cycles iterated, {} Leontief blocks solved by LU",
        plan.schedule.blocks.len(),
        plan.schedule.cycles.len(),
        plan.schedule.leontief.len()
    );
    let balances = balances(park);
    let flagged = flagged(&balances, args.tolerance);
    let elements = balances.iter().filter(|b| b.what != "mass").count();
    println!(
        "balances per unit of product: {} processes, {} element balances; {} beyond {:.1}%",
        balances.iter().filter(|b| b.what == "mass").count(),
        elements,
        flagged.len(),
        args.tolerance * 100.0
    );
    for b in &flagged {
        let unmodelled = if b.unmodelled_inputs > 0.0 || b.unmodelled_outputs > 0.0 {
            format!(
                " (unmodelled streams: {:.4} t in, {:.4} t out)",
                b.unmodelled_inputs, b.unmodelled_outputs
            )
        } else {
            String::new()
        };
        let unconverted = if b.unconverted.is_empty() {
            String::new()
        } else {
            format!(
                " (not counted, no tonnes conversion: {})",
                b.unconverted.join(", ")
            )
        };
        println!(
            "  imbalance: process `{}`, {}: {:.4} t in, {:.4} t out per unit ({:.1}% apart){unmodelled}{unconverted}",
            b.process,
            b.what,
            b.inputs,
            b.outputs,
            b.relative_gap() * 100.0
        );
    }
    if warnings.is_empty() {
        println!("no warnings");
    } else {
        println!(
            "{} warning{}:",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        );
        for w in &warnings {
            println!("  warning: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The balances whose gap is beyond `tolerance`, in process order.
fn flagged(balances: &[Balance], tolerance: f64) -> Vec<&Balance> {
    balances
        .iter()
        .filter(|b| b.relative_gap() > tolerance)
        .collect()
}

/// `check --json`: one object on stdout. A file that does not load is
/// `valid: false` with its problems as `errors`; the error then also goes
/// to stderr as every error does, and the exit status is 1.
fn check_json(args: &CheckArgs) -> Result<ExitCode> {
    let loaded = match super::load(Some(&args.file))
        .and_then(|l| runs(&Plan::compile(&l.park), &l.name).map(|()| l))
    {
        Ok(loaded) => loaded,
        Err(e) => {
            print_invalid(&e);
            return Err(e);
        }
    };
    let park = &loaded.park;
    let warnings: Vec<String> = warnings(park).into_iter().map(|w| w.0).collect();
    let balances = balances(park);
    let imbalances: Vec<serde_json::Value> = flagged(&balances, args.tolerance)
        .into_iter()
        .map(|b| {
            json!({
                "process": b.process,
                "basis": b.what,
                "input_t": b.inputs,
                "output_t": b.outputs,
                "share": b.relative_gap(),
            })
        })
        .collect();
    print_json(&json!({
        "valid": true,
        "errors": [],
        "warnings": warnings,
        "imbalances": imbalances,
    }));
    Ok(ExitCode::SUCCESS)
}

fn print_json(value: &serde_json::Value) {
    // A Value always serialises; its numbers here are finite sums of
    // validated quantities.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// Print the JSON of a file that is not valid: its problems as `errors`.
fn print_invalid(e: &Error) {
    let errors: Vec<String> = match e {
        Error::Invalid { file, problems } => {
            problems.iter().map(|p| format!("{file}: {p}")).collect()
        }
        other => vec![other.to_string()],
    };
    print_json(&json!({
        "valid": false,
        "errors": errors,
        "warnings": [],
        "imbalances": [],
    }));
}

/// Run the park once: one that cannot run (a cycle that is not productive
/// or does not converge, a value that overflows) is not valid, though each
/// of its items is.
fn runs(plan: &Plan, name: &str) -> Result<()> {
    crate::output::simulate(plan)
        .map(|_| ())
        .map_err(|e| Error::Invalid {
            file: name.to_string(),
            problems: vec![format!("the park does not run: {e}")],
        })
}
