//! Sweeps: reproducible draws, parallel runs with identical files, outputs,
//! and clear errors for bad sweep files.

mod common;

use std::path::{Path, PathBuf};

use common::{acid_sweep_file, parkflow};
use parkflow::engine::Plan;
use parkflow::model::{parse_park, validate};
use parkflow::output::simulate;
use parkflow::sweep::{load_sweep, run_sweep};
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
    parkflow()
        .args(["sweep", file.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
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
    merge
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
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
        .success();
    parkflow()
        .args(["sweep", file.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.path().join("whole"))
        .assert()
        .success();
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
    let total = |id: &str| year.total(plan.pollutants.iter().position(|k| k == id).unwrap());
    [year.linkage_mass, total("cod"), total("so2")]
}

#[test]
fn coefficients_drawn_into_the_compiled_plan_give_the_bits_of_a_park_written_with_them() {
    // A sweep writes input and output coefficients into the compiled plan,
    // where each link's wiring keeps copies of them: a park written with the
    // drawn values and compiled afresh must give the same bits.
    // The Feed plant emits SO2, so its activity (delivered over its feed
    // coefficient) reaches an output.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(flows("examples/acid.ron"))
        .unwrap()
        .replace(
            r#"inputs: {"spent_acid": 1.0, "ammonia": 0.2},"#,
            r#"inputs: {"spent_acid": 1.0, "ammonia": 0.2}, emissions: {"so2": 0.001},"#,
        );
    let park_path = dir.path().join("park.ron");
    std::fs::write(&park_path, &text).unwrap();
    let sweep_path = dir.path().join("coefficients.ron");
    std::fs::write(
        &sweep_path,
        format!(
            r#"Sweep(id: "coefficients", park: "{}", samples: 20, seed: 7, design: MonteCarlo, params: [
                Param(path: "processes.mma.outputs.spent_acid", dist: Uniform(0.6, 1.6)),
                Param(path: "processes.as_plant.inputs.spent_acid", dist: Uniform(0.5, 1.5)),
            ])"#,
            park_path.display()
        ),
    )
    .unwrap();
    let prep = load_sweep(&sweep_path).unwrap();
    assert_eq!(prep.output_names, ["linkage_2013", "cod_2013", "so2_2013"]);
    let table = run_sweep(&prep, (0..20).collect(), 1, &|| {}).unwrap();
    let mut flows_seen = 0;
    for row in table.rows.chunks(table.width) {
        let (output, input) = (row[0], row[1]);
        let edited = text
            .replace(
                r#"outputs: {"spent_acid": 1.1}"#,
                &format!(r#"outputs: {{"spent_acid": {output:?}}}"#),
            )
            .replace(
                r#"inputs: {"spent_acid": 1.0,"#,
                &format!(r#"inputs: {{"spent_acid": {input:?},"#),
            );
        assert_ne!(edited, text);
        let fresh = acid_outputs_2013(&edited);
        for (name, (swept, fresh)) in prep.output_names.iter().zip(row[2..5].iter().zip(fresh)) {
            assert_eq!(
                swept.to_bits(),
                fresh.to_bits(),
                "{name} with output {output}, input {input}: {swept} swept, {fresh} compiled"
            );
        }
        flows_seen += usize::from(fresh[0] > 0.0);
    }
    assert!(flows_seen > 0, "the acid link never carried anything");
}

#[test]
fn years_limits_and_series_drawn_into_the_compiled_plan_give_the_bits_of_a_park_written_with_them()
{
    // The solver reads packed copies of a link's years and limit, and keeps
    // process series and abatements apart from the rest of the plan: a
    // park written with the drawn values and compiled afresh must give the
    // same bits. One link field is drawn per sweep, as writing one
    // refreshes the copy of all three.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(flows("examples/acid.ron")).unwrap();
    for (field, dist) in [
        ("start", "Choice([2011, 2012, 2013, 2014])"),
        ("end", "Choice([2011, 2012, 2013])"),
        ("max_rate", "Uniform(30, 90)"),
    ] {
        let params = format!(
            r#"
            Param(path: "links.acid.{field}", dist: {dist}),
            Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
            Param(path: "processes.mma.abatement.so2", dist: Uniform(0.2, 0.8)),
        "#
        );
        let prep = load_sweep(&sweep_file(dir.path(), "MonteCarlo", 40, &params)).unwrap();
        assert_eq!(prep.output_names, ["linkage_2013", "cod_2013", "so2_2013"]);
        let table = run_sweep(&prep, (0..40).collect(), 2, &|| {}).unwrap();
        let (mut carried, mut idle) = (0, 0);
        for row in table.rows.chunks(table.width) {
            let [value, capacity, abatement] = [row[0], row[1], row[2]];
            let drawn = if field == "max_rate" {
                format!("max_rate: {value:?},")
            } else {
                format!("max_rate: 60, {field}: {value},")
            };
            let edited = text
                .replace("max_rate: 60,", &drawn)
                .replace("capacity: 100,", &format!("capacity: {capacity:?},"))
                .replace(
                    r#"abatement: {"so2": 0.5}"#,
                    &format!(r#"abatement: {{"so2": {abatement:?}}}"#),
                );
            assert_ne!(edited, text);
            let fresh = acid_outputs_2013(&edited);
            let swept = &row[3..6];
            for (name, (swept, fresh)) in prep.output_names.iter().zip(swept.iter().zip(fresh)) {
                assert_eq!(
                    swept.to_bits(),
                    fresh.to_bits(),
                    "{name} with {field} {value}: {swept} swept, {fresh} compiled"
                );
            }
            if fresh[0] > 0.0 {
                carried += 1;
            } else {
                idle += 1;
            }
        }
        // The link carried in some runs, and (for its years) not in others.
        assert!(carried > 0, "{field}: never carried");
        assert!(field == "max_rate" || idle > 0, "{field}: always carried");
    }
}

#[test]
fn running_only_the_output_years_gives_the_rows_of_running_every_year() {
    // The default park has no storage, so a sweep run simulates only the
    // years its outputs read (2017 and 2020). Drawn tonnes per unit must
    // reach indicators that first see the run in 2017; a link start drawn
    // must be read in years that are not the plan's first.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.ron");
    std::fs::write(
        &path,
        r#"Sweep(id: "years", samples: 64, seed: 11, design: MonteCarlo, params: [
            Param(path: "materials.cog.t_per_unit", dist: Uniform(0.0003, 0.0006)),
            Param(path: "links.cog_to_methanol.start", dist: Choice([2015, 2017, 2018])),
            Param(path: "processes.jpcc_mma.utilization", dist: Uniform(0.7, 0.9)),
            Param(path: "background.*", dist: Uniform(0.95, 1.05), apply: Scale, each: true),
        ])"#,
    )
    .unwrap();
    let mut prep = load_sweep(&path).unwrap();
    assert!(prep.plan.storages.is_empty());
    assert_eq!(prep.years, [2017, 2020]);
    let only = run_sweep(&prep, (0..64).collect(), 2, &|| {}).unwrap();
    prep.years = (prep.plan.start..=prep.plan.end).collect();
    let every = run_sweep(&prep, (0..64).collect(), 2, &|| {}).unwrap();
    let bits = |rows: &[f64]| rows.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&only.rows), bits(&every.rows));
    // The draws moved the outputs: the test compares something.
    let width = only.width;
    let linkage: Vec<f64> = only.rows.chunks(width).map(|r| r[r.len() - 12]).collect();
    assert!(linkage.iter().any(|&v| v != linkage[0]));
}

