//! Tools for the bureau and for new users: `caps`, `init`, completions and
//! the man page.

mod common;

use common::{example, parkflow};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

#[test]
fn caps_exits_3_when_a_cap_is_exceeded_and_names_the_margin_and_sources() {
    // acid.ron, 2013: COD = 5 t disposed + 100 t background = 105 t > 104 t.
    parkflow()
        .args(["caps"])
        .arg(example("acid.ron"))
        .assert()
        .code(3)
        .stdout(contains("EXCEEDED"))
        .stdout(contains("-1.0"))
        .stdout(contains("mma/spent_acid 5.0"))
        .stdout(contains("1 of 2 caps EXCEEDED"));
}

#[test]
fn caps_json_gives_the_same_for_scripts() {
    let out = parkflow()
        .args(["caps", "--json"])
        .arg(example("acid.ron"))
        .assert()
        .code(3);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["all_met"], false);
    let cod = &json["caps"][0];
    assert_eq!(
        (cod["pollutant"].as_str(), cod["margin"].as_f64()),
        (Some("cod"), Some(-1.0))
    );
    assert_eq!(cod["park"], 5.0);
    assert_eq!(cod["background"], 100.0);
    assert_eq!(cod["sources"][0]["source"], "mma/spent_acid");
}

#[test]
fn caps_for_a_year_without_caps_is_an_error_naming_the_years_with_caps() {
    parkflow()
        .args(["caps", "--year", "2012"])
        .arg(example("acid.ron"))
        .assert()
        .code(1)
        .stderr(contains("no caps in 2012; caps are set for 2013"));
}

#[test]
fn caps_of_the_default_park_are_met_in_2017() {
    parkflow()
        .args(["caps", "--year", "2017"])
        .assert()
        .success()
        .stdout(contains("all 4 caps met"));
}

