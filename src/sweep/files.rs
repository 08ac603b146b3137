//! A sweep's result files: `samples.csv` (one row per run, its columns as
//! [`samples_header`] names them) and `summary.json`; shard parts and the
//! chunks an interrupted sweep resumes from, both in the same CSV form.
//! They live with the sweep, which writes and reads them, and use the
//! `output` module's atomic writes, so `output` needs nothing of `sweep`.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{SweepInfo, SweepSummary, Table, summary_json};
use crate::error::{Error, Result};
use crate::output::schema::{SAMPLES_FILE, SUMMARY_FILE, samples_header};
use crate::output::{Batch, push_num};

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn bad_file(path: &Path, why: String) -> Error {
    Error::Invalid {
        file: path.display().to_string(),
        problems: vec![why],
    }
}

/// Write `samples.csv`, `samples.parquet` and `summary.json` for a complete
/// sweep as one batch: all of them, or none. Returns the summary.
///
/// `chunks`, if given, are files in samples.csv form that hold exactly the
/// table's rows, in its order (a sweep's saved chunks, see
/// [`super::run_checkpointed`]): samples.csv is their text, copied,
/// which is what formatting the table again would write.
pub fn write_sweep(
    mut batch: Batch,
    info: &SweepInfo,
    table: &Table,
    chunks: Option<&[PathBuf]>,
) -> Result<SweepSummary> {
    let summary = summary_json(info, table);
    let mut text = serde_json::to_vec_pretty(&summary).expect("plain JSON");
    text.push(b'\n');
    batch.add_streamed(SAMPLES_FILE, |w| write_rows(w, info, table, chunks))?;
    batch.add_streamed("samples.parquet", |w| write_parquet(w, info, table))?;
    batch.add(SUMMARY_FILE, &text)?;
    batch.commit()?;
    Ok(summary)
}

/// The samples.csv header.
fn header(info: &SweepInfo) -> Vec<String> {
    samples_header(&info.columns, &info.outputs)
}

/// Rows formatted by one task when writing samples.csv.
const ROWS_PER_TASK: usize = 4096;
/// Tasks formatted before their text is written: bounds the text held at
/// once (about 13 MB for the default park's uncertainty sweep).
const TASKS_AT_ONCE: usize = 8;

/// A table's rows in samples.csv form: the text of `chunks` when given
/// (see [`write_sweep`]), else formatted.
fn write_rows(
    w: &mut dyn Write,
    info: &SweepInfo,
    table: &Table,
    chunks: Option<&[PathBuf]>,
) -> std::io::Result<()> {
    match chunks {
        Some(chunks) => copy_samples(w, info, chunks),
        None => write_samples(w, info, table),
    }
}

/// The samples.csv header line, with its line end.
fn header_line(info: &SweepInfo) -> std::io::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(header(info))
        .map_err(std::io::Error::other)?;
    csv.into_inner().map_err(|e| e.into_error())
}

/// Write the rows of `chunks`, files in samples.csv form with this sweep's
/// header, one after another under one header.
fn copy_samples(w: &mut dyn Write, info: &SweepInfo, chunks: &[PathBuf]) -> std::io::Result<()> {
    let header = header_line(info)?;
    w.write_all(&header)?;
    let mut first = Vec::with_capacity(header.len());
    for path in chunks {
        let file = std::fs::File::open(path)?;
        let mut rows = std::io::BufReader::with_capacity(1 << 20, file);
        first.clear();
        std::io::BufRead::read_until(&mut rows, b'\n', &mut first)?;
        if first != header {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: its columns are not this sweep's", path.display()),
            ));
        }
        std::io::copy(&mut rows, w)?;
    }
    w.flush()
}