#[test]
fn a_failed_sweep_names_its_first_failed_run_at_any_thread_count() {
    // Miller & Blair's two sectors with sector 2's own input drawn: above
    // 1 − 0.05 / 0.85 ≈ 0.941 the block is not productive and the run fails.
    let dir = tempfile::tempdir().unwrap();
    let park = std::fs::read_to_string(flows("examples/miller_blair.ron"))
        .unwrap()
        .replace(
            r#"    materials: ["#,
            r#"    pollutants: [Pollutant(id: "co2", name: "CO2", unit: "t")],
    caps: [Cap(year: 2000, scope: Park, limits: {"co2": 1e9})],
    materials: ["#,
        )
        .replace(
            r#"demand: 600,"#,
            r#"demand: 600, emissions: {"co2": 1.0},"#,
        );
    let park_path = dir.path().join("park.ron");
    std::fs::write(&park_path, park).unwrap();
    let path = dir.path().join("sweep.ron");
    std::fs::write(
        &path,
        format!(
            r#"Sweep(id: "fails", park: "{}", samples: 1000, seed: 5, design: MonteCarlo,
                  params: [Param(path: "processes.s2.inputs.good2", dist: Uniform(0.0, 0.95))])"#,
            park_path.display()
        ),
    )
    .unwrap();
    let prep = load_sweep(&path).unwrap();
    let failed: Vec<u64> = (0..1000)
        .filter(|&i| run_sweep(&prep, vec![i], 1, &|| {}).is_err())
        .collect();
    assert!(
        !failed.is_empty() && failed.len() < 30,
        "failed runs: {failed:?}"
    );
    for threads in [1, 2] {
        let Err(e) = run_sweep(&prep, (0..1000).collect(), threads, &|| {}) else {
            panic!("the sweep succeeded on {threads} threads");
        };
        let message = e.to_string();
        assert!(
            message.contains(&format!("run {}: ", failed[0])),
            "{threads} threads: {message}"
        );
    }
}

