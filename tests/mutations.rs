//! Every valid file in the repository, mutated: a field or item deleted or
//! duplicated, ids swapped, mistyped or made hostile, extreme and non-finite
//! numbers, huge series, deep nesting, emptied lists, truncation and flipped
//! bytes. Whatever the mutation, the library pipeline (parse, validate,
//! compile, run; a sweep is prepared and runs a few samples) ends in Ok with
//! finite numbers everywhere, or in one readable error. A sample of the
//! mutants also goes through the `parkflow` binary: exit status 0 or 1, never
//! a panic, never a non-finite number in a result file.
//!
//! The cases are drawn from a fixed seed, so a run is reproducible; set
//! `PARKFLOW_MUTATION_SEED` to explore others. `--nocapture` prints how many
//! mutants of each kind ended in Ok and in each kind of error.

#[path = "mutations/cases.rs"]
mod cases;
mod common;
#[path = "mutations/mutate.rs"]
mod mutate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use mutate::*;
use parkflow::Error;
use parkflow::engine::Plan;
use parkflow::output::{self, RunInfo};
use parkflow::sweep;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// The valid files mutated, relative to the repository (and to the copy of
/// it the mutants are written into, so relative park paths resolve).
const FILES: [&str; 13] = [
    "flows/jilin.ron",
    "flows/examples/acid.ron",
    "flows/examples/candidates.ron",
    "flows/examples/miller_blair.ron",
    "flows/scenarios/delayed.ron",
    "flows/scenarios/no-cog-chains.ron",
    "flows/scenarios/plan.ron",
    "flows/scenarios/strict-abatement.ron",
    "flows/sweeps/drivers-sobol.ron",
    "flows/sweeps/uncertainty.ron",
    "src/cli/init/park.ron",
    "src/cli/init/scenario.ron",
    "src/cli/init/sweep.ron",
];

/// Samples of a mutated sweep run by the library pipeline (a Sobol sample
/// is d + 2 runs).
const SWEEP_SAMPLES: u64 = 2;

// ---------------------------------------------------------------------------
// The files, and a scratch copy of the repository's input files.

/// The scratch tree: `flows/` and `src/cli/init/` copied, so that a mutant
/// written beside its original finds the park it names.
fn tree() -> &'static Path {
    static TREE: OnceLock<tempfile::TempDir> = OnceLock::new();
    TREE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["flows", "src/cli/init"] {
            copy_dir(&root.join(sub), &dir.path().join(sub));
        }
        dir
    })
    .path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn original(file: usize) -> &'static str {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    &TEXTS.get_or_init(|| {
        FILES
            .iter()
            .map(|f| std::fs::read_to_string(tree().join(f)).unwrap())
            .collect()
    })[file]
}

/// Write a mutant beside its original under a fresh name; removed on drop.
struct Mutant(PathBuf);

impl Mutant {
    fn write(file: usize, bytes: &[u8]) -> Mutant {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = tree().join(FILES[file]).parent().unwrap().to_path_buf();
        let path = dir.join(format!("mutant-{n}.ron"));
        std::fs::write(&path, bytes).unwrap();
        Mutant(path)
    }
}

impl Drop for Mutant {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------
// A light RON scanner: where the numbers, strings and bracketed groups are.

/// A bracketed group: `(..)`, `[..]` or `{..}`, with its elements (the
/// spans between its commas).
#[derive(Debug, Clone)]
struct Group {
    open: usize,
    close: usize,
    bracket: u8,
    elements: Vec<(usize, usize)>,
}

#[derive(Debug, Default)]
struct Scan {
    numbers: Vec<(usize, usize)>,
    /// Numbers that are a field's value, with the field's name.
    fields: Vec<(String, (usize, usize))>,
    strings: Vec<(usize, usize)>,
    groups: Vec<Group>,
}

struct Open {
    open: usize,
    bracket: u8,
    start: Option<usize>,
    end: usize,
    elements: Vec<(usize, usize)>,
}

fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut out = Scan::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    // A token [s, e) at the current level starts or extends an element.
    fn token(stack: &mut [Open], s: usize, e: usize) {
        if let Some(top) = stack.last_mut() {
            top.start.get_or_insert(s);
            top.end = e;
        }
    }
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let s = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                out.strings.push((s, i));
                token(&mut stack, s, i);
            }
            b'(' | b'[' | b'{' => {
                token(&mut stack, i, i + 1);
                stack.push(Open {
                    open: i,
                    bracket: c,
                    start: None,
                    end: i,
                    elements: Vec::new(),
                });
                i += 1;
            }
            b')' | b']' | b'}' => {
                if let Some(mut g) = stack.pop() {
                    if let Some(s) = g.start.take() {
                        g.elements.push((s, g.end));
                    }
                    out.groups.push(Group {
                        open: g.open,
                        close: i,
                        bracket: g.bracket,
                        elements: g.elements,
                    });
                }
                token(&mut stack, i, i + 1);
                i += 1;
            }
            b',' => {
                if let Some(top) = stack.last_mut()
                    && let Some(s) = top.start.take()
                {
                    top.elements.push((s, top.end));
                }
                i += 1;
            }
            b'-' | b'+' | b'0'..=b'9' => {
                let s = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"._+-".contains(&b[i])) {
                    // A sign belongs to an exponent only.
                    if (b[i] == b'-' || b[i] == b'+') && !matches!(b[i - 1], b'e' | b'E') {
                        break;
                    }
                    i += 1;
                }
                if b[s..i].iter().any(u8::is_ascii_digit) {
                    out.numbers.push((s, i));
                    let before = text[..s].trim_end();
                    if let Some(before) = before.strip_suffix(':') {
                        let before = before.trim_end();
                        let name_start = before
                            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .map_or(0, |p| p + 1);
                        out.fields.push((before[name_start..].to_string(), (s, i)));
                    }
                }
                token(&mut stack, s, i);
            }
            _ => {
                let s = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                token(&mut stack, s, i);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The pipeline and what its outcome must be.

/// How a mutant ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    Ok,
    Io,
    Syntax,
    Invalid,
    Run,
}

