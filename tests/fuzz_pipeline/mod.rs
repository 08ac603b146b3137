//! The pipelines the fuzz targets drive (`fuzz/fuzz_targets/`), shared with
//! the regression tests in `tests/fuzz_regressions.rs`, so that a finding is
//! replayed through exactly the code that found it.
//!
//! Each pipeline takes a file's text and ends in [`Outcome::Ran`] (every
//! number of the results is finite), [`Outcome::Refused`] (a readable
//! error), or [`Outcome::Skipped`] (valid, but too big for a fuzzing
//! budget). Anything else, a panic, is a finding: the checks below panic
//! when a result holds NaN or infinity.
#![allow(dead_code)]

use std::sync::OnceLock;

use parkflow::Error;
use parkflow::engine::Plan;
use parkflow::model::{self, BUILTIN_PARK, BUILTIN_PARK_NAME, Park, balance};
use parkflow::output::{self, RunInfo, Simulation};
use parkflow::report;
use parkflow::scenario::{self, Scenario};
use parkflow::sweep::{self, Sweep, summary_json};

/// Largest (steps × items) a fuzzed run may take. Validation allows 1,000
/// years of 365 steps; such a run is valid and slow, not a bug, so the
/// fuzzer is kept from spending its time there.
pub const MAX_STEP_WORK: usize = 200_000;

/// Most model runs of one fuzzed sweep.
pub const MAX_SWEEP_RUNS: u64 = 64;

/// How one input ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Ran to the end, every number finite.
    Ran,
    /// Refused with this message.
    Refused(String),
    /// Valid but beyond the fuzzing budget; not run.
    Skipped,
}

impl From<Error> for Outcome {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        assert!(
            !message.trim().is_empty(),
            "an error with no message: {e:?}"
        );
        Outcome::Refused(message)
    }
}

/// Whether `PARKFLOW_FUZZ_SHOW` is set: the fuzz targets then print each
/// input's outcome, for triage (`target/.../park input.ron`).
pub fn show_outcomes() -> bool {
    static SHOW: OnceLock<bool> = OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("PARKFLOW_FUZZ_SHOW").is_some())
}

/// The file name errors carry.
const FILE: &str = "fuzz.ron";

/// The built-in park, parsed and validated once.
fn builtin() -> &'static Park {
    static PARK: OnceLock<Park> = OnceLock::new();
    PARK.get_or_init(|| {
        let park =
            model::parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME).expect("the built-in park parses");
        model::validate(&park, BUILTIN_PARK_NAME).expect("the built-in park is valid");
        park
    })
}

