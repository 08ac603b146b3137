//! What fuzzing found (fuzz/README.md), kept found. Each input under
//! `tests/data/fuzz/` goes through the same pipeline as its fuzz target
//! (`tests/fuzz_pipeline/`), then through the command line: it must end in
//! a result with every number finite or in a readable error, exit status 1,
//! and never a panic.

mod common;
mod fuzz_pipeline;

use std::path::{Path, PathBuf};

use common::parkflow;
use fuzz_pipeline::Outcome;
use predicates::prelude::*;
use predicates::str::contains;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

/// The pipeline refused the input with a message containing `wanted`.
#[track_caller]
fn assert_refused(outcome: Outcome, wanted: &str) {
    match outcome {
        Outcome::Refused(message) => assert!(
            message.contains(wanted),
            "expected `{wanted}` in the error, got:\n{message}"
        ),
        other => panic!("expected an error naming `{wanted}`, got {other:?}"),
    }
}

/// `parkflow <command> FILE --out DIR` exits 1 with `wanted` on stderr, no
/// panic, and writes no result file.
#[track_caller]
fn assert_cli_refuses(command: &str, name: &str, wanted: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    parkflow()
        .args([command, data(name).to_str().unwrap(), "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains(wanted))
        .stderr(contains("panicked").not());
    for file in ["summary.json", "years.csv", "materials.csv", "samples.csv"] {
        assert!(!out.join(file).exists(), "{file} was written");
    }
}

#[test]
fn a_byproduct_pool_that_overflows_is_named_instead_of_written_as_inf() {
    let name = "park-pool-overflow.ron";
    // Validation refuses the 1e300 coefficient before the engine would
    // name the infinite pool (docs/reliability/input.md, finding 8).
    let message = "outputs.slag: 1e300 is above 1e18";
    assert_refused(fuzz_pipeline::park(&text(name)), message);
    assert_cli_refuses("run", name, message);
}

#[test]
fn a_year_whose_steps_add_up_to_infinite_emissions_is_an_error() {
    let name = "park-yearly-emissions-overflow.ron";
    // Refused by the 10¹⁸ rule before the yearly totals could overflow.
    let message = "capacity: 1e308 is above 1e18";
    assert_refused(fuzz_pipeline::park(&text(name)), message);
    assert_cli_refuses("run", name, message);
}

#[test]
fn byproduct_tonnes_that_overflow_are_an_error_not_a_linkage_of_zero() {
    let name = "park-tonnes-overflow.ron";
    // Refused by the 10¹⁸ rule before the yearly tonnes could overflow.
    let message = "capacity: 1e300 is above 1e18";
    assert_refused(fuzz_pipeline::park(&text(name)), message);
    assert_cli_refuses("run", name, message);
}

#[test]
fn a_sobol_sweep_whose_run_count_overflows_is_refused_before_running() {
    let name = "sweep-sobol-run-count.ron";
    let message = "samples: 18446744073709551615 samples make more than 2^64 runs";
    assert_refused(fuzz_pipeline::sweep(&text(name)), message);
    assert_cli_refuses("sweep", name, message);
}

#[test]
fn a_latin_hypercube_of_more_samples_than_a_sweep_may_have_is_refused() {
    let name = "sweep-latin-hypercube-samples.ron";
    let message = "make 18446744073709551615 runs; a sweep makes at most 1000000000";
    assert_refused(fuzz_pipeline::sweep(&text(name)), message);
    assert_cli_refuses("sweep", name, message);
}

#[test]
fn a_uniform_wider_than_the_largest_number_is_refused_before_drawing() {
    let name = "sweep-uniform-too-wide.ron";
    let message = "Uniform(-1e308, 1e308): its range is too wide to draw from";
    assert_refused(fuzz_pipeline::sweep(&text(name)), message);
    assert_cli_refuses("sweep", name, message);
}

#[test]
fn a_lognormal_whose_draws_overflow_is_refused_before_drawing() {
    let name = "sweep-lognormal-too-wide.ron";
    let message = "LogNormal(1.0, 1e300): its range is too wide to draw from";
    assert_refused(fuzz_pipeline::sweep(&text(name)), message);
    assert_cli_refuses("sweep", name, message);
}

#[test]
fn a_background_scaled_to_infinity_is_named_as_the_background() {
    let name = "sweep-background-overflow.ron";
    // Refused before the sweep runs: no draw may write above 1e18.
    let message = "(`background.cod`): draws can make it infinite, above 1e18";
    assert_refused(fuzz_pipeline::sweep(&text(name)), message);
    assert_cli_refuses("sweep", name, message);
}

/// The seed corpus (fuzz/seeds/) is the project's own files: the parks,
/// scenarios and sweeps of `flows/` run clean through their fuzz targets.
#[test]
fn the_project_files_the_fuzzers_start_from_run_clean() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    type Pipeline = fn(&str) -> Outcome;
    let targets: [(&str, Pipeline); 3] = [
        ("park", fuzz_pipeline::park),
        ("scenario", fuzz_pipeline::scenario),
        ("sweep", fuzz_pipeline::sweep),
    ];
    let mut ran = 0;
    for (target, pipeline) in targets {
        for entry in std::fs::read_dir(seeds.join(target)).unwrap() {
            let path = entry.unwrap().path();
            let outcome = pipeline(&std::fs::read_to_string(&path).unwrap());
            // The `parkflow init` files name the starter park's items, which
            // the built-in park does not have.
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with("init-") && target != "park" {
                assert!(
                    matches!(outcome, Outcome::Refused(_)),
                    "{name}: {outcome:?}"
                );
            } else {
                assert_eq!(outcome, Outcome::Ran, "{target}/{name}");
                ran += 1;
            }
        }
    }
    assert!(ran >= 10, "only {ran} seeds ran");
}