/// Parse, validate, compile and run a mutant (a sweep: prepare and run a
/// few samples). Returns whether it ran, or the error.
fn pipeline(path: &Path, is_sweep: bool) -> Result<(), Error> {
    if is_sweep {
        let mut prep = sweep::load_sweep(path)?;
        // The whole sweep's size is computed, then only its first samples
        // run, completely, so that the summary's statistics see whole rows.
        let _ = prep.runs();
        prep.sweep.samples = prep.sweep.samples.min(SWEEP_SAMPLES);
        let runs: Vec<u64> = (0..prep.runs()).collect();
        let table = sweep::run_sweep(&prep, runs, 1, &|| {})?;
        if let Some(v) = table.rows.iter().find(|v| !v.is_finite()) {
            panic!("a sweep row holds {v}");
        }
        let summary = sweep::summary_json(&prep.info(), &table);
        assert_finite_json(&serde_json::to_value(&summary).unwrap(), "sweep summary");
        return Ok(());
    }
    let loaded = parkflow::cli::load(Some(path))?;
    let plan = Plan::compile(&loaded.park);
    let sim = output::simulate(&plan)?;
    for s in &sim.steps {
        let all = s
            .activity
            .iter()
            .chain(&s.flow)
            .chain(s.pools.iter().flatten())
            .chain(s.slots.iter().flatten());
        if let Some(v) = all.copied().find(|v| !v.is_finite()) {
            panic!("year {} step {} holds {v}", s.year, s.step);
        }
    }
    for y in &sim.years {
        let all = [y.linkage_mass, y.linkage_product, y.linkage_enterprise]
            .into_iter()
            .chain(y.park.iter().copied())
            .chain(y.background.iter().copied());
        if let Some(v) = all.into_iter().find(|v| !v.is_finite()) {
            panic!("year {} indicators hold {v}", y.year);
        }
    }
    let info = RunInfo {
        park: &loaded.park,
        model_text: &loaded.text,
        scenario: loaded.scenario.as_deref(),
    };
    for (name, bytes) in output::run_files(&info, &plan, &sim)? {
        assert_finite_file(name, &bytes);
    }
    Ok(())
}

fn assert_finite_json(v: &serde_json::Value, what: &str) {
    match v {
        serde_json::Value::Number(n) => {
            assert!(n.as_f64().is_some_and(f64::is_finite), "{what}: {n}")
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| assert_finite_json(x, what)),
        serde_json::Value::Object(o) => o.values().for_each(|x| assert_finite_json(x, what)),
        _ => {}
    }
}

/// No field of a result file reads as a non-finite number.
fn assert_finite_file(name: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if name.ends_with(".json") {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_finite_json(&v, name);
        assert!(
            !text.contains("NaN") && !text.contains("Infinity"),
            "{name}"
        );
        return;
    }
    let mut reader = csv::Reader::from_reader(bytes);
    for record in reader.records() {
        for field in record.unwrap().iter() {
            if let Ok(v) = field.parse::<f64>() {
                assert!(v.is_finite(), "{name}: field `{field}`");
            }
        }
    }
}

