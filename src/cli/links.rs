//! `parkflow links [FILE] [--out DIR]`: rank candidate links.
//!
//! Evaluates each candidate alone and builds the greedy portfolio
//! (`crate::candidates`), prints the tables (what each candidate changes,
//! the portfolio, the cheapest or largest-NPV sets) and writes
//! `candidates.csv`, `portfolio.csv` and `frontier.svg`, all atomically.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::candidates::{self, Objective, Ranking, Stop};
use crate::error::{Error, Result};
use crate::model::Park;
use crate::output::{self, num};

/// Arguments of `links`.
// The field docs are clap's help text, where `<park id>` is a placeholder, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Default, Args)]
pub struct LinksArgs {
    /// Park or scenario file (default: the built-in Jilin park).
    pub file: Option<PathBuf>,
    /// Directory for candidates.csv and portfolio.csv
    /// (default: results/<park id>[-<scenario id>]-links).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No tables; only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// What the set meeting each target minimises or maximises: `cost`
    /// (least capital cost) or `npv` (largest net present value; the park
    /// must declare `economics`).
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Cost)]
    pub objective: ObjectiveArg,
    /// Bands of the park's declared uncertainty.
    #[command(flatten)]
    pub bands: super::bands::BandArgs,
}

/// `--objective`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// The cheapest set meeting each target.
    #[default]
    Cost,
    /// The set of largest NPV meeting each target.
    Npv,
}

