//! Sweeps: reproducible draws, parallel runs with identical files, outputs,
//! and clear errors for bad sweep files.

mod common;
#[path = "sweeps/plan_bits.rs"]
mod plan_bits;

use std::path::{Path, PathBuf};

use common::{acid_sweep_file, parkflow};
use parkflow::engine::Plan;
use parkflow::model::{parse_park, validate};
use parkflow::output::simulate;
use parkflow::sweep::{load_sweep, run_sweep};
use predicates::prelude::*;
use predicates::str::contains;

fn flows(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("flows")
        .join(path)
}

/// A sweep file over the acid example, with the given design, samples and params.
fn sweep_file(dir: &Path, design: &str, samples: u64, params: &str) -> PathBuf {
    acid_sweep_file(dir, design, samples, 7, params)
}

const ACID_PARAMS: &str = r#"
    Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
    Param(path: "links.acid.max_rate", dist: Triangular(40, 60, 80)),
    Param(path: "background.cod", dist: Normal(mean: 1.0, sd: 0.05, min: 0.8, max: 1.2), apply: Scale),
"#;

#[test]
fn one_and_two_threads_write_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "LatinHypercube", 400, ACID_PARAMS);
    for threads in ["1", "2"] {
        parkflow()
            .args([
                "sweep",
                file.to_str().unwrap(),
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path().join(threads))
            .assert()
            .success();
    }
    for name in ["samples.csv", "samples.parquet", "summary.json"] {
        let one = std::fs::read(dir.path().join("1").join(name)).unwrap();
        let two = std::fs::read(dir.path().join("2").join(name)).unwrap();
        assert!(one == two, "{name} differs between 1 and 2 threads");
    }
}

#[test]
fn a_runs_draws_depend_only_on_the_seed_and_its_index() {
    let dir = tempfile::tempdir().unwrap();
    for design in ["MonteCarlo", "LatinHypercube", "Sobol"] {
        let prep = load_sweep(&sweep_file(dir.path(), design, 50, ACID_PARAMS)).unwrap();
        let all = run_sweep(&prep, (0..prep.runs()).collect(), 2, &|| {}).unwrap();
        let some = run_sweep(&prep, vec![3, 17, 41], 1, &|| {}).unwrap();
        for (i, run) in some.runs.iter().enumerate() {
            let w = all.width;
            let r = *run as usize;
            assert_eq!(
                some.rows[i * w..(i + 1) * w],
                all.rows[r * w..(r + 1) * w],
                "{design} run {run}"
            );
        }
    }
}

#[test]
fn outputs_follow_the_model_for_every_draw() {
    // With capacity c and max_rate m, the 2013 flow is min(1.1 c, 80, m) of 1.1 c.
    let dir = tempfile::tempdir().unwrap();
    let prep = load_sweep(&sweep_file(dir.path(), "MonteCarlo", 200, ACID_PARAMS)).unwrap();
    assert_eq!(prep.output_names, ["linkage_2013", "cod_2013", "so2_2013"]);
    let table = run_sweep(&prep, (0..200).collect(), 2, &|| {}).unwrap();
    for row in table.rows.chunks(table.width) {
        let (c, m) = (row[0], row[1]);
        let generated = 1.1 * c;
        let expected = generated.min(80.0).min(m) / generated;
        assert!(
            (row[3] - expected).abs() < 1e-12,
            "c = {c}, m = {m}: {} vs {expected}",
            row[3]
        );
        assert_eq!(row[3 + 3], if row[3] >= 0.6 { 1.0 } else { 0.0 });
    }
}

#[test]
fn each_true_draws_one_column_per_matched_item() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(flows("examples/acid.ron")).unwrap();
    let park = dir.path().join("park.ron");
    std::fs::write(
        &park,
        text.replace(
            r#"background: {"cod": 100}"#,
            r#"background: {"cod": 100, "so2": 5}"#,
        ),
    )
    .unwrap();
    let file = dir.path().join("each.ron");
    std::fs::write(
        &file,
        format!(
            r#"Sweep(id: "each", park: "{}", samples: 20, seed: 1, params: [
                Param(path: "background.*", dist: Uniform(0.9, 1.1), apply: Scale, each: true)])"#,
            park.display()
        ),
    )
    .unwrap();
    let prep = load_sweep(&file).unwrap();
    let names: Vec<&str> = prep.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["background.cod", "background.so2"]);
    let table = run_sweep(&prep, (0..20).collect(), 1, &|| {}).unwrap();
    assert!(
        table.rows.chunks(table.width).any(|r| r[0] != r[1]),
        "independent draws"
    );
}

