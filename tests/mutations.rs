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

mod common;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

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
// Mutations.

/// What is done to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Delete a field, a list item or a map entry.
    Delete,
    /// Write a field, list item or map entry twice.
    Duplicate,
    /// Replace an id by another, swap two, mistype one, or make it hostile.
    Ids,
    /// A number replaced by an extreme one.
    Extreme,
    /// A number replaced by a non-finite spelling.
    NonFinite,
    /// A number replaced by a series of thousands of steps.
    HugeSeries,
    /// A value replaced by deeply nested brackets.
    DeepNesting,
    /// A list, map or struct emptied.
    Empty,
    /// The file cut at a random byte.
    Truncate,
    /// Random bytes changed.
    ByteFlip,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// SplitMix64: the mutation's choices, all from one seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // SplitMix64: the output is the mix of the state before the step.
        let out = parkflow::sweep::design::mix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        out
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const EXTREMES: [&str; 18] = [
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e-320",
    "5e-324",
    "0",
    "-0",
    "0.0",
    "-0.0",
    "99999999999999999999",
    "-99999999999999999999",
    "340282366920938463463374607431768211456",
    "2147483647",
    "-2147483648",
    "2147483648",
    "4294967296",
    "18446744073709551615",
    "1e400",
];

const NON_FINITE: [&str; 8] = [
    "inf", "-inf", "+inf", "NaN", "-NaN", "nan", "infinity", "inf.0",
];

const HOSTILE_IDS: [&str; 12] = [
    "../evil",
    "/etc/x",
    "a/b",
    "CON",
    "",
    "ünïcödé",
    "a b",
    "a.b",
    "*",
    "nul\\u{0}byte",
    "..",
    "-",
];

/// Replace `[s, e)` of `text` by `with`.
fn splice(text: &str, (s, e): (usize, usize), with: &str) -> String {
    format!("{}{with}{}", &text[..s], &text[e..])
}

/// Delete an element and the comma after it (or before it, for the last).
fn delete(text: &str, (s, e): (usize, usize)) -> String {
    let rest = &text[e..];
    let after = rest.trim_start();
    if let Some(stripped) = after.strip_prefix(',') {
        let cut = text.len() - stripped.len();
        return format!("{}{}", &text[..s], &text[cut..]);
    }
    let before = text[..s].trim_end();
    match before.strip_suffix(',') {
        Some(b) => format!("{b}{rest}"),
        None => format!("{}{rest}", &text[..s]),
    }
}

/// A steps series of `n` years from `first`, `gap` years apart.
fn steps(n: usize, first: i64, gap: i64, value: &str) -> String {
    let mut s = String::with_capacity(n * 16);
    s.push('[');
    for i in 0..n as i64 {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("({}, {value})", first + i * gap));
    }
    s.push(']');
    s
}

/// Brackets nested `depth` deep around `inner`, of one kind or mixed.
fn nest(depth: usize, style: usize, inner: &str, closed: bool) -> String {
    let pairs: [(&str, &str); 4] = [("[", "]"), ("(", ")"), ("{\"k\": ", "}"), ("Some(", ")")];
    let pair = |level: usize| {
        pairs[if style < pairs.len() {
            style
        } else {
            level % pairs.len()
        }]
    };
    let mut s = String::new();
    for level in 0..depth {
        s.push_str(pair(level).0);
    }
    if closed {
        s.push_str(inner);
        for level in (0..depth).rev() {
            s.push_str(pair(level).1);
        }
    }
    s
}

