//! Exit statuses (docs/MODEL.md, "Command line and exit status"), command
//! by command: 0 success, 1 an error (bad input, a file that cannot be read
//! or written, a failed run), 2 a usage error (an unknown flag, a missing
//! argument, an option value that cannot be read), 3 from `caps` when any
//! cap is exceeded. Every error is one message on stderr, never a panic.

mod common;

use std::path::{Path, PathBuf};

use common::{example, parkflow};
use predicates::prelude::*;
use predicates::str::contains;

/// A scratch directory with a valid park, an invalid one, a small sweep and
/// a run's results.
struct Bench {
    dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let acid = std::fs::read_to_string(example("acid.ron")).unwrap();
        std::fs::write(dir.path().join("acid.ron"), &acid).unwrap();
        // Capacity -80: invalid.
        std::fs::write(
            dir.path().join("invalid.ron"),
            acid.replacen("capacity: 80,", "capacity: -80,", 1),
        )
        .unwrap();
        // The COD cap raised from 104 to 200 t: every cap met.
        std::fs::write(
            dir.path().join("met.ron"),
            acid.replacen(r#"limits: {"cod": 104"#, r#"limits: {"cod": 200"#, 1),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sweep.ron"),
            r#"Sweep(id: "acid-sweep", park: "acid.ron", samples: 4, seed: 1,
                params: [Param(path: "processes.mma.utilization", dist: Uniform(0.5, 1))])"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bad-sweep.ron"),
            r#"Sweep(id: "acid-sweep", park: "acid.ron", samples: 0, seed: 1, params: [])"#,
        )
        .unwrap();
        Bench { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// A run's results directory (no plots).
    fn results(&self) -> PathBuf {
        let out = self.path("run");
        if !out.exists() {
            status(
                &[
                    "run",
                    &self.p("acid.ron"),
                    "--no-plots",
                    "-q",
                    "--out",
                    &self.p("run"),
                ],
                0,
            );
        }
        out
    }
}