/// Whether a message reads as a Rust value dumped with `{:?}`, once the
/// user's own words (quoted in backticks) are set aside.
fn debug_dump(message: &str) -> Option<&'static str> {
    let ours: String = message
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, s)| s)
        .collect();
    [
        "Steps(",
        "Constant(",
        "Some(",
        "None",
        " { ",
        "Error {",
        "kind: ",
        "\\\"",
        "[(",
        "panicked",
        "RUST_BACKTRACE",
    ]
    .into_iter()
    .find(|p| ours.contains(p))
}

/// The error is one readable message: not empty, no panic, no Debug dump;
/// a syntax error has a line and a column.
fn assert_readable(e: &Error) -> Result<(), String> {
    let message = e.to_string();
    if message.trim().is_empty() {
        return Err("empty message".into());
    }
    if let Some(p) = debug_dump(&message) {
        return Err(format!(
            "message reads like a Debug dump (`{p}`): {message}"
        ));
    }
    if let Error::Syntax { line, col, .. } = e
        && (*line == 0 || *col == 0)
    {
        return Err(format!("syntax error without a position: {message}"));
    }
    Ok(())
}

fn ending(r: &Result<(), Error>) -> Ending {
    match r {
        Ok(()) => Ending::Ok,
        Err(Error::Io { .. }) => Ending::Io,
        Err(Error::Syntax { .. }) => Ending::Syntax,
        Err(Error::Invalid { .. }) => Ending::Invalid,
        Err(_) => Ending::Run,
    }
}

type Tally = BTreeMap<Kind, BTreeMap<Ending, usize>>;

fn tally() -> &'static Mutex<Tally> {
    static TALLY: OnceLock<Mutex<Tally>> = OnceLock::new();
    TALLY.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// One case: mutate file `file` with `seed`, run it, judge the outcome.
fn case(kind: Kind, file: usize, seed: u64) -> Result<(), String> {
    let mut dice = Dice(seed ^ (kind as u64) << 56);
    let (bytes, what) = mutate(kind, original(file), &mut dice);
    let mutant = Mutant::write(file, &bytes);
    let is_sweep = FILES[file].contains("sweep");
    let result = pipeline(&mutant.0, is_sweep);
    *tally()
        .lock()
        .unwrap()
        .entry(kind)
        .or_default()
        .entry(ending(&result))
        .or_default() += 1;
    if std::env::var_os("PARKFLOW_MUTATION_SHOW").is_some() {
        let said = result.as_ref().err().map_or("ok".into(), |e| e.to_string());
        eprintln!("{kind} {} ({what}):\n  {said}", FILES[file]);
    }
    match &result {
        Ok(()) => Ok(()),
        Err(e) => assert_readable(e),
    }
    .map_err(|why| format!("{} ({what}): {why}", FILES[file]))
}

fn seed() -> u64 {
    std::env::var("PARKFLOW_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_140_624)
}

/// Run `cases` mutants of `kind` over every file and print how they ended.
/// `PARKFLOW_MUTATION_SCALE`: how many times the usual number of cases to run.
fn scale() -> u32 {
    std::env::var("PARKFLOW_MUTATION_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn mutants(kind: Kind, cases: u32) {
    let cases = cases * scale();
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed() ^ kind as u64),
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&(0..FILES.len(), any::<u64>()), |(file, seed)| {
        case(kind, file, seed).map_err(TestCaseError::fail)
    });
    let counts = tally()
        .lock()
        .unwrap()
        .get(&kind)
        .cloned()
        .unwrap_or_default();
    eprintln!("{kind}: {cases} cases: {counts:?}");
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// Every number of the given files replaced by every extreme and
/// non-finite spelling, one at a time; returns how many cases ran.
fn every_number(files: &[usize]) -> usize {
    let mut failures = Vec::new();
    let mut cases = 0;
    for &file in files {
        let text = original(file);
        for &n in &scan(text).numbers {
            for with in EXTREMES.iter().chain(&NON_FINITE) {
                cases += 1;
                let mutant = Mutant::write(file, splice(text, n, with).as_bytes());
                let case = format!(
                    "{} line {}: `{}` → {with}",
                    FILES[file],
                    text[..n.0].matches('\n').count() + 1,
                    &text[n.0..n.1]
                );
                let result =
                    std::panic::catch_unwind(|| pipeline(&mutant.0, FILES[file].contains("sweep")));
                match result {
                    Err(panic) => failures.push(format!(
                        "{case}: panicked: {}",
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default()
                    )),
                    Ok(Err(e)) => {
                        if let Err(why) = assert_readable(&e) {
                            failures.push(format!("{case}: {why}"));
                        }
                    }
                    Ok(Ok(())) => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases
}
