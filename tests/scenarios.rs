//! Scenarios: parameter paths, the changes of docs/MODEL.md, "Changes", and
//! the shipped scenario files.

use std::path::Path;

use assert_cmd::Command;
use parkflow::engine::Plan;
use parkflow::model::{BUILTIN_PARK, Park, Series, parse_park};
use parkflow::output::simulate;
use parkflow::scenario::{Change, apply_change, load_scenario, path::resolve};
use predicates::str::contains;

fn jilin() -> Park {
    parse_park(BUILTIN_PARK, "jilin").unwrap()
}

fn process<'a>(park: &'a Park, id: &str) -> &'a parkflow::model::Process {
    park.processes.iter().find(|p| p.id == id).unwrap()
}

fn flows(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("flows")
        .join(path)
}

#[test]
fn a_wildcard_matches_every_item_that_has_the_field() {
    let park = jilin();
    let with_so2 = park
        .processes
        .iter()
        .filter(|p| p.abatement.contains("so2"))
        .count();
    assert!(with_so2 >= 2);
    assert_eq!(
        resolve(&park, "processes.*.abatement.so2").unwrap().len(),
        with_so2
    );
    assert_eq!(
        resolve(&park, "links.*.priority").unwrap().len(),
        park.links.len()
    );
}

#[test]
fn a_path_that_names_nothing_lists_what_exists_there() {
    let park = jilin();
    let err = resolve(&park, "processes.jishen_p.capacity").unwrap_err();
    assert!(
        err.contains("no process `jishen_p`; did you mean `jishen_po`?"),
        "{err}"
    );
    assert!(err.contains("`jpcc_cracker`"), "{err}");
    let err = resolve(&park, "processes.jishen_po.outputs.water").unwrap_err();
    assert!(err.contains("its outputs are:"), "{err}");
    let err = resolve(&park, "processes.jishen_po.colour").unwrap_err();
    assert!(err.contains("a process has `capacity`"), "{err}");
    // A misspelt field, British or otherwise, gets the closest one.
    let err = resolve(&park, "processes.jishen_po.utilisation").unwrap_err();
    assert!(err.contains("did you mean `utilization`?"), "{err}");
    let err = resolve(&park, "links.propylene_to_po.strat").unwrap_err();
    assert!(err.contains("did you mean `start`?"), "{err}");
    let err = resolve(&park, "factories.x.capacity").unwrap_err();
    assert!(err.contains("a path starts with"), "{err}");
    let err = resolve(&park, "caps.2018.cod").unwrap_err();
    assert!(
        err.contains("no cap year `2018`") && err.contains("`2017`"),
        "{err}"
    );
}

#[test]
fn set_scale_and_shift_change_series_numbers_and_years() {
    let mut park = jilin();
    let before = process(&park, "jishen_po").capacity.clone().unwrap();
    assert_eq!(before, Series::Steps(vec![(2014, 300000.0)]));
    for c in [
        Change::Scale {
            path: "processes.jishen_po.capacity".into(),
            by: 0.5,
        },
        Change::Shift {
            path: "processes.jishen_po.capacity".into(),
            by: 2,
        },
        Change::Shift {
            path: "links.propylene_to_po.start".into(),
            by: 2,
        },
        Change::Set {
            path: "caps.2017.cod".into(),
            value: Series::Constant(1.0),
        },
        Change::Scale {
            path: "processes.jishen_po.outputs.wastewater".into(),
            by: 2.0,
        },
    ] {
        apply_change(&mut park, &c).unwrap();
    }
    assert_eq!(
        process(&park, "jishen_po").capacity,
        Some(Series::Steps(vec![(2016, 150000.0)]))
    );
    let link = park
        .links
        .iter()
        .find(|l| l.id == "propylene_to_po")
        .unwrap();
    assert_eq!(link.start, Some(2016));
    assert_eq!(park.caps[0].limits.get("cod"), Some(&1.0));
    assert_eq!(
        process(&park, "jishen_po").outputs.get("wastewater"),
        Some(&3.0)
    );
}