/// Run parkflow with `args` and check the exit status; an error is one
/// message, never a panic.
#[track_caller]
fn status(args: &[&str], code: i32) -> assert_cmd::assert::Assert {
    let assert = parkflow()
        .args(args)
        .assert()
        .code(code)
        .stderr(contains("panicked").not());
    if code == 1 {
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    assert
}

#[test]
fn run_exits_0_on_success_1_on_bad_input_2_on_bad_usage() {
    let b = Bench::new();
    status(
        &[
            "run",
            &b.p("acid.ron"),
            "--no-plots",
            "-q",
            "--out",
            &b.p("out"),
        ],
        0,
    );
    status(&["run", &b.p("invalid.ron"), "--out", &b.p("out2")], 1)
        .stderr(contains("capacity: -80 is negative"));
    status(&["run", &b.p("missing.ron")], 1).stderr(contains("missing.ron"));
    status(&["run", &b.p("acid.ron"), "--frobnicate"], 2);
    status(&["run", &b.p("acid.ron"), "--out"], 2);
    status(&["run", &b.p("acid.ron"), "--sankey-year", "next"], 2);
    assert!(!b.path("out2").exists());
}

#[test]
fn check_exits_0_for_a_valid_park_1_for_an_invalid_one_2_without_a_file() {
    let b = Bench::new();
    status(&["check", &b.p("acid.ron")], 0);
    status(&["check", &b.p("invalid.ron")], 1);
    status(&["check"], 2);
    status(&["check", &b.p("acid.ron"), "--tolerance", "some"], 2);
}

#[test]
fn caps_exits_0_when_every_cap_is_met_3_when_one_is_exceeded() {
    let b = Bench::new();
    status(&["caps", &b.p("met.ron")], 0).stdout(contains("all 2 caps met"));
    status(&["caps", &b.p("acid.ron")], 3).stdout(contains("1 of 2 caps EXCEEDED"));
    status(&["caps", &b.p("acid.ron"), "--json"], 3);
    // Only the year asked for is judged; a year without caps is an error
    // that names the years with caps.
    status(&["caps", &b.p("acid.ron"), "--year", "2013"], 3);
    status(&["caps", &b.p("acid.ron"), "--year", "2012"], 1)
        .stderr(contains("no caps in 2012; caps are set for 2013"));
    status(&["caps", &b.p("invalid.ron")], 1);
    status(&["caps", &b.p("acid.ron"), "--year", "twenty"], 2);
    // A scenario that exceeds a cap: the COD cap lowered to 50 t.
    std::fs::write(
        b.path("tight.ron"),
        r#"Scenario(id: "tight", park: "met.ron", changes: [Set(path: "caps.2013.cod", value: 50)])"#,
    )
    .unwrap();
    status(&["caps", &b.p("tight.ron")], 3);
}

#[test]
fn sweep_exits_0_1_or_2() {
    let b = Bench::new();
    status(&["sweep", &b.p("sweep.ron"), "-q", "--out", &b.p("s")], 0);
    status(
        &["sweep", &b.p("bad-sweep.ron"), "-q", "--out", &b.p("s2")],
        1,
    )
    .stderr(contains("samples: at least 1"));
    status(&["sweep", &b.p("acid.ron"), "-q"], 1);
    status(&["sweep"], 2);
    status(&["sweep", &b.p("sweep.ron"), "--threads", "many"], 2);
    // A thread count no machine has is refused at once, not tried.
    status(&["sweep", &b.p("sweep.ron"), "--threads", "100000"], 2)
        .stderr(contains("more than 1024"));
    status(&["sweep", &b.p("sweep.ron"), "--shard", "5/4"], 2)
        .stderr(contains("K must be in 1..=N"));
    status(&["sweep", &b.p("sweep.ron"), "--shard", "half"], 2);
}

#[test]
fn merge_exits_0_1_or_2() {
    let b = Bench::new();
    for k in ["1/2", "2/2"] {
        status(
            &[
                "sweep",
                &b.p("sweep.ron"),
                "-q",
                "--shard",
                k,
                "--out",
                &b.p("parts"),
            ],
            0,
        );
    }
    status(&["merge", &b.p("parts"), "--out", &b.p("merged")], 0);
    // A directory without parts, and one that does not exist.
    std::fs::create_dir(b.path("empty")).unwrap();
    status(&["merge", &b.p("empty"), "--out", &b.p("m2")], 1).stderr(contains("no shard parts"));
    status(&["merge", &b.p("nowhere"), "--out", &b.p("m3")], 1);
    status(&["merge", &b.p("parts")], 2);
    status(&["merge", "--out", &b.p("m4")], 2);
}

#[test]
fn links_exits_0_1_or_2() {
    let b = Bench::new();
    status(
        &[
            "links",
            example("candidates.ron").to_str().unwrap(),
            "--out",
            &b.p("l"),
        ],
        0,
    );
    // A park without candidates: nothing to rank, still a success.
    status(&["links", &b.p("acid.ron")], 0).stdout(contains("no candidate links"));
    status(&["links", &b.p("invalid.ron")], 1);
    status(&["links", &b.p("acid.ron"), "--top", "3"], 2);
    // -q as the other commands take it: nothing printed but errors.
    let candidates = example("candidates.ron");
    let quiet = [
        "links",
        candidates.to_str().unwrap(),
        "-q",
        "--out",
        &b.p("lq"),
    ];
    status(&quiet, 0).stdout(predicates::str::is_empty());
    assert!(b.path("lq").join("candidates.csv").exists());
}

#[test]
fn report_exits_0_1_or_2() {
    let b = Bench::new();
    let results = b.results();
    status(&["report", results.to_str().unwrap(), "-q"], 0);
    status(&["report", b.dir.path().to_str().unwrap()], 1)
        .stderr(contains("not a results directory"));
    status(&["report", &b.p("nowhere")], 1);
    status(&["report"], 2);
}

#[test]
fn diff_exits_0_1_or_2() {
    let b = Bench::new();
    let results = b.results();
    let r = results.to_str().unwrap();
    status(&["diff", r, &b.p("met.ron")], 0);
    status(&["diff", r, &b.p("invalid.ron")], 1);
    status(&["diff", r, &b.p("missing.ron")], 1);
    status(&["diff", r], 2);
}

#[test]
fn init_exits_0_then_1_when_the_files_exist_2_without_a_directory() {
    let b = Bench::new();
    status(&["init", &b.p("new")], 0);
    status(&["init", &b.p("new")], 1).stderr(contains("never overwrites"));
    status(&["init"], 2);
}

#[test]
fn unknown_commands_and_flags_exit_2_and_help_exits_0() {
    status(&["frobnicate"], 2);
    status(&["--frobnicate"], 2);
    status(&["completions", "tcsh"], 2);
    status(&["--help"], 0);
    status(&["run", "--help"], 0);
    status(&["--version"], 0);
    status(&["completions", "bash"], 0);
    status(&["man"], 0);
}

#[test]
fn the_readme_documents_every_exit_status() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Exit status")
        .nth(1)
        .expect("README has an Exit status section");
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 3 |"] {
        assert!(section.contains(code), "README Exit status lacks {code}");
    }
}

/// `parkflow check park.ron | head` closes the pipe while parkflow still
/// writes its warnings. The write must end parkflow quietly by SIGPIPE, as
/// it does other Unix tools, not in a panic of println! (status 101,
/// "failed printing to stdout").
#[cfg(unix)]
#[test]
fn output_into_a_pipe_closed_early_ends_quietly_not_in_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let b = Bench::new();
    // 3,000 enterprises without a process: 3,000 warnings, more than a pipe holds.
    let extra: Vec<String> = (0..3000)
        .map(|i| format!("Enterprise(id: \"idle{i}\", name: \"Idle\")"))
        .collect();
    let acid = std::fs::read_to_string(b.path("acid.ron")).unwrap();
    let text = acid.replacen(
        r#"Enterprise(id: "beta", name: "Beta Fertiliser"),"#,
        &format!(
            r#"Enterprise(id: "beta", name: "Beta Fertiliser"), {},"#,
            extra.join(", ")
        ),
        1,
    );
    std::fs::write(b.path("idle.ron"), text).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("parkflow"))
        .args(["check", &b.p("idle.ron")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    const SIGPIPE: i32 = 13;
    assert_eq!(output.status.signal(), Some(SIGPIPE), "{:?}", output.status);
}
