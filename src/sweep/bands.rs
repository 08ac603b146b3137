//! Bands beside the central values (docs/MODEL.md, "Uncertainty"): the
//! park's declared `uncertainty` drawn `samples` times (Monte Carlo, a
//! fixed seed), each draw run over every year, and from the runs each
//! target's and cap's 5–95 % band and probability of being met, and each
//! year's band of the judged linkage rate and of every pollutant's total.
//!
//! Draws are run in parallel and gathered in draw order, so any thread
//! count gives the same bits.

use rayon::prelude::*;

use super::bind;
use super::design::Design;
use super::prepare::bind_params;
use super::stats::percentile;
use super::{Column, run::thread_pool};
use crate::engine::{Plan, Workspace, run};
use crate::error::{Error, Result};
use crate::indicators::{Band, Indicators, YearBand};
use crate::model::Park;
use crate::output::Simulation;

/// Draws when `--samples` is not given.
pub const DEFAULT_SAMPLES: u64 = 1000;

/// The most draws `--samples` takes: a sweep is the tool beyond.
pub const MAX_SAMPLES: u64 = 1_000_000;

/// The seed of every band, so that the same park prints the same bands.
pub const SEED: u64 = 20_140_624;

/// The bands of a park's run.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    /// Draws made.
    pub samples: u64,
    /// Per target of the plan, in order.
    pub targets: Vec<Band>,
    /// Per cap limit, in the plan's cap order, then limit order (the order
    /// of [`Judgement::caps`]).
    pub caps: Vec<Band>,
    /// Per permit and simulated year (the order of
    /// [`Judgement::permits`](crate::indicators::Judgement::permits)).
    pub permits: Vec<Band>,
    /// Per simulated year.
    pub years: Vec<YearBand>,
}

impl Bands {
    /// Put each band beside its central value in `sim`: its targets' and
    /// caps' judgements, and its years.
    pub fn attach(self, sim: &mut Simulation) {
        for (t, band) in sim.judgement.targets.iter_mut().zip(&self.targets) {
            t.band = Some(*band);
        }
        for (c, band) in sim.judgement.caps.iter_mut().zip(&self.caps) {
            c.band = Some(*band);
        }
        for (p, band) in sim.judgement.permits.iter_mut().zip(&self.permits) {
            p.band = Some(*band);
        }
        sim.year_bands = self.years;
    }
}

/// The bands of `plan` (compiled from `park`) from `samples` draws of the
/// park's uncertainty on `threads` threads (0: one per core); none when
/// the park declares no uncertainty or `samples` is 0.
pub fn bands(park: &Park, plan: &Plan, samples: u64, threads: usize) -> Result<Option<Bands>> {
    if park.uncertainty.is_empty() || samples == 0 {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let columns = bind_params(park, plan, &park.uncertainty, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            file: format!("park `{}`", park.id),
            problems,
        });
    }
    let pool = thread_pool(threads)?;
    let draws: Vec<Result<Vec<f64>>> = pool.install(|| {
        (0..samples)
            .into_par_iter()
            .map_init(
                || (plan.clone(), Workspace::new(plan), Indicators::new(plan)),
                |(copy, ws, indicators), draw| {
                    one_draw(plan, &columns, samples, draw, copy, ws, indicators)
                },
            )
            .collect()
    });
    let draws: Vec<Vec<f64>> = draws.into_iter().collect::<Result<_>>()?;
    Ok(Some(gather(plan, samples, &draws)))
}

/// One draw's values: per target (value, met), per cap limit (value, met),
/// then per year the judged linkage and each pollutant's total.
fn one_draw(
    base: &Plan,
    columns: &[Column],
    samples: u64,
    draw: u64,
    plan: &mut Plan,
    ws: &mut Workspace,
    indicators: &mut Indicators,
) -> Result<Vec<f64>> {
    let mut u = vec![0.0; columns.len()];
    Design::MonteCarlo.uniforms(SEED, samples, draw, &mut u);
    for (column, &u) in columns.iter().zip(&u) {
        let value = column.dist.quantile(u);
        for slot in &column.slots {
            bind::write(plan, base, slot, column.apply, value);
        }
    }
    indicators.clear();
    run(plan, ws, |v| indicators.observe(v))?;
    indicators.finish();
    indicators.check(plan)?;
    let judgement = crate::indicators::judge(plan, &indicators.years);
    let mut row = Vec::new();
    for t in &judgement.targets {
        row.extend([t.value, f64::from(u8::from(t.met))]);
    }
    for c in &judgement.caps {
        row.extend([c.value, f64::from(u8::from(c.met))]);
    }
    for p in &judgement.permits {
        row.extend([p.value, f64::from(u8::from(p.met))]);
    }
    for y in &indicators.years {
        row.push(y.linkage(plan.params.metric));
        row.extend((0..plan.topology.pollutants.len()).map(|k| y.total(k)));
    }
    Ok(row)
}

/// The bands from every draw's row.
fn gather(plan: &Plan, samples: u64, draws: &[Vec<f64>]) -> Bands {
    let column = |i: usize| -> Vec<f64> {
        let mut v: Vec<f64> = draws.iter().map(|row| row[i]).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let band = |i: usize| {
        let values = column(i);
        let met = draws.iter().filter(|row| row[i + 1] == 1.0).count();
        Band {
            p_met: met as f64 / draws.len() as f64,
            p05: percentile(&values, 0.05),
            p95: percentile(&values, 0.95),
        }
    };
    let range = |i: usize| {
        let values = column(i);
        (percentile(&values, 0.05), percentile(&values, 0.95))
    };
    let nt = plan.params.targets.len();
    let nc: usize = plan.params.caps.iter().map(|c| c.limits.len()).sum();
    // Permit-years as the central judgement has them (from each permit's
    // first year), read off the first draw's row length.
    let n_years = (plan.topology.end - plan.topology.start + 1) as usize;
    let np = plan.topology.pollutants.len();
    let per_year = n_years * (1 + np);
    let nq = draws
        .first()
        .map_or(0, |row| (row.len() - per_year) / 2 - nt - nc);
    let targets = (0..nt).map(|t| band(2 * t)).collect();
    let caps = (0..nc).map(|c| band(2 * (nt + c))).collect();
    let permits = (0..nq).map(|q| band(2 * (nt + nc + q))).collect();
    let first = 2 * (nt + nc + nq);
    let years = (plan.topology.start..=plan.topology.end)
        .enumerate()
        .map(|(i, year)| {
            let at = first + i * (1 + np);
            YearBand {
                year,
                linkage: range(at),
                totals: (0..np).map(|k| range(at + 1 + k)).collect(),
            }
        })
        .collect();
    Bands {
        samples,
        targets,
        caps,
        permits,
        years,
    }
}