/// Rank the candidate links of a park, print and write the tables.
pub fn links(args: &LinksArgs) -> Result<ExitCode> {
    let loaded = super::load(args.file.as_deref())?;
    let park = &loaded.park;
    if let Some(id) = &loaded.scenario
        && !args.quiet
    {
        println!("scenario `{id}` of {}", loaded.name);
    }
    if candidates::candidate_links(park).is_empty() {
        if args.quiet {
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{}: no candidate links to rank (a link with `candidate: true` is a proposal that `links` evaluates); nothing written",
            loaded.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    let objective = match args.objective {
        ObjectiveArg::Cost => Objective::Cost,
        ObjectiveArg::Npv => Objective::Npv,
    };
    if objective == Objective::Npv && park.economics.is_none() {
        return Err(Error::Invalid {
            file: loaded.name.clone(),
            problems: vec![
                "--objective npv: economics are not declared; add `economics: Economics(discount_rate: .., lifetime: ..)` and prices to the park".to_string(),
            ],
        });
    }
    let ranking = candidates::rank_with(park, objective)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(park, loaded.scenario.as_deref()));
    let mut batch = output::Batch::new(&dir)?;
    batch.add("candidates.csv", candidates_csv(&ranking).as_bytes())?;
    batch.add("portfolio.csv", portfolio_csv(&ranking).as_bytes())?;
    if let (Some(&last), false) = (ranking.targets.last(), ranking.frontier.is_empty()) {
        let metric = park.targets.as_ref().map_or("mass", |t| t.metric.as_str());
        let svg = crate::report::frontier_svg(&ranking.frontier, last, metric)?;
        batch.add("frontier.svg", svg.as_bytes())?;
    }
    batch.commit()?;
    if !args.quiet {
        print!("{}", tables(park, &ranking));
        print!("{}", args.bands.links_section(park, &ranking)?);
        println!("results written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `results/<park id>[-<scenario id>]-links`.
pub fn default_dir(park: &Park, scenario: Option<&str>) -> PathBuf {
    let run_dir = output::default_dir(park, scenario);
    let name = run_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    run_dir.with_file_name(format!("{name}-links"))
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// candidates.csv: link, material, from, to, cost, npv, payback_years,
/// `cash_<year>` of the first target year, `d_linkage_<year>` per target year, `d_disposed_t_<year>`, `d_sold_t_<year>` and
/// `d_imported_t_<year>` per target year, `d_<pollutant>_<year>` per capped
/// pollutant, and `moves_only`; best first.
pub fn candidates_csv(r: &Ranking) -> String {
    let mut header = vec![
        "link".to_string(),
        "material".into(),
        "from".into(),
        "to".into(),
        "cost".into(),
        "npv".into(),
        "payback_years".into(),
    ];
    header.extend(r.targets.first().map(|(y, _)| format!("cash_{y}")));
    header.extend(r.targets.iter().map(|(y, _)| format!("d_linkage_{y}")));
    for (y, _) in &r.targets {
        header.extend(BOUNDARY.iter().map(|what| format!("d_{what}_t_{y}")));
    }
    header.extend(
        r.caps
            .iter()
            .map(|c| format!("d_{}_{}", c.pollutant, c.year)),
    );
    header.push("moves_only".into());
    let mut s = header.join(",") + "\n";
    for c in &r.candidates {
        let mut row = vec![
            field(&c.link),
            field(&c.material),
            field(&c.from),
            field(&c.to),
            opt_num(c.cost),
        ];
        row.extend(money_fields(r, c.appraisal.as_ref()));
        row.extend(c.d_linkage.iter().map(|&v| num(v)));
        for b in &c.d_boundary {
            row.extend([num(b.disposed), num(b.sold), num(b.imported)]);
        }
        row.extend(c.d_caps.iter().map(|&v| num(v)));
        row.push(c.only_moves(&r.base).to_string());
        s += &(row.join(",") + "\n");
    }
    s
}

/// npv, payback_years and the first target year's cash (empty when the park
/// declares no economics, payback empty when never reached).
fn money_fields(r: &Ranking, a: Option<&candidates::Appraisal>) -> Vec<String> {
    let mut fields = vec![
        opt_num(a.map(|a| a.npv)),
        a.and_then(|a| a.payback)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    ];
    if let Some(&(year, _)) = r.targets.first() {
        fields.push(opt_num(a.and_then(|a| year_cash(a, year))));
    }
    fields
}

/// A set's net cash in a simulated year.
fn year_cash(a: &candidates::Appraisal, year: i32) -> Option<f64> {
    a.cash.get(usize::try_from(year - a.start).ok()?).copied()
}

/// What `candidates.csv` reports crossing the boundary, in column order.
const BOUNDARY: [&str; 3] = ["disposed", "sold", "imported"];

/// portfolio.csv: rank, link, cost, cumulative_cost, `linkage_<year>` per
/// target year, in the order the greedy portfolio chose the links.
pub fn portfolio_csv(r: &Ranking) -> String {
    let mut header = vec![
        "rank".to_string(),
        "link".into(),
        "cost".into(),
        "cumulative_cost".into(),
    ];
    header.extend(r.targets.iter().map(|(y, _)| format!("linkage_{y}")));
    let mut s = header.join(",") + "\n";
    for p in &r.portfolio {
        let mut row = vec![
            p.rank.to_string(),
            field(&p.link),
            opt_num(p.cost),
            opt_num(p.cumulative_cost),
        ];
        row.extend(p.linkage.iter().map(|&v| num(v)));
        s += &(row.join(",") + "\n");
    }
    s
}

/// A cost as people read it: 1.2e8 → "120.0 M".
fn cost_text(c: Option<f64>) -> String {
    match c {
        None => "-".into(),
        Some(c) if c.abs() >= 1e6 => format!("{:.1} M", c / 1e6),
        Some(c) if c.abs() >= 1e4 => format!("{:.1} k", c / 1e3),
        Some(c) => format!("{c:.0}"),
    }
}

/// The second table: per candidate and target year, the change in tonnes
/// of byproducts and effluents disposed of and sold, and of inputs imported.
fn boundary_table(s: &mut String, r: &Ranking, width: usize) {
    if r.targets.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nWhat each candidate moves across the park's boundary (change in t a year; \
         disposed and sold: byproducts and effluents)"
    );
    let mut head = format!("  {:>2}  {:<width$}", "#", "link");
    for (y, _) in &r.targets {
        for what in BOUNDARY {
            let _ = write!(head, "  {:>15}", format!("{what} {y}"));
        }
    }
    let _ = writeln!(s, "{head}");
    for (i, c) in r.candidates.iter().enumerate() {
        let mut line = format!("  {:>2}  {:<width$}", i + 1, c.link);
        for b in &c.d_boundary {
            for v in [b.disposed, b.sold, b.imported] {
                let _ = write!(line, "  {v:>+15.1}");
            }
        }
        let _ = writeln!(s, "{line}");
    }
}

/// The tables as printed.
pub fn tables(park: &Park, r: &Ranking) -> String {
    let mut s = String::new();
    let metric = park.targets.as_ref().map_or("mass", |t| t.metric.as_str());
    let _ = writeln!(
        s,
        "{} ({}), candidate links, judged metric: {metric}",
        park.name, park.id
    );
    let base: Vec<String> = r
        .targets
        .iter()
        .zip(&r.base.linkage)
        .map(|((y, t), v)| format!("{y} {v:.3} (target {t:.3})"))
        .collect();
    if base.is_empty() {
        let _ = writeln!(s, "the park has no linkage targets");
    } else {
        let _ = writeln!(s, "without candidates: {}", base.join(", "));
    }
    let per = match &park.economics {
        Some(e) => {
            let _ = writeln!(
                s,
                "economics: discount rate {}, lifetime {} years; NPV and cash in CNY",
                e.discount_rate, e.lifetime
            );
            "NPV"
        }
        None => {
            let _ = writeln!(
                s,
                "economics are not declared (no `economics:` in the park): no NPV or payback"
            );
            if r.by_cost {
                "gain per unit cost"
            } else {
                "gain per link (not every candidate has a cost)"
            }
        }
    };
    let _ = writeln!(
        s,
        "\nEach candidate alone, best {per} first (linkage change in points)"
    );
    let money = park.economics.is_some();
    let cash_year = r.targets.first().map(|&(y, _)| y);
    let width = r
        .candidates
        .iter()
        .map(|c| c.link.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mwidth = r
        .candidates
        .iter()
        .map(|c| c.material.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut head = format!(
        "  {:>2}  {:<width$}  {:<mwidth$}  {:>10}",
        "#", "link", "material", "cost"
    );
    if money {
        let _ = write!(head, "  {:>10}  {:>7}", "npv", "payback");
        if let Some(y) = cash_year {
            let _ = write!(head, "  {:>10}", format!("cash {y}"));
        }
    }
    for (y, _) in &r.targets {
        let _ = write!(head, "  {:>8}", format!("Δ{y}"));
    }
    for c in &r.caps {
        let _ = write!(head, "  {:>12}", format!("Δ{} {}", c.pollutant, c.year));
    }
    let _ = writeln!(s, "{head}  moves only");
    for (i, c) in r.candidates.iter().enumerate() {
        let mut line = format!(
            "  {:>2}  {:<width$}  {:<mwidth$}  {:>10}",
            i + 1,
            c.link,
            c.material,
            cost_text(c.cost)
        );
        if let (true, Some(a)) = (money, &c.appraisal) {
            let payback = a.payback.map_or("-".to_string(), |t| format!("{t} y"));
            let _ = write!(line, "  {:>10}  {payback:>7}", cost_text(Some(a.npv)));
            if let Some(y) = cash_year {
                let _ = write!(line, "  {:>10}", cost_text(year_cash(a, y)));
            }
        }
        for d in &c.d_linkage {
            let _ = write!(line, "  {:>+8.2}", d * 100.0);
        }
        for d in &c.d_caps {
            let _ = write!(line, "  {:>+12.1}", d);
        }
        let moves = if c.only_moves(&r.base) { "yes" } else { "" };
        let _ = writeln!(s, "{}", format!("{line}  {moves}").trim_end());
    }
    let _ = writeln!(
        s,
        "  (moves only: the gain changes neither the tonnes of byproducts and effluents disposed of\n   \
         nor a capped total; it removes no waste and no emission)"
    );
    boundary_table(&mut s, r, width);

    let _ = writeln!(
        s,
        "\nGreedy portfolio (each step: the best {} on top of the links above it)",
        if r.by_cost {
            "gain per unit cost"
        } else {
            "gain"
        }
    );
    if r.portfolio.is_empty() {
        let _ = writeln!(s, "  (empty)");
    } else {
        let mut head = format!(
            "  {:>2}  {:<width$}  {:>10}  {:>12}",
            "#", "link", "cost", "cumulative"
        );
        for (y, _) in &r.targets {
            let _ = write!(head, "  {:>6}", y);
        }
        let _ = writeln!(s, "{head}");
        for p in &r.portfolio {
            let mut line = format!(
                "  {:>2}  {:<width$}  {:>10}  {:>12}",
                p.rank,
                p.link,
                cost_text(p.cost),
                cost_text(p.cumulative_cost)
            );
            for v in &p.linkage {
                let _ = write!(line, "  {v:>6.3}");
            }
            let _ = writeln!(s, "{line}");
        }
    }
    let why = match r.stop {
        Stop::TargetsMet if r.portfolio.is_empty() => "every target is met without candidates",
        Stop::TargetsMet => "stopped: every target is met",
        Stop::NoGain => "stopped: no remaining candidate raises the linkage rate",
        Stop::Exhausted => "stopped: every candidate is in the portfolio",
        Stop::NoTargets => "no portfolio: the park has no linkage targets to aim at",
    };
    let _ = writeln!(s, "  {why}");
    for (t, &(year, target)) in r.targets.iter().enumerate() {
        if r.base.linkage[t] >= target {
            let _ = writeln!(s, "  {year} target {target:.3}: met without candidates");
            continue;
        }
        match r.portfolio.iter().find(|p| p.linkage[t] >= target) {
            Some(p) => {
                let _ = writeln!(
                    s,
                    "  {year} target {target:.3}: met by the first {} link{} (cost {})",
                    p.rank,
                    if p.rank == 1 { "" } else { "s" },
                    cost_text(p.cumulative_cost)
                );
            }
            None => {
                let best = r
                    .portfolio
                    .last()
                    .map_or(r.base.linkage[t], |p| p.linkage[t]);
                let _ = writeln!(
                    s,
                    "  {year} target {target:.3}: not met by the portfolio (reaches {best:.3})"
                );
            }
        }
    }
    match &r.cheapest {
        None => {
            let _ = writeln!(
                s,
                "\n(more than {} candidates: the cheapest set meeting each target was not searched)",
                candidates::EXHAUSTIVE_MAX
            );
        }
        Some(sets) => {
            let title = format!(
                "{} set meeting each target, every subset tried (the greedy order need not find it)",
                if r.by_cost { "Cheapest" } else { "Smallest" }
            );
            set_lines(&mut s, r, &title, sets);
        }
    }
    if let Some(sets) = &r.largest_npv {
        let how = if r.exhaustive {
            "every subset tried"
        } else {
            "built greedily by NPV (too many candidates to try every subset)"
        };
        let title = format!("Largest-NPV set meeting each target, {how}");
        set_lines(&mut s, r, &title, sets);
    }
    s
}

/// One chosen set per target, under `title`.
fn set_lines(s: &mut String, r: &Ranking, title: &str, sets: &[Option<candidates::CheapestSet>]) {
    if r.targets.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title}");
    for (set, &(year, target)) in sets.iter().zip(&r.targets) {
        let text = match set {
            None => "no set of candidates meets it".to_string(),
            Some(set) if set.links.is_empty() => "met without candidates".to_string(),
            Some(set) => {
                let reached: Vec<String> = (r.targets.iter().zip(&set.linkage))
                    .map(|((y, _), v)| format!("{y} {v:.3}"))
                    .collect();
                let npv = set.appraisal.as_ref().map_or(String::new(), |a| {
                    let payback = a.payback.map_or("none".to_string(), |t| format!("{t} y"));
                    format!(", NPV {}, payback {payback}", cost_text(Some(a.npv)))
                });
                format!(
                    "{} (cost {}{npv}; {})",
                    set.links.join(" + "),
                    cost_text(set.cost),
                    reached.join(", ")
                )
            }
        };
        let _ = writeln!(s, "  {year} target {target:.3}: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn money_is_printed_in_millions_thousands_or_units() {
        assert_eq!(cost_text(Some(547_600_000.0)), "547.6 M");
        assert_eq!(cost_text(Some(-203_565.0)), "-203.6 k");
        assert_eq!(cost_text(Some(2_675.28)), "2675");
        assert_eq!(cost_text(None), "-");
    }

    #[test]
    fn fields_with_commas_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("plain"), "plain");
    }

    #[test]
    fn the_default_directory_ends_in_links() {
        let park: Park = crate::model::parse_park(crate::model::BUILTIN_PARK, "jilin").unwrap();
        assert_eq!(
            default_dir(&park, None),
            Path::new("results/jilin-chem-park-links")
        );
        assert_eq!(
            default_dir(&park, Some("plan")),
            Path::new("results/jilin-chem-park-plan-links")
        );
    }
}
