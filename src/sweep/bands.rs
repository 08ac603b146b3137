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
    let draws: Vec<Result<Draw>> = pool.install(|| {
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
    let draws: Vec<Draw> = draws.into_iter().collect::<Result<_>>()?;
    Ok(Some(gather(plan, samples, &draws)))
}

/// What one draw gives: each judged value with whether it is met, in the
/// judgement's order, and each year's judged linkage and pollutant totals.
struct Draw {
    /// Per target: value, met.
    targets: Vec<(f64, bool)>,
    /// Per cap limit: value, met.
    caps: Vec<(f64, bool)>,
    /// Per permit-year: value, met.
    permits: Vec<(f64, bool)>,
    /// Per simulated year: the judged linkage, then each pollutant's total.
    years: Vec<Vec<f64>>,
}

/// One draw: the columns' values written into `plan`, a run of every year.
fn one_draw(
    base: &Plan,
    columns: &[Column],
    samples: u64,
    draw: u64,
    plan: &mut Plan,
    ws: &mut Workspace,
    indicators: &mut Indicators,
) -> Result<Draw> {
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
    let np = plan.topology.pollutants.len();
    Ok(Draw {
        targets: judgement.targets.iter().map(|t| (t.value, t.met)).collect(),
        caps: judgement.caps.iter().map(|c| (c.value, c.met)).collect(),
        permits: judgement.permits.iter().map(|p| (p.value, p.met)).collect(),
        years: (indicators.years.iter())
            .map(|y| {
                std::iter::once(y.linkage(plan.params.metric))
                    .chain((0..np).map(|k| y.total(k)))
                    .collect()
            })
            .collect(),
    })
}

/// The bands from every draw.
fn gather(plan: &Plan, samples: u64, draws: &[Draw]) -> Bands {
    let percentiles = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        (percentile(&values, 0.05), percentile(&values, 0.95))
    };
    // The band of the i-th judged value that `judged` picks from a draw.
    let bands = |judged: fn(&Draw) -> &[(f64, bool)]| -> Vec<Band> {
        let n = draws.first().map_or(0, |d| judged(d).len());
        (0..n)
            .map(|i| {
                let (p05, p95) = percentiles(draws.iter().map(|d| judged(d)[i].0).collect());
                let met = draws.iter().filter(|d| judged(d)[i].1).count();
                Band {
                    p_met: met as f64 / draws.len() as f64,
                    p05,
                    p95,
                }
            })
            .collect()
    };
    let range =
        |year: usize, i: usize| percentiles(draws.iter().map(|d| d.years[year][i]).collect());
    let years = (plan.topology.start..=plan.topology.end)
        .enumerate()
        .map(|(y, year)| YearBand {
            year,
            linkage: range(y, 0),
            totals: (0..plan.topology.pollutants.len())
                .map(|k| range(y, 1 + k))
                .collect(),
        })
        .collect();
    Bands {
        samples,
        targets: bands(|d| &d.targets),
        caps: bands(|d| &d.caps),
        permits: bands(|d| &d.permits),
        years,
    }
}
