//! The result files' schema (docs/MODEL.md, "Result files"): a serde row type per CSV file of a
//! run, the structures of a run's `summary.json`, and the columns of a
//! sweep's `samples.csv`. The writers serialise these types and every
//! reader (the report, `diff`, `merge`, a sweep resuming from its chunks)
//! deserialises them, so a file's columns are named here and nowhere else.
//!
//! Numbers are written as [`super::num`] writes them (shortest round-trip
//! form, no `-0`), not as the csv crate would, so that the files stay byte
//! for byte what they were; an absent number (no limit, no capacity) is an
//! empty field.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::indicators::{CapResult, PermitResult, TargetResult};

/// A run's yearly indicators, one row a year ([`YearRow`]).
pub const YEARS_FILE: &str = "years.csv";
/// Each process's activity in each step ([`ProcessRow`]).
pub const PROCESSES_FILE: &str = "processes.csv";
/// Each active link's flow in each step ([`LinkRow`]).
pub const LINKS_FILE: &str = "links.csv";
/// What became of each byproduct pool in each step ([`PoolRow`]).
pub const MATERIALS_FILE: &str = "materials.csv";
/// Each input slot's imports in each step ([`ImportRow`]).
pub const IMPORTS_FILE: &str = "imports.csv";
/// Emissions by source and year ([`EmissionRow`]).
pub const EMISSIONS_FILE: &str = "emissions.csv";
/// Each process's unmodelled streams by year ([`UnmodelledRow`]).
pub const UNMODELLED_FILE: &str = "unmodelled.csv";
/// A run's or a sweep's summary ([`RunSummary`] for a run).
pub const SUMMARY_FILE: &str = "summary.json";
/// A sweep's runs, one row each ([`samples_header`]).
pub const SAMPLES_FILE: &str = "samples.csv";

/// A number as result files show it (see [`super::num`]).
fn number<S: Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&super::num(*v))
}

/// A number, or an empty field for none.
fn optional_number<S: Serializer>(v: &Option<f64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(v) => number(v, s),
        None => s.serialize_str(""),
    }
}

/// One row of `processes.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessRow {
    /// Calendar year.
    pub year: i32,
    /// Step within the year, 0-based.
    pub step: u32,
    /// Process id.
    pub process: String,
    /// Its enterprise's id.
    pub enterprise: String,
    /// Activity in the step.
    #[serde(serialize_with = "number")]
    pub activity: f64,
    /// Nameplate capacity in the step; none when unbounded.
    #[serde(serialize_with = "optional_number")]
    pub capacity: Option<f64>,
}

/// One row of `links.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRow {
    /// Calendar year.
    pub year: i32,
    /// Step within the year, 0-based.
    pub step: u32,
    /// Link id.
    pub link: String,
    /// Source process.
    pub from: String,
    /// Sink process.
    pub to: String,
    /// Material carried.
    pub material: String,
    /// Amount carried in the step, in the material's unit.
    #[serde(serialize_with = "number")]
    pub flow: f64,
    /// Whether the two processes belong to different enterprises.
    pub inter_enterprise: bool,
}

/// One row of `materials.csv`: what became of one pool in one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRow {
    /// Calendar year.
    pub year: i32,
    /// Step within the year, 0-based.
    pub step: u32,
    /// Process making the material.
    pub process: String,
    /// Material.
    pub material: String,
    /// Generated in the step.
    #[serde(serialize_with = "number")]
    pub generated: f64,
    /// Carried by links to other enterprises.
    #[serde(serialize_with = "number")]
    pub linked_inter: f64,
    /// Carried by links within the enterprise.
    #[serde(serialize_with = "number")]
    pub linked_intra: f64,
    /// Net change of the storage level (negative: drawn down).
    #[serde(serialize_with = "number")]
    pub stored: f64,
    /// Sold outside the park.
    #[serde(serialize_with = "number")]
    pub sold: f64,
    /// Disposed of.
    #[serde(serialize_with = "number")]
    pub disposed: f64,
}

/// One row of `imports.csv`: one input slot in one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Calendar year.
    pub year: i32,
    /// Step within the year, 0-based.
    pub step: u32,
    /// Process importing.
    pub process: String,
    /// Material imported.
    pub material: String,
    /// What the process asked for.
    #[serde(serialize_with = "number")]
    pub requested: f64,
    /// What links delivered.
    #[serde(serialize_with = "number")]
    pub delivered: f64,
    /// What was imported from outside the park.
    #[serde(serialize_with = "number")]
    pub imported: f64,
}

