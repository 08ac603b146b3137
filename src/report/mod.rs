//! Pictures and the HTML report.
//!
//! Everything here is drawn from result files read back from a directory
//! (`data`), so `parkflow run` and `parkflow report DIR` draw the same
//! pictures. A run gets:
//!
//! - `linkage.svg|png`: both linkage rates by year, the baseline, the targets
//!   and the gap to each (`plots`);
//! - `emissions.svg|png`: one panel per pollutant, park and background stacked,
//!   the cap drawn and an exceedance marked (`plots`);
//! - `sources.svg|png`: the largest sources of each capped pollutant in its cap
//!   year (`plots`);
//! - `sankey-<year>.svg`: the year's flows in tonnes, processes in one lane per
//!   enterprise, loops routed below the lanes (`sankey`, drawn by hand).
//!
//! `report.html` (`html`) puts findings in plain words, these pictures, tables
//! and the model's sources into one self-contained file. A sweep gets
//! histograms, a fan chart, a tornado and Sobol bars (`sweep_plots`).
//! Plot text uses the bundled font (`font`), so PNGs are legible on machines
//! with no fonts installed.

#[cfg(test)]
mod chinese_tests;
mod data;
mod font;
mod frontier;
mod html;
mod names;
mod plots;
mod reconcile_page;
mod samples;
mod sankey;
mod sankey_labels;
mod sankey_svg;
mod status;
mod sweep_html;
mod sweep_plots;
mod terms;

use std::path::{Path, PathBuf};

pub use crate::output::schema::{
    EmissionRow, ImportRow, LinkRow, PollutantYear, PoolRow, RunSummary, YearRow,
};
pub use data::{PARK_FILE, Results, RunResults, SweepResults, park_for, park_json};
pub use font::{BUNDLED_FONT, FAMILY, register as register_font};
pub use frontier::frontier_svg;
pub use html::{escape, run_report};
pub use names::{MaterialClass, Names};
pub use samples::{HISTOGRAM_BINS, Histogram, Threshold};
pub use sankey::Sankey;
pub use sankey_svg::sankey_svg;
pub use sweep_html::sweep_report;
pub use terms::Term;

use crate::error::{Error, Result};
use crate::model::Park;
use crate::output::{Batch, write_atomic};

/// One picture, as SVG text and (for plots) PNG bytes.
#[derive(Debug, Clone)]
pub struct Picture {
    /// File stem: `linkage`, `emissions`, `sources`, `sankey-2020`, …
    pub name: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG image, if one is drawn.
    pub png: Option<Vec<u8>>,
}

/// How pictures are drawn.
#[derive(Debug, Clone, Default)]
pub struct PlotOptions {
    /// The Sankey diagram's year (default: the last target year).
    pub sankey_year: Option<i32>,
    /// A font file to use instead of the bundled DejaVu Sans. When it covers
    /// Chinese, plots use Chinese names where the model has them.
    pub font: Option<PathBuf>,
}

/// All pictures of a run.
pub fn run_pictures(
    results: &RunResults,
    park: Option<&Park>,
    opts: &PlotOptions,
) -> Result<Vec<Picture>> {
    let chinese = font::register(opts.font.as_deref())?;
    let names = Names::new(park, results, chinese);
    let mut pictures = vec![
        plots::linkage(results, &names)?,
        plots::emissions(results, &names)?,
    ];
    if let Some(p) = plots::sources(results, &names)? {
        pictures.push(p);
    }
    let year = match opts.sankey_year {
        Some(y) => {
            if !results.years.iter().any(|r| r.year == y) {
                return Err(invalid(
                    &results.dir,
                    format!(
                        "--sankey-year {y} is not a simulated year ({}–{})",
                        results.years.first().map_or(0, |r| r.year),
                        results.years.last().map_or(0, |r| r.year)
                    ),
                ));
            }
            Some(y)
        }
        None => results.default_sankey_year(),
    };
    if let Some(year) = year {
        let sankey = Sankey::build(results, &names, year);
        pictures.push(Picture {
            name: format!("sankey-{year}"),
            svg: sankey_svg(&sankey, &names),
            png: None,
        });
    }
    Ok(pictures)
}