/// Write a table's rows in samples.csv form. Rows are formatted in
/// parallel (on the current rayon pool) in blocks, and written in order:
/// the bytes are those of formatting them one by one.
pub fn write_samples(w: &mut dyn Write, info: &SweepInfo, table: &Table) -> std::io::Result<()> {
    w.write_all(&header_line(info)?)?;
    let n = table.runs.len();
    let starts: Vec<usize> = (0..n).step_by(ROWS_PER_TASK).collect();
    for window in starts.chunks(TASKS_AT_ONCE) {
        let texts: Vec<std::io::Result<Vec<u8>>> = window
            .par_iter()
            .map(|&start| format_rows(info, table, start..(start + ROWS_PER_TASK).min(n)))
            .collect();
        for text in texts {
            w.write_all(&text?)?;
        }
    }
    w.flush()
}

/// Rows `rows` of `table` as samples.csv lines.
fn format_rows(
    info: &SweepInfo,
    table: &Table,
    rows: std::ops::Range<usize>,
) -> std::io::Result<Vec<u8>> {
    let (nc, no) = (info.columns.len(), info.outputs.len());
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut field = String::new();
    for r in rows {
        let row = &table.rows[r * table.width..(r + 1) * table.width];
        field.clear();
        let _ = std::fmt::Write::write_fmt(&mut field, format_args!("{}", table.runs[r]));
        csv.write_field(&field).map_err(std::io::Error::other)?;
        for v in &row[..nc + no] {
            field.clear();
            push_num(&mut field, *v);
            csv.write_field(&field).map_err(std::io::Error::other)?;
        }
        for m in &row[nc + no..] {
            csv.write_field(if *m > 0.5 { "true" } else { "false" })
                .map_err(std::io::Error::other)?;
        }
        csv.write_record(None::<&[u8]>)
            .map_err(std::io::Error::other)?;
    }
    csv.into_inner().map_err(|e| e.into_error())
}

/// Read rows written by [`write_samples`] back into a table.
pub fn read_samples(path: &Path, info: &SweepInfo) -> Result<Table> {
    let (nc, no) = (info.columns.len(), info.outputs.len());
    let width = nc + 2 * no;
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| bad_file(path, format!("cannot read it as CSV: {e}")))?;
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| bad_file(path, e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    if found != header(info) {
        return Err(bad_file(path, "its columns are not this sweep's".into()));
    }
    let mut table = Table {
        width,
        runs: Vec::new(),
        rows: Vec::new(),
    };
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad_file(path, e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let bad = |i: usize| {
            bad_file(
                path,
                format!("row {}: `{}` is not a value", line + 2, field(i)),
            )
        };
        table.runs.push(field(0).parse().map_err(|_| bad(0))?);
        for i in 1..=nc + no {
            let v: f64 = field(i).parse().map_err(|_| bad(i))?;
            table.rows.push(v);
        }
        for i in nc + no + 1..=width {
            table.rows.push(match field(i) {
                "true" => 1.0,
                "false" => 0.0,
                _ => return Err(bad(i)),
            });
        }
    }
    Ok(table)
}

/// A shard's files in `dir`: its rows and its description.
pub fn part_paths(dir: &Path, shard: (u64, u64)) -> (PathBuf, PathBuf) {
    let stem = format!("part-{}-of-{}", shard.0, shard.1);
    (
        dir.join(format!("{stem}.csv")),
        dir.join(format!("{stem}.json")),
    )
}

/// Write one shard's rows and description as one batch: both, or neither.
/// The description is renamed last, and `merge` looks for descriptions, so
/// a part is never found without its rows. `chunks` as for [`write_sweep`].
pub fn write_part(
    mut batch: Batch,
    info: &SweepInfo,
    shard: (u64, u64),
    table: &Table,
    chunks: Option<&[PathBuf]>,
) -> Result<()> {
    let (csv_path, json_path) = part_paths(batch.dir(), shard);
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    batch.add_streamed(&name(&csv_path), |w| write_rows(w, info, table, chunks))?;
    let meta = serde_json::json!({"info": info, "shard": shard.0, "shards": shard.1});
    let mut bytes = serde_json::to_vec_pretty(&meta).expect("plain JSON");
    bytes.push(b'\n');
    batch.add(&name(&json_path), &bytes)?;
    batch.commit()
}