/// One row of `unmodelled.csv`: one unmodelled stream of one process in
/// one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmodelledRow {
    /// Calendar year.
    pub year: i32,
    /// Process declaring the stream.
    pub process: String,
    /// The stream's name.
    pub stream: String,
    /// `in` (an unmodelled input) or `out` (an unmodelled output).
    pub side: String,
    /// Tonnes in the year: tonnes per unit × the process's activity.
    #[serde(serialize_with = "number")]
    pub tonnes: f64,
}

/// One row of `emissions.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(serialize_with = "number")]
    pub amount: f64,
}

/// One row of `years.csv`. Its columns depend on the park's pollutants:
/// `year`, `linkage_mass`, `linkage_product`, `linkage_enterprise`, then for each pollutant
/// `<id>_park`, `<id>_total` and `<id>_limit` ([`YearRow::header`]), so it
/// is written and read here rather than by serde. A run that drew the
/// park's uncertainty adds `linkage_p05`, `linkage_p95` (of the judged
/// metric) after the linkage rates and `<id>_total_p05`, `<id>_total_p95`
/// after each pollutant's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    /// Calendar year.
    pub year: i32,
    /// Byproduct tonnes linked between enterprises ÷ generated.
    pub linkage_mass: f64,
    /// Product and byproduct tonnes linked between enterprises ÷ made.
    pub linkage_product: f64,
    /// Share of enterprises linked.
    pub linkage_enterprise: f64,
    /// 5th and 95th percentiles of the judged metric, when drawn.
    pub linkage_band: Option<(f64, f64)>,
    /// Per pollutant (in the header's order): park, total, limit.
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
    /// 5th and 95th percentiles of the total, when drawn.
    pub total_band: Option<(f64, f64)>,
}

impl PollutantYear {
    /// Background emissions (outside the park).
    pub fn background(&self) -> f64 {
        (self.total - self.park).max(0.0)
    }
}

/// The columns of `years.csv` before the pollutants'.
const YEAR_COLUMNS: [&str; 4] = [
    "year",
    "linkage_mass",
    "linkage_product",
    "linkage_enterprise",
];
/// Each pollutant's columns in `years.csv`, as `<id>_<suffix>`.
const POLLUTANT_COLUMNS: [&str; 3] = ["park", "total", "limit"];
/// The band columns of the judged linkage metric, when drawn.
const LINKAGE_BAND: [&str; 2] = ["linkage_p05", "linkage_p95"];
/// Each pollutant's band columns, as `<id>_<suffix>`, when drawn.
const TOTAL_BAND: [&str; 2] = ["total_p05", "total_p95"];

impl YearRow {
    /// The header of `years.csv` for `pollutants`, in order, with the band
    /// columns when `banded`.
    pub fn header(pollutants: &[String], banded: bool) -> Vec<String> {
        let mut header: Vec<String> = YEAR_COLUMNS.iter().map(|c| c.to_string()).collect();
        if banded {
            header.extend(LINKAGE_BAND.iter().map(|c| c.to_string()));
        }
        for k in pollutants {
            header.extend(POLLUTANT_COLUMNS.iter().map(|c| format!("{k}_{c}")));
            if banded {
                header.extend(TOTAL_BAND.iter().map(|c| format!("{k}_{c}")));
            }
        }
        header
    }

    /// The columns after `year`, named as in [`YearRow::header`], with
    /// their values (none for an empty field), in the header's order.
    pub fn columns(&self, pollutants: &[String]) -> Vec<(String, Option<f64>)> {
        let mut columns = vec![
            (YEAR_COLUMNS[1].to_string(), Some(self.linkage_mass)),
            (YEAR_COLUMNS[2].to_string(), Some(self.linkage_product)),
            (YEAR_COLUMNS[3].to_string(), Some(self.linkage_enterprise)),
        ];
        if let Some((lo, hi)) = self.linkage_band {
            columns.push((LINKAGE_BAND[0].to_string(), Some(lo)));
            columns.push((LINKAGE_BAND[1].to_string(), Some(hi)));
        }
        for (k, e) in pollutants.iter().zip(&self.emissions) {
            let values = [Some(e.park), Some(e.total), e.limit];
            for (c, v) in POLLUTANT_COLUMNS.iter().zip(values) {
                columns.push((format!("{k}_{c}"), v));
            }
            if let Some((lo, hi)) = e.total_band {
                columns.push((format!("{k}_{}", TOTAL_BAND[0]), Some(lo)));
                columns.push((format!("{k}_{}", TOTAL_BAND[1]), Some(hi)));
            }
        }
        columns
    }

