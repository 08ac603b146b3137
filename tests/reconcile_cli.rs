//! `parkflow reconcile` through the binary: the table, the result files and
//! their schema (docs/MODEL.md, "Reconciliation results"), the gross error
//! of the shipped example named, and bad input refused with exit status 1.

use assert_cmd::Command;
use predicates::str::contains;

fn example(name: &str) -> String {
    format!("{}/flows/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn parkflow() -> Command {
    Command::cargo_bin("parkflow").unwrap()
}

#[test]
fn the_example_writes_both_files_and_passes_its_test() {
    let dir = tempfile::tempdir().unwrap();
    parkflow()
        .args(["reconcile", &example("reconcile.ron"), "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("Global test: chi2 = "))
        .stdout(contains(": passed at 5%"))
        .stdout(contains("Flagged (|z| > 1.96): none"));
    let csv = std::fs::read_to_string(dir.path().join("reconciled.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,kind,status,measured,sd,reconciled,reconciled_sd,z,flagged")
    );
    // f2 is a constant: measured = reconciled = 40, sd 0, no z.
    assert!(
        csv.contains("\nf2,flow,constant,40,0,40,0,,false\n"),
        "{csv}"
    );
    // f4 is unknown: no measured value, no sd.
    assert!(csv.contains("\nf4,flow,determined,,,"), "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("reconcile.json")).unwrap())
            .unwrap();
    assert_eq!(json["dof"], 2);
    let vars = json["variables"].as_array().unwrap();
    assert_eq!(vars.len(), 7);
    let f4 = vars.iter().find(|v| v["id"] == "f4").unwrap();
    assert_eq!(f4["status"], "determined");
    assert_eq!(f4["kind"], "flow");
    assert!(f4["measured"].is_null() && f4["sd"].is_null() && f4["z"].is_null());
    let tc = vars.iter().find(|v| v["id"] == "tc").unwrap();
    assert_eq!(tc["kind"], "parameter");
    // The p-value is the survival function of χ²(2): exp(−χ²/2).
    let chi2 = json["chi2"].as_f64().unwrap();
    let p = json["p_value"].as_f64().unwrap();
    assert!((p - (-chi2 / 2.0).exp()).abs() < 1e-12, "{p} {chi2}");
}

#[test]
fn the_wrong_reading_of_the_gross_example_is_named_first() {
    let dir = tempfile::tempdir().unwrap();
    parkflow()
        .args([
            "reconcile",
            &example("reconcile_gross.ron"),
            "--json",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("\"verdict\": \"failed\""));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("reconcile.json")).unwrap())
            .unwrap();
    let vars = json["variables"].as_array().unwrap();
    let largest = vars
        .iter()
        .filter(|v| v["z"].is_number())
        .max_by(|a, b| {
            a["z"]
                .as_f64()
                .unwrap()
                .abs()
                .total_cmp(&b["z"].as_f64().unwrap().abs())
        })
        .unwrap();
    assert_eq!(largest["id"], "f1");
    assert_eq!(largest["flagged"], true);
    assert!(json["p_value"].as_f64().unwrap() < 0.05);
}

#[test]
fn bad_input_is_one_message_with_its_place_and_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ron");
    std::fs::write(
        &file,
        "Reconcile(id: \"b\", processes: [\"p\"], flows: [\n  Flow(id: \"a\", from: \"env\", to: \"q\"),\n  Flow(id: \"b\", from: \"p\", to: \"env\"),\n])",
    )
    .unwrap();
    parkflow()
        .args(["reconcile"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(contains(
            "bad.ron:2:34: flow `a`: to `q` is not a process nor `env`; did you mean `p`?",
        ));
    assert!(!dir.path().join("out").exists());
    parkflow().args(["reconcile"]).assert().code(2);
}
