//! Reconciling a park's year with measurements (docs/MODEL.md, "Reconciling
//! a park"): the park's balances and coefficients as the equations, a
//! declared uncertainty as a coefficient's weight, the shipped example's
//! wrong reading named, the reconciled scenario reproducing the estimates,
//! and bad measurements refused at their line and column.

use assert_cmd::Command;
use predicates::str::contains;

use parkflow::engine::Plan;
use parkflow::model::{parse_park, validate};
use parkflow::output::simulate;
use parkflow::reconcile::park::park_system;
use parkflow::reconcile::park_scenario::{run_values, scenario_text};
use parkflow::reconcile::{Status, measurements, reconcile};
use parkflow::scenario::{Scenario, apply_scenario};

fn path(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn parkflow() -> Command {
    Command::cargo_bin("parkflow").unwrap()
}

/// The acid example with the MMA plant's spent-acid coefficient declared
/// uncertain: uniform on 1.0–1.2 (sd 0.2 / √12).
fn acid_with_uncertain_coefficient() -> parkflow::model::Park {
    let text = std::fs::read_to_string(path("flows/examples/acid.ron")).unwrap();
    let text = text.replace(
        "caps: [Cap(",
        "uncertainty: [Param(path: \"processes.mma.outputs.spent_acid\", dist: Uniform(1.0, 1.2))],\n    caps: [Cap(",
    );
    let park = parse_park(&text, "acid.ron").unwrap_or_else(|e| panic!("{e}"));
    validate(&park, "acid.ron").unwrap_or_else(|e| panic!("{e}"));
    park
}

#[test]
fn a_measured_amount_and_a_declared_uncertainty_meet_at_their_weighted_mean() {
    // x = 100 t MMA exactly; the spent acid it makes, g = c·x, is measured
    // at 120 ± 4 t, while the park declares c = 1.1 ± 0.2/√12, i.e.
    // g = 110 ± 100·0.2/√12 t. The estimate of g is the inverse-variance
    // weighted mean of 110 and 120.
    let park = acid_with_uncertain_coefficient();
    let plan = Plan::compile(&park);
    let mut ps = park_system(&park, &plan, 2012);
    let csv =
        "item,value,sd\nprocesses.mma.activity,100,\nprocesses.mma.outputs.spent_acid,120,4\n";
    let readings = measurements::parse(csv, "m.csv", &ps.system).unwrap();
    measurements::apply(&mut ps.system, &readings);
    let result = reconcile(&ps.system).unwrap();
    let get = |id: &str| {
        result
            .outcomes
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let (s_prior, s_meas) = (100.0 * 0.2 / 12f64.sqrt(), 4.0);
    let (w_prior, w_meas) = (1.0 / (s_prior * s_prior), 1.0 / (s_meas * s_meas));
    let expected = (110.0 * w_prior + 120.0 * w_meas) / (w_prior + w_meas);
    let g = get("processes.mma.outputs.spent_acid");
    // The declared sd comes from the quantile grid (within 0.5 %), so the
    // weights, and the estimate, agree to that order.
    assert!(
        (g.reconciled.unwrap() - expected).abs() < 1e-3 * expected,
        "{g:?} vs {expected}"
    );
    let c = get("processes.mma.outputs.spent_acid.coefficient");
    assert_eq!(c.status, Status::Measured);
    assert!((c.reconciled.unwrap() * 100.0 - g.reconciled.unwrap()).abs() < 1e-9 * expected);

    // The scenario sets the coefficient, and its run makes the estimate.
    let text = scenario_text(&ps, &plan, &result, "acid.ron", "m.csv");
    assert!(
        text.contains("Set(path: \"processes.mma.outputs.spent_acid\", value: "),
        "{text}"
    );
    let scenario: Scenario = parkflow::model::parse_ron(&text, "scenario.ron").unwrap();
    let mut changed = park.clone();
    apply_scenario(&mut changed, &scenario, "scenario.ron").unwrap();
    let plan2 = Plan::compile(&changed);
    let run = run_values(&ps, &plan2, &simulate(&plan2).unwrap());
    let q = ps
        .system
        .quantities
        .iter()
        .position(|q| q.id == "processes.mma.outputs.spent_acid")
        .unwrap();
    assert!((run[q] - g.reconciled.unwrap()).abs() < 1e-9 * expected);
}

#[test]
fn a_reconciled_activity_is_made_again_by_the_scenario_run() {
    // The MMA plant made 90 t, not the 100 t its capacity and utilization
    // give: the scenario sets its 2013 utilization to 0.9.
    let park = acid_with_uncertain_coefficient();
    let plan = Plan::compile(&park);
    let mut ps = park_system(&park, &plan, 2013);
    let csv = "item,value,sd\nprocesses.mma.activity,90,2\n";
    let readings = measurements::parse(csv, "m.csv", &ps.system).unwrap();
    measurements::apply(&mut ps.system, &readings);
    let result = reconcile(&ps.system).unwrap();
    let text = scenario_text(&ps, &plan, &result, "acid.ron", "m.csv");
    assert!(
        text.contains(
            "Set(path: \"processes.mma.utilization\", value: [(2012, 1.0), (2013, 0.9)])"
        ),
        "{text}"
    );
    let scenario: Scenario = parkflow::model::parse_ron(&text, "scenario.ron").unwrap();
    let mut changed = park.clone();
    apply_scenario(&mut changed, &scenario, "scenario.ron").unwrap();
    let plan2 = Plan::compile(&changed);
    let sim = simulate(&plan2).unwrap();
    let run = run_values(&ps, &plan2, &sim);
    assert!((run[0] - 90.0).abs() < 1e-9, "activity {}", run[0]);
    // 2012 is as before.
    assert_eq!(sim.steps[0].activity[0], 100.0);
}

#[test]
fn the_shipped_example_names_the_reading_entered_ten_times_too_small() {
    let dir = tempfile::tempdir().unwrap();
    let out = parkflow()
        .args([
            "reconcile",
            &path("flows/jilin.ron"),
            "--measurements",
            &path("flows/examples/jilin-2017-measurements.csv"),
            "--year",
            "2017",
            "--json",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        json["p_value"].as_f64().unwrap() < 0.05,
        "the global test fails"
    );
    let worst = json["variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["z"].is_number())
        .max_by(|a, b| {
            let z = |v: &serde_json::Value| v["z"].as_f64().unwrap().abs();
            z(a).total_cmp(&z(b))
        })
        .unwrap();
    assert_eq!(worst["id"], "processes.dadi_as_acid.activity");
    assert!(dir.path().join("scenario.ron").exists());

    // The report of that directory: the failed test, the flagged reading
    // first, and its measured and reconciled intervals.
    parkflow().arg("report").arg(dir.path()).assert().success();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Global test failed at 5%"), "{html}");
    assert!(
        html.contains("check the first one first: processes.dadi_as_acid.activity (z = 75.46)"),
        "{html}"
    );
    assert!(
        html.contains("<tr class=\"flagged\"><td><code>processes.dadi_as_acid.activity</code></td><td>flow</td><td class=\"n\">40,400.00</td><td class=\"n\">38,832.00 … 41,968.00</td>"),
        "{html}"
    );

    // With the reading corrected, the test passes and nothing is flagged.
    let text = std::fs::read_to_string(path("flows/examples/jilin-2017-measurements.csv")).unwrap();
    let fixed = text.replace(
        "processes.dadi_as_acid.activity,40400,800",
        "processes.dadi_as_acid.activity,404000,8000",
    );
    assert_ne!(fixed, text);
    let csv = dir.path().join("fixed.csv");
    std::fs::write(&csv, fixed).unwrap();
    parkflow()
        .args(["reconcile", &path("flows/jilin.ron"), "--year", "2017"])
        .arg("--measurements")
        .arg(&csv)
        .arg("--out")
        .arg(dir.path().join("fixed"))
        .assert()
        .success()
        .stdout(contains(": passed at 5%"))
        .stdout(contains("Flagged (|z| > 1.96): none"))
        .stdout(contains("A run of scenario.ron reproduces "));
}

#[test]
fn bad_measurements_are_named_at_their_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    std::fs::write(
        &csv,
        "item,value,sd\n# a comment\nlinks.acid.flw,60,2\nlinks.acid.flow,60,-1\nstocks.tank,sixty,1\n",
    )
    .unwrap();
    let park = path("flows/examples/acid.ron");
    let run = |extra: &[&str]| {
        let mut c = parkflow();
        c.args(["reconcile", &park]).args(extra);
        c
    };
    run(&["--measurements", csv.to_str().unwrap(), "--year", "2013"])
        .assert()
        .code(1)
        .stderr(contains("m.csv: 3 problems"))
        .stderr(contains(
            "3:1: unknown item `links.acid.flw`; did you mean `links.acid.flow`?",
        ))
        .stderr(contains(
            "4:20: `links.acid.flow`: sd `-1` must be a number of 0 or more",
        ))
        .stderr(contains(
            "5:13: `stocks.tank`: value `sixty` is not a finite number",
        ));
    run(&["--measurements", csv.to_str().unwrap(), "--year", "2030"])
        .assert()
        .code(1)
        .stderr(contains(
            "--year 2030 is not simulated: the park runs 2012–2013",
        ));
    run(&[])
        .assert()
        .code(1)
        .stderr(contains("add --measurements FILE.csv --year Y"));
    run(&["--measurements", csv.to_str().unwrap()])
        .assert()
        .code(2);
}
