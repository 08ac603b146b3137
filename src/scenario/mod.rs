//! Scenarios (docs/MODEL.md, "Scenarios"): named sets of changes to a park,
//! applied in order, and the parameter paths they name.

pub mod path;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result, did_you_mean};
use crate::model::{self, Park, Series};
use path::{CoeffMap, LinkYear, ProcessSeries, StorageField, Target};

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Identifier, `[a-z0-9_-]+`; appended to the park id in result directories.
    pub id: String,
    /// Park file, relative to the scenario file; omitted: the built-in park.
    #[serde(default)]
    pub park: Option<String>,
    /// One line saying what the scenario is.
    #[serde(default)]
    pub description: Option<String>,
    /// Changes, applied in order.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One change to a park.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Change {
    /// Replace the value(s) named by `path`.
    Set {
        /// Parameter path.
        path: String,
        /// A number or `(year, value)` steps.
        value: Series,
    },
    /// Multiply every value named by `path`.
    Scale {
        /// Parameter path.
        path: String,
        /// Factor.
        by: f64,
    },
    /// Move the years of the series (or the link years) named by `path`.
    Shift {
        /// Parameter path.
        path: String,
        /// Years to add (negative: earlier).
        by: i32,
    },
    /// Make a link active (a candidate link becomes part of the park).
    Enable {
        /// Link id.
        link: String,
    },
    /// Make a link inactive.
    Disable {
        /// Link id.
        link: String,
    },
    /// Add a link, written as a park's links are; validated with the park.
    Add {
        /// The new link.
        link: model::Link,
    },
}

/// How a value is changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Replace by this number or series.
    Set(Series),
    /// Multiply by this factor.
    Scale(f64),
    /// Move years by this many.
    Shift(i32),
}

/// A scenario applied to its park, ready to run.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The scenario.
    pub scenario: Scenario,
    /// The changed, validated park.
    pub park: Park,
    /// The park file's text followed by the scenario file's (for the run's hash).
    pub text: String,
}

/// Read a scenario file, load its park, apply its changes and validate the result.
pub fn load_scenario(path: &Path) -> Result<Applied> {
    let text = model::read_text(path)?;
    let file = path.display().to_string();
    let scenario: Scenario = model::parse_ron(&text, &file)?;
    let (park_text, park_name) = match &scenario.park {
        Some(rel) => {
            let park_path = resolve_relative(path, rel);
            (
                model::read_text(&park_path)?,
                park_path.display().to_string(),
            )
        }
        None => (
            model::BUILTIN_PARK.to_string(),
            model::BUILTIN_PARK_NAME.to_string(),
        ),
    };
    let mut park = model::parse_park(&park_text, &park_name)?;
    model::validate_text(&park, &park_text, &park_name)?;
    apply_scenario(&mut park, &scenario, &file)?;
    Ok(Applied {
        scenario,
        park,
        text: format!("{park_text}{text}"),
    })
}

/// `rel` relative to the folder of `file`.
pub fn resolve_relative(file: &Path, rel: &str) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(rel)
}

/// Apply a scenario's changes in order, then validate the changed park.
pub fn apply_scenario(park: &mut Park, scenario: &Scenario, file: &str) -> Result<()> {
    let invalid = |problems: Vec<String>| Error::Invalid {
        file: file.to_string(),
        problems,
    };
    if let Some(p) = model::file_id_check("scenario", &scenario.id, "the result directory") {
        return Err(invalid(vec![p]));
    }
    // Every change that can be applied is; every one that cannot is named.
    let problems: Vec<String> = (scenario.changes.iter().enumerate())
        .filter_map(|(i, change)| {
            (apply_change(park, change).err()).map(|e| format!("change {}: {e}", i + 1))
        })
        .collect();
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    model::validate(park, &format!("{file} (the park after its changes)"))
}

/// Apply one change to a park.
pub fn apply_change(park: &mut Park, change: &Change) -> Result<(), String> {
    let (path, op) = match change {
        Change::Set { path, value } => (path, Op::Set(value.clone())),
        Change::Scale { path, by } => (path, Op::Scale(*by)),
        Change::Shift { path, by } => (path, Op::Shift(*by)),
        Change::Enable { link } | Change::Disable { link } => {
            let enable = matches!(change, Change::Enable { .. });
            let Some(l) = park.links.iter_mut().find(|l| l.id == *link) else {
                let hint = did_you_mean(link, park.links.iter().map(|l| l.id.as_str()));
                return Err(format!("no link `{link}`{hint}"));
            };
            if enable && !l.candidate {
                let candidates: Vec<&str> = (park.links.iter())
                    .filter(|l| l.candidate)
                    .map(|l| l.id.as_str())
                    .collect();
                let hint = did_you_mean(link, candidates.iter().copied());
                return Err(format!(
                    "link `{link}` is not a candidate: it is already part of the park (Enable turns on a link with `candidate: true`){hint}"
                ));
            }
            // A disabled link is a candidate nobody enabled.
            l.candidate = !enable;
            return Ok(());
        }
        Change::Add { link } => {
            park.links.push(link.clone());
            return Ok(());
        }
    };
    for target in path::resolve(park, path)? {
        apply_op(park, &target, &op).map_err(|e| format!("path `{path}`: {e}"))?;
    }
    Ok(())
}

