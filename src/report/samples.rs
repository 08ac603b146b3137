//! What a sweep's report draws of `samples.csv`: a histogram per output,
//! made in two passes over the file, row by row.
//!
//! The first pass finds each output's range, and where the runs that met
//! their target or cap part from those that missed (for results whose
//! `summary.json` does not record the threshold); the second counts the
//! runs in each bin. Nothing is held per row, so a report of any number
//! of runs takes the same memory, and the file needs no size limit: only a
//! row longer than the input size limit is refused (a file with no line
//! ends would otherwise be read into one record).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::limits::LineLimit;
use crate::output::schema::{invalid, met_column};

/// Bins of an output's histogram.
pub const HISTOGRAM_BINS: usize = 30;

/// One output's histogram across a sweep's runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Left edge of the first bin and right edge of the last: the finite
    /// values and the threshold line, widened by 8% of the span.
    pub range: (f64, f64),
    /// Runs per bin, of those with a finite value.
    pub counts: [u64; HISTOGRAM_BINS],
    /// The line drawn, if any.
    pub line: Option<Threshold>,
}

/// The target or cap drawn on a histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Where it is.
    pub value: f64,
    /// Whether meeting it means "at least" (a target) rather than "at most" (a cap).
    pub at_least: bool,
    /// Whether the sweep recorded it (`thresholds` in `summary.json`), rather
    /// than the report placing it between the runs that met and those that missed.
    pub recorded: bool,
}

/// What the first pass learns of one output.
struct Range {
    column: usize,
    /// The output's `<name>_met` column, if any.
    met: Option<usize>,
    lo: f64,
    hi: f64,
    met_lo: f64,
    met_hi: f64,
    miss_lo: f64,
    miss_hi: f64,
}

impl Range {
    fn new(column: usize, met: Option<usize>) -> Range {
        Range {
            column,
            met,
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
            met_lo: f64::INFINITY,
            met_hi: f64::NEG_INFINITY,
            miss_lo: f64::INFINITY,
            miss_hi: f64::NEG_INFINITY,
        }
    }

    fn add(&mut self, record: &csv::StringRecord) {
        let v = number(record.get(self.column));
        if !v.is_finite() {
            return;
        }
        self.lo = self.lo.min(v);
        self.hi = self.hi.max(v);
        if let Some(m) = self.met {
            if number(record.get(m)) > 0.5 {
                self.met_lo = self.met_lo.min(v);
                self.met_hi = self.met_hi.max(v);
            } else {
                self.miss_lo = self.miss_lo.min(v);
                self.miss_hi = self.miss_hi.max(v);
            }
        }
    }

    /// Where met and missed runs part, and whether met means "at least":
    /// none when every run met, or none did.
    fn parting(&self) -> Option<Threshold> {
        if !self.met_lo.is_finite() || !self.miss_lo.is_finite() {
            return None;
        }
        let (value, at_least) = if self.met_lo >= self.miss_hi {
            ((self.met_lo + self.miss_hi) / 2.0, true)
        } else {
            ((self.met_hi + self.miss_lo) / 2.0, false)
        };
        Some(Threshold {
            value,
            at_least,
            recorded: false,
        })
    }
}

/// A field as a number: flags as 0 and 1, anything else that is not a
/// number (an empty field) as NaN.
fn number(field: Option<&str>) -> f64 {
    match field {
        Some("true") => 1.0,
        Some("false") => 0.0,
        Some(x) => x.parse::<f64>().unwrap_or(f64::NAN),
        None => f64::NAN,
    }
}

/// The histograms of `outputs` (the names of `summary.json`'s `outputs`)
/// from the sweep's `samples.csv` at `path`, by name, with `thresholds`
/// (`summary.json`'s, by name) drawn where given; and the column names. An
/// output without a column, or without a finite value, has no histogram.
pub(super) fn histograms(
    path: &Path,
    outputs: &[String],
    thresholds: impl Fn(&str) -> Option<f64>,
    row_limit: u64,
) -> Result<(Vec<String>, BTreeMap<String, Histogram>)> {
    let mut reader = open(path, row_limit)?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|c| c == name);
    let mut ranges: Vec<(&String, Range)> = outputs
        .iter()
        .filter_map(|name| {
            let met = column(&met_column(name));
            column(name).map(|c| (name, Range::new(c, met)))
        })
        .collect();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| invalid(path, e.to_string()))?
    {
        for (_, range) in &mut ranges {
            range.add(&record);
        }
    }
    // Only outputs with a finite value get a histogram.
    ranges.retain(|(_, r)| r.lo.is_finite());
    let mut histograms: Vec<(&String, usize, Histogram)> = ranges
        .iter()
        .map(|(name, r)| {
            let line = match thresholds(name) {
                Some(value) => Some(Threshold {
                    value,
                    at_least: name.starts_with("linkage_"),
                    recorded: true,
                }),
                None => r.parting(),
            };
            let (mut a, mut b) = (r.lo, r.hi);
            if let Some(t) = line {
                a = a.min(t.value);
                b = b.max(t.value);
            }
            let pad = ((b - a) * 0.08).max(b.abs() * 1e-6).max(1e-9);
            let histogram = Histogram {
                range: (a - pad, b + pad),
                counts: [0; HISTOGRAM_BINS],
                line,
            };
            (*name, r.column, histogram)
        })
        .collect();
    if !histograms.is_empty() {
        let mut reader = open(path, row_limit)?;
        while reader
            .read_record(&mut record)
            .map_err(|e| invalid(path, e.to_string()))?
        {
            for (_, column, h) in &mut histograms {
                let v = number(record.get(*column));
                if v.is_finite() {
                    let (a, b) = h.range;
                    let width = (b - a) / HISTOGRAM_BINS as f64;
                    let k = (((v - a) / width) as usize).min(HISTOGRAM_BINS - 1);
                    h.counts[k] += 1;
                }
            }
        }
    }
    let histograms = histograms
        .into_iter()
        .map(|(name, _, h)| (name.clone(), h))
        .collect();
    Ok((header, histograms))
}

