//! `parkflow diff A B`: two runs side by side. A and B are result
//! directories, or park or scenario files (run first, nothing written).
//! Each target and cap with its status in A and in B; per year, each
//! linkage rate and each pollutant's total in A, in B and the change; then
//! the links whose flow changed most. A warning says when A and B are runs
//! of different parks.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::engine::Plan;
use crate::error::Result;
use crate::output::schema::{
    LINKS_FILE, LinkRow, RunSummary, SUMMARY_FILE, YEARS_FILE, YearRow, invalid, parse_rows,
};
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
    summary: RunSummary,
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
        let summary = serde_json::from_str(&text(SUMMARY_FILE)?)
            .map_err(|e| invalid(&path(SUMMARY_FILE), e.to_string()))?;
        Ok(Run {
            name,
            pollutants,
            years,
            links,
            summary,
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
    let (pa, pb) = (&a.summary.park, &b.summary.park);
    if pa != pb {
        let _ = writeln!(
            s,
            "warning: A is a run of park `{pa}` and B of park `{pb}`: their differences are between different parks"
        );
    }
    targets_and_caps(&mut s, a, b);
    // Each linkage rate and each pollutant's total (not its park part nor
    // its limit), where both years.csv have it.
    let header_b = YearRow::header(&b.pollutants, false);
    let columns: Vec<String> = YearRow::header(&a.pollutants, false)
        .into_iter()
        .skip(1)
        .filter(|h| h.starts_with("linkage") || h.ends_with("_total"))
        .filter(|h| header_b.contains(h))
        .collect();
    let year_rows = |r: &Run| -> BTreeMap<i32, BTreeMap<String, Option<f64>>> {
        (r.years.iter())
            .map(|y| (y.year, y.columns(&r.pollutants).into_iter().collect()))
            .collect()
    };
    let (ya, yb) = (year_rows(a), year_rows(b));
    let _ = writeln!(s, "\nBy year: A, B and the change B − A");
    let _ = writeln!(
        s,
        "  {:<6}{:<20}{:>16}{:>16}{:>14}",
        "year", "quantity", "A", "B", "B − A"
    );
    for (year, ra) in &ya {
        let Some(rb) = yb.get(year) else { continue };
        for c in &columns {
            let linkage = c.starts_with("linkage");
            let n = |v: f64| {
                if linkage {
                    format!("{v:.4}")
                } else {
                    format!("{v:.1}")
                }
            };
            let (x, y, d) = match (ra[c], rb[c]) {
                (Some(x), Some(y)) => {
                    let d = if linkage {
                        format!("{:+.4}", y - x)
                    } else {
                        format!("{:+.1}", y - x)
                    };
                    (n(x), n(y), d)
                }
                (x, y) => (
                    x.map_or("n/a".into(), n),
                    y.map_or("n/a".into(), n),
                    "n/a".into(),
                ),
            };
            let _ = writeln!(s, "  {year:<6}{c:<20}{x:>16}{y:>16}{d:>14}");
        }
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

/// Each target and cap of A or B, with its value and status in each.
fn targets_and_caps(s: &mut String, a: &Run, b: &Run) {
    fn status(met: bool, judged: &'static str) -> &'static str {
        if met { "MET" } else { judged }
    }
    fn target(r: &Run, year: i32) -> Option<&crate::indicators::TargetResult> {
        r.summary.targets.iter().find(|t| t.year == year)
    }
    fn cap<'a>(r: &'a Run, year: i32, k: &str) -> Option<&'a crate::indicators::CapResult> {
        (r.summary.caps.iter()).find(|c| c.year == year && c.pollutant == k)
    }
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut years: Vec<i32> = (a.summary.targets.iter())
        .chain(&b.summary.targets)
        .map(|t| t.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        let side = |r: &Run| {
            target(r, year).map_or("—".to_string(), |t| {
                format!("{:.3} {}", t.value, status(t.met, "MISSED"))
            })
        };
        let goal = (target(a, year).or(target(b, year))).map_or(0.0, |t| t.target);
        let metric = &a.summary.metric;
        rows.push((
            format!("{year} linkage ({metric}) ≥ {goal:.3}"),
            side(a),
            side(b),
        ));
    }
    let mut caps: Vec<(i32, String)> = (a.summary.caps.iter())
        .chain(&b.summary.caps)
        .map(|c| (c.year, c.pollutant.clone()))
        .collect();
    caps.sort();
    caps.dedup();
    for (year, k) in caps {
        let side = |r: &Run| {
            cap(r, year, &k).map_or("—".to_string(), |c| {
                format!("{:.1} {}", c.value, status(c.met, "EXCEEDED"))
            })
        };
        let limit = (cap(a, year, &k).or(cap(b, year, &k))).map_or(0.0, |c| c.limit);
        rows.push((format!("{year} {k} ≤ {limit:.1}"), side(a), side(b)));
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nTargets and caps");
    let _ = writeln!(s, "  {:<34}{:>24}{:>24}", "", "A", "B");
    for (what, x, y) in rows {
        let _ = writeln!(s, "  {what:<34}{x:>24}{y:>24}");
    }
}