/// Apply one mutation of `kind` to `text`; returns the bytes and what was done.
fn mutate(kind: Kind, text: &str, dice: &mut Dice) -> (Vec<u8>, String) {
    let sc = scan(text);
    let elements: Vec<(usize, usize)> = sc.groups.iter().flat_map(|g| g.elements.clone()).collect();
    let excerpt = |(s, e): (usize, usize)| {
        let t = &text[s..e];
        let t: String = t.chars().take(60).collect();
        t.replace('\n', " ")
    };
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    match kind {
        Kind::Delete => {
            let el = *dice.pick(&elements);
            (
                delete(text, el).into_bytes(),
                format!("deleted line {}: `{}`", line_of(el.0), excerpt(el)),
            )
        }
        Kind::Duplicate => {
            let el = *dice.pick(&elements);
            let copy = format!(", {}", &text[el.0..el.1]);
            (
                splice(text, (el.1, el.1), &copy).into_bytes(),
                format!("duplicated line {}: `{}`", line_of(el.0), excerpt(el)),
            )
        }
        Kind::Ids => {
            let strings = &sc.strings;
            let a = *dice.pick(strings);
            let inner = |(s, e): (usize, usize)| &text[s + 1..e - 1];
            match dice.below(4) {
                0 => {
                    let b = *dice.pick(strings);
                    let with = format!("\"{}\"", inner(b));
                    (
                        splice(text, a, &with).into_bytes(),
                        format!("line {}: `{}` replaced by {with}", line_of(a.0), excerpt(a)),
                    )
                }
                1 => {
                    let b = *dice.pick(strings);
                    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                    if first == second {
                        return (text.as_bytes().to_vec(), "nothing swapped".into());
                    }
                    let swapped = format!(
                        "{}{}{}{}{}",
                        &text[..first.0],
                        &text[second.0..second.1],
                        &text[first.1..second.0],
                        &text[first.0..first.1],
                        &text[second.1..]
                    );
                    (
                        swapped.into_bytes(),
                        format!(
                            "swapped `{}` (line {}) and `{}` (line {})",
                            excerpt(first),
                            line_of(first.0),
                            excerpt(second),
                            line_of(second.0)
                        ),
                    )
                }
                2 => {
                    let mut chars: Vec<char> = inner(a).chars().collect();
                    let at = dice.below(chars.len() + 1);
                    match dice.below(3) {
                        0 if !chars.is_empty() => {
                            chars.remove(at.min(chars.len() - 1));
                        }
                        1 if chars.len() >= 2 => {
                            let at = at.min(chars.len() - 2);
                            chars.swap(at, at + 1);
                        }
                        _ => chars.insert(at, *dice.pick(&['x', '_', '-', 'Z', '9'])),
                    }
                    let with: String = chars.into_iter().collect();
                    (
                        splice(text, a, &format!("\"{with}\"")).into_bytes(),
                        format!(
                            "line {}: `{}` mistyped as \"{with}\"",
                            line_of(a.0),
                            excerpt(a)
                        ),
                    )
                }
                _ => {
                    let with = *dice.pick(&HOSTILE_IDS);
                    (
                        splice(text, a, &format!("\"{with}\"")).into_bytes(),
                        format!(
                            "line {}: `{}` replaced by \"{with}\"",
                            line_of(a.0),
                            excerpt(a)
                        ),
                    )
                }
            }
        }
        Kind::Extreme | Kind::NonFinite => {
            // Half the time a field's value (`samples: 2000`, `start: 2014`),
            // where a number means most.
            let n = if dice.below(2) == 0 || sc.fields.is_empty() {
                *dice.pick(&sc.numbers)
            } else {
                dice.pick(&sc.fields).1
            };
            let with = if kind == Kind::Extreme {
                *dice.pick(&EXTREMES)
            } else {
                *dice.pick(&NON_FINITE)
            };
            (
                splice(text, n, with).into_bytes(),
                format!("line {}: `{}` replaced by {with}", line_of(n.0), excerpt(n)),
            )
        }
        Kind::HugeSeries => {
            // A series where one is written (steps, or a series field's
            // number), else any number.
            const SERIES: [&str; 4] = ["capacity", "utilization", "demand", "value"];
            let mut places: Vec<(usize, usize)> = sc
                .groups
                .iter()
                .filter(|g| g.bracket == b'[' && text[g.open + 1..].trim_start().starts_with('('))
                .map(|g| (g.open, g.close + 1))
                .collect();
            places.extend(
                sc.fields
                    .iter()
                    .filter(|(name, _)| SERIES.contains(&name.as_str()))
                    .map(|(_, n)| *n),
            );
            let n = if dice.below(4) == 0 || places.is_empty() {
                *dice.pick(&sc.numbers)
            } else {
                *dice.pick(&places)
            };
            let len = *dice.pick(&[1_000, 2_000, 5_000, 10_001, 20_000, 100_000]);
            let first = *dice.pick(&[
                i64::from(i32::MIN),
                -1_000_000,
                0,
                1900,
                2012,
                1_000_000,
                i64::from(i32::MAX) - len as i64 + 1,
            ]);
            let gap = *dice.pick(&[1, 1, 7, 1000]);
            let value = *dice.pick(&["0", "0.5", "1", "1e6"]);
            let series = steps(len, first, gap, value);
            (
                splice(text, n, &series).into_bytes(),
                format!(
                    "line {}: `{}` replaced by {len} steps from {first}, every {gap} years, of {value}",
                    line_of(n.0),
                    excerpt(n)
                ),
            )
        }
        Kind::DeepNesting => {
            let depth = *dice.pick(&[64, 127, 128, 129, 200, 1_000, 10_000, 100_000, 1_000_000]);
            let style = dice.below(5);
            let closed = dice.below(4) != 0;
            let target = if dice.below(2) == 0 {
                *dice.pick(&sc.numbers)
            } else {
                *dice.pick(&elements)
            };
            let inner = text[target.0..target.1].to_string();
            (
                splice(text, target, &nest(depth, style, &inner, closed)).into_bytes(),
                format!(
                    "line {}: `{}` nested {depth} deep (style {style}{})",
                    line_of(target.0),
                    excerpt(target),
                    if closed { "" } else { ", never closed" }
                ),
            )
        }
        Kind::Empty => {
            let lists: Vec<&Group> = sc
                .groups
                .iter()
                .filter(|g| g.bracket != b'(' || dice.below(4) == 0)
                .collect();
            let g = *dice.pick(&lists);
            (
                splice(text, (g.open + 1, g.close), "").into_bytes(),
                format!(
                    "line {}: emptied `{}`",
                    line_of(g.open),
                    excerpt((g.open, g.close + 1))
                ),
            )
        }
        Kind::Truncate => {
            let at = dice.below(text.len());
            (
                text.as_bytes()[..at].to_vec(),
                format!("cut at byte {at} of {}", text.len()),
            )
        }
        Kind::ByteFlip => {
            let mut bytes = text.as_bytes().to_vec();
            let flips = 1 + dice.below(4);
            let mut done = Vec::new();
            for _ in 0..flips {
                let at = dice.below(bytes.len());
                let new = match dice.below(3) {
                    0 => bytes[at] ^ (1 << dice.below(8)),
                    1 => *dice.pick(b"\"()[]{},:0-e.\n\\\0\xff"),
                    _ => dice.next() as u8,
                };
                done.push(format!("byte {at}: {:#04x} → {new:#04x}", bytes[at]));
                bytes[at] = new;
            }
            (bytes, format!("flipped {}", done.join(", ")))
        }
    }
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
        assert_finite_json(&summary, "sweep summary");
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
        let all = [y.linkage_mass, y.linkage_enterprise]
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

#[test]
fn every_number_of_the_example_parks_replaced_by_every_extreme_ends_well() {
    // acid, candidates, miller_blair and the starter park: small parks that
    // run in a millisecond. PARKFLOW_MUTATION_EVERY=1 takes every file.
    let files: Vec<usize> = if std::env::var_os("PARKFLOW_MUTATION_EVERY").is_some() {
        (0..FILES.len()).collect()
    } else {
        vec![1, 2, 3, 10]
    };
    let cases = every_number(&files);
    eprintln!("every number: {cases} cases");
}

#[test]
fn deleting_a_field_or_an_item_ends_in_ok_or_a_readable_error() {
    mutants(Kind::Delete, 120);
}

#[test]
fn duplicating_a_field_or_an_item_ends_in_ok_or_a_readable_error() {
    mutants(Kind::Duplicate, 120);
}

#[test]
fn swapped_mistyped_and_hostile_ids_end_in_ok_or_a_readable_error() {
    mutants(Kind::Ids, 120);
}

#[test]
fn extreme_numbers_end_in_ok_or_a_readable_error() {
    mutants(Kind::Extreme, 120);
}

#[test]
fn non_finite_numbers_end_in_ok_or_a_readable_error() {
    mutants(Kind::NonFinite, 80);
}

#[test]
fn huge_series_end_in_ok_or_a_readable_error() {
    mutants(Kind::HugeSeries, 60);
}

#[test]
fn deep_nesting_ends_in_a_readable_error_without_overflowing_the_stack() {
    mutants(Kind::DeepNesting, 60);
}

#[test]
fn emptied_lists_and_maps_end_in_ok_or_a_readable_error() {
    mutants(Kind::Empty, 120);
}

#[test]
fn files_cut_at_any_byte_end_in_ok_or_a_readable_error() {
    mutants(Kind::Truncate, 120);
}

#[test]
fn flipped_bytes_end_in_ok_or_a_readable_error() {
    mutants(Kind::ByteFlip, 120);
}

// ---------------------------------------------------------------------------
// A sample of mutants through the binary.

/// Mutants of each kind run through `parkflow`.
const CLI_PER_KIND: usize = 10;

/// One mutant in `plots_every` runs with its plots (a second or three each
/// in a debug build); the others with `--no-plots`.
const CLI_PLOTS_EVERY: usize = 10;

/// One mutant in `links_every` also goes through `parkflow links`.
const CLI_LINKS_EVERY: usize = 5;

/// A file's text as the binary sample mutates it: sweeps cut to a few
/// samples, so that a mutant that still runs finishes at once.
fn cli_original(file: usize) -> String {
    let text = original(file);
    if !FILES[file].contains("sweep") {
        return text.to_string();
    }
    text.replacen("samples: 10000,", "samples: 3,", 1)
        .replacen("samples: 2000,", "samples: 2,", 1)
        .replacen("samples: 1000,", "samples: 3,", 1)
}

/// Run `parkflow args`; the status is 0 or 1, stderr has no panic, an error
/// is one message, and no CSV or JSON file in `out` holds a non-finite number.
fn binary(args: &[&std::ffi::OsStr], out: &Path, case: &str) -> i32 {
    let output = common::parkflow().args(args).output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `caps` exits 3 when a cap is exceeded.
    let caps = args[0] == "caps" && code == 3;
    assert!(
        code == 0 || code == 1 || caps,
        "{case}: {args:?} exited {code}:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{case}: {args:?}:\n{stderr}");
    if code == 1 {
        assert!(stderr.starts_with("error: "), "{case}: {stderr}");
        let message = stderr.trim_start_matches("error: ");
        assert!(debug_dump(message).is_none(), "{case}: {stderr}");
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") || name.ends_with(".json") {
                assert_finite_file(&name, &std::fs::read(entry.path()).unwrap());
            }
        }
    }
    code
}

