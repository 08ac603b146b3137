//! `parkflow report DIR [--model FILE] [--sankey-year YEAR] [--font PATH]
//! [--out PATH]`: write `report.html` for a run, sweep or reconciliation
//! directory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::Result;
use crate::report::{self, PlotOptions};

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run's, a sweep's or a reconciliation's results directory.
    pub dir: PathBuf,
    /// The park or scenario file behind a run (default: the directory's
    /// park.json, else the built-in park when the ids agree).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Year of the Sankey diagram (default: the last target year).
    #[arg(long, value_name = "YEAR")]
    pub sankey_year: Option<i32>,
    /// Font for plot text instead of the bundled DejaVu Sans (a CJK font
    /// lets plots use Chinese names).
    #[arg(long, value_name = "PATH")]
    pub font: Option<PathBuf>,
    /// Where to write the report: a file ending in `.html`, or a
    /// directory for `report.html` (default: DIR/report.html).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Write the report.
pub fn report(args: &ReportArgs) -> Result<ExitCode> {
    let park = match &args.model {
        Some(file) => Some(super::load(Some(file))?.park),
        None => None,
    };
    // What the report reads back whole: the result files (CSV and JSON) and
    // the font. A sweep's samples.csv is read row by row, keeping nothing
    // per row, so only its rows are limited (see `SweepResults::read`).
    crate::limits::check_files_in(&args.dir, |name| {
        !name.starts_with('.')
            && name != crate::output::schema::SAMPLES_FILE
            && (name.ends_with(".csv") || name.ends_with(".json"))
    })?;
    if let Some(font) = &args.font {
        crate::limits::check_input_size(font)?;
    }
    let opts = PlotOptions {
        sankey_year: args.sankey_year,
        font: args.font.clone(),
    };
    let path = match &args.out {
        Some(out) if out.extension().is_some_and(|e| e == "html") => out.clone(),
        Some(out) => out.join("report.html"),
        None => args.dir.join("report.html"),
    };
    let path = report::write_report_to(&args.dir, &path, park, &opts)?;
    if !args.quiet {
        println!("report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
