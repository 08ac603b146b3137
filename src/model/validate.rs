//! Validation of a parsed park (docs/MODEL.md, "The park file"), and the
//! softer warnings `check` prints.
//!
//! Validation collects every problem rather than stopping at the first, so a
//! user fixes a file in one pass.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::{Keyed, Kind, Mode, Park, Series};
use crate::error::{Error, Result, did_you_mean};

/// Longest time range, in years, a park may simulate (end − start + 1).
pub const MAX_YEARS: i64 = 1000;

// The largest park validation accepts. A park beyond any of these is refused
// before the rest is checked, so that no size costs more time or memory than
// the message. A 64 MiB file (the input size limit) holds at most about a
// million items of any kind; the run size bounds what a run records.

/// Most processes in a park.
pub const MAX_PROCESSES: usize = 100_000;
/// Most links in a park.
pub const MAX_LINKS: usize = 1_000_000;
/// Most materials in a park.
pub const MAX_MATERIALS: usize = 100_000;
/// Most enterprises in a park.
pub const MAX_ENTERPRISES: usize = 100_000;
/// Most storages in a park.
pub const MAX_STORAGES: usize = 100_000;
/// Most pollutants in a park.
pub const MAX_POLLUTANTS: usize = 1_000;
/// Most caps, and most linkage targets, in a park.
pub const MAX_CAPS: usize = 10_000;
/// Most entries in one map (`inputs`, `outputs`, `emissions`, `abatement`,
/// `composition`, `fate.emissions`, `limits`, `background`).
pub const MAX_MAP_ENTRIES: usize = 1_000;
/// Most `(year, value)` steps in one series.
pub const MAX_SERIES_STEPS: usize = 10_000;
/// Largest run: steps (years × steps_per_year) × items recorded per step
/// (processes, links, storages, and the inputs, outputs and emissions of
/// every process). A run keeps every step for its result files: about 100
/// bytes of memory and 55 bytes of CSV per step item (measured on a
/// 10,000-process synthetic park), so at most about 1 GB and 550 MB.
pub const MAX_RUN_SIZE: u64 = 10_000_000;
/// Largest quantity a park may hold: a capacity, demand, coefficient,
/// rate, storage level, cost, background or limit. Far above anything
/// physical (10¹⁸ J is 280 TWh), and small enough that a capacity times a
/// coefficient, summed over every process and step, stays a finite number.
pub const MAX_QUANTITY: f64 = 1e18;
/// Longest id that names a file or directory (park, scenario, sweep).
pub const MAX_FILE_ID_LEN: usize = 64;
/// Names Windows reserves for devices, in any case and with any extension:
/// refused as ids that name a file or directory.
const RESERVED_NAMES: [&str; 4] = ["con", "prn", "aux", "nul"];

