//! What a park may hold (docs/MODEL.md, "The park file"): the documented maxima of its size, its
//! quantities and its time range, and the ids that may name a file or
//! stand in a parameter path. Validation checks a park's size against
//! these before anything else, so a huge file is refused before its items
//! are indexed.

use super::{Park, Series};

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
pub(super) fn size_problems(park: &Park) -> Vec<String> {
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
        if let super::Fate::Dispose { emissions, .. } = &m.fate {
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
        for (field, streams) in [
            ("unmodelled_inputs", &p.unmodelled_inputs),
            ("unmodelled_outputs", &p.unmodelled_outputs),
        ] {
            map(item.clone(), field, streams.len());
            for (k, stream) in streams.iter() {
                map(
                    item.clone(),
                    &format!("{field}.{k}.composition"),
                    stream.composition.len(),
                );
            }
        }
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
pub(super) fn is_path_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
