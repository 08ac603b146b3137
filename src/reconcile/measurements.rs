//! Measurements of a park's year (docs/MODEL.md, "Reconciling a park"): a
//! CSV file with the columns `item,value,sd`, where `item` names one
//! quantity of the park's system (`links.acid.flow`,
//! `processes.dadi_as_acid.activity`, ...). A reading with an sd above 0 is
//! measured; with no sd, or 0, it is a constant. A line starting with `#`
//! is a comment, and no field holds a comma (ids and numbers never do). Every problem is reported at its line and column, all at
//! once.

use std::collections::HashMap;
use std::path::Path;

use super::system::{Given, System};
use crate::error::{Result, did_you_mean, problems_at};

/// The header a measurements file starts with.
pub const HEADER: [&str; 3] = ["item", "value", "sd"];

/// One reading: the quantity it names and what it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Index of the quantity in the system.
    pub quantity: usize,
    /// Measured with an sd, or a constant.
    pub given: Given,
}

/// Read the measurements file at `path` against `system`.
pub fn load(path: &Path, system: &System) -> Result<Vec<Reading>> {
    let text = crate::limits::read_input_text(path)?;
    parse(&text, &path.display().to_string(), system)
}

/// Parse measurements `text` against `system`, naming `file` in errors.
pub fn parse(text: &str, file: &str, system: &System) -> Result<Vec<Reading>> {
    let index: HashMap<&str, usize> = system
        .quantities
        .iter()
        .enumerate()
        .map(|(q, quantity)| (quantity.id.as_str(), q))
        .collect();
    let mut problems = Vec::new();
    let mut readings = Vec::new();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut header = true;
    for (row, text_line) in text.lines().enumerate() {
        let line = row + 1;
        if text_line.trim_start().starts_with('#') || text_line.trim().is_empty() {
            continue;
        }
        let record: Vec<&str> = text_line.split(',').collect();
        // The 1-based column where field `i` starts.
        let column = |i: usize| 1 + record[..i].iter().map(|f| f.len() + 1).sum::<usize>();
        if std::mem::take(&mut header) {
            if record.iter().map(|f| f.trim()).ne(HEADER) {
                problems.push((
                    line,
                    1,
                    format!("the header must be `{}`", HEADER.join(",")),
                ));
                break;
            }
            continue;
        }
        if record.len() != HEADER.len() {
            problems.push((
                line,
                1,
                format!(
                    "{} fields; a reading has 3: item,value,sd (sd may be empty)",
                    record.len()
                ),
            ));
            continue;
        }
        let item = record[0].trim();
        let Some(&q) = index.get(item) else {
            problems.push((
                line,
                column(0),
                format!(
                    "unknown item `{item}`{}",
                    did_you_mean(item, system.quantities.iter().map(|q| q.id.as_str()))
                ),
            ));
            continue;
        };
        if let Some(first) = seen.insert(q, line) {
            problems.push((
                line,
                column(0),
                format!("`{item}` is read twice (first on line {first})"),
            ));
            continue;
        }
        let value = match record[1].trim().parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                problems.push((
                    line,
                    column(1),
                    format!("`{item}`: value `{}` is not a finite number", &record[1]),
                ));
                continue;
            }
        };
        let sd = match record[2].trim() {
            "" => 0.0,
            s => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => {
                    problems.push((
                        line,
                        column(2),
                        format!("`{item}`: sd `{s}` must be a number of 0 or more (empty: exact)"),
                    ));
                    continue;
                }
            },
        };
        let given = if sd > 0.0 {
            Given::Measured { value, sd }
        } else {
            Given::Constant(value)
        };
        readings.push(Reading { quantity: q, given });
    }
    if readings.is_empty() && problems.is_empty() {
        problems.push((
            1,
            1,
            "no readings: each line after the header is `item,value,sd`".to_string(),
        ));
    }
    problems_at(file, problems)?;
    Ok(readings)
}

/// `system` with every reading's quantity given as read.
pub fn apply(system: &mut System, readings: &[Reading]) {
    for r in readings {
        system.quantities[r.quantity].given = r.given;
    }
}
