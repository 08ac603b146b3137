//! `parkflow reconcile FILE [--out DIR] [--json]`: data reconciliation of
//! a reconciliation file (`crate::reconcile`), or of a park's year with
//! `--measurements FILE.csv --year Y`. Prints the table of quantities and
//! the global test (or the JSON), and writes `reconciled.csv` and
//! `reconcile.json` (and for a park `scenario.ron`) together, atomically.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::model;
use crate::output;
use crate::reconcile::park::{ParkSystem, park_system};
use crate::reconcile::park_scenario::{run_values, scenario_text};
use crate::reconcile::solve::{ALPHA, Z_CRITICAL};
use crate::reconcile::{self, Kind, Reconciled, Status, files, measurements};
use crate::scenario::{self, Scenario};

/// The file a park's reconciliation writes its scenario to.
pub const SCENARIO_FILE: &str = "scenario.ron";

/// A run of the reconciled scenario reproduces an estimate when it is
/// within this share of it (or of its sd, when that is larger).
pub const REPRODUCED: f64 = 0.01;

/// Arguments of `reconcile`.
// The field docs are clap's help text, where `<id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Reconciliation file (`Reconcile(...)`), or a park file with
    /// --measurements and --year.
    pub file: PathBuf,
    /// Measured values of a park's year: a CSV file `item,value,sd`.
    #[arg(long, value_name = "FILE.csv", requires = "year")]
    pub measurements: Option<PathBuf>,
    /// The simulated year the measurements are of.
    #[arg(long, value_name = "Y", requires = "measurements")]
    pub year: Option<i32>,
    /// Directory for the result files (default: results/<id>-reconcile,
    /// for a park results/<park id>-reconcile-<year>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print reconcile.json instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Reconcile the file, print and write the results.
