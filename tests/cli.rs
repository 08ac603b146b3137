//! The command line as a user meets it: exit statuses, messages, result files.

mod common;

use common::{example, parkflow};
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use predicates::str::contains;

/// Write a variant of an example park with `from` replaced by `to`.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(example(name)).unwrap();
    assert!(text.contains(from), "`{from}` not in {name}");
    let path = dir.join(format!("variant-{name}"));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn run_writes_every_result_file_and_prints_targets_and_caps() {
    let out = tempfile::tempdir().unwrap();
    parkflow()
        .args(["run", example("acid.ron").to_str().unwrap(), "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(contains("2013  0.545"))
        .stdout(contains("MISSED by 5.5 points"))
        .stdout(contains("EXCEEDED"))
        .stdout(contains("results written to"));
    let files = [
        (
            "years.csv",
            "year,linkage_mass,linkage_product,linkage_enterprise,cod_park,cod_total,cod_limit,so2_park,so2_total,so2_limit",
        ),
        (
            "processes.csv",
            "year,step,process,enterprise,activity,capacity",
        ),
        (
            "links.csv",
            "year,step,link,from,to,material,flow,inter_enterprise",
        ),
        (
            "materials.csv",
            "year,step,process,material,generated,linked_inter,linked_intra,stored,sold,disposed",
        ),
        (
            "imports.csv",
            "year,step,process,material,requested,delivered,imported",
        ),
        ("emissions.csv", "year,pollutant,kind,source,amount"),
    ];
    for (name, header) in files {
        let text = std::fs::read_to_string(out.path().join(name)).unwrap();
        assert_eq!(text.lines().next(), Some(header), "{name}");
        assert!(!text.contains("NaN") && !text.contains("inf"), "{name}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["park"], "acid-example");
    assert_eq!(summary["scenario"], serde_json::Value::Null);
    assert_eq!(summary["metric"], "mass");
    assert_eq!(summary["model_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(summary["years"][1]["emissions"]["cod"]["total"], 105.0);
    assert_eq!(summary["targets"][0]["met"], false);
    let cod = &summary["caps"][0];
    assert_eq!(cod["pollutant"], "cod");
    assert_eq!(cod["scope"], "city");
    assert_eq!(cod["margin"], -1.0);
    // No temporary file is left behind (they start with a dot).
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    // Result files are readable by others, not private like temporary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.path().join("years.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
    }
}

#[test]
fn run_with_no_file_runs_the_built_in_jilin_park_from_any_directory() {
    let cwd = tempfile::tempdir().unwrap();
    parkflow()
        .current_dir(cwd.path())
        .arg("run")
        .assert()
        .success()
        .stdout(contains("jilin-chem-park"));
    let summary = cwd.path().join("results/jilin-chem-park/summary.json");
    assert!(summary.exists());
    // No subcommand at all does the same.
    let cwd = tempfile::tempdir().unwrap();
    parkflow().current_dir(cwd.path()).assert().success();
    assert!(
        cwd.path()
            .join("results/jilin-chem-park/years.csv")
            .exists()
    );
}

#[test]
fn check_accepts_a_valid_park_and_reports_its_shape() {
    parkflow()
        .args(["check", example("miller_blair.ron").to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("valid park `miller-blair`"))
        .stdout(contains("1 Leontief blocks"));
}

#[test]
fn check_warns_about_a_byproduct_with_no_tonnes_and_a_link_never_active() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("acid.ron"))
        .unwrap()
        .replace(
            r#"unit: "t", kind: Byproduct"#,
            r#"unit: "m3", kind: Byproduct"#,
        )
        .replace(r#"max_rate: 60,"#, r#"max_rate: 60, start: 2030,"#);
    let path = dir.path().join("w.ron");
    std::fs::write(&path, text).unwrap();
    parkflow()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains(
            "`spent_acid` is a byproduct measured in `m3` with no t_per_unit",
        ))
        .stdout(contains("link `acid` is never active in 2012–2013"));
}

#[test]
fn a_typo_in_a_field_name_names_the_file_line_column_and_the_right_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = variant(dir.path(), "acid.ron", "capacity: 100,", "capacty: 100,");
    parkflow()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains("variant-acid.ron:38:17"))
        .stderr(contains("`capacty`"))
        .stderr(contains("did you mean `capacity`?"));
}

#[test]
fn an_unknown_id_is_named_with_the_closest_valid_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = variant(
        dir.path(),
        "acid.ron",
        r#"from: "mma", to"#,
        r#"from: "mmma", to"#,
    );
    parkflow()
        .args(["run", path.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(contains(
            "link `acid`, from: unknown process `mmma`; did you mean `mma`?",
        ));
    assert!(
        !dir.path().join("out").exists(),
        "no results for an invalid park"
    );
}

#[test]
fn a_negative_capacity_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = variant(dir.path(), "acid.ron", "capacity: 80,", "capacity: -80,");
    parkflow()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains("process `as_plant`, capacity: -80 is negative"));
}

#[test]
fn a_non_productive_leontief_block_fails_the_run_naming_its_processes() {
    let dir = tempfile::tempdir().unwrap();
    let path = variant(
        dir.path(),
        "miller_blair.ron",
        r#"inputs: {"good1": 0.25, "good2": 0.05}"#,
        r#"inputs: {"good1": 1.5, "good2": 0.05}"#,
    );
    let text = std::fs::read_to_string(&path).unwrap().replace(
        r#""good1": 0.15, "good2": 0.20"#,
        r#""good1": 0.15, "good2": 1.2"#,
    );
    std::fs::write(&path, text).unwrap();
    parkflow()
        .args(["run", path.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(contains("not productive"))
        .stderr(contains("`s1`, `s2`"))
        .stderr(contains("panicked").not());
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    parkflow()
        .args(["check", "no/such/park.ron"])
        .assert()
        .code(1)
        .stderr(contains("no/such/park.ron"));
}

#[test]
fn a_usage_error_exits_with_status_two() {
    parkflow().arg("frobnicate").assert().code(2);
    parkflow().arg("check").assert().code(2);
}
