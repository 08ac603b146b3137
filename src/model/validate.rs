//! Validation of a parsed park (docs/MODEL.md, "The park file"), and the
//! softer warnings `check` prints.
//!
//! Validation collects every problem rather than stopping at the first, so a
//! user fixes a file in one pass. The maxima and id rules it checks are in
//! `bounds`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::bounds::{
    MAX_QUANTITY, MAX_YEARS, file_id_check, is_path_safe_id, quantity, size_problems,
};
use super::{Keyed, Kind, Mode, Park, Series};
use crate::error::{Error, Result, did_you_mean};

/// Something valid but probably not what the author meant.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning(pub String);

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check a park against every rule of docs/MODEL.md, "The park file" and
/// "Limits"; `file` names it in the error.
pub fn validate(park: &Park, file: &str) -> Result<()> {
    let mut problems = size_problems(park);
    if problems.is_empty() {
        problems = self::problems(park);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

/// The ids of one kind of item, in file order, with a hash index.
#[derive(Default)]
struct Ids<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl Ids<'_> {
    fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

struct Checker<'a> {
    park: &'a Park,
    problems: RefCell<Vec<String>>,
    materials: Ids<'a>,
    pollutants: Ids<'a>,
    processes: Ids<'a>,
    enterprises: Ids<'a>,
}

impl<'a> Checker<'a> {
    fn problem(&self, msg: String) {
        self.problems.borrow_mut().push(msg);
    }

    fn ids<I: Iterator<Item = &'a str>>(&self, what: &str, ids: I) -> Ids<'a> {
        let mut seen = HashSet::new();
        let mut out = Ids::default();
        for id in ids {
            if !is_path_safe_id(id) {
                self.problem(format!(
                    "{what} `{id}`: id must be letters, digits, `_` or `-`"
                ));
            }
            if !seen.insert(id) {
                self.problem(format!("{what} `{id}` is defined twice"));
            }
            out.index.entry(id).or_insert(out.list.len());
            out.list.push(id);
        }
        out
    }

    fn reference(&self, item: &str, field: &str, kind: &str, id: &str, known: &Ids) -> bool {
        if known.position(id).is_some() {
            return true;
        }
        let hint = did_you_mean(id, known.list.iter().copied());
        self.problem(format!("{item}, {field}: unknown {kind} `{id}`{hint}"));
        false
    }

    fn number(&self, item: &str, field: &str, v: f64) {
        if !v.is_finite() {
            self.problem(format!("{item}, {field}: {v} is not a finite number"));
        } else if v < 0.0 {
            self.problem(format!("{item}, {field}: {} is negative", quantity(v)));
        } else if v > MAX_QUANTITY {
            self.problem(format!(
                "{item}, {field}: {} is above 1e18, the largest quantity a park may hold",
                quantity(v)
            ));
        }
    }

    fn fraction(&self, item: &str, field: &str, v: f64) {
        if !v.is_finite() || !(0.0..=1.0).contains(&v) {
            self.problem(format!("{item}, {field}: {v} is outside [0, 1]"));
        }
    }

    fn series(&self, item: &str, field: &str, s: &Series, fraction: bool) {
        for v in s.values() {
            if fraction {
                self.fraction(item, field, v);
            } else {
                self.number(item, field, v);
            }
        }
        if let Some(y) = s.unordered_year() {
            self.problem(format!(
                "{item}, {field}: years must be strictly increasing (step {y} follows a later or equal year)"
            ));
        }
    }

    fn coeffs(&self, item: &str, field: &str, m: &Keyed<f64>, kind: &str, known: &Ids) {
        for (k, v) in m.iter() {
            self.reference(item, field, kind, k, known);
            self.number(item, &format!("{field}.{k}"), *v);
        }
    }
}

fn problems(park: &Park) -> Vec<String> {
    let mut c = Checker {
        park,
        problems: RefCell::new(Vec::new()),
        materials: Ids::default(),
        pollutants: Ids::default(),
        processes: Ids::default(),
        enterprises: Ids::default(),
    };
    if let Some(p) = file_id_check("park", &park.id, "the result directory") {
        c.problem(p);
    }
    let t = &park.time;
    if t.end < t.start {
        c.problem(format!("time: end {} is before start {}", t.end, t.start));
    }
    let years = i64::from(t.end) - i64::from(t.start) + 1;
    if years > MAX_YEARS {
        c.problem(format!(
            "time: {}–{} spans {years} years; at most {MAX_YEARS} are simulated",
            t.start, t.end,
        ));
    }
    if !(1..=365).contains(&t.steps_per_year) {
        c.problem(format!(
            "time, steps_per_year: {} is outside 1..=365",
            t.steps_per_year
        ));
    }
    c.pollutants = c.ids("pollutant", park.pollutants.iter().map(|p| p.id.as_str()));
    c.materials = c.ids("material", park.materials.iter().map(|m| m.id.as_str()));
    c.enterprises = c.ids("enterprise", park.enterprises.iter().map(|e| e.id.as_str()));
    c.processes = c.ids("process", park.processes.iter().map(|p| p.id.as_str()));
    c.ids("link", park.links.iter().map(|l| l.id.as_str()));
    c.ids("storage", park.storages.iter().map(|s| s.id.as_str()));

    check_materials(&c);
    check_processes(&c);
    check_links(&c);
    check_storages(&c);
    check_targets_and_caps(&c);
    check_permits(&c);
    c.problems.into_inner()
}

fn check_materials(c: &Checker) {
    for m in &c.park.materials {
        let item = format!("material `{}`", m.id);
        if let Some(t) = m.t_per_unit {
            c.number(&item, "t_per_unit", t);
        }
        if let super::Fate::Dispose { emissions, .. } = &m.fate {
            c.coeffs(
                &item,
                "fate.emissions",
                emissions,
                "pollutant",
                &c.pollutants,
            );
        }
        for (element, share) in m.composition.iter() {
            c.fraction(&item, &format!("composition.{element}"), *share);
        }
    }
}

fn check_processes(c: &Checker) {
    for p in &c.park.processes {
        let item = format!("process `{}`", p.id);
        c.reference(
            &item,
            "enterprise",
            "enterprise",
            &p.enterprise,
            &c.enterprises,
        );
        c.reference(&item, "product", "material", &p.product, &c.materials);
        c.coeffs(&item, "inputs", &p.inputs, "material", &c.materials);
        c.coeffs(&item, "outputs", &p.outputs, "material", &c.materials);
        c.coeffs(&item, "emissions", &p.emissions, "pollutant", &c.pollutants);
        for (field, streams) in [
            ("unmodelled_inputs", &p.unmodelled_inputs),
            ("unmodelled_outputs", &p.unmodelled_outputs),
        ] {
            for (k, stream) in streams.iter() {
                let field = format!("{field}.{k}");
                if !is_path_safe_id(k) {
                    c.problem(format!(
                        "{item}, {field}: a stream's name must be letters, digits, `_` or `-`"
                    ));
                }
                c.number(&item, &format!("{field}.tonnes"), stream.tonnes);
                if stream.reason.trim().is_empty() {
                    c.problem(format!(
                        "{item}, {field}.reason: say why the park does not track this stream"
                    ));
                }
                for (element, share) in stream.composition.iter() {
                    c.fraction(&item, &format!("{field}.composition.{element}"), *share);
                }
            }
        }
        if p.outputs.contains(&p.product) {
            c.problem(format!(
                "{item}, outputs: `{}` is the process's product; give co-products only",
                p.product
            ));
        }
        for (k, s) in p.abatement.iter() {
            c.reference(&item, "abatement", "pollutant", k, &c.pollutants);
            c.series(&item, &format!("abatement.{k}"), s, true);
        }
        if let Some(s) = &p.capacity {
            c.series(&item, "capacity", s, false);
        }
        if let Some(s) = &p.utilization {
            c.series(&item, "utilization", s, true);
        }
        if let Some(s) = &p.demand {
            c.series(&item, "demand", s, false);
        }
        match &p.mode {
            Mode::Fixed | Mode::Feed(_) if p.capacity.is_none() => {
                c.problem(format!(
                    "{item}, capacity: required for a {} process",
                    if p.mode == Mode::Fixed {
                        "Fixed"
                    } else {
                        "Feed"
                    }
                ));
            }
            _ => {}
        }
        if let Mode::Feed(m) = &p.mode
            && p.inputs.get(m).is_some_and(|c| *c <= 0.0)
        {
            c.problem(format!(
                "{item}, inputs.{m}: a Feed input needs a positive coefficient"
            ));
        }
        if let Mode::Feed(m) = &p.mode
            && !p.inputs.contains(m)
        {
            let hint = did_you_mean(m, p.inputs.keys());
            c.problem(format!(
                "{item}, mode: Feed(\"{m}\") names a material that is not one of its inputs{hint}"
            ));
        }
        if p.demand.is_some() && p.mode != Mode::Demand {
            c.problem(format!(
                "{item}, demand: only a Demand process takes final demand"
            ));
        }
    }
}

fn check_links(c: &Checker) {
    for l in &c.park.links {
        let item = format!("link `{}`", l.id);
        let from_ok = c.reference(&item, "from", "process", &l.from, &c.processes);
        let to_ok = c.reference(&item, "to", "process", &l.to, &c.processes);
        let mat_ok = c.reference(&item, "material", "material", &l.material, &c.materials);
        if from_ok && mat_ok {
            let from = &c.park.processes[c.processes.position(&l.from).expect("checked above")];
            if from.product != l.material && !from.outputs.contains(&l.material) {
                let pools = std::iter::once(from.product.as_str()).chain(from.outputs.keys());
                let hint = did_you_mean(&l.material, pools);
                c.problem(format!(
                    "{item}, material: `{}` is neither the product nor an output of `{}`{hint}",
                    l.material, l.from
                ));
            }
        }
        if to_ok && mat_ok {
            let to = &c.park.processes[c.processes.position(&l.to).expect("checked above")];
            if !to.inputs.contains(&l.material) {
                let hint = did_you_mean(&l.material, to.inputs.keys());
                c.problem(format!(
                    "{item}, material: `{}` is not an input of `{}`{hint}",
                    l.material, l.to
                ));
            }
        }
        if let (Some(s), Some(e)) = (l.start, l.end)
            && e < s
        {
            c.problem(format!("{item}, end: {e} is before start {s}"));
        }
        if let Some(r) = l.max_rate {
            c.number(&item, "max_rate", r);
        }
        if let Some(cost) = l.cost {
            c.number(&item, "cost", cost);
        }
    }
}

fn check_storages(c: &Checker) {
    let mut pools = HashSet::new();
    for s in &c.park.storages {
        let item = format!("storage `{}`", s.id);
        c.number(&item, "capacity", s.capacity);
        c.number(&item, "initial", s.initial);
        if s.initial > s.capacity {
            c.problem(format!(
                "{item}, initial: {} exceeds its capacity {}",
                s.initial, s.capacity
            ));
        }
        let p_ok = c.reference(&item, "process", "process", &s.process, &c.processes);
        let m_ok = c.reference(&item, "material", "material", &s.material, &c.materials);
        if p_ok && m_ok {
            let p = &c.park.processes[c.processes.position(&s.process).expect("checked above")];
            if p.product != s.material && !p.outputs.contains(&s.material) {
                c.problem(format!(
                    "{item}, material: `{}` is neither the product nor an output of `{}`",
                    s.material, s.process
                ));
            }
            if !pools.insert((s.process.as_str(), s.material.as_str())) {
                c.problem(format!(
                    "{item}: `{}` already has a storage for `{}`",
                    s.process, s.material
                ));
            }
        }
    }
}

fn check_targets_and_caps(c: &Checker) {
    let (start, end) = (c.park.time.start, c.park.time.end);
    for (k, s) in c.park.background.iter() {
        c.reference("background", "key", "pollutant", k, &c.pollutants);
        c.series("background", k, s, false);
    }
    if let Some(t) = &c.park.targets {
        for (year, value) in &t.linkage {
            if *year < start || *year > end {
                c.problem(format!(
                    "targets, linkage: year {year} is outside the simulated years {start}–{end}"
                ));
            }
            c.fraction("targets", &format!("linkage {year}"), value.0);
        }
        if let Some((year, value)) = &t.baseline {
            c.fraction("targets", &format!("baseline {year}"), value.0);
        }
    }
    let mut years = HashSet::new();
    for cap in &c.park.caps {
        let item = format!("cap {}", cap.year);
        if !years.insert(cap.year) {
            c.problem(format!("{item} is defined twice (one cap per year)"));
        }
        c.coeffs(&item, "limits", &cap.limits, "pollutant", &c.pollutants);
    }
}

/// Valid but suspicious things `check` reports: byproducts with no tonnes
/// conversion, links never active, Feed processes nothing feeds, ...
pub fn warnings(park: &Park) -> Vec<Warning> {
    let mut w = Vec::new();
    let (start, end) = (park.time.start, park.time.end);
    for m in &park.materials {
        if m.kind == Kind::Byproduct && m.tonnes_per_unit().is_none() {
            w.push(Warning(format!(
                "material `{}` is a byproduct measured in `{}` with no t_per_unit: it is left out of mass linkage",
                m.id, m.unit
            )));
        }
    }
    for l in &park.links {
        if l.candidate {
            continue;
        }
        let first = l.start.unwrap_or(i32::MIN);
        let last = l.end.unwrap_or(i32::MAX);
        if first > end || last < start {
            w.push(Warning(format!(
                "link `{}` is never active in {start}–{end}",
                l.id
            )));
        }
    }
    for p in &park.processes {
        if let Mode::Feed(m) = &p.mode {
            // A plant fed only by candidate links is a proposal: it runs
            // when a scenario enables one, so it is no mistake.
            let fed = park.links.iter().any(|l| l.to == p.id && &l.material == m);
            if !fed {
                w.push(Warning(format!(
                    "process `{}` runs on `{m}` but no link delivers it: it never runs",
                    p.id
                )));
            }
        }
    }
    for p in &park.processes {
        let streams = (p.unmodelled_inputs.keys()).chain(p.unmodelled_outputs.keys());
        for k in streams.filter(|k| park.materials.iter().any(|m| m.id == *k)) {
            w.push(Warning(format!(
                "process `{}`: unmodelled stream `{k}` has the name of a material of the park; a stream the park tracks belongs in `inputs` or `outputs`",
                p.id
            )));
        }
    }
    w.extend(super::economics::warnings(park).into_iter().map(Warning));
    w.extend(
        super::balance::composition_warnings(park)
            .into_iter()
            .map(Warning),
    );
    for e in &park.enterprises {
        if !park.processes.iter().any(|p| p.enterprise == e.id) {
            w.push(Warning(format!("enterprise `{}` has no process", e.id)));
        }
    }
    for cap in &park.caps {
        if cap.year < start || cap.year > end {
            w.push(Warning(format!(
                "cap {} is outside the simulated years {start}–{end}: it is not judged",
                cap.year
            )));
        }
    }
    if let Some((year, _)) = park.targets.as_ref().and_then(|t| t.baseline) {
        if year < start || year > end {
            w.push(Warning(format!(
                "baseline year {year} is outside the simulated years {start}–{end}: it is not reported"
            )));
        }
    }
    w
}

/// The prefix of every problem of the permit at `index` (0-based), which
/// [`super::load`] replaces by the permit's line and column when it has
/// the file's text.
pub(super) fn permit_item(index: usize, enterprise: &str, pollutant: &str) -> String {
    format!("permit {} (`{enterprise}`, `{pollutant}`)", index + 1)
}

fn check_permits(c: &Checker) {
    let mut seen = HashSet::new();
    for (i, p) in c.park.permits.iter().enumerate() {
        let item = permit_item(i, &p.enterprise, &p.pollutant);
        c.reference(
            &item,
            "enterprise",
            "enterprise",
            &p.enterprise,
            &c.enterprises,
        );
        c.reference(&item, "pollutant", "pollutant", &p.pollutant, &c.pollutants);
        c.series(&item, "limit", &p.limit, false);
        if !seen.insert((p.enterprise.as_str(), p.pollutant.as_str())) {
            c.problem(format!(
                "{item}: a second permit for the same enterprise and pollutant"
            ));
        }
    }
}