/// A number as a message shows it: plain, or with an exponent when very
/// large or small (`1e308`, not three hundred digits).
pub fn quantity(v: f64) -> String {
    if v == 0.0 || (1e-6..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

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

/// Whether `id` may name a file or directory: `[a-z0-9_-]`, 1 to 64
/// characters, and not a name Windows reserves (`con`, `nul`, `com1`, ...).
/// Park, scenario and sweep ids name result directories.
pub fn is_file_safe_id(id: &str) -> bool {
    file_id_problem(id).is_none()
}

/// Why `id` cannot name a file or directory, if it cannot.
fn file_id_problem(id: &str) -> Option<String> {
    let grammar = id.len() <= MAX_FILE_ID_LEN
        && !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !grammar {
        return Some(format!(
            "must match [a-z0-9_-]{{1,{MAX_FILE_ID_LEN}}}: 1 to {MAX_FILE_ID_LEN} lower-case letters, digits, `_` or `-`"
        ));
    }
    let numbered = |prefix: &str| {
        id.strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
    };
    if RESERVED_NAMES.contains(&id) || numbered("com") || numbered("lpt") {
        return Some(
            "is a device name on Windows (con, prn, aux, nul, com0–com9, lpt0–lpt9)".to_string(),
        );
    }
    None
}

/// The problem with a park, scenario or sweep id that names a file or
/// directory: `what` names the item (`park `x``), `names` says what the id
/// names.
pub fn file_id_check(what: &str, id: &str, names: &str) -> Option<String> {
    file_id_problem(id).map(|why| format!("{what} `{id}`: the id {why}, because it names {names}"))
}

/// Problems of size: a park above the documented maxima, a series or a map
/// too long, a run too large to record.
fn size_problems(park: &Park) -> Vec<String> {
    let mut problems = Vec::new();
    let mut count = |what: &str, n: usize, max: usize| {
        if n > max {
            problems.push(format!(
                "{what}: {n} in the park; at most {max} are accepted"
            ));
        }
    };
    count("processes", park.processes.len(), MAX_PROCESSES);
    count("links", park.links.len(), MAX_LINKS);
    count("materials", park.materials.len(), MAX_MATERIALS);
    count("enterprises", park.enterprises.len(), MAX_ENTERPRISES);
    count("storages", park.storages.len(), MAX_STORAGES);
    count("pollutants", park.pollutants.len(), MAX_POLLUTANTS);
    count("caps", park.caps.len(), MAX_CAPS);
    let targets = park.targets.as_ref().map_or(0, |t| t.linkage.len());
    count("targets, linkage", targets, MAX_CAPS);
    let mut map = |item: String, field: &str, n: usize| {
        if n > MAX_MAP_ENTRIES {
            problems.push(format!(
                "{item}, {field}: {n} entries; at most {MAX_MAP_ENTRIES} are accepted"
            ));
        }
    };
    let mut series: Vec<(String, String, &Series)> = Vec::new();
    for m in &park.materials {
        map(
            format!("material `{}`", m.id),
            "composition",
            m.composition.len(),
        );
        if let super::Fate::Dispose { emissions } = &m.fate {
            map(
                format!("material `{}`", m.id),
                "fate.emissions",
                emissions.len(),
            );
        }
    }
    for p in &park.processes {
        let item = format!("process `{}`", p.id);
        map(item.clone(), "inputs", p.inputs.len());
        map(item.clone(), "outputs", p.outputs.len());
        map(item.clone(), "emissions", p.emissions.len());
        map(item.clone(), "abatement", p.abatement.len());
        for (field, s) in [
            ("capacity", &p.capacity),
            ("utilization", &p.utilization),
            ("demand", &p.demand),
        ] {
            if let Some(s) = s {
                series.push((item.clone(), field.to_string(), s));
            }
        }
        for (k, s) in p.abatement.iter() {
            series.push((item.clone(), format!("abatement.{k}"), s));
        }
    }
    map("background".to_string(), "keys", park.background.len());
    for (k, s) in park.background.iter() {
        series.push(("background".to_string(), k.to_string(), s));
    }
    for cap in &park.caps {
        map(format!("cap {}", cap.year), "limits", cap.limits.len());
    }
    for (item, field, s) in series {
        if let Series::Steps(steps) = s
            && steps.len() > MAX_SERIES_STEPS
        {
            problems.push(format!(
                "{item}, {field}: {} steps; at most {MAX_SERIES_STEPS} are accepted",
                steps.len()
            ));
        }
    }
    let t = &park.time;
    let years = i64::from(t.end) - i64::from(t.start) + 1;
    if problems.is_empty()
        && (1..=MAX_YEARS).contains(&years)
        && (1..=365).contains(&t.steps_per_year)
    {
        let steps = years as u64 * u64::from(t.steps_per_year);
        let coefficients: usize = park
            .processes
            .iter()
            .map(|p| p.inputs.len() + p.outputs.len() + p.emissions.len())
            .sum();
        let items =
            (park.processes.len() + park.links.len() + park.storages.len() + coefficients) as u64;
        let size = steps.saturating_mul(items);
        if size > MAX_RUN_SIZE {
            problems.push(format!(
                "time: {years} years × {} steps per year = {steps} steps, each recording {items} items (processes, links, storages and coefficients): a run of {size} step items; at most {MAX_RUN_SIZE} are simulated",
                t.steps_per_year
            ));
        }
    }
    problems
}

/// Whether `id` can stand in a parameter path (no dots, spaces or `*`).
fn is_path_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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
    c.problems.into_inner()
}

fn check_materials(c: &Checker) {
    for m in &c.park.materials {
        let item = format!("material `{}`", m.id);
        if let Some(t) = m.t_per_unit {
            c.number(&item, "t_per_unit", t);
        }
        if let super::Fate::Dispose { emissions } = &m.fate {
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
