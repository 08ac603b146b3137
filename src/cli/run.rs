//! `parkflow run [FILE] [--out DIR]`: simulate a park, write its result files,
//! print linkage against targets and emissions against caps.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::bands::BandArgs;
use crate::engine::Plan;
use crate::error::Result;
use crate::indicators::{Judgement, Status, margin_percent};
use crate::model::Park;
use crate::output::{self, RunInfo, Simulation};
use crate::report::{self, PlotOptions};

/// Arguments of `run`.
// The field docs are clap's help text, where `<park id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Default, Args)]
pub struct RunArgs {
    /// Park or scenario file (default: the built-in Jilin park).
    pub file: Option<PathBuf>,
    /// Directory for result files (default: results/<park id>[-<scenario id>]).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write results.xlsx: every result file as a sheet, and the names.
    #[arg(long)]
    pub xlsx: bool,
    /// Write no plots (linkage, emissions, sources, Sankey).
    #[arg(long)]
    pub no_plots: bool,
    /// Replace results that another park or scenario file wrote.
    #[arg(long)]
    pub force: bool,
    /// Year of the Sankey diagram (default: the last target year).
    #[arg(long, value_name = "YEAR")]
    pub sankey_year: Option<i32>,
    /// Font for plot text instead of the bundled DejaVu Sans (a CJK font
    /// lets plots use Chinese names).
    #[arg(long, value_name = "PATH")]
    pub font: Option<PathBuf>,
    /// Bands of the park's declared uncertainty.
    #[command(flatten)]
    pub bands: BandArgs,
}

/// Run a park and write its results.
pub fn run(args: &RunArgs) -> Result<ExitCode> {
    if let Some(font) = &args.font {
        crate::limits::check_input_size(font)?;
    }
    let loaded = super::load(args.file.as_deref())?;
    let plan = Plan::compile(&loaded.park);
    let mut sim = output::simulate(&plan)?;
    args.bands.attach(&loaded.park, &plan, &mut sim)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| output::default_dir(&loaded.park, loaded.scenario.as_deref()));
    // What wrote the results: no machine path for the built-in park, so
    // that its committed results stay the same on every machine.
    let source = match &args.file {
        None => "built-in park".to_string(),
        Some(file) => std::fs::canonicalize(file)
            .unwrap_or_else(|_| file.clone())
            .display()
            .to_string(),
    };
    let ids = (loaded.park.id.as_str(), loaded.scenario.as_deref());
    output::check_source(&dir, &source, ids, args.force)?;
    let info = RunInfo {
        park: &loaded.park,
        model_text: &loaded.text,
        scenario: loaded.scenario.as_deref(),
    };
    // Every file is rendered, then written as one batch: a run that cannot
    // write all of its files (read-only directory, full disk) leaves the
    // directory's earlier results as they were.
    let files = output::run_files(&info, &plan, &sim)?;
    let mut batch = output::Batch::new(&dir)?;
    let mut written: Vec<String> = Vec::new();
    let mut add = |batch: &mut output::Batch, name: &str, bytes: &[u8]| {
        written.push(name.to_string());
        batch.add(name, bytes)
    };
    for (name, bytes) in &files {
        add(&mut batch, name, bytes)?;
    }
    if args.xlsx {
        add(
            &mut batch,
            "results.xlsx",
            &output::xlsx_bytes(&loaded.park, &files)?,
        )?;
    }
    // The park as run, so that `parkflow report DIR` can name things.
    add(
        &mut batch,
        report::PARK_FILE,
        &report::park_json(&loaded.park)?,
    )?;
    add(
        &mut batch,
        output::SOURCE_FILE,
        format!("{source}\n").as_bytes(),
    )?;
    if !args.no_plots {
        let opts = PlotOptions {
            sankey_year: args.sankey_year,
            font: args.font.clone(),
        };
        let results = report::RunResults::from_files(&dir, &files)?;
        for (name, bytes) in report::run_plot_files(&results, Some(&loaded.park), &opts)? {
            add(&mut batch, &name, &bytes)?;
        }
    }
    batch.commit()?;
    // What an earlier run wrote here that this one did not is stale.
    output::remove_stale_run_files(&dir, &written)?;
    if !args.quiet {
        if let Some(id) = &loaded.scenario {
            println!("scenario `{id}` of {}", loaded.name);
        }
        print!(
            "{}",
            table(&loaded.park, &plan, &sim, args.bands.confidence())
        );
        if !sim.year_bands.is_empty() {
            println!(
                "Bands: 5–95% of {} draws of the park's declared uncertainty; AT RISK: met at the central values with P(met) below {}",
                args.bands.samples,
                args.bands.confidence()
            );
        }
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The summary table: each year's linkage against its target, each cap;
/// with bands drawn, each target's and cap's 5–95% band and probability
/// of being met, and its status at `confidence`.
pub fn table(park: &Park, plan: &Plan, sim: &Simulation, confidence: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}), {}–{}, judged metric: {}",
        park.name,
        park.id,
        plan.topology.start,
        plan.topology.end,
        plan.params.metric.as_str()
    );
    let _ = writeln!(s, "\nLinkage rate");
    let _ = writeln!(s, "  year   mass   product   enterprise   target   status");
    let j: &Judgement = &sim.judgement;
    for y in &sim.years {
        let (target, status) = match j.targets.iter().find(|t| t.year == y.year) {
            Some(t) => {
                let gap = (t.value - t.target) * 100.0;
                let word = Status::of(t.met, t.band.as_ref(), confidence).word("MISSED");
                let mut status = if t.met {
                    format!("{word} (+{gap:.1} points)")
                } else {
                    format!("{word} by {:.1} points", -gap)
                };
                if let Some(b) = &t.band {
                    let _ = write!(
                        status,
                        "; 5–95%: {:.3}–{:.3}, P(met) {:.2}",
                        b.p05, b.p95, b.p_met
                    );
                }
                (format!("{:.3}", t.target), status)
            }
            None => match &j.baseline {
                Some(b) if b.year == y.year => (format!("{:.3}", b.target), "baseline".to_string()),
                _ => (String::new(), String::new()),
            },
        };
        let line = format!(
            "  {}  {:>5.3}  {:>8.3}  {:>11.3}   {:>6}   {}",
            y.year, y.linkage_mass, y.linkage_product, y.linkage_enterprise, target, status
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    if !j.caps.is_empty() {
        let _ = writeln!(s, "\nEmission caps");
        let _ = writeln!(
            s,
            "  year  scope  pollutant          total          limit         margin   status"
        );
        for c in &j.caps {
            let pct = margin_percent(c.margin, c.limit);
            let word = Status::of(c.met, c.band.as_ref(), confidence).word("EXCEEDED");
            let band = c.band.as_ref().map_or(String::new(), |b| {
                format!("; 5–95%: {:.1}–{:.1}, P(met) {:.2}", b.p05, b.p95, b.p_met)
            });
            let _ = writeln!(
                s,
                "  {}  {:<5}  {:<9}  {:>13.1}  {:>13.1}  {:>13.1}   {word} ({pct:+.1}%){band}",
                c.year, c.scope, c.pollutant, c.value, c.limit, c.margin,
            );
        }
    }
    s
}