fn open(path: &Path, row_limit: u64) -> Result<csv::Reader<LineLimit<std::fs::File>>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::Reader::from_reader(LineLimit::new(file, row_limit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samples.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const SAMPLES: &str = "\
run,x,linkage_2017,linkage_2017_met,so2_2017,so2_2017_met,blank,blank_met
0,1,0.5,false,10,true,,true
1,2,0.9,true,30,false,,false
2,3,0.75,true,,true,,true
3,4,0.8,true,21,true,,true
";

    #[test]
    fn each_output_is_binned_between_its_values_and_its_line() {
        let (_dir, path) = samples(SAMPLES);
        let outputs = ["linkage_2017", "so2_2017", "blank", "missing"].map(String::from);
        let recorded = |name: &str| (name == "linkage_2017").then_some(0.7);
        let (columns, h) = histograms(&path, &outputs, recorded, 1000).unwrap();
        assert_eq!(columns.len(), 8);
        assert_eq!(columns[2], "linkage_2017");
        // No finite value, or no column: no histogram.
        assert_eq!(
            h.keys().collect::<Vec<_>>(),
            ["linkage_2017", "so2_2017"],
            "{h:?}"
        );

        // Values 0.5 to 0.9 and the recorded target 0.7: the span 0.4 widened
        // by 0.032 on each side, bins of 0.464 / 30 = 0.015467; 0.5 is
        // 0.032 in (bin 2), 0.75 is 0.282 in (18), 0.8 0.332 (21), 0.9 0.432 (27).
        let l = &h["linkage_2017"];
        assert!((l.range.0 - 0.468).abs() < 1e-12 && (l.range.1 - 0.932).abs() < 1e-12);
        let bins: Vec<(usize, u64)> = (l.counts.iter().enumerate())
            .filter(|(_, c)| **c > 0)
            .map(|(k, c)| (k, *c))
            .collect();
        assert_eq!(bins, [(2, 1), (18, 1), (21, 1), (27, 1)]);
        let line = Threshold {
            value: 0.7,
            at_least: true,
            recorded: true,
        };
        assert_eq!(l.line, Some(line));

        // Nothing recorded: the line parts the runs that met (10 and 21; the
        // run without a value does not count) from the one that missed (30),
        // at (21 + 30) / 2, a cap as the lower values met. The span 10 to 30
        // widened by 1.6: bins of 23.2 / 30; 10 is 1.6 in (bin 2), 21 12.6
        // (16), 30 21.6 (27).
        let s = &h["so2_2017"];
        assert!((s.range.0 - 8.4).abs() < 1e-12 && (s.range.1 - 31.6).abs() < 1e-12);
        assert_eq!((s.counts[2], s.counts[16], s.counts[27]), (1, 1, 1));
        assert_eq!(s.counts.iter().sum::<u64>(), 3);
        let line = Threshold {
            value: 25.5,
            at_least: false,
            recorded: false,
        };
        assert_eq!(s.line, Some(line));
    }

    #[test]
    fn no_line_is_placed_when_every_run_met_or_none_did() {
        let text = "a,a_met,b,b_met\n1,true,1,false\n2,true,2,false\n";
        let (_dir, path) = samples(text);
        let outputs = ["a", "b"].map(String::from);
        let (_, h) = histograms(&path, &outputs, |_| None, 1000).unwrap();
        assert_eq!((h["a"].line, h["b"].line), (None, None));
        assert_eq!(h["a"].counts.iter().sum::<u64>(), 2);
    }

    #[test]
    fn a_broken_row_or_one_over_the_row_limit_is_an_error_naming_the_file() {
        let (_dir, path) = samples("a,b\n1,2\n3\n");
        let e = histograms(&path, &["a".into()], |_| None, 1000).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("samples.csv") && text.contains("line: 3"),
            "{text}"
        );
        let (_dir, path) = samples(SAMPLES);
        let e = histograms(&path, &["x".into()], |_| None, 30).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("samples.csv")
                && text.contains("a row longer than the input size limit of 30 bytes"),
            "{text}"
        );
    }

    #[test]
    fn fields_are_numbers_flags_or_nan() {
        assert_eq!(number(Some("true")), 1.0);
        assert_eq!(number(Some("false")), 0.0);
        assert_eq!(number(Some("2.5e-3")), 2.5e-3);
        assert!(number(Some("")).is_nan());
        assert!(number(Some("n/a")).is_nan());
        assert!(number(None).is_nan());
    }
}