#[test]
fn init_writes_a_park_a_scenario_and_a_sweep_that_check_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new");
    parkflow().arg("init").arg(&new).assert().success();
    for name in ["park.ron", "scenario.ron", "sweep.ron", "README.md"] {
        assert!(new.join(name).exists(), "{name}");
    }
    parkflow()
        .arg("check")
        .arg(new.join("park.ron"))
        .assert()
        .success()
        .stdout(contains("no warnings"));
    for (cmd, file) in [
        ("run", "park.ron"),
        ("run", "scenario.ron"),
        ("sweep", "sweep.ron"),
    ] {
        parkflow()
            .current_dir(&new)
            .args([cmd, file, "--quiet"])
            .assert()
            .success();
    }
    assert!(new.join("results/my-park-early-slag/summary.json").exists());
    assert!(
        new.join("results/my-park-uncertainty/summary.json")
            .exists()
    );
    // It never overwrites.
    parkflow()
        .arg("init")
        .arg(&new)
        .assert()
        .code(1)
        .stderr(contains("never overwrites"));
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    parkflow()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(contains("parkflow"))
        .stdout(contains("sweep"));
    parkflow()
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH parkflow"));
    parkflow().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn diff_shows_what_a_scenario_changes_year_by_year_and_link_by_link() {
    let flows = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let out = parkflow()
        .arg("diff")
        .arg(flows.join("jilin.ron"))
        .arg(flows.join("scenarios/delayed.ron"))
        .args(["--top", "3"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // 2012: nothing is delayed yet; 2017: less linkage with the late projects.
    // Each row: year, quantity, A, B, B − A.
    let change = |year: &str, quantity: &str| -> f64 {
        let row = (text.lines())
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.len() == 5 && f[0] == year && f[1] == quantity)
            .unwrap_or_else(|| panic!("no {year} {quantity} row: {text}"));
        let (a, b, d): (f64, f64, f64) = (
            row[2].parse().unwrap(),
            row[3].parse().unwrap(),
            row[4].parse().unwrap(),
        );
        assert!((b - a - d).abs() < 1e-3, "B − A: {row:?}");
        d
    };
    assert_eq!(change("2012", "linkage_mass"), 0.0);
    assert!(change("2017", "linkage_mass") < 0.0, "{text}");
    // Each target and cap with its status in A and in B, no wider than a terminal.
    assert!(text.contains("Targets and caps"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("2017 linkage (mass)") && l.matches("MISSED").count() == 2),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    assert!(
        text.contains("cog_to_gas_power"),
        "the gas goes to power instead: {text}"
    );
}

#[test]
fn diff_of_a_run_with_itself_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    parkflow()
        .arg("run")
        .arg(example("acid.ron"))
        .args(["--quiet", "--no-plots", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    parkflow()
        .arg("diff")
        .arg(dir.path())
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("none: every link carries the same"))
        .stdout(contains("+0.0000"))
        .stdout(contains("warning").not());
}

#[test]
fn run_xlsx_writes_every_result_file_as_a_sheet_with_chinese_names_intact() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    parkflow()
        .args(["run", "--xlsx", "--quiet", "--no-plots", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let file = std::fs::File::open(dir.path().join("results.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    for sheet in [
        "summary",
        "years",
        "processes",
        "links",
        "materials",
        "imports",
        "emissions",
        "names",
    ] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "sheet {sheet}"
        );
    }
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("吉林石化"), "Chinese names are kept");
    // A workbook to send upward: the targets and caps with their statuses
    // first, units on the numbers, booleans as booleans, headers frozen.
    assert!(
        strings.contains("MISSED") && strings.contains("MET"),
        "statuses"
    );
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("&quot; t&quot;"), "tonnes shown as t");
    let mut sheet = |n: usize| {
        let mut xml = String::new();
        (zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap())
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    let summary = sheet(1);
    assert!(summary.contains("ySplit=\"1\""), "the header row is frozen");
    let links = sheet(4);
    assert!(links.contains("t=\"b\""), "inter_enterprise is a boolean");
    assert!(!strings.contains(">true<"), "no boolean written as text");
}

#[test]
fn check_flags_a_process_whose_tonnes_in_and_out_differ_by_ten_percent() {
    // as_plant in acid.ron: 1.0 t spent acid + 0.2 t ammonia in, 1.0 t out.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("acid.ron"))
        .unwrap()
        .replace(r#""ammonia": 0.2"#, r#""ammonia": 0.1"#);
    let path = dir.path().join("p.ron");
    std::fs::write(&path, text).unwrap();
    // 1.1 t in, 1.0 t out: 9.1% apart, flagged at 5%, not at 10%.
    parkflow()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains(
            "imbalance: process `as_plant`, mass: 1.1000 t in, 1.0000 t out per unit (9.1% apart)",
        ));
    parkflow()
        .args(["check", "--tolerance", "0.1"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("0 beyond 10.0%"));
}

#[test]
fn the_sulfur_and_nitrogen_of_spent_acid_reach_ammonium_sulfate() {
    let park = parkflow::model::parse_park(parkflow::model::BUILTIN_PARK, "jilin").unwrap();
    let balances = parkflow::model::balance::balances(&park);
    for element in ["S", "N"] {
        let b = balances
            .iter()
            .find(|b| b.process == "dadi_as_acid" && b.what == element)
            .unwrap_or_else(|| panic!("no {element} balance for dadi_as_acid"));
        // S: 0.872 t spent acid × 0.2782 = 0.2426 t in; 1 t (NH4)2SO4 × 0.2427 out.
        assert!(b.relative_gap() < 0.005, "{element}: {b:?}");
    }
    let urea_n = balances
        .iter()
        .find(|b| b.process == "cog_urea" && b.what == "N")
        .unwrap();
    assert!(urea_n.relative_gap() < 0.01, "{urea_n:?}");
}

#[test]
fn a_run_does_not_replace_the_results_of_another_park_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut cmd = parkflow();
        cmd.arg("run")
            .arg(file)
            .args(["-q", "--no-plots", "--out"])
            .arg(&out)
            .args(extra);
        cmd.assert()
    };
    let park = dir.path().join("park.ron");
    std::fs::copy(example("acid.ron"), &park).unwrap();
    run(&park, &[]).success();
    // The same file, edited: the everyday loop replaces its results.
    let text = std::fs::read_to_string(&park).unwrap();
    std::fs::write(&park, text.replace("capacity: 100", "capacity: 90")).unwrap();
    run(&park, &[]).success();
    // A copy of it, with the same id: refused, naming both files.
    let copy = dir.path().join("copy.ron");
    std::fs::copy(&park, &copy).unwrap();
    let before = std::fs::read(out.join("years.csv")).unwrap();
    run(&copy, &[])
        .code(1)
        .stderr(contains("holds the results of"))
        .stderr(contains("park.ron"))
        .stderr(contains("copy.ron"))
        .stderr(contains("--force"));
    assert_eq!(std::fs::read(out.join("years.csv")).unwrap(), before);
    run(&copy, &["--force"]).success();
}