    /// The row's fields, in the order of [`YearRow::header`].
    fn fields(&self) -> Vec<String> {
        let mut fields = vec![
            self.year.to_string(),
            super::num(self.linkage_mass),
            super::num(self.linkage_product),
            super::num(self.linkage_enterprise),
        ];
        if let Some((lo, hi)) = self.linkage_band {
            fields.extend([super::num(lo), super::num(hi)]);
        }
        for e in &self.emissions {
            fields.extend([
                super::num(e.park),
                super::num(e.total),
                e.limit.map_or(String::new(), super::num),
            ]);
            if let Some((lo, hi)) = e.total_band {
                fields.extend([super::num(lo), super::num(hi)]);
            }
        }
        fields
    }

    /// `years.csv` for `pollutants` with `rows` (banded or not, all alike).
    pub fn csv(pollutants: &[String], rows: &[YearRow]) -> Result<Vec<u8>> {
        let banded = rows.first().is_some_and(|r| r.linkage_band.is_some());
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(YearRow::header(pollutants, banded))
            .map_err(csv_error)?;
        for row in rows {
            w.write_record(row.fields()).map_err(csv_error)?;
        }
        w.into_inner().map_err(|e| csv_error(e.into_error().into()))
    }

    /// Read `years.csv` from `text`, the content of `path` (named in
    /// errors): the pollutants, in column order, and the rows.
    pub fn parse(path: &Path, text: &str) -> Result<(Vec<String>, Vec<YearRow>)> {
        let bad = |e: csv::Error| invalid(path, e.to_string());
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().map_err(bad)?.clone();
        let suffix = |c: &str| format!("_{c}");
        let pollutants: Vec<String> = (header.iter())
            .filter_map(|h| h.strip_suffix(&suffix(POLLUTANT_COLUMNS[0])))
            .map(str::to_string)
            .collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| invalid(path, format!("no column `{name}`")))
        };
        let leading = [
            column(YEAR_COLUMNS[0])?,
            column(YEAR_COLUMNS[1])?,
            column(YEAR_COLUMNS[2])?,
            column(YEAR_COLUMNS[3])?,
        ];
        let optional = |name: &str| header.iter().position(|h| h == name);
        let linkage_band = optional(LINKAGE_BAND[0]).zip(optional(LINKAGE_BAND[1]));
        let mut per_pollutant = Vec::with_capacity(pollutants.len());
        for k in &pollutants {
            let c = |i: usize| column(&format!("{k}_{}", POLLUTANT_COLUMNS[i]));
            let band = |i: usize| optional(&format!("{k}_{}", TOTAL_BAND[i]));
            per_pollutant.push(([c(0)?, c(1)?, c(2)?], band(0).zip(band(1))));
        }
        let mut rows = Vec::new();
        for (r, record) in reader.records().enumerate() {
            let record = record.map_err(bad)?;
            let field = |c: usize| record.get(c).unwrap_or("");
            let num = |c: usize| {
                field(c).parse::<f64>().map_err(|_| {
                    let (s, name) = (field(c), &header[c]);
                    invalid(
                        path,
                        format!("row {}, column `{name}`: `{s}` is not a number", r + 2),
                    )
                })
            };
            let year = field(leading[0]).parse::<i32>().map_err(|_| {
                let s = field(leading[0]);
                invalid(path, format!("row {}: `{s}` is not a year", r + 2))
            })?;
            let mut emissions = Vec::with_capacity(per_pollutant.len());
            let band = |b: Option<(usize, usize)>| -> Result<Option<(f64, f64)>> {
                b.map(|(lo, hi)| Ok((num(lo)?, num(hi)?))).transpose()
            };
            for &([park, total, limit], total_band) in &per_pollutant {
                emissions.push(PollutantYear {
                    total_band: band(total_band)?,
                    park: num(park)?,
                    total: num(total)?,
                    limit: if field(limit).is_empty() {
                        None
                    } else {
                        Some(num(limit)?)
                    },
                });
            }
            rows.push(YearRow {
                year,
                linkage_mass: num(leading[1])?,
                linkage_product: num(leading[2])?,
                linkage_enterprise: num(leading[3])?,
                linkage_band: band(linkage_band)?,
                emissions,
            });
        }
        Ok((pollutants, rows))
    }
}

