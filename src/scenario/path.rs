//! Parameter paths (docs/MODEL.md, "Parameter paths"):
//! `processes.<id>.capacity`, `processes.*.abatement.cod`,
//! `links.<id>.start`, ... resolved against a park.
//!
//! A path names one number or series per matched item; `*` in place of an id
//! matches every item that has the field. Resolution returns [`Target`]s,
//! plain descriptions of where the value lives, so the same resolution serves
//! scenario changes on a park and sweep draws on a compiled plan.

use crate::error::did_you_mean;
use crate::model::{Fate, Park};

/// Where one value named by a path lives in a park.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `processes[p].capacity | utilization | demand`.
    ProcessSeries(usize, ProcessSeries),
    /// `processes[p].<map>[key]`.
    ProcessCoeff(usize, CoeffMap, String),
    /// `processes[p].abatement[key]`.
    Abatement(usize, String),
    /// `links[l].start | end`.
    LinkYear(usize, LinkYear),
    /// `links[l].max_rate`.
    LinkMaxRate(usize),
    /// `links[l].priority`.
    LinkPriority(usize),
    /// `materials[m].t_per_unit`.
    TonnesPerUnit(usize),
    /// `materials[m].fate.emissions[key]`.
    DisposalFactor(usize, String),
    /// `storages[s].capacity | initial`.
    Storage(usize, StorageField),
    /// `background[key]`.
    Background(String),
    /// `caps[c].limits[key]`.
    CapLimit(usize, String),
}

/// A process's series fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessSeries {
    /// Capacity per year.
    Capacity,
    /// Share of capacity used.
    Utilization,
    /// Final demand.
    Demand,
}

/// A process's coefficient maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoeffMap {
    /// Inputs per unit.
    Inputs,
    /// Outputs per unit.
    Outputs,
    /// Emissions per unit.
    Emissions,
}

/// A link's year fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkYear {
    /// First active year.
    Start,
    /// Last active year.
    End,
}

/// A storage's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageField {
    /// Largest level.
    Capacity,
    /// Level at the start.
    Initial,
}

impl Target {
    /// Whether the value is a fraction in [0, 1].
    pub fn is_fraction(&self) -> bool {
        matches!(
            self,
            Target::ProcessSeries(_, ProcessSeries::Utilization) | Target::Abatement(..)
        )
    }
    /// Whether the value is a year or an integer (Set takes a whole number, Scale is refused).
    pub fn is_integer(&self) -> bool {
        matches!(self, Target::LinkYear(..) | Target::LinkPriority(_))
    }
}

