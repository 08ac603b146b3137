//! The reconciliation file (docs/MODEL.md, "The reconciliation file"): one
//! RON value `Reconcile(...)`, read and checked into a [`System`].
//!
//! Every list item is first taken as raw RON text borrowed from the file, so
//! that a problem found after parsing (an unknown id, a relation that cannot
//! be read, a negative sd) is still reported at its line and column, as a
//! syntax error is.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use ron::value::RawValue;
use serde::Deserialize;

use super::expr::parse_relation;
use super::system::{Equation, Given, Kind, Quantity, System};
use crate::error::{Error, Result, did_you_mean};
use crate::model::{file_id_check, parse_ron, ron_options};

/// The outside of the system: a flow from or to `env` crosses its boundary.
pub const ENV: &str = "env";

/// The most quantities a file may hold: ten times the size the benchmark
/// shows reconciled in under a minute.
pub const MAX_QUANTITIES: usize = 100_000;

#[derive(Deserialize)]
#[serde(rename = "Reconcile", deny_unknown_fields)]
struct RawFile<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(borrow, default)]
    processes: Vec<&'a RawValue>,
    #[serde(borrow)]
    flows: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    stocks: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    parameters: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    relations: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename = "Flow", deny_unknown_fields)]
struct FlowItem {
    id: String,
    from: String,
    to: String,
    value: Option<f64>,
    sd: Option<f64>,
    sd_rel: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename = "Stock", deny_unknown_fields)]
struct StockItem {
    id: Option<String>,
    process: String,
    value: Option<f64>,
    sd: Option<f64>,
    sd_rel: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename = "Parameter", deny_unknown_fields)]
struct ParameterItem {
    id: String,
    value: Option<f64>,
    sd: Option<f64>,
    sd_rel: Option<f64>,
}

/// Read, parse and check a reconciliation file.
pub fn load(path: &Path) -> Result<System> {
    let text = crate::limits::read_input_text(path)?;
    parse(&text, &path.display().to_string())
}

