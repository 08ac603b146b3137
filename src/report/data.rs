//! Result files read back: a run directory (`years.csv` … `summary.json`) or a
//! sweep directory (`samples.csv`, `summary.json`), and the park that made
//! them. Pictures and reports are drawn from these files, never from the
//! engine's memory, so `parkflow report DIR` draws exactly what `parkflow run`
//! drew.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::samples::{Histogram, histograms};
use crate::error::{Error, Result};
use crate::indicators::{CapResult, TargetResult};
use crate::model::{self, Park};

/// The file a run writes beside its results so that a report can name things:
/// the park as run, scenario changes applied, as JSON.
pub const PARK_FILE: &str = "park.json";

/// One row of `years.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    /// Calendar year.
    pub year: i32,
    /// Byproduct tonnes linked between enterprises ÷ generated.
    pub linkage_mass: f64,
    /// Share of enterprises linked.
    pub linkage_enterprise: f64,
    /// Per pollutant (in `RunResults::pollutants` order): park, total, limit.
    pub emissions: Vec<PollutantYear>,
}

/// One pollutant's numbers in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollutantYear {
    /// Emitted by the park.
    pub park: f64,
    /// Park + background.
    pub total: f64,
    /// The limit of that year's cap, if any.
    pub limit: Option<f64>,
}

impl PollutantYear {
    /// Background emissions (outside the park).
    pub fn background(&self) -> f64 {
        (self.total - self.park).max(0.0)
    }
}

/// One row of `emissions.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct EmissionRow {
    /// Calendar year.
    pub year: i32,
    /// Pollutant id.
    pub pollutant: String,
    /// `process`, `disposal` or `background`.
    pub kind: String,
    /// Process id, `process/material`, or `background`.
    pub source: String,
    /// Amount emitted in the year.
    pub amount: f64,
}

/// One row of `links.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    /// Calendar year.
    pub year: i32,
    /// Link id.
    pub link: String,
    /// Source process.
    pub from: String,
    /// Sink process.
    pub to: String,
    /// Material carried.
    pub material: String,
    /// Amount carried in the step, in the material's unit.
    pub flow: f64,
    /// Whether the two processes belong to different enterprises.
    pub inter_enterprise: bool,
}

/// One row of `materials.csv`: what became of one pool in one step.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRow {
    /// Calendar year.
    pub year: i32,
    /// Process making the material.
    pub process: String,
    /// Material.
    pub material: String,
    /// Generated in the step.
    pub generated: f64,
    /// Net change of the storage level (negative: drawn down).
    pub stored: f64,
    /// Sold outside the park.
    pub sold: f64,
    /// Disposed of.
    pub disposed: f64,
}

/// One row of `imports.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Calendar year.
    pub year: i32,
    /// Process importing.
    pub process: String,
    /// Material imported.
    pub material: String,
    /// Amount imported in the step.
    pub imported: f64,
}

/// The parts of a run's `summary.json` the report uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunSummary {
    /// Park id.
    pub park: String,
    /// Scenario id, if any.
    pub scenario: Option<String>,
    /// `mass` or `enterprise`.
    pub metric: String,
    /// SHA-256 of the model text.
    #[serde(default)]
    pub model_sha256: String,
    /// The baseline, if the park gives one.
    #[serde(default)]
    pub baseline: Option<TargetResult>,
    /// Targets judged.
    #[serde(default)]
    pub targets: Vec<TargetResult>,
    /// Caps judged.
    #[serde(default)]
    pub caps: Vec<CapResult>,
}