#[test]
fn a_sobol_sweep_reports_first_and_total_indices_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "Sobol", 300, ACID_PARAMS);
    let printed = parkflow()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    // The printed table shows the indices too, each with its interval.
    let printed = String::from_utf8_lossy(&printed.get_output().stdout).into_owned();
    assert!(
        printed.contains("Sobol indices (S1 first order, ST total"),
        "{printed}"
    );
    let sobol = printed.split("Sobol indices").nth(1).unwrap_or_default();
    let row = (sobol.lines())
        .find(|l| l.trim_start().starts_with("cod_2013") && l.contains("background.cod"))
        .unwrap_or_else(|| panic!("no Sobol row of background.cod for cod_2013: {printed}"));
    assert_eq!(
        row.matches('[').count(),
        2,
        "S1 and ST with intervals: {row}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["design"], "sobol");
    assert_eq!(json["runs"], 300 * 5);
    let cod = &json["sensitivity"]["cod_2013"]["background.cod"];
    // COD in 2013 is background plus disposal; the background draw dominates it.
    assert!(cod["st"].as_f64().unwrap() > 0.5, "{cod}");
    let ci = cod["s1_ci"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= cod["s1"].as_f64().unwrap());
    // Probabilities: one per target and cap output, and all.
    let p = json["probabilities"].as_object().unwrap();
    assert_eq!(p.len(), 4);
    assert!(p.contains_key("all"));
    // samples.csv: a row per run.
    let csv = std::fs::read_to_string(dir.path().join("out/samples.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 1500);
    assert!(csv.starts_with("sample,processes.mma.capacity,links.acid.max_rate,background.cod,linkage_2013,cod_2013,so2_2013,linkage_2013_met"));
    // samples.parquet holds the same rows.
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(dir.path().join("out/samples.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 1500);
    let second_csv_row: Vec<&str> = csv.lines().nth(2).unwrap().split(',').collect();
    let row = reader.get_row_iter(None).unwrap().nth(1).unwrap().unwrap();
    let fields: Vec<String> = row.get_column_iter().map(|(_, v)| v.to_string()).collect();
    assert_eq!(fields[0], second_csv_row[0]);
    let parsed = |s: &str| s.parse::<f64>().unwrap();
    assert_eq!(parsed(&fields[1]), parsed(second_csv_row[1]));
    assert_eq!(fields.last().unwrap(), second_csv_row.last().unwrap());
}

#[test]
fn bad_sweep_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"Param(path: "processes.mmma.capacity", dist: Uniform(1, 2))"#,
            "no process `mmma`; did you mean `mma`?",
        ),
        (
            r#"Param(path: "processes.mma.utilization", dist: Normal(mean: 0.9, sd: 0.1))"#,
            "draws can make it negative",
        ),
        (
            r#"Param(path: "processes.mma.utilization", dist: Normal(mean: 0.9, sd: 0.1, min: 0.5))"#,
            "it is a fraction in [0, 1], but draws reach inf",
        ),
        (
            r#"Param(path: "links.acid.priority", dist: Choice([0, 1]))"#,
            "use a scenario to change it",
        ),
        (
            r#"Param(path: "processes.mma.capacity", dist: Uniform(2, 1))"#,
            "needs finite lo ≤ hi",
        ),
        (
            r#"Param(path: "processes.mma.capacity", dist: Uniform(1, 2), aply: Scale)"#,
            "did you mean `apply`?",
        ),
    ];
    for (param, message) in cases {
        let file = sweep_file(dir.path(), "MonteCarlo", 10, param);
        parkflow()
            .args(["sweep", file.to_str().unwrap(), "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(1)
            .stderr(contains(message));
    }
    assert!(
        !dir.path().join("out").exists(),
        "no results for a bad sweep"
    );
}

#[test]
fn shards_merge_to_the_files_of_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "Sobol", 100, ACID_PARAMS);
    let sweep = |extra: &[&str], out: &str| {
        parkflow()
            .args(["sweep", file.to_str().unwrap(), "--quiet", "--out"])
            .arg(dir.path().join(out))
            .args(extra)
            .assert()
            .success();
    };
    sweep(&[], "whole");
    for k in 1..=4 {
        sweep(&["--shard", &format!("{k}/4")], &format!("part{k}"));
    }
    let mut merge = parkflow();
    merge.arg("merge");
    for k in 1..=3 {
        merge.arg(dir.path().join(format!("part{k}")));
    }
    // One shard missing: refused.
    merge
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .code(1)
        .stderr(contains("shard 4 of 4 is missing"));
    let mut merge = parkflow();
    merge.arg("merge");
    for k in 1..=4 {
        merge.arg(dir.path().join(format!("part{k}")));
    }
    let merged = merge
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
    // merge prints the findings a sweep prints.
    let printed = parkflow()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(dir.path().join("printed"))
        .assert()
        .success();
    let table = |out: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(out);
        (text.lines())
            .filter(|l| !l.starts_with("results written") && !l.starts_with("merged "))
            .map(str::to_string)
            .collect()
    };
    let merged_table = table(&merged.get_output().stdout);
    assert!(
        merged_table
            .iter()
            .any(|l| l.contains("all targets and caps met"))
    );
    assert_eq!(merged_table, table(&printed.get_output().stdout));
    for name in ["samples.csv", "samples.parquet", "summary.json"] {
        let whole = std::fs::read(dir.path().join("whole").join(name)).unwrap();
        let merged = std::fs::read(dir.path().join("merged").join(name)).unwrap();
        assert!(
            whole == merged,
            "merged {name} differs from the unsharded one"
        );
    }
}