/// A run's pictures as files, `(name, bytes)`: `<name>.svg`, and
/// `<name>.png` for plots.
pub fn run_plot_files(
    results: &RunResults,
    park: Option<&Park>,
    opts: &PlotOptions,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for p in run_pictures(results, park, opts)? {
        files.push((format!("{}.svg", p.name), p.svg.into_bytes()));
        if let Some(png) = p.png {
            files.push((format!("{}.png", p.name), png));
        }
    }
    Ok(files)
}

/// Draw a run's pictures into its directory (`<name>.svg`, `<name>.png`),
/// all of them or none. Returns the files written.
pub fn write_run_plots(
    dir: &Path,
    park: Option<&Park>,
    opts: &PlotOptions,
) -> Result<Vec<PathBuf>> {
    let results = RunResults::read(dir)?;
    let mut batch = Batch::new(dir)?;
    let mut written = Vec::new();
    for (name, bytes) in run_plot_files(&results, park, opts)? {
        batch.add(&name, &bytes)?;
        written.push(dir.join(name));
    }
    batch.commit()?;
    Ok(written)
}

/// Write `report.html` for a run or sweep directory. `park` overrides the
/// park found beside the results (`park.json`, or the built-in park).
pub fn write_report(dir: &Path, park: Option<Park>, opts: &PlotOptions) -> Result<PathBuf> {
    write_report_to(dir, &dir.join("report.html"), park, opts)
}

/// Write the report of the results in `dir` to `path` (created with its
/// folders if need be), atomically.
pub fn write_report_to(
    dir: &Path,
    path: &Path,
    park: Option<Park>,
    opts: &PlotOptions,
) -> Result<PathBuf> {
    let html = if reconcile_page::is_reconcile_dir(dir) {
        reconcile_page::reconcile_report(dir)?
    } else {
        match Results::read(dir)? {
            Results::Run(results) => {
                let park = park_for(&results, park)?;
                let pictures = run_pictures(&results, park.as_ref(), opts)?;
                let names = Names::new(park.as_ref(), &results, false);
                run_report(&results, park.as_ref(), &names, &pictures)
            }
            Results::Sweep(results) => {
                let chinese = font::register(opts.font.as_deref())?;
                let pictures = sweep_plots::pictures(&results, chinese)?;
                sweep_report(&results, &pictures)
            }
        }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, html.as_bytes())?;
    Ok(path.to_path_buf())
}

pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message.into()),
    }
}

/// Colours for series and materials (Tableau 10), as RGB.
pub(crate) const PALETTE: [(u8, u8, u8); 10] = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
    (186, 176, 172),
];

/// A number with thousands separators and `decimals` decimals: `130,200.0`.
pub fn group(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{out}{frac}")
}

/// Tonnes in a short form: `2.37 Mt`, `220 kt`, `36 t`.
pub fn tonnes(t: f64) -> String {
    let a = t.abs();
    if a >= 1e6 {
        format!("{:.2} Mt", t / 1e6)
    } else if a >= 1e4 {
        format!("{:.0} kt", t / 1e3)
    } else if a >= 1e3 {
        format!("{:.1} kt", t / 1e3)
    } else if a >= 10.0 {
        format!("{t:.0} t")
    } else {
        format!("{t:.2} t")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(130200.0, 1), "130,200.0");
        assert_eq!(group(-1472.5, 1), "-1,472.5");
        assert_eq!(group(999.0, 0), "999");
        assert_eq!(group(-0.01, 1), "0.0");
    }

    #[test]
    fn tonnes_are_short() {
        assert_eq!(tonnes(2_371_500.0), "2.37 Mt");
        assert_eq!(tonnes(220_000.0), "220 kt");
        assert_eq!(tonnes(36.0), "36 t");
    }
}
