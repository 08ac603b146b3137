//! Load: a 10,000-process synthetic park runs, through the library and
//! through `parkflow run` on a written file; a sweep of the default park
//! split into 16 shards merges to the unsharded sweep's files, byte for
//! byte. (The 1,000,000-sample sweep against the 1 GiB memory bound needs
//! the release binary: `.ci/run` measures it.)

mod common;
#[path = "common/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::parkflow;
use parkflow::engine::Plan;
use parkflow::model::{parse_park, validate};
use parkflow::output::simulate;

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
    let text = parkflow::model::to_ron(&park);
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

/// The generator's own tests: valid, runnable, reproducible parks whose only
/// cycles are the planted ones.
mod synthetic_parks {
    use super::synthetic::{SyntheticOptions, generate, park};
    use parkflow::engine::{Plan, Workspace, run};
    use parkflow::indicators::Indicators;
    use parkflow::model::{Mode, validate};

    fn options(n: usize, seed: u64) -> SyntheticOptions {
        SyntheticOptions {
            years: 3,
            steps_per_year: 4,
            ..SyntheticOptions::new(n, seed)
        }
    }

    #[test]
    fn synthetic_parks_of_any_size_pass_validation() {
        for n in [0, 1, 2, 3, 5, 10, 37, 100, 1000] {
            for seed in 0..4 {
                for o in [SyntheticOptions::new(n, seed), options(n, seed)] {
                    let park = generate(&o);
                    assert_eq!(park.processes.len(), n);
                    if let Err(e) = validate(&park, "synthetic") {
                        panic!("n = {n}, seed = {seed}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn synthetic_parks_run_to_finite_results() {
        for n in [10, 100, 1000] {
            for seed in 0..3 {
                let park = generate(&options(n, seed));
                let plan = Plan::compile(&park);
                let mut ws = Workspace::new(&plan);
                let mut ind = Indicators::new(&plan);
                let mut steps = 0;
                let mut active = 0.0f64;
                run(&plan, &mut ws, |v| {
                    assert!(v.activity().iter().all(|x| x.is_finite() && *x >= 0.0));
                    assert!(v.flow().iter().all(|f| f.is_finite() && *f >= 0.0));
                    active = active.max(v.flow().iter().sum());
                    steps += 1;
                    ind.observe(v);
                })
                .unwrap_or_else(|e| panic!("n = {n}, seed = {seed}: {e}"));
                ind.finish();
                assert_eq!(steps, 12);
                assert!(
                    active > 0.0,
                    "n = {n}, seed = {seed}: no link ever carries anything"
                );
                assert_eq!(ind.years.len(), 3);
                for y in &ind.years {
                    assert!(y.linkage_mass.is_finite() && y.park.iter().all(|e| e.is_finite()));
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_park() {
        assert_eq!(park(300, 42), park(300, 42));
        assert_eq!(generate(&options(50, 7)), generate(&options(50, 7)));
        assert_ne!(park(300, 42), park(300, 43));
    }

    #[test]
    fn a_park_has_about_three_links_per_process() {
        for seed in 0..3 {
            let p = park(1000, seed);
            let links = p.links.len() as f64;
            assert!(
                (2700.0..=3300.0).contains(&links),
                "seed {seed}: {links} links"
            );
        }
    }

    #[test]
    fn the_only_cycles_are_the_planted_ones() {
        let cases = [(10, 0), (100, 1), (1000, 2), (1000, 3)];
        for (n, seed) in cases.into_iter().chain((0..12).map(|s| (300, s))) {
            let o = SyntheticOptions::new(n, seed);
            let park = generate(&o);
            let plan = Plan::compile(&park);
            let mut leontief = 0;
            for processes in &plan.schedule.leontief {
                assert!((2..=4).contains(&processes.len()));
                leontief += processes.len();
            }
            for nodes in &plan.schedule.cycles {
                assert_eq!(nodes.len(), 2, "an unplanted cycle: {nodes:?}");
            }
            let cycles = plan.schedule.cycles.len();
            let planted = |share: f64| (share * n as f64).round() as usize;
            assert!(leontief >= 2 && leontief <= planted(o.leontief_share).max(2) + 1);
            assert_eq!(cycles, (planted(o.iterated_share) / 2).max(1));
        }
    }

    #[test]
    fn a_park_has_storages_limits_priorities_and_several_enterprises() {
        let p = park(200, 5);
        assert!(!p.storages.is_empty());
        assert!(p.links.iter().any(|l| l.max_rate.is_some()));
        // Some links are served ahead of others from the same layer.
        assert!(p.links.iter().any(|l| l.priority % 4 != 0));
        assert!(p.enterprises.len() >= 2);
        let modes = |f: fn(&Mode) -> bool| p.processes.iter().filter(|q| f(&q.mode)).count();
        assert!(modes(|m| *m == Mode::Fixed) > 0);
        assert!(modes(|m| matches!(m, Mode::Feed(_))) > 0);
        assert!(modes(|m| *m == Mode::Demand) > 0);
    }
}
