//! A sweep's result files: `samples.csv` (one row per run) and `summary.json`.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::sweep::{Prepared, Table, summary_json};

use super::{num, write_atomic};

/// Write `samples.csv` and `summary.json` for a complete sweep into `dir`.
pub fn write_sweep(dir: &Path, prep: &Prepared, table: &Table) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut summary = serde_json::to_vec_pretty(&summary_json(prep, table)).expect("plain JSON");
    summary.push(b'\n');
    write_streamed(&dir.join("samples.csv"), |w| write_samples(w, prep, table))?;
    write_atomic(&dir.join("summary.json"), &summary)
}

/// Stream a file to a temporary name beside `path`, then rename it into place.
pub fn write_streamed(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    fill(&mut w).map_err(io)?;
    let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

fn write_samples(w: &mut dyn Write, prep: &Prepared, table: &Table) -> std::io::Result<()> {
    let (nc, no) = (prep.columns.len(), prep.outputs.len());
    let mut header = vec!["sample".to_string()];
    header.extend(prep.columns.iter().map(|c| c.name.clone()));
    header.extend(prep.output_names.iter().cloned());
    header.extend(prep.output_names.iter().map(|n| format!("{n}_met")));
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(&header).map_err(std::io::Error::other)?;
    let mut record = Vec::with_capacity(header.len());
    for (r, run) in table.runs.iter().enumerate() {
        let row = &table.rows[r * table.width..(r + 1) * table.width];
        record.clear();
        record.push(run.to_string());
        record.extend(row[..nc + no].iter().map(|v| num(*v)));
        record.extend(
            row[nc + no..]
                .iter()
                .map(|m| (if *m > 0.5 { "true" } else { "false" }).to_string()),
        );
        csv.write_record(&record).map_err(std::io::Error::other)?;
    }
    csv.flush()
}
