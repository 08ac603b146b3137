//! `results.xlsx`: the run's CSV files as sheets of one workbook, for people
//! who live in Excel, plus a `names` sheet with the English and Chinese names.

use rust_xlsxwriter::Workbook;

use crate::error::{Error, Result};
use crate::model::Park;

fn fail(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io {
        path: "results.xlsx".into(),
        source: std::io::Error::other(e),
    }
}

/// A workbook with one sheet per CSV in `files` (numbers as numbers, the
/// rest as text) and a `names` sheet.
pub fn xlsx_bytes(park: &Park, files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".csv")) {
        let sheet = book.add_worksheet();
        sheet
            .set_name(name.trim_end_matches(".csv"))
            .map_err(fail)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        for (r, record) in reader.records().enumerate() {
            let record = record.map_err(|e| Error::Io {
                path: name.into(),
                source: std::io::Error::other(e),
            })?;
            for (c, field) in record.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match field.parse::<f64>() {
                    Ok(v) if r > 0 && v.is_finite() => sheet.write_number(r, c, v).map_err(fail)?,
                    _ => sheet.write_string(r, c, field).map_err(fail)?,
                };
            }
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("names").map_err(fail)?;
    for (c, h) in ["kind", "id", "name", "name_zh"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(fail)?;
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
    book.save_to_buffer().map_err(fail)
}
