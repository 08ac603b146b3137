//! Mass and element balances per unit of product (docs/MODEL.md,
//! "Balances"), unmodelled streams (docs/MODEL.md, "Unmodelled streams"),
//! and `parkflow check --json`, each against a hand computation.

mod common;

use common::{close, park, parkflow, sim};
use parkflow::model::balance::balances;
use parkflow::model::warnings;
use predicates::str::contains;

/// A coal boiler and a lime kiln, worked out by hand per unit of product.
///
/// Boiler, per t of steam: in 0.2 t coal (C 0.6, S 0.01) + 1.0 t water +
/// 1.524 t air (both unmodelled) = 2.724 t; out 1 t steam + 0.02 t ash
/// (C 0.05) + 0.004 t SO2 (a pollutant in t) + 1.7 t flue gas (unmodelled,
/// C 0.07, S 0.001) = 2.724 t. C: 0.12 in, 0.001 + 0.119 = 0.12 out.
/// S: 0.002 in, 0.0017 out: 15% apart (the SO2 carries the rest, and a
/// pollutant has no composition).
///
/// Kiln, per t of lime: 1.8 t limestone in (no composition), 1 t lime
/// (C 0) + 0.8 t CO2 (unmodelled, C 0.27) out: mass balanced, C 0 in and
/// 0.216 out.
const PARK: &str = r#"Park(
    id: "boiler", name: "Boiler and kiln",
    time: Time(start: 2015, end: 2015),
    pollutants: [Pollutant(id: "so2", name: "SO2", unit: "t")],
    materials: [
        Material(id: "coal", name: "Coal", unit: "t", kind: Product, composition: {"C": 0.6, "S": 0.01}),
        Material(id: "steam", name: "Steam", unit: "t", kind: Product, composition: {"C": 0, "S": 0}),
        Material(id: "ash", name: "Ash", unit: "t", kind: Byproduct, fate: Sell, composition: {"C": 0.05, "S": 0}),
        Material(id: "limestone", name: "Limestone", unit: "t", kind: Product),
        Material(id: "lime", name: "Lime", unit: "t", kind: Product, composition: {"C": 0}),
    ],
    enterprises: [Enterprise(id: "power", name: "Power"), Enterprise(id: "lime", name: "Lime")],
    processes: [
        Process(id: "boiler", enterprise: "power", name: "Boiler", product: "steam", mode: Fixed,
                capacity: 100, inputs: {"coal": 0.2}, outputs: {"ash": 0.02}, emissions: {"so2": 0.004},
                unmodelled_inputs: {
                    "water": Stream(tonnes: 1.0, reason: "boiler feed water"),
                    "air": Stream(tonnes: 1.524, reason: "combustion air"),
                },
                unmodelled_outputs: {
                    "flue_gas": Stream(tonnes: 1.7, reason: "flue gas to the stack",
                                       composition: {"C": 0.07, "S": 0.001}),
                }),
        Process(id: "kiln", enterprise: "lime", name: "Kiln", product: "lime", mode: Fixed,
                capacity: 50, inputs: {"limestone": 1.8},
                unmodelled_outputs: {"co2": Stream(tonnes: 0.8, reason: "calcination CO2", composition: {"C": 0.27})}),
    ],
)"#;

fn balance<'a>(
    all: &'a [parkflow::model::balance::Balance],
    process: &str,
    what: &str,
) -> &'a parkflow::model::balance::Balance {
    all.iter()
        .find(|b| b.process == process && b.what == what)
        .unwrap_or_else(|| panic!("no {what} balance of {process}"))
}

#[test]
fn unmodelled_streams_count_in_the_mass_and_element_balances() {
    let all = balances(&park(PARK));
    let mass = balance(&all, "boiler", "mass");
    close(mass.inputs, 2.724);
    close(mass.outputs, 2.724);
    close(mass.unmodelled_inputs, 2.524);
    close(mass.unmodelled_outputs, 1.7);
    assert!(mass.relative_gap() < 1e-12, "{mass:?}");
    let carbon = balance(&all, "boiler", "C");
    close(carbon.inputs, 0.12);
    close(carbon.outputs, 0.12);
    let sulfur = balance(&all, "boiler", "S");
    close(sulfur.inputs, 0.002);
    close(sulfur.outputs, 0.0017);
    close(sulfur.relative_gap(), 0.15);
    // Elements in the order they first appear; none the process lacks.
    let whats: Vec<&str> = (all.iter().filter(|b| b.process == "boiler"))
        .map(|b| b.what.as_str())
        .collect();
    assert_eq!(whats, ["mass", "C", "S"]);
}

