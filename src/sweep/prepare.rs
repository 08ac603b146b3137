//! Preparing a sweep: its file read, its park (or scenario) loaded and
//! compiled, each parameter path bound to its places in the plan and
//! checked so that no draw can write a value validation would reject, and
//! the outputs named.

use std::path::Path;

use super::bind::{self, PlanSlot};
use super::design::Design;
use super::{Column, MAX_RUNS, Output, Prepared, Sweep};
use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::model::dist::{U_MAX, U_MIN};
use crate::model::{self, Apply, Dist, Param, Park};
use crate::scenario::{self, path};

/// Read and prepare a sweep file.
pub fn load_sweep(path: &Path) -> Result<Prepared> {
    let text = model::read_text(path)?;
    let file = path.display().to_string();
    let sweep: Sweep = model::parse_sweep_ron(&text, &file)?;
    let invalid = |problems: Vec<String>| Error::Invalid {
        file: file.clone(),
        problems,
    };
    let (park, model_text) = match (&sweep.scenario, &sweep.park) {
        (Some(_), Some(_)) => {
            return Err(invalid(vec!["give `scenario` or `park`, not both".into()]));
        }
        (Some(s), None) => {
            let applied = scenario::load_scenario(&scenario::resolve_relative(path, s))?;
            (applied.park, applied.text)
        }
        (None, Some(p)) => model::load_park(&scenario::resolve_relative(path, p))?,
        (None, None) => {
            let park = model::parse_park(model::BUILTIN_PARK, model::BUILTIN_PARK_NAME)?;
            model::validate(&park, model::BUILTIN_PARK_NAME)?;
            (park, model::BUILTIN_PARK.to_string())
        }
    };
    let mut prep = prepare(sweep, park).map_err(invalid)?;
    prep.fingerprint = crate::output::sha256_hex(&format!("{text}\n{model_text}"));
    Ok(prep)
}

/// Bind a sweep's parameters to a validated park, checking every draw stays in its field's range.
pub fn prepare(sweep: Sweep, park: Park) -> Result<Prepared, Vec<String>> {
    let mut problems = Vec::new();
    if let Some(p) = model::file_id_check("sweep", &sweep.id, "the result directory") {
        problems.push(p);
    }
    if sweep.samples == 0 {
        problems.push("samples: at least 1".into());
    }
    let params = if sweep.params.is_empty() {
        &park.uncertainty
    } else {
        &sweep.params
    };
    if params.is_empty() {
        problems.push("params: at least one parameter, here or in the park's `uncertainty`".into());
    }
    let plan = Plan::compile(&park);
    let columns = bind_params(&park, &plan, params, &mut problems);
    let mut names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        problems.push(format!("`{}` is swept twice", w[0]));
    }
    match sweep.design.checked_runs(sweep.samples, columns.len()) {
        Some(runs) if runs <= MAX_RUNS => {}
        runs => problems.push(format!(
            "samples: {} samples make {} runs{}; a sweep makes at most {MAX_RUNS}",
            sweep.samples,
            runs.map_or_else(|| "more than 2^64".to_string(), |r| r.to_string()),
            if sweep.design == Design::Sobol {
                format!(" (samples × ({} parameter columns + 2))", columns.len())
            } else {
                String::new()
            },
        )),
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut outputs = Vec::new();
    let mut output_names = Vec::new();
    for &(year, _) in &plan.params.targets {
        outputs.push(Output::Linkage { year });
        output_names.push(format!("linkage_{year}"));
    }
    for (c, cap) in plan.params.caps.iter().enumerate() {
        for (i, &(k, _)) in cap.limits.iter().enumerate() {
            outputs.push(Output::Cap { cap: c, limit: i });
            output_names.push(format!("{}_{}", plan.topology.pollutants[k], cap.year));
        }
    }
    let mut years: Vec<i32> = outputs
        .iter()
        .map(|output| match *output {
            Output::Linkage { year } => year,
            Output::Cap { cap, .. } => plan.params.caps[cap].year,
        })
        .collect();
    years.sort_unstable();
    years.dedup();
    Ok(Prepared {
        sweep,
        park,
        plan,
        columns,
        outputs,
        output_names,
        years,
        fingerprint: String::new(),
    })
}