/// Everything a run directory holds, read back.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The directory.
    pub dir: PathBuf,
    /// `summary.json`.
    pub summary: RunSummary,
    /// Pollutant ids in `years.csv` column order.
    pub pollutants: Vec<String>,
    /// `years.csv`.
    pub years: Vec<YearRow>,
    /// `emissions.csv`.
    pub emissions: Vec<EmissionRow>,
    /// `links.csv`.
    pub links: Vec<LinkRow>,
    /// `materials.csv`.
    pub pools: Vec<PoolRow>,
    /// `imports.csv`.
    pub imports: Vec<ImportRow>,
    /// Process id → enterprise id, from `processes.csv`, in first-seen order.
    pub enterprise_of: Vec<(String, String)>,
}

/// A sweep directory's `summary.json`, and what its report draws of
/// `samples.csv`: a histogram per output (see [`Histogram`]).
#[derive(Debug, Clone)]
pub struct SweepResults {
    /// The directory.
    pub dir: PathBuf,
    /// `summary.json` as parsed.
    pub summary: serde_json::Value,
    /// Column names of `samples.csv`.
    pub columns: Vec<String>,
    /// Each output's histogram, by name: the outputs of `summary.json` with
    /// a column in `samples.csv` and a finite value in it.
    pub histograms: BTreeMap<String, Histogram>,
}

/// What kind of results a directory holds.
#[derive(Debug, Clone)]
pub enum Results {
    /// A run (`parkflow run`).
    Run(Box<RunResults>),
    /// A sweep (`parkflow sweep`).
    Sweep(Box<SweepResults>),
}

pub(super) fn invalid(path: &Path, message: impl Into<String>) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message.into()),
    }
}

fn read_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A CSV file as a header and rows of strings.
struct Csv {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Csv {
    /// Parse `text`, the content of the file at `path` (named in errors).
    fn parse(path: &Path, text: &str) -> Result<Csv> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| invalid(path, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| invalid(path, e.to_string()))?;
        Ok(Csv {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| invalid(&self.path, format!("no column `{name}`")))
    }

    fn num(&self, row: usize, col: usize) -> Result<f64> {
        let s = &self.rows[row][col];
        s.parse::<f64>().map_err(|_| {
            invalid(
                &self.path,
                format!(
                    "row {}, column `{}`: `{s}` is not a number",
                    row + 2,
                    self.header[col]
                ),
            )
        })
    }

    fn opt_num(&self, row: usize, col: usize) -> Result<Option<f64>> {
        if self.rows[row][col].is_empty() {
            Ok(None)
        } else {
            self.num(row, col).map(Some)
        }
    }

    fn year(&self, row: usize, col: usize) -> Result<i32> {
        let s = &self.rows[row][col];
        s.parse::<i32>()
            .map_err(|_| invalid(&self.path, format!("row {}: `{s}` is not a year", row + 2)))
    }

    fn text(&self, row: usize, col: usize) -> String {
        self.rows[row][col].to_string()
    }
}

impl Results {
    /// Read a run or sweep directory, telling them apart by their files.
    pub fn read(dir: &Path) -> Result<Results> {
        if dir.join("years.csv").exists() {
            Ok(Results::Run(Box::new(RunResults::read(dir)?)))
        } else if dir.join(SAMPLES_FILE).exists() {
            Ok(Results::Sweep(Box::new(SweepResults::read(dir)?)))
        } else {
            Err(invalid(
                dir,
                "not a results directory: it has neither years.csv (a run) nor samples.csv (a sweep)",
            ))
        }
    }
}

impl RunResults {
    /// Read the result files of a run directory.
    pub fn read(dir: &Path) -> Result<RunResults> {
        RunResults::load(dir, &|name| read_string(&dir.join(name)))
    }

    /// The results of a run from its files as rendered, `(name, bytes)`,
    /// before they are written to `dir`: so that a run draws its pictures
    /// and writes them with its result files, all or none.
    pub fn from_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<RunResults> {
        RunResults::load(dir, &|name| {
            let path = dir.join(name);
            let bytes = files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b)
                .ok_or_else(|| invalid(&path, "no such result file was rendered"))?;
            String::from_utf8(bytes.clone()).map_err(|e| invalid(&path, e.to_string()))
        })
    }