/// One pollutant's emissions in a year of `summary.json`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SummaryEmissions {
    /// Emitted outside the park.
    pub background: f64,
    /// Emitted by the park.
    pub park: f64,
    /// Park + background.
    pub total: f64,
}

/// One year of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryYear {
    /// Calendar year.
    pub year: i32,
    /// Byproduct tonnes linked between enterprises ÷ generated.
    pub linkage_mass: f64,
    /// Product and byproduct tonnes linked between enterprises ÷ made.
    pub linkage_product: f64,
    /// Share of enterprises linked.
    pub linkage_enterprise: f64,
    /// Per pollutant id, in id order.
    pub emissions: BTreeMap<String, SummaryEmissions>,
}

/// A run's `summary.json`. The fields a report can do without default
/// when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Park id.
    pub park: String,
    /// Scenario id, if any.
    pub scenario: Option<String>,
    /// The version of parkflow that wrote the file.
    #[serde(default)]
    pub parkflow_version: String,
    /// SHA-256 of the model text.
    #[serde(default)]
    pub model_sha256: String,
    /// `mass` or `enterprise`.
    pub metric: String,
    /// Each simulated year.
    #[serde(default)]
    pub years: Vec<SummaryYear>,
    /// The baseline, if the park gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<TargetResult>,
    /// Targets judged.
    #[serde(default)]
    pub targets: Vec<TargetResult>,
    /// Caps judged.
    #[serde(default)]
    pub caps: Vec<CapResult>,
    /// Permits judged, per simulated year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permits: Vec<PermitResult>,
}

impl RunSummary {
    /// The file's bytes: pretty JSON and a line end.
    pub fn json(&self) -> Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Io {
            path: SUMMARY_FILE.into(),
            source: std::io::Error::other(e),
        })?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Read `summary.json` from `text`, the content of `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<RunSummary> {
        serde_json::from_str(text).map_err(|e| invalid(path, e.to_string()))
    }
}

/// The column of `samples.csv` numbering the runs.
pub const SAMPLE_COLUMN: &str = "sample";

/// The header of a sweep's `samples.csv`: `sample`, each draw column, each
/// output, then each output's met flag ([`met_column`]).
pub fn samples_header(columns: &[String], outputs: &[String]) -> Vec<String> {
    let mut header = vec![SAMPLE_COLUMN.to_string()];
    header.extend(columns.iter().cloned());
    header.extend(outputs.iter().cloned());
    header.extend(outputs.iter().map(|n| met_column(n)));
    header
}

/// The column of `samples.csv` saying whether `output` met its target or
/// cap, `true` or `false`.
pub fn met_column(output: &str) -> String {
    format!("{output}_met")
}

/// `bytes` with a header of `T`'s columns and a row for each of `rows`.
pub fn csv_bytes<T: Serialize + DeserializeOwned>(
    rows: impl IntoIterator<Item = T>,
) -> Result<Vec<u8>> {
    // The header is written from the type, not from the first row, so a
    // file with no rows still has one.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(columns::<T>()).map_err(csv_error)?;
    for row in rows {
        w.serialize(row).map_err(csv_error)?;
    }
    w.into_inner().map_err(|e| csv_error(e.into_error().into()))
}

/// The rows of a CSV file of `T`s from `text`, the content of `path`
/// (named in errors). Columns are found by name, in any order; others are
/// ignored.
pub fn parse_rows<T: DeserializeOwned>(path: &Path, text: &str) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .map_err(|e| invalid(path, e.to_string()))
}

/// An error saying the file at `path` is not what it should be.
pub fn invalid(path: &Path, message: impl Into<String>) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message.into()),
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Io {
        path: "<csv>".into(),
        source: std::io::Error::other(e),
    }
}

/// The columns of row type `T`: the names of its fields, as its derived
/// `Deserialize` declares them, so they are written in the type alone.
pub fn columns<T: DeserializeOwned>() -> &'static [&'static str] {
    /// A deserializer that only learns the fields of the struct asked for.
    struct Fields(&'static [&'static str]);

    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(
            self,
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("a row type is a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(serde::de::Error::custom("only the fields are wanted"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields = Fields(&[]);
    let _ = T::deserialize(&mut fields);
    fields.0
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
