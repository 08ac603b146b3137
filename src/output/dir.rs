//! A run's results directory as a whole: which file wrote it, so that a
//! run does not replace another file's results unasked, and which of its
//! files an earlier run left that this one did not write.

use std::path::Path;

use super::schema;
use super::sync_dir;
use crate::error::{Error, Result};

/// The file of a run's results directory that names what wrote it:
/// `built-in park`, or the park or scenario file's full path.
pub const SOURCE_FILE: &str = "source.txt";

/// Files a run or its report writes into a results directory, besides the
/// `sankey-<year>.svg` pictures.
const RUN_FILE_NAMES: [&str; 18] = [
    schema::YEARS_FILE,
    schema::UNMODELLED_FILE,
    schema::PROCESSES_FILE,
    schema::LINKS_FILE,
    schema::MATERIALS_FILE,
    schema::IMPORTS_FILE,
    schema::EMISSIONS_FILE,
    schema::SUMMARY_FILE,
    "park.json",
    "results.xlsx",
    "report.html",
    "linkage.svg",
    "linkage.png",
    "emissions.svg",
    "emissions.png",
    "sources.svg",
    "sources.png",
    SOURCE_FILE,
];

/// Whether `name` is a file that a run or its report writes.
fn is_run_file(name: &str) -> bool {
    RUN_FILE_NAMES.contains(&name) || (name.starts_with("sankey-") && name.ends_with(".svg"))
}

/// Refuse to write a run of `source` into `dir` when `dir` holds the
/// results of another park or scenario file, unless `force`: the source
/// its `source.txt` names, or, without one, the park and scenario ids of its
/// summary.json.
pub fn check_source(
    dir: &Path,
    source: &str,
    ids: (&str, Option<&str>),
    force: bool,
) -> Result<()> {
    if force {
        return Ok(());
    }
    let earlier = match std::fs::read_to_string(dir.join(SOURCE_FILE)) {
        Ok(text) => Some(text.trim_end().to_string()),
        Err(_) => None,
    };
    let other = match &earlier {
        Some(earlier) => (earlier != source).then(|| earlier.clone()),
        None => {
            let summary = std::fs::read(dir.join(schema::SUMMARY_FILE)).ok();
            let summary =
                summary.and_then(|s| serde_json::from_slice::<serde_json::Value>(&s).ok());
            summary.and_then(|s| {
                let park = s
                    .get("park")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                let scenario = s
                    .get("scenario")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                ((park.as_str(), scenario.as_deref()) != ids).then(|| match scenario {
                    Some(sc) => format!("park `{park}`, scenario `{sc}`"),
                    None => format!("park `{park}`"),
                })
            })
        }
    };
    match other {
        None => Ok(()),
        Some(other) => Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "holds the results of {other}, not of {source}; they are kept. Write elsewhere with --out DIR, or replace them with --force"
                ),
            ),
        }),
    }
}

/// Remove the files of an earlier run in `dir` that this run did not
/// write (`written`): pictures a run with `--no-plots` leaves out, a
/// Sankey of another year, a workbook or a report of the earlier results.
pub fn remove_stale_run_files(dir: &Path, written: &[String]) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_run_file(&name) && !written.contains(&name) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|source| Error::Io { path, source })?;
        }
    }
    sync_dir(dir);
    Ok(())
}