#[test]
fn an_element_is_balanced_whenever_one_side_has_a_composition() {
    // Only the kiln's lime and CO2 say what carbon they hold: the limestone
    // has no composition, so the carbon balance is 0 in, 0.216 out, and
    // check warns about the limestone.
    let p = park(PARK);
    let all = balances(&p);
    close(balance(&all, "kiln", "mass").relative_gap(), 0.0);
    let carbon = balance(&all, "kiln", "C");
    close(carbon.inputs, 0.0);
    close(carbon.outputs, 0.216);
    close(carbon.relative_gap(), 1.0);
    let w: Vec<String> = warnings(&p).into_iter().map(|w| w.0).collect();
    assert_eq!(
        w,
        [
            "material `limestone` has no composition, so the C balances of `kiln` leave it out; give its mass fractions (0 where it has none)"
        ]
    );
}

#[test]
fn check_json_lists_each_imbalance_with_its_basis_and_share() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("boiler.ron");
    std::fs::write(&path, PARK).unwrap();
    let out = parkflow()
        .args(["check", "--tolerance", "0.02", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    let imbalances = v["imbalances"].as_array().unwrap();
    let found: Vec<(&str, &str)> = imbalances
        .iter()
        .map(|i| (i["process"].as_str().unwrap(), i["basis"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("boiler", "S"), ("kiln", "C")]);
    close(imbalances[0]["input_t"].as_f64().unwrap(), 0.002);
    close(imbalances[0]["output_t"].as_f64().unwrap(), 0.0017);
    close(imbalances[0]["share"].as_f64().unwrap(), 0.15);
    close(imbalances[1]["share"].as_f64().unwrap(), 1.0);
    // At 20% the boiler's sulfur passes; the kiln's carbon does not.
    let out = parkflow()
        .args(["check", "--tolerance", "0.2", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["imbalances"].as_array().unwrap().len(), 1);
}

#[test]
fn check_text_names_the_unmodelled_part_of_a_flagged_balance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("boiler.ron");
    std::fs::write(&path, PARK).unwrap();
    parkflow()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains(
            "imbalance: process `boiler`, S: 0.0020 t in, 0.0017 t out per unit (15.0% apart) (unmodelled streams: 0.0000 t in, 0.0017 t out)",
        ))
        .stdout(contains("warning: material `limestone` has no composition"));
}

#[test]
fn check_json_of_an_invalid_park_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    let text = PARK
        .replace(r#"reason: "combustion air""#, r#"reason: " ""#)
        .replace("tonnes: 1.0,", "tonnes: -1.0,");
    std::fs::write(&path, text).unwrap();
    let out = parkflow()
        .args(["check", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let errors: Vec<&str> = (v["errors"].as_array().unwrap().iter())
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("bad.ron: process `boiler`"))
    );
    assert!(errors[0].contains("unmodelled_inputs.water.tonnes: -1 is negative"));
    assert!(errors[1].contains("unmodelled_inputs.air.reason: say why"));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    // A syntax error is one error, with its line and column.
    std::fs::write(
        &path,
        PARK.replace("reason: \"boiler feed water\"", "why: 1"),
    )
    .unwrap();
    let out = parkflow()
        .args(["check", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].as_str().unwrap().contains("bad.ron:"),
        "{errors:?}"
    );
}

#[test]
fn unmodelled_streams_are_reported_by_year_and_never_count_in_linkage() {
    let (_, sim) = sim(PARK);
    // Made: steam 100 + ash 2 + lime 50 = 152 t; the streams are not made.
    close(sim.years[0].made_t, 152.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("boiler.ron");
    std::fs::write(&path, PARK).unwrap();
    parkflow()
        .args(["run", "--no-plots", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("out/unmodelled.csv")).unwrap();
    assert_eq!(
        csv,
        "year,process,stream,side,tonnes\n\
         2015,boiler,water,in,100\n\
         2015,boiler,air,in,152.4\n\
         2015,boiler,flue_gas,out,170\n\
         2015,kiln,co2,out,40\n"
    );
}

#[test]
fn a_stream_named_like_a_material_is_a_warning() {
    let p = park(&PARK.replace(r#""co2": Stream"#, r#""lime": Stream"#));
    let w: Vec<String> = warnings(&p).into_iter().map(|w| w.0).collect();
    assert!(
        w.iter()
            .any(|w| w
                .contains("process `kiln`: unmodelled stream `lime` has the name of a material")),
        "{w:?}"
    );
}
