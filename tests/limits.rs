//! The limits on what parkflow reads: the size of an input file, the size of
//! a park, the nesting of RON text, and the ids that become file names.

mod common;
#[path = "common/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};

use common::{example, parkflow};
use parkflow::Error;
use parkflow::model::{self, Park, parse_park, parse_ron, validate};
use parkflow::scenario::{Scenario, apply_scenario};
use predicates::str::contains;
use synthetic::SyntheticOptions;

fn acid() -> String {
    std::fs::read_to_string(example("acid.ron")).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A file of `len` bytes that takes no room on disk (sparse).
fn sparse(dir: &Path, name: &str, len: u64) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path
}

/// The problems of a park, or "" if it is valid.
fn problems(park: &Park) -> String {
    validate(park, "p.ron")
        .err()
        .map_or(String::new(), |e| e.to_string())
}

// ---------------------------------------------------------------------------
// Input size.

#[test]
fn a_park_file_over_64_mib_is_refused_unread_naming_its_size_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = sparse(dir.path(), "big.ron", 64 * 1024 * 1024 + 1);
    let e = model::load_park(&big).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    let m = e.to_string();
    assert!(
        m.contains(
            "big.ron: 67108865 bytes (64.0 MiB) is more than the input size limit of 67108864 bytes (64 MiB)"
        ),
        "{m}"
    );
    assert!(m.contains("--max-input-size"), "{m}");
    // At the limit exactly, the file is read (and is not a park).
    let edge = sparse(dir.path(), "edge.ron", 64 * 1024 * 1024);
    assert!(matches!(model::load_park(&edge), Err(Error::Syntax { .. })));
}

#[test]
fn every_command_refuses_an_input_file_over_the_limit_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let park = write(dir.path(), "acid.ron", &acid());
    let refused = |args: &[&str], file: &str| {
        parkflow()
            .arg("--max-input-size")
            .arg("1K")
            .args(args)
            .assert()
            .code(1)
            .stderr(contains(format!("{file}: ")))
            .stderr(contains(
                "is more than the input size limit of 1024 bytes (1 KiB)",
            ));
    };
    let p = park.to_str().unwrap();
    refused(&["check", p], "acid.ron");
    refused(&["run", p, "--no-plots"], "acid.ron");
    refused(&["caps", p], "acid.ron");
    refused(&["links", p], "acid.ron");
    // A scenario names the park it reads: the park is refused.
    let scenario = write(
        dir.path(),
        "s.ron",
        r#"Scenario(id: "s", park: "acid.ron", changes: [])"#,
    );
    refused(&["run", scenario.to_str().unwrap()], "acid.ron");
    // A sweep file.
    let mut sweep = String::from("Sweep(id: \"w\", park: \"acid.ron\", samples: 2, seed: 1,\n");
    sweep += &format!("// {}\n", "x".repeat(1100));
    sweep += "params: [Param(path: \"processes.mma.utilization\", dist: Uniform(0.5, 1))])";
    let sweep = write(dir.path(), "w.ron", &sweep);
    refused(&["sweep", sweep.to_str().unwrap()], "w.ron");
}