#[test]
fn a_year_cannot_be_scaled_and_a_number_cannot_take_steps() {
    let mut park = jilin();
    let err = apply_change(
        &mut park,
        &Change::Scale {
            path: "links.propylene_to_po.start".into(),
            by: 2.0,
        },
    )
    .unwrap_err();
    assert!(err.contains("cannot be scaled"), "{err}");
    let err = apply_change(
        &mut park,
        &Change::Set {
            path: "caps.2017.cod".into(),
            value: Series::Steps(vec![(2012, 1.0)]),
        },
    )
    .unwrap_err();
    assert!(err.contains("needs a single number"), "{err}");
}

#[test]
fn disable_and_enable_switch_a_link_off_and_on() {
    let mut park = jilin();
    apply_change(
        &mut park,
        &Change::Disable {
            link: "spent_acid_to_as".into(),
        },
    )
    .unwrap();
    let plan = Plan::compile(&park);
    let l = (plan.topology.link_ids.iter())
        .position(|id| id == "spent_acid_to_as")
        .unwrap();
    assert!(!plan.topology.link_enabled[l]);
    let sim = simulate(&plan).unwrap();
    assert!(sim.steps.iter().all(|s| s.flow[l] == 0.0));
    apply_change(
        &mut park,
        &Change::Enable {
            link: "spent_acid_to_as".into(),
        },
    )
    .unwrap();
    assert!(Plan::compile(&park).topology.link_enabled[l]);
    let err = apply_change(
        &mut park,
        &Change::Enable {
            link: "spent_acid_to_a".into(),
        },
    )
    .unwrap_err();
    assert!(err.contains("did you mean `spent_acid_to_as`?"), "{err}");
}

#[test]
fn the_changed_park_is_validated_like_a_park_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    let park = flows("jilin.ron");
    std::fs::write(
        &path,
        format!(
            r#"Scenario(id: "bad", park: "{}", changes: [Set(path: "processes.jishen_po.utilization", value: 1.5)])"#,
            park.display()
        ),
    )
    .unwrap();
    let err = load_scenario(&path).unwrap_err().to_string();
    assert!(err.contains("the park after its changes"), "{err}");
    assert!(
        err.contains("process `jishen_po`, utilization: 1.5 is outside [0, 1]"),
        "{err}"
    );
}

/// Linkage of `year` and the city total of `pollutant` in 2017, for a scenario file or the default park.
fn outcome(file: Option<&str>) -> (f64, f64, f64) {
    let park = match file {
        Some(f) => load_scenario(&flows(f)).unwrap().park,
        None => jilin(),
    };
    let sim = simulate(&Plan::compile(&park)).unwrap();
    let year = |y: i32| sim.years.iter().find(|r| r.year == y).unwrap();
    let so2 = park.pollutants.iter().position(|p| p.id == "so2").unwrap();
    (
        year(2017).linkage_mass,
        year(2020).linkage_mass,
        year(2017).total(so2),
    )
}

#[test]
fn the_shipped_scenarios_move_the_indicators_the_way_they_say() {
    let (base17, base20, base_so2) = outcome(None);
    let (plan17, _, _) = outcome(Some("scenarios/plan.ron"));
    assert!(
        plan17 > base17,
        "the plan as written links more in 2017: {plan17} vs {base17}"
    );
    let (late17, late20, _) = outcome(Some("scenarios/delayed.ron"));
    assert!(
        late17 < base17,
        "delays lower 2017 linkage: {late17} vs {base17}"
    );
    assert!(
        (late20 - base20).abs() < 1e-9,
        "by 2020 the delayed projects have caught up"
    );
    let (_, nocog20, _) = outcome(Some("scenarios/no-cog-chains.ron"));
    assert!(
        nocog20 < base20,
        "without the gas chains 2020 linkage is lower"
    );
    let (strict17, _, strict_so2) = outcome(Some("scenarios/strict-abatement.ron"));
    assert_eq!(strict17, base17, "abatement does not change flows");
    assert!(
        strict_so2 < base_so2,
        "stricter abatement lowers SO2: {strict_so2} vs {base_so2}"
    );
}

