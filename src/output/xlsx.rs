//! `results.xlsx`: a workbook to send upward. A `summary` sheet first (each
//! target and cap with its value and status), then the run's CSV files as
//! sheets (numbers as numbers at full precision, shown with their units;
//! booleans as booleans; headers frozen; columns fitted), and a `names`
//! sheet with the English and Chinese names.

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use super::schema::{RunSummary, SUMMARY_FILE};
use crate::error::{Error, Result};
use crate::model::Park;

fn fail(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io {
        path: "results.xlsx".into(),
        source: std::io::Error::other(e),
    }
}

/// How a number in column `header` is shown: a year or step as it is, a
/// rate with three decimals, a
/// pollutant amount in its unit, anything else with thousands separators.
/// The cell keeps the full value.
fn number_format(header: &str, park: &Park) -> Format {
    let unit = |k: &str| {
        (park.pollutants.iter().find(|p| p.id == k)).map_or("t".to_string(), |p| p.unit.clone())
    };
    let pollutant = ["_park", "_total", "_limit"]
        .iter()
        .find_map(|suffix| header.strip_suffix(suffix));
    let format = if header == "year" || header == "step" {
        "0".to_string()
    } else if header.starts_with("linkage") || header == "share" {
        "0.000".to_string()
    } else if let Some(k) = pollutant {
        format!("#,##0.0\" {}\"", unit(k))
    } else if header == "amount" || header.ends_with("_t") {
        "#,##0.0\" t\"".to_string()
    } else {
        "#,##0.0##".to_string()
    };
    Format::new().set_num_format(format)
}

/// Headers bold, frozen, and columns fitted to what they hold.
fn finish_sheet(sheet: &mut Worksheet) -> Result<()> {
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofit();
    Ok(())
}

/// The `summary` sheet: each target and cap, its value and its status.
fn summary_sheet(book: &mut Workbook, summary: &RunSummary) -> Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name("summary").map_err(fail)?;
    let bold = Format::new().set_bold();
    let header = [
        "what",
        "year",
        "scope",
        "pollutant",
        "limit or target",
        "value",
        "status",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(fail)?;
    }
    let rate = Format::new().set_num_format("0.000");
    let tonnes = Format::new().set_num_format("#,##0.0");
    let mut r = 1;
    for t in &summary.targets {
        sheet
            .write_string(r, 0, format!("linkage target ({})", summary.metric))
            .map_err(fail)?;
        sheet.write_number(r, 1, t.year).map_err(fail)?;
        sheet
            .write_number_with_format(r, 4, t.target, &rate)
            .map_err(fail)?;
        sheet
            .write_number_with_format(r, 5, t.value, &rate)
            .map_err(fail)?;
        sheet
            .write_string(r, 6, if t.met { "MET" } else { "MISSED" })
            .map_err(fail)?;
        r += 1;
    }
    for c in &summary.caps {
        sheet.write_string(r, 0, "emission cap").map_err(fail)?;
        sheet.write_number(r, 1, c.year).map_err(fail)?;
        sheet.write_string(r, 2, c.scope.as_str()).map_err(fail)?;
        sheet
            .write_string(r, 3, c.pollutant.as_str())
            .map_err(fail)?;
        sheet
            .write_number_with_format(r, 4, c.limit, &tonnes)
            .map_err(fail)?;
        sheet
            .write_number_with_format(r, 5, c.value, &tonnes)
            .map_err(fail)?;
        sheet
            .write_string(r, 6, if c.met { "MET" } else { "EXCEEDED" })
            .map_err(fail)?;
        r += 1;
    }
    finish_sheet(sheet)
}

/// A workbook with a `summary` sheet, one sheet per CSV in `files` and a
/// `names` sheet.
pub fn xlsx_bytes(park: &Park, files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    if let Some((_, bytes)) = files.iter().find(|(n, _)| *n == SUMMARY_FILE) {
        let summary: RunSummary = serde_json::from_slice(bytes).map_err(|e| Error::Io {
            path: SUMMARY_FILE.into(),
            source: std::io::Error::other(e),
        })?;
        summary_sheet(&mut book, &summary)?;
    }
    let bold = Format::new().set_bold();
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".csv")) {
        let sheet = book.add_worksheet();
        sheet
            .set_name(name.trim_end_matches(".csv"))
            .map_err(fail)?;
        let mut formats: Vec<Format> = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        for (r, record) in reader.records().enumerate() {
            let record = record.map_err(|e| Error::Io {
                path: name.into(),
                source: std::io::Error::other(e),
            })?;
            if r == 0 {
                formats = record.iter().map(|h| number_format(h, park)).collect();
            }
            for (c, field) in record.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if r == 0 {
                    sheet
                        .write_string_with_format(r, c, field, &bold)
                        .map_err(fail)?;
                    continue;
                }
                match (field, field.parse::<f64>()) {
                    ("true" | "false", _) => {
                        sheet.write_boolean(r, c, field == "true").map_err(fail)?
                    }
                    (_, Ok(v)) if v.is_finite() => sheet
                        .write_number_with_format(r, c, v, &formats[c as usize])
                        .map_err(fail)?,
                    _ => sheet.write_string(r, c, field).map_err(fail)?,
                };
            }
        }
        finish_sheet(sheet)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("names").map_err(fail)?;
    for (c, h) in ["kind", "id", "name", "name_zh"].iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(fail)?;
    }
    let rows = park
        .enterprises
        .iter()
        .map(|e| ("enterprise", &e.id, &e.name, &e.name_zh))
        .chain(
            park.processes
                .iter()
                .map(|p| ("process", &p.id, &p.name, &p.name_zh)),
        )
        .chain(
            park.materials
                .iter()
                .map(|m| ("material", &m.id, &m.name, &m.name_zh)),
        );
    for (r, (kind, id, name, zh)) in rows.enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, kind).map_err(fail)?;
        sheet.write_string(r, 1, id.as_str()).map_err(fail)?;
        sheet.write_string(r, 2, name.as_str()).map_err(fail)?;
        sheet
            .write_string(r, 3, zh.as_deref().unwrap_or(""))
            .map_err(fail)?;
    }
    finish_sheet(sheet)?;
    book.save_to_buffer().map_err(fail)
}
