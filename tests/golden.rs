//! The committed baseline run of the default park is what the code computes now.
//!
//! If a change to the engine or to `flows/jilin.ron` is meant to change the
//! results, regenerate them with `cargo run --release -- run` and commit
//! `results/jilin-chem-park/` with the change, saying why in the commit.

use std::path::Path;

use parkflow::engine::Plan;
use parkflow::model::{BUILTIN_PARK, BUILTIN_PARK_NAME, parse_park, validate};
use parkflow::output::{RunInfo, run_files, simulate};
use parkflow::sweep::bands::{DEFAULT_SAMPLES, bands};

#[test]
fn the_committed_jilin_results_equal_a_fresh_run() {
    let park = parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME).unwrap();
    validate(&park, BUILTIN_PARK_NAME).unwrap();
    let plan = Plan::compile(&park);
    let mut sim = simulate(&plan).unwrap();
    // `run` draws the park's declared uncertainty with the defaults; a
    // debug build's draws are the same bits as the release build's.
    bands(&park, &plan, DEFAULT_SAMPLES, 0)
        .unwrap()
        .expect("the built-in park declares its uncertainty")
        .attach(&mut sim);
    let info = RunInfo {
        park: &park,
        model_text: BUILTIN_PARK,
        scenario: None,
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/jilin-chem-park");
    for (name, fresh) in run_files(&info, &plan, &sim).unwrap() {
        let committed = std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("results/jilin-chem-park/{name}: {e}"));
        assert!(
            committed == fresh,
            "results/jilin-chem-park/{name} differs from a fresh run: regenerate with `cargo run --release -- run`"
        );
    }
}

#[test]
fn the_built_in_park_is_the_file_in_flows() {
    let on_disk =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/jilin.ron"))
            .unwrap();
    assert_eq!(on_disk, BUILTIN_PARK);
}

#[test]
fn the_default_park_is_as_large_as_the_plan_needs() {
    let park = parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME).unwrap();
    assert!(
        park.enterprises.len() >= 12,
        "{} enterprises",
        park.enterprises.len()
    );
    assert!(
        park.processes.len() >= 20,
        "{} processes",
        park.processes.len()
    );
    // Every process and link says where its numbers come from.
    for p in &park.processes {
        assert!(
            p.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
            "process `{}` has no source",
            p.id
        );
    }
    for l in &park.links {
        assert!(
            l.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
            "link `{}` has no source",
            l.id
        );
    }
    let t = park.targets.as_ref().unwrap();
    assert_eq!(t.baseline.map(|(y, v)| (y, v.0)), Some((2012, 0.35)));
    let targets: Vec<(i32, f64)> = t.linkage.iter().map(|(y, v)| (*y, v.0)).collect();
    assert_eq!(targets, [(2017, 0.70), (2020, 0.80)]);
    let cap = park.caps.iter().find(|c| c.year == 2017).unwrap();
    for (k, v) in [
        ("cod", 130200.0),
        ("nh3n", 8800.0),
        ("so2", 80600.0),
        ("nox", 122900.0),
    ] {
        assert_eq!(cap.limits.get(k), Some(&v), "2017 cap for {k}");
    }
}