pub fn reconcile(args: &ReconcileArgs) -> Result<ExitCode> {
    let name = args.file.display().to_string();
    let top = model::top_level_name(&model::read_text(&args.file)?).map(str::to_string);
    match (top.as_deref(), &args.measurements, args.year) {
        (Some("Park"), Some(csv), Some(year)) => return reconcile_park(args, csv, year),
        (Some("Park"), ..) => {
            return Err(invalid(
                &name,
                "a park is reconciled with its measurements of one year: \
                 add --measurements FILE.csv --year Y",
            ));
        }
        (_, Some(_), _) => {
            return Err(invalid(
                &name,
                "--measurements reconciles a park file (`Park(...)`); \
                 a reconciliation file holds its measurements itself",
            ));
        }
        _ => {}
    }
    let system = reconcile::load(&args.file)?;
    let result = reconcile::reconcile(&system)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-reconcile", system.id)));
    let json = files::json_text(&result);
    let mut batch = output::Batch::new(&dir)?;
    batch.add(files::CSV, files::csv(&result).as_bytes())?;
    batch.add(files::JSON, json.as_bytes())?;
    batch.commit()?;
    if args.json {
        print!("{json}");
    } else {
        print!(
            "{}",
            table(
                &result,
                &args.file.display().to_string(),
                system.equations.len()
            )
        );
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn invalid(file: &str, problem: &str) -> Error {
    Error::Invalid {
        file: file.to_string(),
        problems: vec![problem.to_string()],
    }
}

/// Reconcile a park's `year` with the measurements in `csv`, write the
/// result files and the reconciled scenario, and say how closely a run of
/// that scenario reproduces the estimates.
fn reconcile_park(args: &ReconcileArgs, csv: &std::path::Path, year: i32) -> Result<ExitCode> {
    let loaded = super::load(Some(&args.file))?;
    let park = &loaded.park;
    if !(park.time.start..=park.time.end).contains(&year) {
        return Err(invalid(
            &loaded.name,
            &format!(
                "--year {year} is not simulated: the park runs {}–{}",
                park.time.start, park.time.end
            ),
        ));
    }
    let plan = Plan::compile(park);
    let mut ps = park_system(park, &plan, year);
    let readings = measurements::load(csv, &ps.system)?;
    measurements::apply(&mut ps.system, &readings);
    let result = reconcile::reconcile(&ps.system)?;

    let park_path = std::fs::canonicalize(&args.file)
        .unwrap_or_else(|_| args.file.clone())
        .display()
        .to_string();
    let scenario = scenario_text(&ps, &plan, &result, &park_path, &csv.display().to_string());
    let reproduced = rerun(&ps, park, &scenario, &result)?;

    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-reconcile-{year}", park.id)));
    let json = files::json_text(&result);
    let mut batch = output::Batch::new(&dir)?;
    batch.add(files::CSV, files::csv(&result).as_bytes())?;
    batch.add(files::JSON, json.as_bytes())?;
    batch.add(SCENARIO_FILE, scenario.as_bytes())?;
    batch.commit()?;
    if args.json {
        print!("{json}");
        return Ok(ExitCode::SUCCESS);
    }
    let shown = |o: &reconcile::Outcome| matches!(o.status, Status::Measured | Status::Determined);
    print!(
        "{}",
        table_of(&result, &loaded.name, ps.system.equations.len(), &shown)
    );
    let unobservable = (result.outcomes.iter())
        .filter(|o| o.status == Status::Unobservable)
        .count();
    let constants = (result.outcomes.iter())
        .filter(|o| o.status == Status::Constant)
        .count();
    println!(
        "Not shown: {constants} constants (coefficients without a declared uncertainty) and \
         {unobservable} quantities the measurements do not determine (all in {})",
        files::CSV
    );
    print!("{}", reproduced.summary());
    println!("results written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// How a run of the reconciled scenario compares with the estimates.
struct Reproduced {
    /// Estimated flows and stocks compared.
    compared: usize,
    /// Those off by more than [`REPRODUCED`]: id, estimate, run.
    off: Vec<(String, f64, f64)>,
}

impl Reproduced {
    fn summary(&self) -> String {
        let mut s = format!(
            "A run of {SCENARIO_FILE} reproduces {} of the {} estimated flows within {}%",
            self.compared - self.off.len(),
            self.compared,
            REPRODUCED * 100.0
        );
        if self.off.is_empty() {
            s.push('\n');
            return s;
        }
        s.push_str("; the model's allocation gives otherwise for:\n");
        for (id, estimate, run) in self.off.iter().take(10) {
            let _ = writeln!(s, "  {id}: reconciled {estimate:.4}, run {run:.4}");
        }
        if self.off.len() > 10 {
            let _ = writeln!(s, "  and {} more (see {})", self.off.len() - 10, files::CSV);
        }
        s
    }
}

/// Run the park with the reconciled scenario and compare the year's flows
/// and stocks with the estimates.
fn rerun(
    ps: &ParkSystem,
    park: &model::Park,
    scenario_text: &str,
    result: &Reconciled,
) -> Result<Reproduced> {
    let scenario: Scenario = model::parse_ron(scenario_text, SCENARIO_FILE)?;
    let mut changed = park.clone();
    scenario::apply_scenario(&mut changed, &scenario, SCENARIO_FILE)?;
    let plan = Plan::compile(&changed);
    let sim = output::simulate(&plan)?;
    let run = run_values(ps, &plan, &sim);
    let mut compared = 0;
    let mut off = Vec::new();
    for (q, o) in result.outcomes.iter().enumerate() {
        let (Some(x), Kind::Flow | Kind::Stock) = (o.reconciled, o.kind) else {
            continue;
        };
        compared += 1;
        let scale = x.abs().max(o.reconciled_sd.unwrap_or(0.0)).max(1e-9);
        if (run[q] - x).abs() > REPRODUCED * scale {
            off.push((o.id.clone(), x, run[q]));
        }
    }
    Ok(Reproduced { compared, off })
}

fn cell(v: Option<f64>, width: usize, decimals: usize) -> String {
    v.map_or_else(
        || format!("{:>width$}", "-"),
        |x| format!("{x:>width$.decimals$}"),
    )
}

/// The table: one row per quantity, then the global test and the flagged
/// readings.
pub fn table(r: &Reconciled, file: &str, equations: usize) -> String {
    table_of(r, file, equations, &|_| true)
}

/// The table with the rows `shown` selects.
fn table_of(
    r: &Reconciled,
    file: &str,
    equations: usize,
    shown: &dyn Fn(&reconcile::Outcome) -> bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Reconciliation `{}` ({file}): {} quantities, {equations} equations, {} linearisation{}",
        r.id,
        r.outcomes.len(),
        r.iterations,
        if r.iterations == 1 { "" } else { "s" }
    );
    let w = r
        .outcomes
        .iter()
        .filter(|o| shown(o))
        .map(|o| o.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        s,
        "  {:<w$}  {:<9}  {:>12}  {:>10}  {:>12}  {:>13}  {:<12}  {:>8}",
        "id", "kind", "measured", "sd", "reconciled", "reconciled sd", "status", "z"
    );
    for o in r.outcomes.iter().filter(|o| shown(o)) {
        let z = o.z.map_or_else(
            || format!("{:>8}", "-"),
            |z| format!("{z:>8.2}{}", if o.flagged() { " !" } else { "" }),
        );
        let _ = writeln!(
            s,
            "  {:<w$}  {:<9}  {}  {}  {}  {}  {:<12}  {z}",
            o.id,
            o.kind.as_str(),
            cell(o.measured, 12, 4),
            cell(o.sd, 10, 4),
            cell(o.reconciled, 12, 4),
            cell(o.reconciled_sd, 13, 4),
            o.status.as_str(),
        );
    }
    match r.p_value {
        Some(p) => {
            let _ = writeln!(
                s,
                "Global test: chi2 = {:.4} on {} degree{} of freedom, p = {p:.4}: {} at {}%",
                r.chi2,
                r.dof,
                if r.dof == 1 { "" } else { "s" },
                r.verdict(),
                ALPHA * 100.0
            );
        }
        None => {
            let _ = writeln!(
                s,
                "Global test: none; no equation checks one reading against another (0 degrees of freedom)"
            );
        }
    }
    let flagged = r.flagged();
    if flagged.is_empty() {
        let _ = writeln!(s, "Flagged (|z| > {Z_CRITICAL}): none");
    } else {
        let names: Vec<String> = flagged
            .iter()
            .map(|o| format!("{} (z = {:.2})", o.id, o.z.unwrap_or(0.0)))
            .collect();
        let _ = writeln!(
            s,
            "Flagged (|z| > {Z_CRITICAL}), largest first: {}",
            names.join(", ")
        );
    }
    s
}