/// Where a value lives, borrowed mutably.
enum Cell<'a> {
    Series(&'a mut Series),
    Number(&'a mut f64),
    Year(&'a mut Option<i32>),
    Integer(&'a mut i32),
}

/// Apply `op` to one target of a park.
pub fn apply_op(park: &mut Park, target: &Target, op: &Op) -> Result<(), String> {
    let cell = match target {
        Target::ProcessSeries(p, field) => {
            let proc_ = &mut park.processes[*p];
            let (slot, default) = match field {
                ProcessSeries::Capacity => (&mut proc_.capacity, None),
                ProcessSeries::Utilization => (&mut proc_.utilization, Some(1.0)),
                ProcessSeries::Demand => (&mut proc_.demand, Some(0.0)),
            };
            if slot.is_none() {
                match (op, default) {
                    (Op::Set(_), _) => *slot = Some(Series::Constant(0.0)),
                    (_, Some(d)) => *slot = Some(Series::Constant(d)),
                    (_, None) => {
                        return Err(format!(
                            "process `{}` has no capacity (it is unbounded): Set one first",
                            proc_.id
                        ));
                    }
                }
            }
            Cell::Series(slot.as_mut().expect("filled above"))
        }
        Target::ProcessCoeff(p, map, key) => {
            let proc_ = &mut park.processes[*p];
            let map = match map {
                CoeffMap::Inputs => &mut proc_.inputs,
                CoeffMap::Outputs => &mut proc_.outputs,
                CoeffMap::Emissions => &mut proc_.emissions,
            };
            Cell::Number(map.get_mut(key).expect("resolved"))
        }
        Target::Abatement(p, key) => {
            Cell::Series(park.processes[*p].abatement.get_mut(key).expect("resolved"))
        }
        Target::LinkYear(l, which) => {
            let link = &mut park.links[*l];
            Cell::Year(match which {
                LinkYear::Start => &mut link.start,
                LinkYear::End => &mut link.end,
            })
        }
        Target::LinkMaxRate(l) => {
            let link = &mut park.links[*l];
            if link.max_rate.is_none() {
                if !matches!(op, Op::Set(_)) {
                    return Err(format!(
                        "link `{}` has no max_rate (it is unbounded)",
                        link.id
                    ));
                }
                link.max_rate = Some(0.0);
            }
            Cell::Number(link.max_rate.as_mut().expect("filled above"))
        }
        Target::LinkPriority(l) => Cell::Integer(&mut park.links[*l].priority),
        Target::TonnesPerUnit(m) => {
            let material = &mut park.materials[*m];
            let default = material.tonnes_per_unit();
            if material.t_per_unit.is_none() {
                match (op, default) {
                    (Op::Set(_), _) => material.t_per_unit = Some(0.0),
                    (_, Some(d)) => material.t_per_unit = Some(d),
                    (_, None) => {
                        return Err(format!(
                            "material `{}` has no t_per_unit: Set one first",
                            material.id
                        ));
                    }
                }
            }
            Cell::Number(material.t_per_unit.as_mut().expect("filled above"))
        }
        Target::DisposalFactor(m, key) => match &mut park.materials[*m].fate {
            model::Fate::Dispose { emissions, .. } => {
                Cell::Number(emissions.get_mut(key).expect("resolved"))
            }
            model::Fate::Sell => unreachable!("resolved only for Dispose"),
        },
        Target::Storage(s, field) => {
            let storage = &mut park.storages[*s];
            Cell::Number(match field {
                StorageField::Capacity => &mut storage.capacity,
                StorageField::Initial => &mut storage.initial,
            })
        }
        Target::Background(key) => {
            if !park.background.contains(key) {
                park.background.0.push((key.clone(), Series::Constant(0.0)));
            }
            Cell::Series(park.background.get_mut(key).expect("inserted above"))
        }
        Target::CapLimit(c, key) => {
            Cell::Number(park.caps[*c].limits.get_mut(key).expect("resolved"))
        }
    };
    apply_to_cell(cell, op)
}

fn apply_to_cell(cell: Cell, op: &Op) -> Result<(), String> {
    let whole = |s: &Series| match s {
        Series::Constant(v) if v.fract() == 0.0 && v.abs() < 1e9 => Ok(*v as i32),
        Series::Constant(v) => Err(format!("needs a whole number here, not {v}")),
        Series::Steps(_) => Err("needs a whole number here, not (year, value) steps".into()),
    };
    match (cell, op) {
        (Cell::Series(s), Op::Set(v)) => *s = v.clone(),
        (Cell::Series(s), Op::Scale(by)) => {
            for v in s.values_mut() {
                *v *= by;
            }
        }
        (Cell::Series(s), Op::Shift(by)) => {
            if let Series::Steps(steps) = s {
                for (year, _) in steps.iter_mut() {
                    *year = year.checked_add(*by).ok_or("year out of range")?;
                }
            }
        }
        (Cell::Number(n), Op::Set(Series::Constant(v))) => *n = *v,
        (Cell::Number(_), Op::Set(_)) => {
            return Err("needs a single number, not (year, value) steps".into());
        }
        (Cell::Number(n), Op::Scale(by)) => *n *= by,
        (Cell::Number(_), Op::Shift(_)) => {
            return Err("a single number has no years to shift".into());
        }
        (Cell::Year(y), Op::Set(v)) => *y = Some(whole(v)?),
        (Cell::Year(y), Op::Shift(by)) => match y {
            Some(year) => *year = year.checked_add(*by).ok_or("year out of range")?,
            None => {
                return Err(
                    "the link has no such year to shift (it is always active that way)".into(),
                );
            }
        },
        (Cell::Year(_) | Cell::Integer(_), Op::Scale(_)) => {
            return Err("a year or priority cannot be scaled (use Set or Shift)".into());
        }
        (Cell::Integer(i), Op::Set(v)) => *i = whole(v)?,
        (Cell::Integer(i), Op::Shift(by)) => {
            *i = i.checked_add(*by).ok_or("priority out of range")?
        }
    }
    Ok(())
}
