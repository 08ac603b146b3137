//! Result files read back: a run directory (`years.csv` … `summary.json`) or a
//! sweep directory (`samples.csv`, `summary.json`), and the park that made
//! them. Pictures and reports are drawn from these files, never from the
//! engine's memory, so `parkflow report DIR` draws exactly what `parkflow run`
//! drew.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::samples::{Histogram, histograms};
use crate::error::{Error, Result};
use crate::model::{self, Park};
use crate::output::schema::{
    EMISSIONS_FILE, EmissionRow, IMPORTS_FILE, ImportRow, LINKS_FILE, LinkRow, MATERIALS_FILE,
    PROCESSES_FILE, PoolRow, ProcessRow, RunSummary, SAMPLES_FILE, SUMMARY_FILE, YEARS_FILE,
    YearRow, invalid, parse_rows,
};
use crate::sweep::SweepSummary;

/// The file a run writes beside its results so that a report can name things:
/// the park as run, scenario changes applied, as JSON.
pub const PARK_FILE: &str = "park.json";

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
    pub summary: SweepSummary,
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

fn read_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl Results {
    /// Read a run or sweep directory, telling them apart by their files.
    pub fn read(dir: &Path) -> Result<Results> {
        if dir.join(YEARS_FILE).exists() {
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
        fn rows<T: DeserializeOwned>(
            dir: &Path,
            text: &dyn Fn(&str) -> Result<String>,
            name: &str,
        ) -> Result<Vec<T>> {
            parse_rows(&dir.join(name), &text(name)?)
        }
        let summary = RunSummary::parse(&dir.join(SUMMARY_FILE), &text(SUMMARY_FILE)?)?;
        let (pollutants, years) = YearRow::parse(&dir.join(YEARS_FILE), &text(YEARS_FILE)?)?;
        let processes: Vec<ProcessRow> = rows(dir, text, PROCESSES_FILE)?;
        let mut enterprise_of: Vec<(String, String)> = Vec::new();
        for p in processes {
            if !enterprise_of.iter().any(|(q, _)| *q == p.process) {
                enterprise_of.push((p.process, p.enterprise));
            }
        }
        Ok(RunResults {
            dir: dir.to_path_buf(),
            summary,
            pollutants,
            years,
            emissions: rows(dir, text, EMISSIONS_FILE)?,
            links: rows(dir, text, LINKS_FILE)?,
            pools: rows(dir, text, MATERIALS_FILE)?,
            imports: rows(dir, text, IMPORTS_FILE)?,
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
        let summary_path = dir.join(SUMMARY_FILE);
        let summary: SweepSummary = serde_json::from_str(&read_string(&summary_path)?)
            .map_err(|e| invalid(&summary_path, e.to_string()))?;
        let outputs = summary.outputs.keys().cloned().collect::<Vec<_>>();
        let thresholds = |name: &str| summary.thresholds.get(name).copied().flatten();
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
        self.summary.outputs.keys().cloned().collect()
    }
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
