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
        plan.blocks.len(),
        plan.cycles.len(),
        plan.leontief.len()
    );
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