#[test]
fn a_sweep_report_reads_samples_above_the_limit_row_by_row_but_not_a_longer_row() {
    let dir = tempfile::tempdir().unwrap();
    let params = r#"Param(path: "processes.mma.capacity", dist: Uniform(50, 150))"#;
    let out = common::acid_sweep(dir.path(), 300, params);
    let size = |name: &str| std::fs::metadata(out.join(name)).unwrap().len();
    let (samples, summary) = (size("samples.csv"), size("summary.json"));
    let text = std::fs::read_to_string(out.join("samples.csv")).unwrap();
    let row = text.lines().map(str::len).max().unwrap() as u64;
    let limit = summary.max(row);
    assert!(
        samples > 4 * limit,
        "{samples} bytes of samples, limit {limit}"
    );
    parkflow()
        .args(["--max-input-size", &limit.to_string(), "report", "-q"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("report.html").exists());
    // A row longer than the limit is refused, naming the file.
    let long = format!("{text}{}\n", "9".repeat(limit as usize + 1));
    std::fs::write(out.join("samples.csv"), long).unwrap();
    parkflow()
        .args(["--max-input-size", &limit.to_string(), "report", "-q"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("samples.csv"))
        .stderr(contains("a row longer than the input size limit"));
}

#[test]
fn result_files_read_back_are_refused_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    parkflow()
        .args([
            "run",
            example("acid.ron").to_str().unwrap(),
            "--no-plots",
            "-q",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    // report reads the CSV and JSON files back; diff reads years.csv and links.csv.
    for args in [vec!["report"], vec!["diff", out.to_str().unwrap()]] {
        parkflow()
            .args(["--max-input-size", "100"])
            .args(&args)
            .arg(&out)
            .assert()
            .code(1)
            .stderr(contains("is more than the input size limit of 100 bytes"));
    }
    // merge reads shard parts.
    let sweep = write(
        dir.path(),
        "w.ron",
        &format!(
            "Sweep(id: \"w\", park: {:?}, samples: 4, seed: 1, params: [Param(path: \"processes.mma.utilization\", dist: Uniform(0.5, 1))])",
            example("acid.ron")
        ),
    );
    let parts = dir.path().join("parts");
    for shard in ["1/2", "2/2"] {
        parkflow()
            .args(["sweep", sweep.to_str().unwrap(), "-q", "--shard", shard])
            .arg("--out")
            .arg(&parts)
            .assert()
            .success();
    }
    parkflow()
        .args(["merge", "--max-input-size", "100"])
        .arg(&parts)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .code(1)
        .stderr(contains("part-"))
        .stderr(contains("is more than the input size limit of 100 bytes"));
    // The same commands read them under the default limit.
    parkflow()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
}

#[test]
fn the_limit_is_set_by_the_option_or_the_environment() {
    let park = example("acid.ron");
    let size = std::fs::metadata(&park).unwrap().len();
    parkflow()
        .env("PARKFLOW_MAX_INPUT_SIZE", (size - 1).to_string())
        .arg("check")
        .arg(&park)
        .assert()
        .code(1)
        .stderr(contains(format!("{size} bytes")));
    parkflow()
        .env("PARKFLOW_MAX_INPUT_SIZE", size.to_string())
        .arg("check")
        .arg(&park)
        .assert()
        .success();
    // The option wins over the environment.
    parkflow()
        .env("PARKFLOW_MAX_INPUT_SIZE", "1")
        .args(["check", "--max-input-size", "1M"])
        .arg(&park)
        .assert()
        .success();
    // A limit that is not a size is a usage error.
    for bad in ["lots", "-1", "1.5M", "99999999999999999999G"] {
        parkflow()
            .args(["check", &format!("--max-input-size={bad}")])
            .arg(&park)
            .assert()
            .code(2)
            .stderr(contains("--max-input-size"));
    }
}

#[test]
fn a_file_of_unknown_size_is_read_up_to_the_limit_and_refused_beyond_it() {
    // /dev/zero has no size on disk and never ends.
    parkflow()
        .args(["check", "/dev/zero", "--max-input-size", "64K"])
        .assert()
        .code(1)
        .stderr(contains(
            "/dev/zero: the file is more than the input size limit of 65536 bytes (64 KiB)",
        ));
}

#[test]
fn a_file_that_is_not_utf8_names_the_line_and_column_of_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = acid().into_bytes();
    let at = bytes
        .windows(12)
        .position(|w| w == b"acid-example")
        .unwrap()
        + 4;
    bytes[at] = 0xff;
    let path = dir.path().join("bad.ron");
    std::fs::write(&path, bytes).unwrap();
    let m = model::load_park(&path).unwrap_err().to_string();
    assert!(
        m.ends_with("bad.ron:18:14: the file is not UTF-8 text"),
        "{m}"
    );
}

// ---------------------------------------------------------------------------
// Park size.

#[test]
fn a_ten_thousand_process_synthetic_park_is_within_every_limit() {
    let park = synthetic::park(10_000, 1);
    assert_eq!(park.processes.len(), 10_000);
    assert!(park.links.len() > 25_000, "{}", park.links.len());
    assert_eq!(problems(&park), "");
}

#[test]
fn a_run_records_at_most_ten_million_step_items() {
    // 10,000 processes with their links, storages and coefficients record
    // 99,486 items a step: 100 steps fit, 101 do not.
    let mut options = SyntheticOptions::new(10_000, 1);
    options.steps_per_year = 100;
    let mut park = synthetic::generate(&options);
    assert_eq!(problems(&park), "");
    park.time.steps_per_year = 101;
    let m = problems(&park);
    assert!(
        m.contains(
            "time: 1 years × 101 steps per year = 101 steps, each recording 99486 items (processes, links, storages and coefficients): a run of 10048086 step items; at most 10000000 are simulated"
        ),
        "{m}"
    );
}

#[test]
fn a_park_above_a_documented_size_is_refused_with_the_count_and_the_maximum() {
    let base = parse_park(&acid(), "acid.ron").unwrap();

    let mut park = base.clone();
    let template = park.processes[0].clone();
    park.processes = (0..=model::MAX_PROCESSES)
        .map(|i| {
            let mut p = template.clone();
            p.id = format!("p{i}");
            p
        })
        .collect();
    let m = problems(&park);
    assert!(
        m.contains("1 problem:\n  - processes: 100001 in the park; at most 100000 are accepted"),
        "{m}"
    );

    let mut park = base.clone();
    park.pollutants = (0..=model::MAX_POLLUTANTS)
        .map(|i| model_pollutant(&format!("k{i}")))
        .collect();
    assert!(problems(&park).contains("pollutants: 1001 in the park; at most 1000 are accepted"));

    let mut park = base.clone();
    park.processes[0].capacity = Some(model::Series::Steps(
        (0..=model::MAX_SERIES_STEPS as i32)
            .map(|y| (y, 1.0))
            .collect(),
    ));
    assert!(
        problems(&park)
            .contains("process `mma`, capacity: 10001 steps; at most 10000 are accepted")
    );

    let mut park = base.clone();
    park.processes[1].inputs = model::Keyed(
        (0..=model::MAX_MAP_ENTRIES)
            .map(|i| (format!("m{i}"), 1.0))
            .collect(),
    );
    assert!(
        problems(&park)
            .contains("process `as_plant`, inputs: 1001 entries; at most 1000 are accepted")
    );

    let mut park = base;
    park.time.end = park.time.start + model::MAX_YEARS as i32;
    assert!(problems(&park).contains("time: 2012–3012 spans 1001 years; at most 1000"));
    park.time.end -= 1;
    assert_eq!(problems(&park), "");
}

fn model_pollutant(id: &str) -> model::Pollutant {
    model::Pollutant {
        id: id.into(),
        name: id.into(),
        unit: "t".into(),
        tax: None,
    }
}

// ---------------------------------------------------------------------------
// Nesting.

/// Brackets `depth` deep.
fn nested(depth: usize, open: &str, close: &str) -> String {
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn a_million_nested_brackets_are_a_syntax_error_even_on_a_small_stack() {
    let text = acid();
    // A thread with a 256 KiB stack: the reader must not recurse per level.
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut messages = Vec::new();
            for (open, close) in [("[", "]"), ("(", ")"), ("{\"k\": ", "}"), ("Some(", ")")] {
                for (from, to) in [
                    (
                        "capacity: 100,",
                        format!("capacity: {},", nested(1_000_000, open, close)),
                    ),
                    (r#"{"cod": 100}"#, nested(1_000_000, open, close)),
                    ("Park(", format!("{}Park(", open.repeat(1_000_000))),
                ] {
                    let mutant = text.replacen(from, &to, 1);
                    match parse_park(&mutant, "deep.ron") {
                        Err(Error::Syntax {
                            line, col, message, ..
                        }) => {
                            assert!(line >= 1 && col >= 1);
                            messages.push(message);
                        }
                        other => panic!("{from}: {other:?}"),
                    }
                }
            }
            messages
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(outcome.len(), 12);
}

#[test]
fn nesting_deeper_than_the_reader_follows_is_named_as_such() {
    // No parkflow file type nests deeper than a few levels, so the limit is
    // met only by a type that takes any value, such as ron's own Value.
    let m = parse_ron::<ron::Value>(&nested(model::MAX_NESTING + 1, "[", "]"), "deep.ron")
        .unwrap_err()
        .to_string();
    assert!(m.starts_with("deep.ron:1:"), "{m}");
    assert!(m.ends_with("brackets nested too deep"), "{m}");
    // A value takes two levels of the reader's limit per bracket.
    parse_ron::<ron::Value>(&nested(model::MAX_NESTING / 2, "[", "]"), "ok.ron").unwrap();
}

// ---------------------------------------------------------------------------
// Ids that name files.

const BAD_IDS: [&str; 16] = [
    "../evil",
    "/etc/x",
    "a/b",
    "a\\b",
    "CON",
    "con",
    "nul",
    "com1",
    "lpt9",
    "",
    "ünïcödé",
    "a.b",
    "..",
    "a\u{0}b",
    "Jilin",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

const GOOD_IDS: [&str; 6] = [
    "a",
    "jilin-chem-park",
    "2012_plan",
    "com10",
    "console",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

#[test]
fn a_park_id_that_could_leave_the_results_directory_is_refused_naming_the_rule() {
    let base = parse_park(&acid(), "acid.ron").unwrap();
    for id in BAD_IDS {
        let mut park = base.clone();
        park.id = id.into();
        let m = problems(&park);
        assert!(m.contains(&format!("park `{id}`: the id ")), "{id}: {m}");
        assert!(
            m.contains("must match [a-z0-9_-]{1,64}") || m.contains("is a device name on Windows"),
            "{id}: {m}"
        );
        assert!(m.contains("because it names the result directory"), "{m}");
    }
    for id in GOOD_IDS {
        let mut park = base.clone();
        park.id = id.into();
        assert_eq!(problems(&park), "", "{id}");
    }
}

#[test]
fn scenario_and_sweep_ids_follow_the_same_rule() {
    let base = parse_park(&acid(), "acid.ron").unwrap();
    for id in BAD_IDS {
        let scenario = Scenario {
            id: id.into(),
            park: None,
            description: None,
            changes: Vec::new(),
        };
        let m = apply_scenario(&mut base.clone(), &scenario, "s.ron")
            .unwrap_err()
            .to_string();
        assert!(m.contains(&format!("scenario `{id}`: the id ")), "{m}");
        let sweep: parkflow::sweep::Sweep = parkflow::model::parse_sweep_ron(
            r#"Sweep(id: "w", samples: 1, seed: 1, params: [Param(path: "processes.mma.utilization", dist: Uniform(0.5, 1))])"#,
            "w.ron",
        )
        .unwrap();
        let sweep = parkflow::sweep::Sweep {
            id: id.into(),
            ..sweep
        };
        let e = parkflow::sweep::prepare(sweep, base.clone())
            .err()
            .expect("refused");
        assert!(
            e.iter()
                .any(|p| p.starts_with(&format!("sweep `{id}`: the id "))),
            "{e:?}"
        );
    }
}

#[test]
fn a_run_of_a_park_with_a_hostile_id_writes_nothing_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("work");
    std::fs::create_dir(&cwd).unwrap();
    for id in ["../evil", "/tmp/parkflow-evil", "a/b"] {
        let text = acid().replacen("\"acid-example\"", &format!("{id:?}"), 1);
        let park = write(dir.path(), "evil.ron", &text);
        parkflow()
            .current_dir(&cwd)
            .args(["run", park.to_str().unwrap()])
            .assert()
            .code(1)
            .stderr(contains(format!("park `{id}`: the id must match")));
        // Nothing was created: no results directory, nothing beside it.
        assert!(std::fs::read_dir(&cwd).unwrap().next().is_none());
        assert!(!dir.path().join("evil").exists());
        assert!(!Path::new("/tmp/parkflow-evil").exists());
    }
}
