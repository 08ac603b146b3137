//! Run the first step of an acyclic synthetic park (as the bench
//! `synthetic_acyclic_step` does) a given number of times, for profilers
//! and cache simulators, which criterion's timing loop does not suit:
//!
//! ```sh
//! cargo run --release --example first_steps -- PROCESSES RUNS
//! ```
//!
//! docs/PERFORMANCE.md counts a step's instructions and the lines it
//! fetches from beyond L2 with cachegrind, as the difference between two
//! numbers of runs, so that building the park is left out.

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use std::hint::black_box;
use std::process::ExitCode;

use parkflow::engine::{Plan, Workspace, run};
use parkflow::indicators::Indicators;
use parkflow::model::validate;
use synthetic::SyntheticOptions;

/// The seed of the benches' synthetic parks.
const SEED: u64 = 2012;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed: Option<Vec<usize>> = args.iter().map(|a| a.parse().ok()).collect();
    let Some(&[processes, runs]) = parsed.as_deref() else {
        eprintln!("usage: first_steps PROCESSES RUNS (two whole numbers)");
        return ExitCode::from(2);
    };
    let park = synthetic::generate(&SyntheticOptions {
        leontief_share: 0.0,
        iterated_share: 0.0,
        ..SyntheticOptions::new(processes, SEED)
    });
    if let Err(e) = validate(&park, "synthetic") {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let plan = Plan::compile(&park);
    let mut ws = Workspace::new(&plan);
    let mut ind = Indicators::new(&plan);
    for _ in 0..runs {
        ind.clear();
        if let Err(e) = run(&plan, &mut ws, |v| ind.observe(v)) {
            eprintln!("the park does not run: {e}");
            return ExitCode::FAILURE;
        }
        ind.finish();
        black_box(ind.years.last().map(|y| y.linkage_mass));
    }
    println!(
        "{runs} first steps of {} processes, {} links",
        plan.topology.processes.len(),
        plan.topology.links.len()
    );
    ExitCode::SUCCESS
}