/// The path naming one target, for `each` columns.
fn path_of(park: &Park, t: &path::Target) -> String {
    use path::{CoeffMap, LinkYear, ProcessSeries, StorageField, Target};
    let process = |p: &usize| &park.processes[*p].id;
    match t {
        Target::ProcessSeries(p, f) => format!(
            "processes.{}.{}",
            process(p),
            match f {
                ProcessSeries::Capacity => "capacity",
                ProcessSeries::Utilization => "utilization",
                ProcessSeries::Demand => "demand",
            }
        ),
        Target::ProcessCoeff(p, m, k) => format!(
            "processes.{}.{}.{k}",
            process(p),
            match m {
                CoeffMap::Inputs => "inputs",
                CoeffMap::Outputs => "outputs",
                CoeffMap::Emissions => "emissions",
            }
        ),
        Target::Abatement(p, k) => format!("processes.{}.abatement.{k}", process(p)),
        Target::LinkYear(l, y) => format!(
            "links.{}.{}",
            park.links[*l].id,
            if *y == LinkYear::Start {
                "start"
            } else {
                "end"
            }
        ),
        Target::LinkMaxRate(l) => format!("links.{}.max_rate", park.links[*l].id),
        Target::LinkPriority(l) => format!("links.{}.priority", park.links[*l].id),
        Target::TonnesPerUnit(m) => format!("materials.{}.t_per_unit", park.materials[*m].id),
        Target::DisposalFactor(m, k) => {
            format!("materials.{}.fate.emissions.{k}", park.materials[*m].id)
        }
        Target::Storage(s, f) => format!(
            "storages.{}.{}",
            park.storages[*s].id,
            if *f == StorageField::Capacity {
                "capacity"
            } else {
                "initial"
            }
        ),
        Target::Background(k) => format!("background.{k}"),
        Target::CapLimit(c, k) => format!("caps.{}.{k}", park.caps[*c].year),
    }
}

/// Bind uncertain parameters (a sweep's `params`, a park's `uncertainty`)
/// to `plan`, compiled from `park`: one column per parameter, or per
/// matched item with `each`. Each problem (a bad distribution, a path that
/// names nothing, a draw out of its field's range) is added to `problems`.
pub fn bind_params(
    park: &Park,
    plan: &Plan,
    params: &[Param],
    problems: &mut Vec<String>,
) -> Vec<Column> {
    let mut columns = Vec::new();
    for (i, param) in params.iter().enumerate() {
        let item = format!("param {} (`{}`)", i + 1, param.path);
        if let Err(e) = param.dist.check() {
            problems.push(format!("{item}: {e}"));
            continue;
        }
        let targets = match path::resolve(park, &param.path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{item}: {e}"));
                continue;
            }
        };
        let mut bound = Vec::new();
        for t in &targets {
            match bind::bind(park, plan, t) {
                Ok(Some(slot)) => {
                    if let Err(e) = check_range(plan, t, &slot, &param.dist, param.apply) {
                        problems.push(format!("{item}: {e}"));
                    }
                    bound.push((path_of(park, t), slot));
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("{item}: {e}")),
            }
        }
        if param.each && param.path.contains('*') {
            columns.extend(bound.into_iter().map(|(name, slot)| Column {
                name,
                dist: param.dist.clone(),
                apply: param.apply,
                slots: vec![slot],
            }));
        } else {
            columns.push(Column {
                name: param.path.clone(),
                dist: param.dist.clone(),
                apply: param.apply,
                slots: bound.into_iter().map(|(_, s)| s).collect(),
            });
        }
    }
    columns
}

/// Check that every value a parameter can write lies in its field's range,
/// so no run can meet a value validation would reject.
fn check_range(
    plan: &Plan,
    t: &path::Target,
    slot: &PlanSlot,
    dist: &Dist,
    apply: Apply,
) -> Result<(), String> {
    let (lo, hi) = dist.support();
    if t.is_integer() && apply == Apply::Scale {
        return Err(
            "a year cannot be scaled; Set it (drawn values are rounded to whole years)".into(),
        );
    }
    let bases = match apply {
        Apply::Set => vec![1.0],
        Apply::Scale => bind::base_values(plan, slot),
    };
    if apply == Apply::Scale && bases.is_empty() {
        return Err("it has no value to scale (unbounded or unset): use Set".into());
    }
    // What a draw writes stays a quantity validation would accept: the
    // draws themselves are finite (Dist::check), and their extremes, times
    // each value they scale, stay within MAX_QUANTITY.
    let draws = [dist.quantile(U_MIN), dist.quantile(U_MAX)];
    if !t.is_integer()
        && let Some(v) = bases
            .iter()
            .flat_map(|b| draws.map(|d| b * d))
            .find(|v| !v.is_finite() || v.abs() > model::MAX_QUANTITY)
    {
        let v = if v.is_finite() {
            model::quantity(v)
        } else {
            "infinite".into()
        };
        return Err(format!(
            "draws can make it {v}, above 1e18, the largest quantity a park may hold; narrow the distribution"
        ));
    }
    let mut range = (f64::INFINITY, f64::NEG_INFINITY);
    for b in bases {
        for v in [b * lo, b * hi] {
            let v = if v.is_nan() { 0.0 } else { v };
            range = (range.0.min(v), range.1.max(v));
        }
    }
    if t.is_integer() {
        return Ok(());
    }
    if range.0 < 0.0 {
        return Err(format!(
            "draws can make it negative (down to {}); bound the distribution (e.g. Normal's min)",
            range.0
        ));
    }
    if t.is_fraction() && range.1 > 1.0 {
        return Err(format!(
            "it is a fraction in [0, 1], but draws reach {}; bound the distribution (e.g. Normal's max)",
            range.1
        ));
    }
    if let PlanSlot::Input(s) = slot
        && plan.topology.is_feed(*s)
        && range.0 <= 0.0
    {
        return Err("a Feed input needs a positive coefficient, but draws can reach 0".into());
    }
    Ok(())
}