/// Mutate each file in turn with `kinds`, and run every mutant through
/// `check` and `run` (a sweep through `sweep`).
fn through_the_binary(kinds: &[Kind]) {
    let mut statuses: BTreeMap<(Kind, &str, i32), usize> = BTreeMap::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut n = 0;
    for &kind in kinds {
        for i in 0..CLI_PER_KIND * scale() as usize {
            let file = (i * 5 + kind as usize) % FILES.len();
            let mut dice = Dice(seed() ^ ((kind as u64) << 32) ^ i as u64);
            let (bytes, what) = mutate(kind, &cli_original(file), &mut dice);
            let mutant = Mutant::write(file, &bytes);
            let case = format!("{kind} {} ({what})", FILES[file]);
            let out = scratch.path().join(format!("out-{n}"));
            let path = mutant.0.as_os_str();
            let code = binary(&["check".as_ref(), path], &out, &case);
            *statuses.entry((kind, "check", code)).or_default() += 1;
            let (command, code) = if FILES[file].contains("sweep") {
                let args = [
                    "sweep".as_ref(),
                    path,
                    "-q".as_ref(),
                    "--threads".as_ref(),
                    "1".as_ref(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ];
                ("sweep", binary(&args, &out, &case))
            } else {
                let mut args: Vec<&std::ffi::OsStr> = vec![
                    "run".as_ref(),
                    path,
                    "-q".as_ref(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ];
                if n % CLI_PLOTS_EVERY != 0 {
                    args.push("--no-plots".as_ref());
                }
                ("run", binary(&args, &out, &case))
            };
            *statuses.entry((kind, command, code)).or_default() += 1;
            if !FILES[file].contains("sweep") {
                let code = binary(&["caps".as_ref(), path], &out, &case);
                *statuses.entry((kind, "caps", code)).or_default() += 1;
                // Ranking candidates runs the park once per candidate and
                // subset: one mutant in CLI_LINKS_EVERY.
                if n % CLI_LINKS_EVERY == 0 {
                    let links = scratch.path().join(format!("links-{n}"));
                    let args = ["links".as_ref(), path, "--out".as_ref(), links.as_os_str()];
                    let code = binary(&args, &links, &case);
                    *statuses.entry((kind, "links", code)).or_default() += 1;
                }
            }
            n += 1;
        }
    }
    eprintln!("through the binary: {n} mutants, (kind, command, status) → count: {statuses:?}");
}

#[test]
fn mutants_through_the_binary_exit_0_or_1_and_write_finite_files_part_1() {
    through_the_binary(&[
        Kind::Delete,
        Kind::Duplicate,
        Kind::Ids,
        Kind::Extreme,
        Kind::NonFinite,
    ]);
}

#[test]
fn mutants_through_the_binary_exit_0_or_1_and_write_finite_files_part_2() {
    through_the_binary(&[
        Kind::HugeSeries,
        Kind::DeepNesting,
        Kind::Empty,
        Kind::Truncate,
        Kind::ByteFlip,
    ]);
}

// ---------------------------------------------------------------------------
// Findings: each a mutation that ended badly before its fix, kept as a
// regression test.

/// A mutant of file `file` (an index into FILES): `from` replaced by `to`.
fn variant(file: usize, from: &str, to: &str) -> Result<(), Error> {
    let text = original(file);
    assert!(text.contains(from), "`{from}` is not in {}", FILES[file]);
    let mutant = Mutant::write(file, text.replacen(from, to, 1).as_bytes());
    pipeline(&mutant.0, FILES[file].contains("sweep"))
}

/// The pipeline ends in one readable error that says `words`.
#[track_caller]
fn refused(r: Result<(), Error>, words: &str) -> String {
    let e = r.expect_err("the mutant should be refused");
    assert_readable(&e).unwrap();
    let m = e.to_string();
    assert!(m.contains(words), "expected `{words}` in: {m}");
    m
}

const ACID: usize = 1;
const PLAN: usize = 6;
const SOBOL: usize = 8;
const UNCERTAINTY: usize = 9;

/// Swapping two strings of plan.ron put a share where a link's start year
/// goes; the message showed the value as `Steps([(2014, 0.9)])`.
#[test]
fn a_year_set_to_steps_is_refused_in_words_not_as_a_debug_dump() {
    let m = refused(
        variant(
            PLAN,
            r#"Shift(path: "links.cog_to_methanol.start", by: -1)"#,
            r#"Set(path: "links.cog_to_methanol.start", value: [(2014, 0.9)])"#,
        ),
        "needs a whole number here, not (year, value) steps",
    );
    assert!(m.contains("path `links.cog_to_methanol.start`"), "{m}");
    refused(
        variant(
            PLAN,
            r#"Shift(path: "links.cog_to_methanol.start", by: -1)"#,
            r#"Set(path: "links.cog_to_methanol.start", value: 2015.5)"#,
        ),
        "needs a whole number here, not 2015.5",
    );
}

/// A Sobol sweep's runs are samples × (parameters + 2): with u64::MAX
/// samples the product overflowed (a panic in a debug build).
#[test]
fn a_sobol_sweep_too_large_to_count_is_refused_not_overflowed() {
    let m = refused(
        variant(SOBOL, "samples: 2000", "samples: 18446744073709551615"),
        "more than 2^64 runs (samples × (8 parameter columns + 2))",
    );
    assert!(m.contains("a sweep makes at most 1000000000"), "{m}");
}

/// Ten trillion samples were accepted; `parkflow sweep` then collected
/// every run index into memory before running any.
#[test]
fn a_sweep_of_more_runs_than_one_process_holds_is_refused_before_allocating() {
    refused(
        variant(UNCERTAINTY, "samples: 10000", "samples: 10000000000000"),
        "samples: 10000000000000 samples make 10000000000000 runs; a sweep makes at most",
    );
    // Below the sweep's limit but above what one process runs: shards.
    let text = original(UNCERTAINTY).replacen("samples: 10000", "samples: 30000000", 1);
    let mutant = Mutant::write(UNCERTAINTY, text.as_bytes());
    let prep = sweep::load_sweep(&mutant.0).unwrap();
    let e = prep.shard_runs(1, 1).unwrap_err();
    assert!(
        e.contains("the sweep has 30000000 runs; one process runs at most 10000000: split the sweep into at least 3 shards"),
        "{e}"
    );
    let e = prep.shard_runs(2, 2).unwrap_err();
    assert!(e.starts_with("shard 2 of 2 has 15000000 runs"), "{e}");
    let text = original(UNCERTAINTY).replacen("samples: 10000", "samples: 10", 1);
    let mutant = Mutant::write(UNCERTAINTY, text.as_bytes());
    let prep = sweep::load_sweep(&mutant.0).unwrap();
    assert_eq!(prep.shard_runs(2, 3).unwrap(), [1, 4, 7]);
    assert_eq!(prep.shard_runs(1, 1).unwrap().len(), 10);
}

/// Uniform(-1e308, 1e308) on a year drew infinity (hi − lo overflows), and
/// a sweep row held it: `inf` in samples.csv, or a panic in a debug build.
#[test]
fn draws_that_would_not_be_finite_are_refused_before_the_sweep_runs() {
    let year = "Choice([2015, 2016, 2017])";
    for dist in [
        "Uniform(-1e308, 1e308)",
        "Triangular(0, 1e200, 1e200)",
        "Normal(mean: 1e308, sd: 1e308)",
    ] {
        // Refused by the parameter check (`too wide to draw from`) or, if
        // it passes, by the check of the extreme draws.
        let m = refused(variant(UNCERTAINTY, year, dist), "");
        assert!(
            m.contains("some draws would not be finite numbers; narrow the distribution")
                || m.contains("its range is too wide to draw from"),
            "{m}"
        );
    }
    // A cap limit is never simulated: only this check stands between a
    // LogNormal's far tail and the file.
    refused(
        variant(
            UNCERTAINTY,
            r#"Param(path: "background.*""#,
            r#"Param(path: "caps.2017.cod", dist: LogNormal(1e300, 1e10)), Param(path: "background.*""#,
        ),
        "LogNormal(1e300, 10000000000",
    );
    refused(
        variant(
            UNCERTAINTY,
            "dist: Triangular(0.8, 1.0, 1.2), apply: Scale",
            "dist: Uniform(1.7e308, 1.7e308), apply: Scale",
        ),
        "draws can make it infinite, above 1e18, the largest quantity a park may hold",
    );
    refused(
        variant(
            UNCERTAINTY,
            "dist: Triangular(0.8, 1.0, 1.2), apply: Scale",
            "dist: Uniform(1e20, 1e21), apply: Scale",
        ),
        "draws can make it 1.1000000000000007e20, above 1e18",
    );
}

/// An output coefficient of 1e308 made the plant's byproduct pool infinite:
/// the engine checks activities, flows, requests and emissions, not pools,
/// so the run succeeded and materials.csv would have held `inf`.
#[test]
fn a_quantity_above_1e18_is_refused_by_validation() {
    let m = refused(
        variant(2, r#""tar": 0.5"#, r#""tar": 1e308"#),
        "process `plant`, outputs.tar: 1e308 is above 1e18, the largest quantity a park may hold",
    );
    assert!(m.contains("1 problem"), "{m}");
    refused(
        variant(ACID, "capacity: 30)", "capacity: 1e19)"),
        "storage `tank`, capacity: 1e19 is above 1e18",
    );
    // 1e18 itself is a quantity.
    variant(ACID, "capacity: 30)", "capacity: 1e18)").unwrap();
}

/// Duplicate keys were found by comparing each key with every earlier one:
/// a map of 200,000 keys took eleven minutes to read.
#[test]
fn a_map_of_two_hundred_thousand_keys_is_read_at_once_and_refused() {
    let mut map = String::from("{");
    for i in 0..200_000 {
        map.push_str(&format!("\"k{i}\": 1, "));
    }
    map.push('}');
    let started = std::time::Instant::now();
    let m = refused(
        variant(
            ACID,
            r#"emissions: {"so2": 0.01}"#,
            &format!("emissions: {map}"),
        ),
        "process `mma`, emissions: 200000 entries; at most 1000 are accepted",
    );
    assert!(m.contains("1 problem"), "{m}");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

/// A file with hundreds of problems listed every one of them.
#[test]
fn hundreds_of_problems_make_a_message_of_a_hundred_lines() {
    let keys: Vec<String> = (0..500).map(|i| format!("\"p{i}\": 1")).collect();
    let m = refused(
        variant(
            ACID,
            r#"emissions: {"so2": 0.01}"#,
            &format!("emissions: {{{}}}", keys.join(", ")),
        ),
        "500 problems:",
    );
    assert_eq!(m.lines().count(), 1 + 100 + 1, "{m}");
    assert!(m.ends_with("  ... and 400 more"), "{m}");
}