/// Parse and check reconciliation text, naming `file` in errors.
pub fn parse(text: &str, file: &str) -> Result<System> {
    let raw: RawFile = parse_ron(text, file)?;
    let mut r = Reader {
        text,
        file,
        problems: Vec::new(),
    };
    let count = raw.flows.len() + raw.stocks.len() + raw.parameters.len();
    if count > MAX_QUANTITIES {
        let (line, col) = r.position(raw.flows.first().map_or(raw.id.get_ron(), |f| f.get_ron()));
        return Err(Error::Syntax {
            file: file.to_string(),
            line,
            col,
            message: format!("{count} quantities; at most {MAX_QUANTITIES} are accepted"),
        });
    }
    let id: String = r.item(raw.id)?;
    if let Some(p) = file_id_check("reconciliation", &id, "its result directory") {
        r.problem(raw.id.get_ron(), p);
    }

    // Processes.
    let mut processes: Vec<String> = Vec::new();
    let mut process_raw = Vec::new();
    for p in &raw.processes {
        let name: String = r.item(p)?;
        if !is_id(&name) {
            r.problem(p.get_ron(), id_rule("process", &name));
        } else if name == ENV {
            r.problem(
                p.get_ron(),
                format!("process `{ENV}` is the outside of the system; a process needs another id"),
            );
        } else if processes.contains(&name) {
            r.problem(p.get_ron(), format!("process `{name}` is listed twice"));
        }
        processes.push(name);
        process_raw.push(*p);
    }
    let known: HashSet<&str> = processes.iter().map(String::as_str).collect();
    let endpoints: Vec<&str> = std::iter::once(ENV)
        .chain(processes.iter().map(String::as_str))
        .collect();

    let mut quantities: Vec<Quantity> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut terms: Vec<Vec<(usize, f64)>> = vec![Vec::new(); processes.len()];
    let index_of = |name: &str| processes.iter().position(|p| p == name);

    for f in &raw.flows {
        let item: FlowItem = r.item(f)?;
        let at = f.get_ron();
        r.check_id(at, "flow", &item.id, &mut seen, quantities.len());
        for (field, end) in [("from", &item.from), ("to", &item.to)] {
            if end != ENV && !known.contains(end.as_str()) {
                r.problem(
                    field_at(at, field),
                    format!(
                        "flow `{}`: {field} `{end}` is not a process nor `{ENV}`{}",
                        item.id,
                        did_you_mean(end, endpoints.iter().copied())
                    ),
                );
            }
        }
        if item.from == item.to {
            r.problem(
                field_at(at, "to"),
                format!("flow `{}` goes from `{}` to itself", item.id, item.to),
            );
        }
        let given = r.given(
            at,
            "flow",
            &item.id,
            item.value,
            item.sd,
            item.sd_rel,
            false,
        );
        let q = quantities.len();
        if item.from != item.to {
            if let Some(p) = index_of(&item.from) {
                terms[p].push((q, -1.0));
            }
            if let Some(p) = index_of(&item.to) {
                terms[p].push((q, 1.0));
            }
        }
        quantities.push(Quantity {
            id: item.id,
            kind: Kind::Flow,
            given,
        });
    }

    let mut stocked: HashSet<String> = HashSet::new();
    for s in &raw.stocks {
        let item: StockItem = r.item(s)?;
        let at = s.get_ron();
        let id = item
            .id
            .clone()
            .unwrap_or_else(|| format!("stock_{}", item.process));
        r.check_id(at, "stock", &id, &mut seen, quantities.len());
        match index_of(&item.process) {
            Some(p) => {
                if !stocked.insert(item.process.clone()) {
                    r.problem(
                        field_at(at, "process"),
                        format!("process `{}` has a second stock", item.process),
                    );
                }
                terms[p].push((quantities.len(), -1.0));
            }
            None => r.problem(
                field_at(at, "process"),
                format!(
                    "stock `{id}`: process `{}` is not listed{}",
                    item.process,
                    did_you_mean(&item.process, processes.iter().map(String::as_str))
                ),
            ),
        }
        let given = r.given(at, "stock", &id, item.value, item.sd, item.sd_rel, true);
        quantities.push(Quantity {
            id,
            kind: Kind::Stock,
            given,
        });
    }

    for p in &raw.parameters {
        let item: ParameterItem = r.item(p)?;
        let at = p.get_ron();
        r.check_id(at, "parameter", &item.id, &mut seen, quantities.len());
        let given = r.given(
            at,
            "parameter",
            &item.id,
            item.value,
            item.sd,
            item.sd_rel,
            true,
        );
        quantities.push(Quantity {
            id: item.id,
            kind: Kind::Parameter,
            given,
        });
    }

    let mut equations = Vec::new();
    for (i, process) in processes.iter().enumerate() {
        if terms[i]
            .iter()
            .all(|&(q, _)| quantities[q].kind != Kind::Flow)
        {
            r.problem(
                process_raw[i].get_ron(),
                format!("process `{process}` has no flows: every process needs a flow in or out"),
            );
        }
        equations.push(Equation::Balance {
            of: format!("process `{process}`"),
            terms: std::mem::take(&mut terms[i]),
        });
    }

    let ids: Vec<&str> = quantities.iter().map(|q| q.id.as_str()).collect();
    for rel in &raw.relations {
        let text_rel: String = r.item(rel)?;
        let resolve = |name: &str| -> std::result::Result<usize, String> {
            seen.get(name).copied().ok_or_else(|| {
                format!(
                    "unknown id `{name}` in a relation{}",
                    did_you_mean(name, ids.iter().copied())
                )
            })
        };
        match parse_relation(&text_rel, &resolve) {
            Ok(expr) => equations.push(Equation::Relation {
                text: text_rel,
                expr,
            }),
            Err(e) => {
                // The relation's characters start one past its opening quote.
                let src = rel.trim().get_ron();
                let offset = src
                    .char_indices()
                    .nth(1 + e.at)
                    .map_or(src.len(), |(b, _)| b);
                r.problem(
                    &src[offset..],
                    format!("relation `{text_rel}`: {}", e.message),
                );
            }
        }
    }
    r.finish()?;
    Ok(System {
        id,
        quantities,
        equations,
    })
}

/// An id usable in a relation: an ASCII letter or `_`, then letters, digits or `_`.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn id_rule(what: &str, id: &str) -> String {
    format!(
        "{what} `{id}`: an id is an ASCII letter or `_` followed by letters, digits or `_`, so that relations can name it"
    )
}