#[test]
fn run_writes_a_scenario_to_its_own_results_directory() {
    let cwd = tempfile::tempdir().unwrap();
    Command::new(assert_cmd::cargo::cargo_bin!("parkflow"))
        .current_dir(cwd.path())
        .arg("run")
        .arg(flows("scenarios/delayed.ron"))
        .assert()
        .success()
        .stdout(contains("scenario `delayed`"));
    let summary = cwd
        .path()
        .join("results/jilin-chem-park-delayed/summary.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(summary).unwrap()).unwrap();
    assert_eq!(json["scenario"], "delayed");
    assert_eq!(json["park"], "jilin-chem-park");
}

/// Write a scenario of the acid example with `changes`; load it.
fn acid_scenario(changes: &str) -> Result<parkflow::scenario::Applied, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.ron");
    std::fs::write(
        &path,
        format!(
            r#"Scenario(id: "s", park: "{}", changes: [{changes}])"#,
            flows("examples/acid.ron").display()
        ),
    )
    .unwrap();
    load_scenario(&path).map_err(|e| e.to_string())
}

#[test]
fn a_scenario_adds_a_link_written_as_a_park_writes_one() {
    // A second pipeline carries the acid the first cannot: 20 t more of the
    // 110 t made reach the ammonium-sulfate plant, which takes up to 80 t.
    let applied = acid_scenario(
        r#"Add(link: Link(id: "acid2", from: "mma", to: "as_plant", material: "spent_acid", max_rate: 20))"#,
    )
    .unwrap();
    let plan = Plan::compile(&applied.park);
    let sim = simulate(&plan).unwrap();
    let flow = |id: &str| {
        let l = plan.topology.link_ids.iter().position(|l| l == id).unwrap();
        sim.steps[0].flow[l]
    };
    assert_eq!((flow("acid"), flow("acid2")), (60.0, 20.0));
    // An added link is validated like the park's own.
    let err = acid_scenario(
        r#"Add(link: Link(id: "acid3", from: "mma", to: "as_plan", material: "spent_acid"))"#,
    )
    .unwrap_err();
    assert!(err.contains("the park after its changes"), "{err}");
    assert!(err.contains("did you mean `as_plant`?"), "{err}");
}

#[test]
fn enabling_a_link_that_is_not_a_candidate_is_an_error() {
    let err = acid_scenario(r#"Enable(link: "acid")"#).unwrap_err();
    assert!(err.contains("link `acid` is not a candidate"), "{err}");
}

#[test]
fn every_bad_change_of_a_scenario_is_reported_at_once() {
    let err = acid_scenario(
        r#"Set(path: "processes.mma.capacty", value: 1), Scale(path: "links.acdi.max_rate", by: 2), Set(path: "processes.mma.capacity", value: 120)"#,
    )
    .unwrap_err();
    assert!(
        err.contains("change 1:") && err.contains("did you mean `capacity`?"),
        "{err}"
    );
    assert!(
        err.contains("change 2:") && err.contains("did you mean `acid`?"),
        "{err}"
    );
    assert!(
        !err.contains("change 3:"),
        "a good change is not a problem: {err}"
    );
}

#[test]
fn the_readme_scenario_that_enables_disables_and_adds_runs() {
    let readme = std::fs::read_to_string(flows("../README.md")).unwrap();
    let start = readme
        .find("Scenario(\n    id: \"second-acid-line\"")
        .unwrap();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("second-acid-line.ron");
    let text = readme[start..end].replace(
        "park: \"../jilin.ron\"",
        &format!("park: \"{}\"", flows("jilin.ron").display()),
    );
    std::fs::write(&path, text).unwrap();
    let applied = load_scenario(&path).unwrap();
    assert!(applied.park.links.iter().any(|l| l.id == "acid_to_dadi_2"));
    simulate(&Plan::compile(&applied.park)).unwrap();
}
