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
use crate::error::Result;
use crate::output::schema::{LINKS_FILE, LinkRow, YEARS_FILE, YearRow, invalid, parse_rows};
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

/// A run's years.csv and links.csv, read back.
struct Run {
    name: String,
    /// Pollutant ids, in years.csv's column order.
    pollutants: Vec<String>,
    years: Vec<YearRow>,
    links: Vec<LinkRow>,
}

impl Run {
    /// The run whose file `name`'s bytes `bytes(name)` gives; `path(name)`
    /// names it in errors.
    fn read(
        name: String,
        path: impl Fn(&str) -> PathBuf,
        bytes: impl Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Run> {
        let text = |file: &str| {
            String::from_utf8(bytes(file)?).map_err(|e| invalid(&path(file), e.to_string()))
        };
        let (pollutants, years) = YearRow::parse(&path(YEARS_FILE), &text(YEARS_FILE)?)?;
        let links = parse_rows(&path(LINKS_FILE), &text(LINKS_FILE)?)?;
        Ok(Run {
            name,
            pollutants,
            years,
            links,
        })
    }
}

fn load(path: &Path) -> Result<Run> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Run::read(
            name,
            |file| path.join(file),
            |file| crate::limits::read_input(&path.join(file)),
        );
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
    Run::read(
        name,
        |file: &str| PathBuf::from(file),
        |file| {
            Ok(files
                .iter()
                .find(|(n, _)| *n == file)
                .expect("every run file is rendered")
                .1
                .clone())
        },
    )
}

/// Compare two runs and print the differences.
pub fn diff(args: &DiffArgs) -> Result<ExitCode> {
    let (a, b) = (load(&args.a)?, load(&args.b)?);
    print!("{}", render(&a, &b, args.top));
    Ok(ExitCode::SUCCESS)
}

fn render(a: &Run, b: &Run, top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "A: {}\nB: {}", a.name, b.name);
    // Columns both years.csv share, except year and the limits.
    let header_b = YearRow::header(&b.pollutants);
    let columns: Vec<String> = YearRow::header(&a.pollutants)
        .into_iter()
        .skip(1)
        .filter(|h| !h.ends_with("_limit") && header_b.contains(h))
        .collect();
    let year_rows = |r: &Run| -> BTreeMap<i32, BTreeMap<String, Option<f64>>> {
        (r.years.iter())
            .map(|y| (y.year, y.columns(&r.pollutants).into_iter().collect()))
            .collect()
    };
    let (ya, yb) = (year_rows(a), year_rows(b));
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
            let d = match (ra[c], rb[c]) {
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
    let totals = |links: &[LinkRow]| -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        for l in links {
            *m.entry(l.link.clone()).or_insert(0.0) += l.flow;
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