/// The saved chunks become samples.csv when they hold the runs in order,
/// and samples.csv is formatted anew when a resume's chunks interleave:
/// both are the bytes of formatting the table.
#[test]
fn samples_csv_is_the_saved_chunks_when_they_are_in_order_and_formatted_when_not() {
    use parkflow::output::Batch;
    use parkflow::sweep::run_checkpointed;
    use parkflow::sweep::write_sweep;
    let dir = tempfile::tempdir().unwrap();
    let prep = load_sweep(&sweep_file(dir.path(), "MonteCarlo", 50, ACID_PARAMS)).unwrap();
    let info = prep.info();
    let runs = prep.shard_runs(1, 1).unwrap();
    let partial = dir.path().join("partial");
    let run = |chunk, resume| {
        run_checkpointed(
            &prep,
            &info,
            runs.clone(),
            1,
            chunk,
            &partial,
            resume,
            &|| (),
        )
        .unwrap()
    };
    let samples = |name: &str, table, chunks: Option<&[PathBuf]>| {
        let out = dir.path().join(name);
        write_sweep(Batch::new(&out).unwrap(), &info, table, chunks).unwrap();
        std::fs::read(out.join("samples.csv")).unwrap()
    };
    // Chunks of 10 runs, in order.
    let whole = run(10, false);
    let chunks = whole.chunks.clone().expect("chunks in run order");
    assert_eq!(chunks.len(), 5);
    let copied = samples("copied", &whole.table, Some(&chunks));
    let formatted = samples("formatted", &whole.table, None);
    assert!(
        copied == formatted,
        "copied chunks differ from the formatted table"
    );
    let text = String::from_utf8(copied).unwrap();
    assert_eq!(text.lines().count(), 51);
    assert_eq!(text.matches("sample,").count(), 1, "one header");

    // Runs 10–19 and 30–39 lost; a resume in chunks of 25 runs them as one
    // chunk, which interleaves with the chunk of runs 20–29.
    for lost in [&chunks[1], &chunks[3]] {
        std::fs::remove_file(lost).unwrap();
    }
    let resumed = run(25, true);
    assert!(
        resumed.chunks.is_none(),
        "interleaved chunks are not copied"
    );
    assert_eq!(resumed.table.runs, whole.table.runs);
    assert_eq!(resumed.table.rows, whole.table.rows);
    assert!(samples("resumed", &resumed.table, None) == formatted);
}
