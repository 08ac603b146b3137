//! `parkflow diff A B`: two runs side by side. A and B are result
//! directories, or park or scenario files (run first, nothing written).
//! Per year: the change in each linkage rate and each pollutant's total; then
//! the links whose flow changed most.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::output::{self, RunInfo};

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// First run: a results directory, or a park or scenario file.
    pub a: PathBuf,
    /// Second run: a results directory, or a park or scenario file.
    pub b: PathBuf,
    /// How many links to list, largest change first.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// A run's years.csv and links.csv, as text tables.
struct Run {
    name: String,
    years: Table,
    links: Table,
}

/// A CSV file: header and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(bytes: &[u8], name: &str) -> Result<Table> {
        let mut reader = csv::Reader::from_reader(bytes);
        let bad = |e: csv::Error| Error::Invalid {
            file: name.to_string(),
            problems: vec![e.to_string()],
        };
        let header = reader
            .headers()
            .map_err(bad)?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            rows.push(record.map_err(bad)?.iter().map(String::from).collect());
        }
        Ok(Table { header, rows })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

fn load(path: &Path) -> Result<Run> {
    let name = path.display().to_string();
    if path.is_dir() {
        let read = |file: &str| -> Result<Table> {
            let p = path.join(file);
            let bytes = crate::limits::read_input(&p)?;
            Table::parse(&bytes, &p.display().to_string())
        };
        return Ok(Run {
            name,
            years: read("years.csv")?,
            links: read("links.csv")?,
        });
    }
    let loaded = super::load(Some(path))?;
    let plan = Plan::compile(&loaded.park);
    let sim = output::simulate(&plan)?;
    let info = RunInfo {
        park: &loaded.park,
        model_text: &loaded.text,
        scenario: loaded.scenario.as_deref(),
    };
    let files = output::run_files(&info, &plan, &sim)?;
    let get = |file: &str| -> Result<Table> {
        let bytes = &files
            .iter()
            .find(|(n, _)| *n == file)
            .expect("every run file is rendered")
            .1;
        Table::parse(bytes, file)
    };
    Ok(Run {
        name,
        years: get("years.csv")?,
        links: get("links.csv")?,
    })
}

/// Compare two runs and print the differences.
pub fn diff(args: &DiffArgs) -> Result<ExitCode> {
    let (a, b) = (load(&args.a)?, load(&args.b)?);
    print!("{}", render(&a, &b, args.top));
    Ok(ExitCode::SUCCESS)
}

fn number(s: &str) -> Option<f64> {
    s.parse().ok()
}

fn render(a: &Run, b: &Run, top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "A: {}\nB: {}", a.name, b.name);
    // Columns both years.csv share, except year and the limits.
    let columns: Vec<&String> = a
        .years
        .header
        .iter()
        .filter(|h| *h != "year" && !h.ends_with("_limit") && b.years.column(h).is_some())
        .collect();
    let year_rows = |t: &Table| -> BTreeMap<String, Vec<String>> {
        t.rows.iter().map(|r| (r[0].clone(), r.clone())).collect()
    };
    let (ya, yb) = (year_rows(&a.years), year_rows(&b.years));
    let _ = writeln!(s, "\nChange B − A by year");
    let mut head = format!("  {:<6}", "year");
    for c in &columns {
        let _ = write!(head, " {:>16}", c);
    }
    let _ = writeln!(s, "{head}");
    for (year, ra) in &ya {
        let Some(rb) = yb.get(year) else { continue };
        let mut line = format!("  {year:<6}");
        for c in &columns {
            let (ia, ib) = (
                a.years.column(c).expect("shared"),
                b.years.column(c).expect("shared"),
            );
            let d = match (number(&ra[ia]), number(&rb[ib])) {
                (Some(x), Some(y)) => {
                    if c.starts_with("linkage") {
                        format!("{:+.4}", y - x)
                    } else {
                        format!("{:+.1}", y - x)
                    }
                }
                _ => "n/a".into(),
            };
            let _ = write!(line, " {d:>16}");
        }
        let _ = writeln!(s, "{line}");
    }
    // Links: total flow over the run, per link id.
    let totals = |t: &Table| -> BTreeMap<String, f64> {
        let (l, f) = (t.column("link"), t.column("flow"));
        let mut m = BTreeMap::new();
        if let (Some(l), Some(f)) = (l, f) {
            for r in &t.rows {
                *m.entry(r[l].clone()).or_insert(0.0) += number(&r[f]).unwrap_or(0.0);
            }
        }
        m
    };
    let (la, lb) = (totals(&a.links), totals(&b.links));
    let mut ids: Vec<&String> = la.keys().chain(lb.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut changes: Vec<(&String, f64, f64)> = ids
        .into_iter()
        .map(|id| {
            (
                id,
                la.get(id).copied().unwrap_or(0.0),
                lb.get(id).copied().unwrap_or(0.0),
            )
        })
        .filter(|(_, x, y)| x != y)
        .collect();
    changes.sort_by(|p, q| {
        (q.2 - q.1)
            .abs()
            .total_cmp(&(p.2 - p.1).abs())
            .then(p.0.cmp(q.0))
    });
    let _ = writeln!(
        s,
        "\nLinks whose flow changed most (total over the run, material units)"
    );
    if changes.is_empty() {
        let _ = writeln!(s, "  none: every link carries the same");
    }
    for (id, x, y) in changes.into_iter().take(top) {
        let _ = writeln!(s, "  {id:<28} {x:>16.1} → {y:>16.1}  ({:+.1})", y - x);
    }
    s
}