/// The text from the value of `field` in an item's RON text on, or the item
/// itself when the field is not written (a default).
fn field_at<'a>(item: &'a str, field: &str) -> &'a str {
    let bytes = item.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if item[i..].starts_with("//") {
            i += item[i..].find('\n').unwrap_or(item.len() - i);
        } else if item[i..].starts_with(field)
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            let rest = item[i + field.len()..].trim_start();
            if let Some(after) = rest.strip_prefix(':') {
                let value = after.trim_start();
                return &item[item.len() - value.len()..];
            }
        }
        i += 1;
    }
    item
}

struct Reader<'a> {
    text: &'a str,
    file: &'a str,
    problems: Vec<(usize, usize, String)>,
}

impl Reader<'_> {
    /// Line and column (1-based, in characters) where `at`, a slice of the
    /// file's text, starts; past leading blanks and comments.
    fn position(&self, at: &str) -> (usize, usize) {
        let trimmed = RawValue::from_ron(at).map_or(at, |r| r.trim().get_ron());
        let trimmed = if trimmed.is_empty() { at } else { trimmed };
        let offset = (trimmed.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    fn problem(&mut self, at: &str, message: String) {
        let (line, col) = self.position(at);
        self.problems.push((line, col, message));
    }

    /// Parse one list item, with errors at their place in the file.
    fn item<T: serde::de::DeserializeOwned>(&self, raw: &RawValue) -> Result<T> {
        let src = raw.trim().get_ron();
        ron_options().from_str(src).map_err(|e| {
            let (line0, col0) = self.position(src);
            let (line, col) = if e.span.start.line <= 1 {
                (line0, col0 + e.span.start.col.saturating_sub(1))
            } else {
                (line0 + e.span.start.line - 1, e.span.start.col)
            };
            let hint = match &e.code {
                ron::Error::NoSuchStructField {
                    expected, found, ..
                } => did_you_mean(found, expected.iter().copied()),
                _ => String::new(),
            };
            Error::Syntax {
                file: self.file.to_string(),
                line,
                col,
                message: format!("{}{hint}", e.code),
            }
        })
    }

    fn check_id(
        &mut self,
        at: &str,
        what: &str,
        id: &str,
        seen: &mut HashMap<String, usize>,
        index: usize,
    ) {
        if !is_id(id) {
            self.problem(field_at(at, "id"), id_rule(what, id));
        } else if id == ENV {
            self.problem(
                field_at(at, "id"),
                format!("{what} `{ENV}`: `{ENV}` is the outside of the system"),
            );
        } else if seen.insert(id.to_string(), index).is_some() {
            self.problem(
                field_at(at, "id"),
                format!("{what} `{id}`: the id is used twice"),
            );
        }
    }

    /// The value as given: measured, constant or unknown, with its checks.
    #[allow(clippy::too_many_arguments)]
    fn given(
        &mut self,
        at: &str,
        what: &str,
        id: &str,
        value: Option<f64>,
        sd: Option<f64>,
        sd_rel: Option<f64>,
        signed: bool,
    ) -> Given {
        if let Some(v) = value {
            if !v.is_finite() || v.abs() > crate::model::MAX_QUANTITY {
                self.problem(
                    field_at(at, "value"),
                    format!("{what} `{id}`: value {v} is not a finite number of at most 1e18"),
                );
            } else if !signed && v < 0.0 {
                self.problem(
                    field_at(at, "value"),
                    format!("{what} `{id}`: value {v} is negative; a flow is at least 0"),
                );
            }
        }
        for (field, x) in [("sd", sd), ("sd_rel", sd_rel)] {
            if let Some(s) = x {
                if !(s.is_finite() && s >= 0.0) {
                    self.problem(
                        field_at(at, field),
                        format!("{what} `{id}`: {field} {s} is not a finite number of at least 0"),
                    );
                }
                if value.is_none() {
                    self.problem(field_at(at, field), format!("{what} `{id}`: {field} without a value; give the measured value, or drop {field} to leave it unknown"));
                }
            }
        }
        if sd.is_some() && sd_rel.is_some() {
            self.problem(
                field_at(at, "sd_rel"),
                format!("{what} `{id}`: give sd or sd_rel, not both"),
            );
        }
        match (value, sd.or(sd_rel.zip(value).map(|(r, v)| r * v.abs()))) {
            (None, _) => Given::Unknown,
            (Some(v), Some(s)) if s > 0.0 => Given::Measured { value: v, sd: s },
            (Some(v), _) => Given::Constant(v),
        }
    }

    fn finish(&mut self) -> Result<()> {
        crate::error::problems_at(self.file, std::mem::take(&mut self.problems))
    }
}
