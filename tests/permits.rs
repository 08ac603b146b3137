//! Enterprise discharge permits (docs/MODEL.md, "Permit"): an enterprise
//! discharges what its processes emit after abatement and what its pools'
//! disposal emits; `caps` judges each permit each year and exits 3 when one
//! is exceeded; a permit that names nothing is refused at its line and
//! column.

use assert_cmd::Command;
use predicates::str::contains;

fn parkflow() -> Command {
    Command::cargo_bin("parkflow").unwrap()
}

/// The acid example (hand-computed in its comments) with permits for Acme,
/// the MMA maker: SO2 0.5 t in 2013 from its plant (0.01 t/t × 100 t ×
/// (1 − 0.5)); COD 2 t in 2012 and 5 t in 2013 from the spent acid it
/// neutralises (20 t and 50 t × 0.1 t/t). A permit given as steps holds
/// from its first step's year.
fn acid_with(dir: &std::path::Path, permits: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(format!(
        "{}/flows/examples/acid.ron",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let text = text.replace(
        "    caps: [Cap(",
        &format!("    permits: [\n{permits}\n    ],\n    caps: [Cap("),
    );
    let path = dir.join("permits.ron");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_enterprise_discharges_its_processes_and_its_disposal() {
    let dir = tempfile::tempdir().unwrap();
    let park = acid_with(
        dir.path(),
        r#"        Permit(enterprise: "acme", pollutant: "cod", limit: [(2012, 3), (2013, 4)]),
        Permit(enterprise: "acme", pollutant: "so2", limit: [(2013, 1)]),"#,
    );
    let out = parkflow()
        .args(["caps", "--json"])
        .arg(&park)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "the 2013 COD cap and permit");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let permits = json["permits"].as_array().unwrap();
    let row = |pollutant: &str, year: i64| {
        permits
            .iter()
            .find(|p| p["pollutant"] == pollutant && p["year"] == year)
            .unwrap_or_else(|| panic!("{pollutant} {year}"))
    };
    let cod_2012 = row("cod", 2012);
    assert!((cod_2012["value"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(cod_2012["limit"], 3.0);
    assert_eq!(cod_2012["met"], true);
    let cod_2013 = row("cod", 2013);
    assert!((cod_2013["value"].as_f64().unwrap() - 5.0).abs() < 1e-12);
    assert_eq!(cod_2013["met"], false);
    assert!((row("so2", 2013)["value"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!(
        row("so2", 2013)["p_met"].is_null(),
        "no uncertainty declared"
    );

    // The table says the same, and the run's summary and report carry it.
    parkflow()
        .arg("caps")
        .arg(&park)
        .assert()
        .code(3)
        .stdout(contains("Enterprise permits (t)"))
        .stdout(contains("1 of 3 permit-years EXCEEDED"));
    let run = dir.path().join("run");
    parkflow()
        .args(["run", "-q", "--no-plots", "--out"])
        .arg(&run)
        .arg(&park)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["permits"].as_array().unwrap().len(), 3);
    parkflow().arg("report").arg(&run).assert().success();
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("<table id=\"permits\">"), "a permit table");
    assert!(html.contains("exceeded (-25.0%)"), "the 2013 COD permit");
    assert!(html.contains("exceeded in 2013"), "{html}");
}

#[test]
fn a_permit_that_names_nothing_is_refused_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let park = acid_with(
        dir.path(),
        r#"        Permit(enterprise: "acmee", pollutant: "cod", limit: 3),"#,
    );
    let line = std::fs::read_to_string(&park)
        .unwrap()
        .lines()
        .position(|l| l.contains("acmee"))
        .unwrap()
        + 1;
    parkflow()
        .arg("check")
        .arg(&park)
        .assert()
        .code(1)
        .stderr(contains(format!(
            "permits.ron:{line}:9: permit 1 (`acmee`, `cod`), enterprise: unknown enterprise `acmee`; did you mean `acme`?"
        )));
    let park = acid_with(
        dir.path(),
        r#"        Permit(enterprise: "acme", pollutant: "cod", limit: -3),
        Permit(enterprise: "beta", pollutant: "nox", limit: 1),"#,
    );
    parkflow()
        .arg("run")
        .arg(&park)
        .assert()
        .code(1)
        .stderr(contains("2 problems"))
        .stderr(contains(
            ":9: permit 1 (`acme`, `cod`), limit: -3 is negative",
        ))
        .stderr(contains(
            ":9: permit 2 (`beta`, `nox`), pollutant: unknown pollutant `nox`",
        ));
}
