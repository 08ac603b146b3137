//! `parkflow check FILE`: validate and report warnings.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::engine::Plan;
use crate::error::Result;
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
}

/// Validate a park and print its warnings.
pub fn check(args: &CheckArgs) -> Result<ExitCode> {
    let loaded = super::load(Some(&args.file))?;
    let park = &loaded.park;
    let plan = Plan::compile(park);
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
    let balances = crate::model::balance::balances(park);
    let flagged: Vec<_> = balances
        .iter()
        .filter(|b| b.relative_gap() > args.tolerance)
        .collect();
    let elements = balances.iter().filter(|b| b.what != "mass").count();
    println!(
        "balances per unit of product: {} processes, {} element balances; {} beyond {:.1}%",
        balances.iter().filter(|b| b.what == "mass").count(),
        elements,
        flagged.len(),
        args.tolerance * 100.0
    );
    for b in &flagged {
        let unconverted = if b.unconverted.is_empty() {
            String::new()
        } else {
            format!(
                " (not counted, no tonnes conversion: {})",
                b.unconverted.join(", ")
            )
        };
        println!(
            "  imbalance: process `{}`, {}: {:.4} t in, {:.4} t out per unit ({:.1}% apart){unconverted}",
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