/// Resolve `path` against `park`; an error says what exists where the path
/// stopped naming anything.
pub fn resolve(park: &Park, path: &str) -> Result<Vec<Target>, String> {
    let parts: Vec<&str> = path.split('.').collect();
    let fields = |list: &[&str]| {
        list.iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match parts.as_slice() {
        ["processes", id, field @ ..] => {
            let items = select(id, park.processes.iter().map(|p| p.id.as_str()), "process")
                .or_else(|m| bad(path, m))?;
            let mut out = Vec::new();
            let wildcard = *id == "*";
            for p in items {
                let proc_ = &park.processes[p];
                let target = match field {
                    ["capacity"] => Some(Target::ProcessSeries(p, ProcessSeries::Capacity))
                        .filter(|_| !wildcard || proc_.capacity.is_some()),
                    ["utilization"] => Some(Target::ProcessSeries(p, ProcessSeries::Utilization)),
                    ["demand"] => {
                        if proc_.mode != crate::model::Mode::Demand {
                            if wildcard {
                                None
                            } else {
                                return bad(
                                    path,
                                    format!(
                                        "process `{}` is not a Demand process, so it has no demand",
                                        proc_.id
                                    ),
                                );
                            }
                        } else {
                            Some(Target::ProcessSeries(p, ProcessSeries::Demand))
                        }
                    }
                    [
                        map @ ("inputs" | "outputs" | "emissions" | "abatement"),
                        key,
                    ] => {
                        let keys: Vec<&str> = match *map {
                            "inputs" => proc_.inputs.keys().collect(),
                            "outputs" => proc_.outputs.keys().collect(),
                            "emissions" => proc_.emissions.keys().collect(),
                            _ => proc_.abatement.keys().collect(),
                        };
                        if !keys.contains(key) {
                            if wildcard {
                                continue;
                            }
                            return bad(
                                path,
                                format!(
                                    "process `{}` has no {map} `{key}`{}; its {map} are: {}",
                                    proc_.id,
                                    did_you_mean(key, keys.iter().copied()),
                                    if keys.is_empty() {
                                        "(none)".into()
                                    } else {
                                        fields(&keys)
                                    }
                                ),
                            );
                        }
                        let key = key.to_string();
                        Some(match *map {
                            "inputs" => Target::ProcessCoeff(p, CoeffMap::Inputs, key),
                            "outputs" => Target::ProcessCoeff(p, CoeffMap::Outputs, key),
                            "emissions" => Target::ProcessCoeff(p, CoeffMap::Emissions, key),
                            _ => Target::Abatement(p, key),
                        })
                    }
                    _ => {
                        return bad(
                            path,
                            format!(
                                "a process has {} and the maps {}.<key>{}",
                                fields(&["capacity", "utilization", "demand"]),
                                fields(&["inputs", "outputs", "emissions", "abatement"]),
                                did_you_mean(
                                    field.first().unwrap_or(&""),
                                    [
                                        "capacity",
                                        "utilization",
                                        "demand",
                                        "inputs",
                                        "outputs",
                                        "emissions",
                                        "abatement"
                                    ]
                                )
                            ),
                        );
                    }
                };
                out.extend(target);
            }
            nonempty(out, path)
        }
        ["links", id, field] => {
            let items = select(id, park.links.iter().map(|l| l.id.as_str()), "link")
                .or_else(|m| bad(path, m))?;
            let mut out = Vec::new();
            for l in items {
                let link = &park.links[l];
                let has = |v: bool| *id != "*" || v;
                out.extend(match *field {
                    "start" => {
                        has(link.start.is_some()).then_some(Target::LinkYear(l, LinkYear::Start))
                    }
                    "end" => has(link.end.is_some()).then_some(Target::LinkYear(l, LinkYear::End)),
                    "max_rate" => has(link.max_rate.is_some()).then_some(Target::LinkMaxRate(l)),
                    "priority" => Some(Target::LinkPriority(l)),
                    _ => {
                        return bad(
                            path,
                            format!(
                                "a link has {}{}",
                                fields(&["start", "end", "max_rate", "priority"]),
                                did_you_mean(field, ["start", "end", "max_rate", "priority"])
                            ),
                        );
                    }
                });
            }
            nonempty(out, path)
        }
        ["materials", id, field @ ..] => {
            let items = select(id, park.materials.iter().map(|m| m.id.as_str()), "material")
                .or_else(|m| bad(path, m))?;
            let mut out = Vec::new();
            for m in items {
                let material = &park.materials[m];
                match field {
                    ["t_per_unit"] => out.push(Target::TonnesPerUnit(m)),
                    ["fate", "emissions", key] => {
                        let keys: Vec<&str> = match &material.fate {
                            Fate::Dispose { emissions, .. } => emissions.keys().collect(),
                            Fate::Sell => Vec::new(),
                        };
                        if keys.contains(key) {
                            out.push(Target::DisposalFactor(m, key.to_string()));
                        } else if *id != "*" {
                            return bad(
                                path,
                                format!(
                                    "material `{}` has no disposal emission `{key}`; it has: {}",
                                    material.id,
                                    if keys.is_empty() {
                                        "(none)".into()
                                    } else {
                                        fields(&keys)
                                    }
                                ),
                            );
                        }
                    }
                    _ => {
                        return bad(
                            path,
                            format!(
                                "a material has {} and {}{}",
                                fields(&["t_per_unit"]),
                                fields(&["fate.emissions.<pollutant>"]),
                                did_you_mean(field.first().unwrap_or(&""), ["t_per_unit", "fate"])
                            ),
                        );
                    }
                }
            }
            nonempty(out, path)
        }
        ["storages", id, field] => {
            let items = select(id, park.storages.iter().map(|s| s.id.as_str()), "storage")
                .or_else(|m| bad(path, m))?;
            let field = match *field {
                "capacity" => StorageField::Capacity,
                "initial" => StorageField::Initial,
                _ => {
                    return bad(
                        path,
                        format!(
                            "a storage has {}{}",
                            fields(&["capacity", "initial"]),
                            did_you_mean(field, ["capacity", "initial"])
                        ),
                    );
                }
            };
            nonempty(
                items
                    .into_iter()
                    .map(|s| Target::Storage(s, field))
                    .collect(),
                path,
            )
        }
        ["background", key] => {
            let keys: Vec<&str> = park.background.keys().collect();
            if *key == "*" {
                return nonempty(
                    keys.iter()
                        .map(|k| Target::Background(k.to_string()))
                        .collect(),
                    path,
                );
            }
            if !park.pollutants.iter().any(|p| p.id == *key) {
                return bad(
                    path,
                    format!(
                        "no pollutant `{key}`{}; pollutants are: {}",
                        did_you_mean(key, park.pollutants.iter().map(|p| p.id.as_str())),
                        fields(
                            &park
                                .pollutants
                                .iter()
                                .map(|p| p.id.as_str())
                                .collect::<Vec<_>>()
                        )
                    ),
                );
            }
            Ok(vec![Target::Background(key.to_string())])
        }
        ["caps", year, key] => {
            let years: Vec<String> = park.caps.iter().map(|c| c.year.to_string()).collect();
            let items = select(year, years.iter().map(String::as_str), "cap year")
                .or_else(|m| bad(path, m))?;
            let mut out = Vec::new();
            for c in items {
                let cap = &park.caps[c];
                let keys: Vec<&str> = cap.limits.keys().collect();
                if *key == "*" {
                    out.extend(keys.iter().map(|k| Target::CapLimit(c, k.to_string())));
                } else if keys.contains(key) {
                    out.push(Target::CapLimit(c, key.to_string()));
                } else if *year != "*" {
                    return bad(
                        path,
                        format!(
                            "the {} cap has no limit for `{key}`; it limits: {}",
                            cap.year,
                            fields(&keys)
                        ),
                    );
                }
            }
            nonempty(out, path)
        }
        _ => bad(
            path,
            format!(
                "a path starts with {} or {}",
                fields(&[
                    "processes.<id>",
                    "links.<id>",
                    "materials.<id>",
                    "storages.<id>"
                ]),
                fields(&["background.<pollutant>", "caps.<year>.<pollutant>"])
            ),
        ),
    }
}

/// An error about `path`.
fn bad<T>(path: &str, msg: String) -> Result<T, String> {
    Err(format!("path `{path}`: {msg}"))
}

/// The indices matching `id` (`*`: all), or an error naming the closest ids.
fn select<'a>(
    id: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
    what: &str,
) -> Result<Vec<usize>, String> {
    if id == "*" {
        return Ok(ids.enumerate().map(|(i, _)| i).collect());
    }
    match ids.clone().position(|x| x == id) {
        Some(i) => Ok(vec![i]),
        None => {
            let all: Vec<&str> = ids.collect();
            let list = if all.is_empty() {
                "(none)".to_string()
            } else {
                all.iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Err(format!(
                "no {what} `{id}`{}; the park has: {list}",
                did_you_mean(id, all.iter().copied())
            ))
        }
    }
}

fn nonempty(targets: Vec<Target>, path: &str) -> Result<Vec<Target>, String> {
    if targets.is_empty() {
        Err(format!("path `{path}` matches no item that has this field"))
    } else {
        Ok(targets)
    }
}