#[test]
fn a_killed_sweep_resumes_to_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "MonteCarlo", 40_000, ACID_PARAMS);
    let out = dir.path().join("killed");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("parkflow"))
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--chunk",
            "500",
            "--out",
        ])
        .arg(&out)
        .spawn()
        .unwrap();
    // Kill it (SIGKILL) once it has saved a few chunks.
    let chunks = |out: &Path| -> usize {
        std::fs::read_dir(out)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".partial"))
            .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten().flatten())
            .filter(|e| e.file_name().to_string_lossy().starts_with("chunk-"))
            .count()
    };
    let started = std::time::Instant::now();
    while chunks(&out) < 3 && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !out.join("samples.csv").exists(),
        "the sweep was interrupted before it finished"
    );
    assert!(chunks(&out) >= 3);
    parkflow()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--quiet",
            "--resume",
            "--chunk",
            "7000",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        // Even with --quiet the log says the runs came back from the
        // chunks (a scheduler's log of a requeued task shows it).
        .stderr(contains("resumed: ").and(contains(" of 40000 runs read back from ")));
    parkflow()
        .args(["sweep", file.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.path().join("whole"))
        .assert()
        .success()
        .stderr(contains("resumed").not());
    for name in ["samples.csv", "samples.parquet", "summary.json"] {
        let resumed = std::fs::read(out.join(name)).unwrap();
        let whole = std::fs::read(dir.path().join("whole").join(name)).unwrap();
        assert!(
            resumed == whole,
            "resumed {name} differs from an uninterrupted run"
        );
    }
    assert_eq!(
        chunks(&out),
        0,
        "saved chunks are removed once the results are written"
    );
}

/// A variant of the acid park, validated, compiled afresh and run: its
/// 2013 linkage, COD and SO2, the outputs of the acid sweeps.
fn acid_outputs_2013(text: &str) -> [f64; 3] {
    let park = parse_park(text, "edited.ron").unwrap();
    validate(&park, "edited.ron").unwrap();
    let plan = Plan::compile(&park);
    let sim = simulate(&plan).unwrap();
    let year = sim.years.iter().find(|y| y.year == 2013).unwrap();
    let total = |id: &str| {
        year.total(
            plan.topology
                .pollutants
                .iter()
                .position(|k| k == id)
                .unwrap(),
        )
    };
    [year.linkage_mass, total("cod"), total("so2")]
}
