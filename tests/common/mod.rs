//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use parkflow::engine::Plan;
use parkflow::model::{Park, parse_park, validate};
use parkflow::output::{Simulation, simulate};

/// Parse and validate a park, panicking with the error's message.
pub fn park(text: &str) -> Park {
    let park = parse_park(text, "test.ron").unwrap_or_else(|e| panic!("{e}"));
    validate(&park, "test.ron").unwrap_or_else(|e| panic!("{e}"));
    park
}

/// Simulate a park given as RON text.
pub fn sim(text: &str) -> (Plan, Simulation) {
    let plan = Plan::compile(&park(text));
    let sim = simulate(&plan).unwrap_or_else(|e| panic!("{e}"));
    (plan, sim)
}

/// Simulate, expecting an error; return its message.
pub fn sim_err(text: &str) -> String {
    let plan = Plan::compile(&park(text));
    simulate(&plan)
        .expect_err("the run should fail")
        .to_string()
}

/// Index of a process by id.
pub fn process(plan: &Plan, id: &str) -> usize {
    plan.topology
        .processes
        .iter()
        .position(|p| p.id == id)
        .unwrap()
}

/// Index of a link by id.
pub fn link(plan: &Plan, id: &str) -> usize {
    plan.topology.link_ids.iter().position(|l| l == id).unwrap()
}

/// Index of the pool of `material` at `process`.
pub fn pool(plan: &Plan, process_id: &str, material: &str) -> usize {
    let p = process(plan, process_id);
    (0..plan.topology.pools.len())
        .find(|&i| {
            plan.topology.pool_name(i) == format!("{}/{material}", plan.topology.processes[p].id)
        })
        .unwrap()
}

/// Index of the input slot of `material` at `process`.
pub fn slot(plan: &Plan, process_id: &str, material: &str) -> usize {
    let p = process(plan, process_id);
    (0..plan.topology.slots.len())
        .find(|&i| {
            plan.topology.slot_name(i) == format!("{}/{material}", plan.topology.processes[p].id)
        })
        .unwrap()
}

/// Assert two numbers agree to 1e-9 relative.
#[track_caller]
pub fn close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual}"
    );
}

/// Assert every pool of every step conserves mass:
/// generated = linked + stored (net) + sold + disposed.
#[track_caller]
pub fn assert_conserves_mass(plan: &Plan, sim: &Simulation) {
    for s in &sim.steps {
        for (i, p) in s.pools.iter().enumerate() {
            let [generated, inter, intra, stored, sold, disposed] = *p;
            let out = inter + intra + stored + sold + disposed;
            let scale = generated.abs().max(out.abs()).max(1.0);
            assert!(
                (generated - out).abs() <= 1e-9 * scale,
                "pool {} in {} step {}: generated {generated} but out {out}",
                plan.topology.pool_name(i),
                s.year,
                s.step
            );
        }
    }
}

/// The `parkflow` binary, ready for arguments.
pub fn parkflow() -> assert_cmd::Command {
    assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("parkflow"))
}

/// A file under `flows/examples/`.
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("flows/examples")
        .join(name)
}

/// A sweep file `dir/sweep.ron` over the acid example (id `acid-sweep`),
/// with the given design, samples, seed and params (`Param(...)` items).
pub fn acid_sweep_file(dir: &Path, design: &str, samples: u64, seed: u64, params: &str) -> PathBuf {
    let path = dir.join("sweep.ron");
    std::fs::write(
        &path,
        format!(
            r#"Sweep(id: "acid-sweep", park: "{}", samples: {samples}, seed: {seed}, design: {design}, params: [{params}])"#,
            example("acid.ron").display()
        ),
    )
    .unwrap();
    path
}

/// Run a Monte Carlo sweep of the acid example with `samples` samples
/// (seed 3) over `params`, through the binary, into `dir/sweep`; returns
/// that directory.
pub fn acid_sweep(dir: &Path, samples: u64, params: &str) -> PathBuf {
    let sweep_file = acid_sweep_file(dir, "MonteCarlo", samples, 3, params);
    let out = dir.join("sweep");
    parkflow()
        .args(["sweep", "--quiet", "--out"])
        .arg(&out)
        .arg(&sweep_file)
        .assert()
        .success();
    out
}