    /// The results of a run whose file `name`'s text `text(name)` gives.
    fn load(dir: &Path, text: &dyn Fn(&str) -> Result<String>) -> Result<RunResults> {
        let csv = |name: &str| Csv::parse(&dir.join(name), &text(name)?);
        let summary_path = dir.join("summary.json");
        let summary: RunSummary = serde_json::from_str(&text("summary.json")?)
            .map_err(|e| invalid(&summary_path, e.to_string()))?;

        let years_csv = csv("years.csv")?;
        let pollutants: Vec<String> = years_csv
            .header
            .iter()
            .filter_map(|h| h.strip_suffix("_park").map(str::to_string))
            .collect();
        let (cy, cm, ce) = (
            years_csv.col("year")?,
            years_csv.col("linkage_mass")?,
            years_csv.col("linkage_enterprise")?,
        );
        let mut pcols = Vec::new();
        for k in &pollutants {
            pcols.push((
                years_csv.col(&format!("{k}_park"))?,
                years_csv.col(&format!("{k}_total"))?,
                years_csv.col(&format!("{k}_limit"))?,
            ));
        }
        let mut years = Vec::new();
        for r in 0..years_csv.rows.len() {
            let mut emissions = Vec::new();
            for &(p, t, l) in &pcols {
                emissions.push(PollutantYear {
                    park: years_csv.num(r, p)?,
                    total: years_csv.num(r, t)?,
                    limit: years_csv.opt_num(r, l)?,
                });
            }
            years.push(YearRow {
                year: years_csv.year(r, cy)?,
                linkage_mass: years_csv.num(r, cm)?,
                linkage_enterprise: years_csv.num(r, ce)?,
                emissions,
            });
        }

        let e = csv("emissions.csv")?;
        let c = [
            e.col("year")?,
            e.col("pollutant")?,
            e.col("kind")?,
            e.col("source")?,
            e.col("amount")?,
        ];
        let mut emissions = Vec::with_capacity(e.rows.len());
        for r in 0..e.rows.len() {
            emissions.push(EmissionRow {
                year: e.year(r, c[0])?,
                pollutant: e.text(r, c[1]),
                kind: e.text(r, c[2]),
                source: e.text(r, c[3]),
                amount: e.num(r, c[4])?,
            });
        }

        let l = csv("links.csv")?;
        let c = [
            l.col("year")?,
            l.col("link")?,
            l.col("from")?,
            l.col("to")?,
            l.col("material")?,
            l.col("flow")?,
            l.col("inter_enterprise")?,
        ];
        let mut links = Vec::with_capacity(l.rows.len());
        for r in 0..l.rows.len() {
            links.push(LinkRow {
                year: l.year(r, c[0])?,
                link: l.text(r, c[1]),
                from: l.text(r, c[2]),
                to: l.text(r, c[3]),
                material: l.text(r, c[4]),
                flow: l.num(r, c[5])?,
                inter_enterprise: &l.rows[r][c[6]] == "true",
            });
        }

        let m = csv("materials.csv")?;
        let c = [
            m.col("year")?,
            m.col("process")?,
            m.col("material")?,
            m.col("generated")?,
            m.col("stored")?,
            m.col("sold")?,
            m.col("disposed")?,
        ];
        let mut pools = Vec::with_capacity(m.rows.len());
        for r in 0..m.rows.len() {
            pools.push(PoolRow {
                year: m.year(r, c[0])?,
                process: m.text(r, c[1]),
                material: m.text(r, c[2]),
                generated: m.num(r, c[3])?,
                stored: m.num(r, c[4])?,
                sold: m.num(r, c[5])?,
                disposed: m.num(r, c[6])?,
            });
        }

        let i = csv("imports.csv")?;
        let c = [
            i.col("year")?,
            i.col("process")?,
            i.col("material")?,
            i.col("imported")?,
        ];
        let mut imports = Vec::with_capacity(i.rows.len());
        for r in 0..i.rows.len() {
            imports.push(ImportRow {
                year: i.year(r, c[0])?,
                process: i.text(r, c[1]),
                material: i.text(r, c[2]),
                imported: i.num(r, c[3])?,
            });
        }

        let p = csv("processes.csv")?;
        let (cp, ce) = (p.col("process")?, p.col("enterprise")?);
        let mut enterprise_of: Vec<(String, String)> = Vec::new();
        for r in 0..p.rows.len() {
            let id = &p.rows[r][cp];
            if !enterprise_of.iter().any(|(q, _)| q == id) {
                enterprise_of.push((id.to_string(), p.text(r, ce)));
            }
        }

        Ok(RunResults {
            dir: dir.to_path_buf(),
            summary,
            pollutants,
            years,
            emissions,
            links,
            pools,
            imports,
            enterprise_of,
        })
    }

