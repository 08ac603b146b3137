//! Load: a 10,000-process synthetic park runs, through the library and
//! through `parkflow run` on a written file; a sweep of the default park
//! split into 16 shards merges to the unsharded sweep's files, byte for
//! byte. (The 1,000,000-sample sweep against the 1 GiB memory bound needs
//! the release binary: `.ci/run` measures it.)

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::parkflow;
use parkflow::engine::Plan;
use parkflow::model::{parse_park, validate};
use parkflow::output::simulate;
use parkflow::synthetic;

/// Processes in the load park.
const PROCESSES: usize = 10_000;
/// Seed of the load park (the benches' seed).
const SEED: u64 = 2012;

#[test]
fn a_ten_thousand_process_park_runs_through_the_library_and_the_command_line() {
    let started = Instant::now();
    let park = synthetic::park(PROCESSES, SEED);
    validate(&park, "synthetic").unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan::compile(&park);
    assert_eq!(plan.topology.processes.len(), PROCESSES);
    let sim = simulate(&plan).unwrap_or_else(|e| panic!("{e}"));
    let steps = sim.steps.len();
    assert!(steps > 0);
    // Every process has an activity, every one finite and not negative,
    // and some byproduct crossed between enterprises.
    for s in &sim.steps {
        assert_eq!(s.activity.len(), PROCESSES);
        assert!(s.activity.iter().all(|a| a.is_finite() && *a >= 0.0));
    }
    assert!(sim.years.iter().all(|y| y.linkage_mass > 0.0));
    common::assert_conserves_mass(&plan, &sim);
    let library = started.elapsed();

    // The same park written as a RON file, read back and run by the binary.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("synthetic.ron");
    let text = ron::ser::to_string(&park).unwrap();
    std::fs::write(&file, &text).unwrap();
    assert_eq!(
        parse_park(&text, "synthetic.ron").unwrap_or_else(|e| panic!("{e}")),
        park,
        "the written file is the park"
    );
    let out = dir.path().join("out");
    let started = Instant::now();
    parkflow()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let command = started.elapsed();
    let processes_csv = std::fs::read_to_string(out.join("processes.csv")).unwrap();
    assert_eq!(processes_csv.lines().count(), 1 + steps * PROCESSES);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let linkage = summary["years"][0]["linkage_mass"].as_f64().unwrap();
    assert_eq!(
        linkage, sim.years[0].linkage_mass,
        "the command line gives the library's numbers"
    );
    println!(
        "10,000-process park: {} links, {} KiB of RON; library (generate, validate, compile, run) {:.2} s; `parkflow run --no-plots` {:.2} s",
        plan.topology.links.len(),
        text.len() / 1024,
        library.as_secs_f64(),
        command.as_secs_f64()
    );
}

/// The default park's uncertainty sweep with `samples` samples, written into `dir`.
fn uncertainty_sweep(dir: &Path, samples: u64) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/sweeps/uncertainty.ron"),
    )
    .unwrap();
    assert!(text.contains("samples: 10000,"));
    let path = dir.join("uncertainty.ron");
    std::fs::write(
        &path,
        text.replace("samples: 10000,", &format!("samples: {samples},")),
    )
    .unwrap();
    path
}

fn sweep_files(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    ["samples.csv", "samples.parquet", "summary.json"]
        .into_iter()
        .map(|name| (name, std::fs::read(dir.join(name)).unwrap()))
        .collect()
}

#[test]
fn sixteen_shards_of_the_default_park_merge_to_the_unsharded_sweep() {
    // 1,003 runs: 16 shards of 62 or 63 runs, not all equal.
    const SAMPLES: u64 = 1_003;
    const SHARDS: u64 = 16;
    let dir = tempfile::tempdir().unwrap();
    let file = uncertainty_sweep(dir.path(), SAMPLES);
    let sweep = |out: &Path, extra: &[&str]| {
        parkflow()
            .args(["sweep", "--quiet", "--threads", "1", "--out"])
            .arg(out)
            .arg(&file)
            .args(extra)
            .assert()
            .success();
    };
    let whole = dir.path().join("whole");
    sweep(&whole, &[]);
    // Each shard in a directory of its own, as on separate machines, and
    // all of them into one shared directory.
    let shared = dir.path().join("shared");
    for k in 1..=SHARDS {
        let shard = format!("{k}/{SHARDS}");
        sweep(&dir.path().join(format!("shard{k}")), &["--shard", &shard]);
        sweep(&shared, &["--shard", &shard]);
    }
    let rows = |k: u64| {
        let part = dir
            .path()
            .join(format!("shard{k}/part-{k}-of-{SHARDS}.csv"));
        std::fs::read_to_string(part).unwrap().lines().count() as u64 - 1
    };
    assert_eq!((1..=SHARDS).map(rows).sum::<u64>(), SAMPLES);
    assert_eq!((rows(1), rows(SHARDS)), (63, 62), "uneven shards");

    let mut merge = parkflow();
    merge.arg("merge");
    for k in (1..=SHARDS).rev() {
        merge.arg(dir.path().join(format!("shard{k}")));
    }
    let merged = dir.path().join("merged");
    merge.arg("--out").arg(&merged).assert().success();
    let merged_shared = dir.path().join("merged-shared");
    parkflow()
        .arg("merge")
        .arg(&shared)
        .arg("--out")
        .arg(&merged_shared)
        .assert()
        .success();

    let expected = sweep_files(&whole);
    for out in [&merged, &merged_shared] {
        for ((name, want), (_, got)) in expected.iter().zip(sweep_files(out)) {
            assert!(
                *want == got,
                "{name} merged from 16 shards in {} differs from the unsharded sweep's",
                out.display()
            );
        }
    }
}