/// A park file: parse, validate, `check`'s balances and warnings, compile,
/// simulate every step, render every result file in memory.
pub fn park(text: &str) -> Outcome {
    let park = match model::parse_park(text, FILE) {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    if let Err(e) = model::validate(&park, FILE) {
        return e.into();
    }
    for b in balance::balances(&park) {
        let _ = b.relative_gap();
    }
    let _ = model::warnings(&park);
    run_park(&park, text, None)
}

/// A scenario file applied to the built-in park (its `park` field is
/// ignored: a fuzzed input reads no files), then run as [`park`] does.
pub fn scenario(text: &str) -> Outcome {
    let scenario: Scenario = match model::parse_ron(text, FILE) {
        Ok(s) => s,
        Err(e) => return e.into(),
    };
    let mut park = builtin().clone();
    if let Err(e) = scenario::apply_scenario(&mut park, &scenario, FILE) {
        return e.into();
    }
    run_park(&park, text, Some(&scenario.id))
}

/// A sweep file prepared against the built-in park (its `park` and
/// `scenario` fields are ignored, as for [`scenario`]); its first
/// [`MAX_SWEEP_RUNS`] runs at most, with samples.csv and summary.json
/// rendered in memory.
pub fn sweep(text: &str) -> Outcome {
    let sweep: Sweep = match model::parse_sweep_ron(text, FILE) {
        Ok(s) => s,
        Err(e) => return e.into(),
    };
    let prep = match sweep::prepare(sweep, builtin().clone()) {
        Ok(p) => p,
        Err(problems) => {
            return Error::Invalid {
                file: FILE.into(),
                problems,
            }
            .into();
        }
    };
    // What the command line computes for the whole sweep, before running.
    let info = prep.info();
    // The first runs of the sweep as written (whole base samples for
    // Sobol), so that draws depend on the real sample count.
    let per_sample = prep.sweep.design.runs(1, prep.columns.len());
    if per_sample > MAX_SWEEP_RUNS {
        return Outcome::Skipped;
    }
    let runs: Vec<u64> = (0..info.runs.min(MAX_SWEEP_RUNS / per_sample * per_sample)).collect();
    let table = match sweep::run_sweep(&prep, runs, 1, &|| {}) {
        Ok(t) => t,
        Err(e) => return e.into(),
    };
    for (i, v) in table.rows.iter().enumerate() {
        assert!(
            v.is_finite(),
            "run {} column {}: {v}",
            table.runs[i / table.width],
            i % table.width
        );
    }
    let mut samples = Vec::new();
    sweep::write_samples(&mut samples, &info, &table).expect("writing to memory");
    let summary = summary_json(&info, &table);
    assert_json_finite("summary.json", &serde_json::to_value(&summary).unwrap());
    Outcome::Ran
}

/// Compile, simulate, check and render a validated park.
fn run_park(park: &Park, text: &str, scenario: Option<&str>) -> Outcome {
    let steps = (i64::from(park.time.end) - i64::from(park.time.start) + 1).max(0) as usize
        * park.time.steps_per_year as usize;
    let items = 1
        + park.processes.len()
        + park.links.len()
        + park.storages.len()
        + park
            .processes
            .iter()
            .map(|p| 1 + p.inputs.len() + p.outputs.len() + p.emissions.len())
            .sum::<usize>();
    if steps.saturating_mul(items) > MAX_STEP_WORK {
        return Outcome::Skipped;
    }
    let plan = Plan::compile(park);
    let sim = match output::simulate(&plan) {
        Ok(s) => s,
        Err(e) => return e.into(),
    };
    assert_finite(&plan, &sim);
    let info = RunInfo {
        park,
        model_text: text,
        scenario,
    };
    let files = output::run_files(&info, &plan, &sim).expect("rendering in memory");
    // The CSV writers assert (in debug builds, as fuzzing and tests build)
    // that every number they write is finite; summary.json writes a
    // non-finite number as null.
    for (name, bytes) in &files {
        if name.ends_with(".json") {
            let mut value: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
            // The one field that is null by design: a run without a scenario.
            if let Some(o) = value.as_object_mut() {
                o.remove("scenario");
            }
            assert_json_finite(name, &value);
        }
    }
    report::park_json(park).expect("the park as JSON");
    Outcome::Ran
}

/// Every number a run recorded is finite; a step's capacity is +∞ only for
/// an unbounded process.
fn assert_finite(plan: &Plan, sim: &Simulation) {
    let check = |what: &str, year: i32, v: f64| {
        assert!(v.is_finite(), "{year}: {what} is {v}");
    };
    for s in &sim.steps {
        let y = s.year;
        for (p, (a, c)) in s.activity.iter().zip(&s.capacity).enumerate() {
            let id = &plan.topology.processes[p].id;
            check(&format!("activity of {id}"), y, *a);
            let unbounded = plan.params.operating[p].capacity.is_none() && *c == f64::INFINITY;
            assert!(c.is_finite() || unbounded, "{y}: capacity of {id} is {c}");
        }
        for (l, f) in s.flow.iter().enumerate() {
            check(&format!("flow of {}", plan.topology.link_ids[l]), y, *f);
        }
        for (i, pool) in s.pools.iter().enumerate() {
            for v in pool {
                check(&format!("pool {i}"), y, *v);
            }
        }
        for (i, slot) in s.slots.iter().enumerate() {
            for v in slot {
                check(&format!("input slot {i}"), y, *v);
            }
        }
    }
    for e in &sim.emissions {
        for &(_, _, v) in e.process.iter().chain(&e.disposal) {
            check("an emission", e.year, v);
        }
        for v in &e.background {
            check("a background emission", e.year, *v);
        }
    }
    for y in &sim.years {
        let values = [
            y.linkage_mass,
            y.linkage_product,
            y.linkage_enterprise,
            y.byproduct_t,
            y.linked_inter_t,
            y.linked_intra_t,
            y.made_t,
            y.made_inter_t,
        ];
        for v in values.iter().chain(&y.park).chain(&y.background) {
            check("a year's indicator", y.year, *v);
        }
    }
    let j = &sim.judgement;
    for t in j.baseline.iter().chain(&j.targets) {
        check("a target's value", t.year, t.value);
    }
    for c in &j.caps {
        check("a cap's value", c.year, c.value);
        check("a cap's margin", c.year, c.margin);
    }
}

/// No number in `value` is NaN or infinite (serde_json writes those as null).
fn assert_json_finite(name: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::Null => panic!("{name}: null where a number was expected"),
        serde_json::Value::Number(n) => {
            assert!(n.as_f64().is_some_and(f64::is_finite), "{name}: {n}");
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| assert_json_finite(name, v)),
        serde_json::Value::Object(o) => o.values().for_each(|v| assert_json_finite(name, v)),
        _ => {}
    }
}
