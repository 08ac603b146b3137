//! `parkflow caps [FILE] [--year Y] [--json]`: emissions against caps and
//! enterprises' discharges against their permits, for the environmental
//! bureau, with the band and probability of each when the park declares its
//! uncertainty. Exit status 0 when every cap and permit is met, 3 when any
//! is exceeded at the central values or, with `--confidence P`, met with a
//! probability below P.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::bands::BandArgs;
use crate::engine::Plan;
use crate::error::Result;
use crate::indicators::{Band, PermitResult, Status, margin_percent};
use crate::output::{self, Simulation};

/// Arguments of `caps`.
#[derive(Debug, Args)]
pub struct CapsArgs {
    /// Park or scenario file (default: the built-in Jilin park).
    pub file: Option<PathBuf>,
    /// Only this cap year.
    #[arg(long, value_name = "Y")]
    pub year: Option<i32>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Bands of the park's declared uncertainty.
    #[command(flatten)]
    pub bands: BandArgs,
}

/// One pollutant under one cap.
struct Row {
    year: i32,
    scope: &'static str,
    pollutant: String,
    park: f64,
    background: f64,
    total: f64,
    limit: f64,
    value: f64,
    met: bool,
    /// The band over the draws, when drawn.
    band: Option<Band>,
    /// The three largest park sources: (source, kind, amount).
    sources: Vec<(String, &'static str, f64)>,
}

/// Judge every cap and print the table or JSON.
pub fn caps(args: &CapsArgs) -> Result<ExitCode> {
    let loaded = super::load(args.file.as_deref())?;
    let plan = Plan::compile(&loaded.park);
    if let Some(year) = args.year
        && !plan.params.caps.iter().any(|c| c.year == year)
    {
        let years: Vec<String> = plan
            .params
            .caps
            .iter()
            .map(|c| c.year.to_string())
            .collect();
        let set = if years.is_empty() {
            "no year of the run has caps".to_string()
        } else {
            format!("caps are set for {}", years.join(", "))
        };
        return Err(crate::Error::Invalid {
            file: loaded.name.clone(),
            problems: vec![format!("--year {year}: no caps in {year}; {set}")],
        });
    }
    let mut sim = output::simulate(&plan)?;
    args.bands.attach(&loaded.park, &plan, &mut sim)?;
    let rows = rows(&plan, &sim, args.year);
    let permits: Vec<&PermitResult> = (sim.judgement.permits.iter())
        .filter(|p| args.year.is_none_or(|y| y == p.year))
        .collect();
    let confidence = args.bands.confidence();
    if args.json {
        println!("{}", to_json(&rows, &permits));
    } else {
        print!("{}", table(&loaded.park.name, &rows, args.year, confidence));
        print!("{}", permit_table(&permits, confidence));
        if rows.iter().any(|r| r.band.is_some()) {
            println!(
                "Bands: 5–95% of {} draws of the park's declared uncertainty; AT RISK: met with P(met) below {confidence}",
                args.bands.samples
            );
        }
    }
    // Exceeded at the central values; with --confidence, also not sure
    // enough of being met.
    let failed = |met: bool, band: Option<Band>| {
        !met || args.bands.confidence.is_some() && band.is_some_and(|b| b.p_met < confidence)
    };
    Ok(
        if rows.iter().any(|r| failed(r.met, r.band))
            || permits.iter().any(|p| failed(p.met, p.band))
        {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn rows(plan: &Plan, sim: &Simulation, only: Option<i32>) -> Vec<Row> {
    let mut rows = Vec::new();
    for cap in plan
        .params
        .caps
        .iter()
        .filter(|c| only.is_none_or(|y| y == c.year))
    {
        let Some(y) = sim.years.iter().find(|y| y.year == cap.year) else {
            continue;
        };
        let emissions = sim.emissions.iter().find(|e| e.year == cap.year);
        for &(k, limit) in &cap.limits {
            let value = y.scoped(cap.scope, k);
            let mut sources: Vec<(String, &'static str, f64)> = Vec::new();
            if let Some(e) = emissions {
                for &(p, kk, amount) in &e.process {
                    if kk == k {
                        sources.push((plan.topology.processes[p].id.clone(), "process", amount));
                    }
                }
                for &(pool, kk, amount) in &e.disposal {
                    if kk == k {
                        sources.push((plan.topology.pool_name(pool), "disposal", amount));
                    }
                }
            }
            // Largest first; equal amounts keep plan order.
            sources.sort_by(|a, b| b.2.total_cmp(&a.2));
            sources.truncate(3);
            rows.push(Row {
                year: cap.year,
                scope: cap.scope.as_str(),
                pollutant: plan.topology.pollutants[k].clone(),
                park: y.park[k],
                background: y.background[k],
                total: y.total(k),
                limit,
                value,
                met: value <= limit,
                band: (sim.judgement.caps.iter())
                    .find(|c| c.year == cap.year && c.pollutant == plan.topology.pollutants[k])
                    .and_then(|c| c.band),
                sources,
            });
        }
    }
    rows
}

fn table(park: &str, rows: &[Row], only: Option<i32>, confidence: f64) -> String {
    let mut s = String::new();
    if rows.is_empty() {
        let _ = writeln!(
            s,
            "{park}: no caps{}",
            only.map_or(String::new(), |y| format!(" in {y}"))
        );
        return s;
    }
    let _ = writeln!(s, "{park}: emissions against caps (t)");
    let _ = writeln!(
        s,
        "  year  scope  pollutant         park   background        total        limit       margin  status           largest sources"
    );
    let banded = rows.iter().any(|r| r.band.is_some());
    for r in rows {
        let margin = r.limit - r.value;
        let pct = margin_percent(margin, r.limit);
        let sources: Vec<String> = r
            .sources
            .iter()
            .map(|(name, _, amount)| format!("{name} {amount:.1}"))
            .collect();
        let _ = writeln!(
            s,
            "  {}  {:<5}  {:<9} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>12.1}  {:<15}  {}",
            r.year,
            r.scope,
            r.pollutant,
            r.park,
            r.background,
            r.total,
            r.limit,
            margin,
            format!(
                "{} {pct:+.1}%",
                Status::of(r.met, r.band.as_ref(), confidence).word("EXCEEDED")
            ),
            sources.join(", ")
        );
        if let Some(b) = r.band.as_ref().filter(|_| banded) {
            let _ = writeln!(
                s,
                "        total 5–95%: {:.1}–{:.1}, P(met) {:.3}",
                b.p05, b.p95, b.p_met
            );
        }
    }
    let exceeded = rows.iter().filter(|r| !r.met).count();
    if exceeded == 0 {
        let _ = writeln!(s, "all {} caps met", rows.len());
    } else {
        let _ = writeln!(s, "{exceeded} of {} caps EXCEEDED", rows.len());
    }
    s
}

/// The permits table: one row per permit and year.
fn permit_table(permits: &[&PermitResult], confidence: f64) -> String {
    let mut s = String::new();
    if permits.is_empty() {
        return s;
    }
    let _ = writeln!(s, "\nEnterprise permits (t)");
    let _ = writeln!(
        s,
        "  year  enterprise        pollutant     discharge        limit       margin  status"
    );
    for p in permits {
        let margin = p.limit - p.value;
        let pct = margin_percent(margin, p.limit);
        let band = p.band.map_or(String::new(), |b| {
            format!("; 5–95%: {:.1}–{:.1}, P(met) {:.3}", b.p05, b.p95, b.p_met)
        });
        let _ = writeln!(
            s,
            "  {}  {:<16}  {:<9} {:>12.1} {:>12.1} {:>12.1}  {} {pct:+.1}%{band}",
            p.year,
            p.enterprise,
            p.pollutant,
            p.value,
            p.limit,
            margin,
            Status::of(p.met, p.band.as_ref(), confidence).word("EXCEEDED"),
        );
    }
    let exceeded = permits.iter().filter(|p| !p.met).count();
    if exceeded == 0 {
        let _ = writeln!(s, "all {} permit-years met", permits.len());
    } else {
        let _ = writeln!(s, "{exceeded} of {} permit-years EXCEEDED", permits.len());
    }
    s
}

/// `entry` with `p_met`, `p05` and `p95`, null when no band was drawn.
fn with_band(mut entry: serde_json::Value, band: Option<Band>) -> serde_json::Value {
    entry["p_met"] = json!(band.map(|b| b.p_met));
    entry["p05"] = json!(band.map(|b| b.p05));
    entry["p95"] = json!(band.map(|b| b.p95));
    entry
}

fn to_json(rows: &[Row], permits: &[&PermitResult]) -> String {
    let caps: Vec<_> = rows
        .iter()
        .map(|r| {
            let entry = json!({
                "year": r.year, "scope": r.scope, "pollutant": r.pollutant,
                "park": r.park, "background": r.background, "total": r.total,
                "limit": r.limit, "value": r.value, "margin": r.limit - r.value, "met": r.met,
                "sources": r.sources.iter().map(|(name, kind, amount)| {
                    json!({"source": name, "kind": kind, "amount": amount})
                }).collect::<Vec<_>>(),
            });
            with_band(entry, r.band)
        })
        .collect();
    let permits: Vec<_> = permits
        .iter()
        .map(|p| {
            let entry = json!({
                "enterprise": p.enterprise, "pollutant": p.pollutant, "year": p.year,
                "limit": p.limit, "value": p.value, "met": p.met,
            });
            with_band(entry, p.band)
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "caps": caps,
        "permits": permits,
        "all_met": rows.iter().all(|r| r.met) && permits.iter().all(|p| p["met"] == true),
    }))
    .expect("plain JSON")
}