/// Merge the shard parts found in `dirs` into one table, checking they are
/// all the same sweep's and that every shard is there exactly once.
pub fn merge_parts(dirs: &[PathBuf]) -> Result<(SweepInfo, Table)> {
    let mut parts = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
        for entry in entries {
            let path = entry.map_err(io_error(dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("part-") && name.ends_with(".json") {
                parts.push(path);
            }
        }
    }
    parts.sort();
    let Some(first) = parts.first() else {
        return Err(bad_file(
            dirs.first().map_or(Path::new("."), |d| d.as_path()),
            "no shard parts (part-K-of-N.json) found".into(),
        ));
    };
    let read_meta = |path: &Path| -> Result<(SweepInfo, u64, u64)> {
        let bytes = std::fs::read(path).map_err(io_error(path))?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| bad_file(path, e.to_string()))?;
        let info: SweepInfo = serde_json::from_value(v["info"].clone())
            .map_err(|e| bad_file(path, format!("not a shard description: {e}")))?;
        let k = v["shard"]
            .as_u64()
            .ok_or_else(|| bad_file(path, "no shard number".into()))?;
        let n = v["shards"]
            .as_u64()
            .ok_or_else(|| bad_file(path, "no shard count".into()))?;
        Ok((info, k, n))
    };
    let (info, _, shards) = read_meta(first)?;
    let mut seen = vec![false; shards as usize];
    let mut tables = Vec::new();
    for path in &parts {
        let (other, k, n) = read_meta(path)?;
        if other != info || n != shards {
            return Err(bad_file(
                path,
                format!(
                    "it belongs to another sweep or sharding than {}",
                    first.display()
                ),
            ));
        }
        if k == 0 || k > n || seen[(k - 1) as usize] {
            return Err(bad_file(
                path,
                format!("shard {k} of {n} appears twice or is out of range"),
            ));
        }
        seen[(k - 1) as usize] = true;
        let csv_path = path.with_extension("csv");
        tables.push(read_samples(&csv_path, &info)?);
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(bad_file(
            first,
            format!("shard {} of {shards} is missing", missing + 1),
        ));
    }
    let width = info.columns.len() + 2 * info.outputs.len();
    let rows: Vec<(u64, &[f64])> = tables
        .iter()
        .flat_map(|t| t.runs.iter().copied().zip(t.rows.chunks(width)))
        .collect();
    let count = rows.len() as u64;
    let table = Table::from_rows(width, rows);
    let complete = count == info.runs
        && table.runs.len() as u64 == info.runs
        && table.runs.iter().enumerate().all(|(i, r)| *r == i as u64);
    if !complete {
        return Err(bad_file(
            first,
            format!("the parts do not hold each of the {} runs once", info.runs),
        ));
    }
    Ok((info, table))
}