    /// The year the Sankey diagram shows by default: the last target year,
    /// else the last simulated year.
    pub fn default_sankey_year(&self) -> Option<i32> {
        self.summary
            .targets
            .iter()
            .map(|t| t.year)
            .max()
            .or_else(|| self.years.last().map(|y| y.year))
    }

    /// Index of a pollutant in `pollutants`.
    pub fn pollutant_index(&self, id: &str) -> Option<usize> {
        self.pollutants.iter().position(|k| k == id)
    }
}

impl SweepResults {
    /// Read `summary.json` and, row by row, `samples.csv` of a sweep
    /// directory. A row of `samples.csv` longer than the input size limit
    /// is refused; the file's size is not limited, as no row is kept.
    pub fn read(dir: &Path) -> Result<SweepResults> {
        let summary_path = dir.join("summary.json");
        let summary: serde_json::Value = serde_json::from_str(&read_string(&summary_path)?)
            .map_err(|e| invalid(&summary_path, e.to_string()))?;
        let outputs = output_names(&summary);
        let thresholds = |name: &str| {
            summary
                .get("thresholds")
                .and_then(|t| t.get(name))
                .and_then(serde_json::Value::as_f64)
        };
        let (columns, histograms) = histograms(
            &dir.join(SAMPLES_FILE),
            &outputs,
            thresholds,
            crate::limits::max_input_size(),
        )?;
        Ok(SweepResults {
            dir: dir.to_path_buf(),
            summary,
            columns,
            histograms,
        })
    }

    /// The outputs of `summary.json`, in its order.
    pub fn outputs(&self) -> Vec<String> {
        output_names(&self.summary)
    }
}

/// The file of a sweep's runs, one row each.
pub(crate) const SAMPLES_FILE: &str = "samples.csv";

fn output_names(summary: &serde_json::Value) -> Vec<String> {
    summary
        .get("outputs")
        .and_then(|v| v.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The park behind a run directory: `explicit` if given, else the directory's
/// `park.json`, else the built-in park when the ids agree. `None` when none
/// is found; pictures then name things by their ids.
pub fn park_for(results: &RunResults, explicit: Option<Park>) -> Result<Option<Park>> {
    if explicit.is_some() {
        return Ok(explicit);
    }
    let path = results.dir.join(PARK_FILE);
    if path.exists() {
        let park: Park = serde_json::from_str(&read_string(&path)?)
            .map_err(|e| invalid(&path, e.to_string()))?;
        return Ok(Some(park));
    }
    let builtin = model::parse_park(model::BUILTIN_PARK, model::BUILTIN_PARK_NAME)?;
    if builtin.id == results.summary.park && results.summary.scenario.is_none() {
        return Ok(Some(builtin));
    }
    Ok(None)
}

/// `park.json`: the park as run, for reports.
pub fn park_json(park: &Park) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(park).map_err(|e| Error::Io {
        path: PathBuf::from(PARK_FILE),
        source: std::io::Error::other(e.to_string()),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}