#[test]
fn a_run_removes_the_result_files_an_earlier_run_wrote_and_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        parkflow()
            .arg("run")
            .arg(example("acid.ron"))
            .args(["-q", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
            .success();
    };
    run(&["--xlsx"]);
    for name in ["linkage.png", "sankey-2013.svg", "results.xlsx"] {
        assert!(out.join(name).exists(), "{name}");
    }
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    run(&["--no-plots"]);
    for name in [
        "linkage.png",
        "linkage.svg",
        "sankey-2013.svg",
        "results.xlsx",
    ] {
        assert!(!out.join(name).exists(), "{name} is stale and removed");
    }
    assert!(out.join("years.csv").exists());
    assert!(
        out.join("notes.txt").exists(),
        "a file a run never writes is kept"
    );
}

#[test]
fn check_validates_sweep_and_reconciliation_files_by_what_they_hold() {
    let flows = concat!(env!("CARGO_MANIFEST_DIR"), "/flows");
    parkflow()
        .args(["check", &format!("{flows}/sweeps/uncertainty.ron")])
        .assert()
        .success()
        .stdout(contains("valid sweep `jilin-uncertainty`"));
    parkflow()
        .args([
            "check",
            &format!("{flows}/examples/reconcile.ron"),
            "--json",
        ])
        .assert()
        .success()
        .stdout(contains("\"valid\": true"));
    // A sweep with a misspelt path is refused with the closest one.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad-sweep.ron");
    std::fs::write(
        &bad,
        format!(
            r#"Sweep(id: "b", park: "{}", samples: 4, seed: 1, params: [Param(path: "processes.mma.capacty", dist: Uniform(50, 150))])"#,
            example("acid.ron").display()
        ),
    )
    .unwrap();
    parkflow()
        .arg("check")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(contains("did you mean `capacity`?"));
}

#[test]
fn check_finds_a_cycle_that_is_not_productive() {
    // Miller–Blair with each sector using more than a unit of the other:
    // every item is valid, but (I − A) x = y has no non-negative solution.
    let text = std::fs::read_to_string(example("miller_blair.ron"))
        .unwrap()
        .replace(
            r#""good1": 0.25, "good2": 0.05"#,
            r#""good1": 1.5, "good2": 0.05"#,
        )
        .replace(
            r#""good1": 0.15, "good2": 0.20"#,
            r#""good1": 0.15, "good2": 1.2"#,
        );
    let dir = tempfile::tempdir().unwrap();
    let park = dir.path().join("unproductive.ron");
    std::fs::write(&park, text).unwrap();
    parkflow()
        .arg("check")
        .arg(&park)
        .assert()
        .code(1)
        .stderr(contains("the park does not run"))
        .stderr(contains("not productive"));
}

#[test]
fn report_writes_where_out_says() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("run");
    run_acid(&results);
    let file = dir.path().join("to-send/acid.html");
    parkflow()
        .arg("report")
        .arg(&results)
        .arg("--out")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("acid.html"));
    assert!(std::fs::read_to_string(&file).unwrap().contains("<html"));
    let folder = dir.path().join("reports");
    parkflow()
        .arg("report")
        .arg(&results)
        .arg("-q")
        .arg("--out")
        .arg(&folder)
        .assert()
        .success();
    assert!(folder.join("report.html").exists());
    assert!(
        !results.join("report.html").exists(),
        "the results directory is left as it was"
    );
}

#[test]
fn a_city_cap_finding_says_how_much_of_the_total_is_background() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("run");
    run_acid(&results);
    parkflow()
        .arg("report")
        .arg(&results)
        .arg("-q")
        .assert()
        .success();
    let html = std::fs::read_to_string(results.join("report.html")).unwrap();
    // 2013 COD: 5 t from the park, 100 t background, 105 t in all.
    assert!(
        html.contains("95% of the total is the background"),
        "the COD cap's finding names its background share"
    );
}

#[test]
fn diff_warns_when_the_two_runs_are_of_different_parks() {
    let flows = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    parkflow()
        .arg("diff")
        .arg(example("acid.ron"))
        .arg(flows.join("jilin.ron"))
        .assert()
        .success()
        .stdout(contains(
            "warning: A is a run of park `acid-example` and B of park `jilin-chem-park`",
        ));
}

/// Run the acid example, without plots, into `out`.
fn run_acid(out: &std::path::Path) {
    parkflow()
        .arg("run")
        .arg(example("acid.ron"))
        .args(["-q", "--no-plots", "--out"])
        .arg(out)
        .assert()
        .success();
}