/// Write a table in `samples.parquet` form (Snappy-compressed, pure Rust):
/// the same columns as samples.csv, `sample` as INT64, draws and outputs as
/// DOUBLE, `<output>_met` as BOOLEAN. No timestamps, so equal tables give
/// equal files.
pub fn write_parquet(
    w: &mut (dyn Write + Send),
    info: &SweepInfo,
    table: &Table,
) -> std::io::Result<()> {
    use parquet::basic::{Compression, Repetition, Type as Physical};
    use parquet::data_type::{BoolType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;
    use std::sync::Arc;

    let fail = std::io::Error::other;
    let (nc, no) = (info.columns.len(), info.outputs.len());
    let names = header(info);
    let fields = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let physical = match i {
                0 => Physical::INT64,
                i if i <= nc + no => Physical::DOUBLE,
                _ => Physical::BOOLEAN,
            };
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .map(Arc::new)
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(fail)?;
    let schema = Arc::new(
        Type::group_type_builder("samples")
            .with_fields(fields)
            .build()
            .map_err(fail)?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(false)
            .set_created_by(format!("parkflow {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    const GROUP: usize = 1 << 20;
    let mut writer = SerializedFileWriter::new(w, schema, props).map_err(fail)?;
    let n = table.runs.len();
    for start in (0..n).step_by(GROUP).chain((n == 0).then_some(0)) {
        let end = (start + GROUP).min(n);
        let mut group = writer.next_row_group().map_err(fail)?;
        let mut index = 0;
        while let Some(mut column) = group.next_column().map_err(fail)? {
            let cell = |r: usize| table.rows[r * table.width + index - 1];
            match index {
                0 => {
                    let runs: Vec<i64> = table.runs[start..end].iter().map(|r| *r as i64).collect();
                    column.typed::<Int64Type>().write_batch(&runs, None, None)
                }
                i if i <= nc + no => {
                    let values: Vec<f64> = (start..end).map(cell).collect();
                    column
                        .typed::<DoubleType>()
                        .write_batch(&values, None, None)
                }
                _ => {
                    let flags: Vec<bool> = (start..end).map(|r| cell(r) > 0.5).collect();
                    column.typed::<BoolType>().write_batch(&flags, None, None)
                }
            }
            .map_err(fail)?;
            column.close().map_err(fail)?;
            index += 1;
        }
        group.close().map_err(fail)?;
    }
    writer.close().map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::design::Design;

    #[test]
    fn samples_csv_in_parallel_blocks_has_the_bytes_of_one_row_after_another() {
        // More rows than one window of blocks holds, ending in a short block.
        let n = ROWS_PER_TASK * TASKS_AT_ONCE + ROWS_PER_TASK + 17;
        let info = SweepInfo {
            sweep: "blocks".into(),
            design: Design::MonteCarlo,
            seed: 1,
            samples: n as u64,
            runs: n as u64,
            columns: vec!["a".into()],
            outputs: vec!["y".into()],
            thresholds: vec![0.5],
            fingerprint: String::new(),
            params: Vec::new(),
        };
        let table = Table {
            width: 3,
            runs: (0..n as u64).map(|r| r * 3 + 1).collect(),
            rows: (0..n)
                .flat_map(|r| {
                    let y = (r as f64 * 0.37).sin();
                    [r as f64 / 7.0, y, f64::from(u8::from(y > 0.5))]
                })
                .collect(),
        };
        let mut expected = String::from("sample,a,y,y_met\n");
        for r in 0..n {
            let row = &table.rows[r * 3..r * 3 + 3];
            let (mut a, mut y) = (String::new(), String::new());
            push_num(&mut a, row[0]);
            push_num(&mut y, row[1]);
            let met = if row[2] > 0.5 { "true" } else { "false" };
            expected.push_str(&format!("{},{a},{y},{met}\n", table.runs[r]));
        }
        let mut written = Vec::new();
        write_samples(&mut written, &info, &table).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }

    #[test]
    fn chunks_are_copied_under_one_header_and_another_sweeps_chunk_is_refused() {
        let info = SweepInfo {
            sweep: "chunks".into(),
            design: Design::MonteCarlo,
            seed: 1,
            samples: 3,
            runs: 3,
            columns: vec!["a".into()],
            outputs: vec!["y".into()],
            thresholds: vec![0.5],
            fingerprint: String::new(),
            params: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let chunk = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let first = chunk("1.csv", "sample,a,y,y_met\n0,1,0.25,false\n1,2,0.75,true\n");
        let second = chunk("2.csv", "sample,a,y,y_met\n2,3,0.5,true\n");
        let mut written = Vec::new();
        copy_samples(&mut written, &info, &[first.clone(), second]).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            "sample,a,y,y_met\n0,1,0.25,false\n1,2,0.75,true\n2,3,0.5,true\n"
        );
        let other = chunk("3.csv", "sample,b,y,y_met\n2,3,0.5,true\n");
        let e = copy_samples(&mut Vec::new(), &info, &[first, other]).unwrap_err();
        assert!(
            e.to_string()
                .contains("3.csv: its columns are not this sweep's"),
            "{e}"
        );
    }
}
