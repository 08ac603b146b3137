//! A full record of a run, step by step, for the result files.

use crate::engine::{Plan, StepView, Workspace, run};
use crate::error::Result;
use crate::indicators::{Indicators, Judgement, YearBand, YearIndicators, judge};

/// One step's state, copied out of the workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// Calendar year.
    pub year: i32,
    /// Step within the year, 0-based.
    pub step: u32,
    /// Activity per process.
    pub activity: Vec<f64>,
    /// Nameplate capacity per process for this step (capacity · Δ; ∞ unbounded).
    pub capacity: Vec<f64>,
    /// Flow per link.
    pub flow: Vec<f64>,
    /// Whether each link is active.
    pub active: Vec<bool>,
    /// Per pool: generated, linked_inter, linked_intra, stored, sold, disposed.
    pub pools: Vec<[f64; 6]>,
    /// Per input slot: requested, delivered, imported.
    pub slots: Vec<[f64; 3]>,
}

/// Emissions of one year by source.
#[derive(Debug, Clone, PartialEq)]
pub struct YearEmissions {
    /// Calendar year.
    pub year: i32,
    /// `(process, pollutant) → amount` in plan order.
    pub process: Vec<(usize, usize, f64)>,
    /// `(pool, pollutant) → amount` from disposal.
    pub disposal: Vec<(usize, usize, f64)>,
    /// Per pollutant.
    pub background: Vec<f64>,
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Every step.
    pub steps: Vec<StepRecord>,
    /// Emissions by source, per year.
    pub emissions: Vec<YearEmissions>,
    /// Indicators per year.
    pub years: Vec<YearIndicators>,
    /// Targets and caps judged.
    pub judgement: Judgement,
    /// Per year, the bands of the park's declared uncertainty; empty when
    /// none were drawn (`crate::sweep::bands`).
    pub year_bands: Vec<YearBand>,
}

/// Run `plan` once, recording every step.
pub fn simulate(plan: &Plan) -> Result<Simulation> {
    let mut ws = Workspace::new(plan);
    let mut indicators = Indicators::new(plan);
    let mut steps =
        Vec::with_capacity(plan.topology.end.saturating_sub(plan.topology.start) as usize + 1);
    let mut emissions: Vec<YearEmissions> = Vec::new();
    run(plan, &mut ws, |view| {
        indicators.observe(view);
        steps.push(record_step(view));
        add_emissions(&mut emissions, view);
    })?;
    indicators.finish();
    indicators.check(plan)?;
    let judgement = judge(plan, &indicators.years);
    Ok(Simulation {
        steps,
        emissions,
        years: indicators.years,
        judgement,
        year_bands: Vec::new(),
    })
}

fn record_step(view: &StepView) -> StepRecord {
    let dt = view.dt();
    let pools = view
        .pools()
        .map(|b| {
            [
                b.generated,
                b.linked_inter,
                b.linked_intra,
                b.stored,
                b.sold,
                b.disposed,
            ]
        })
        .collect();
    let slots = view
        .slots()
        .map(|b| [b.requested, b.delivered, b.imported])
        .collect();
    StepRecord {
        year: view.year(),
        step: view.step(),
        activity: view.activity().to_vec(),
        capacity: view.capacity().iter().map(|c| c * dt).collect(),
        flow: view.flow().to_vec(),
        active: view.link_active().to_vec(),
        pools,
        slots,
    }
}

fn add_emissions(years: &mut Vec<YearEmissions>, view: &StepView) {
    let plan = view.plan;
    if view.step() == 0 {
        let mut process = Vec::new();
        for (p, proc_) in plan.topology.processes.iter().enumerate() {
            let emissions = &plan.topology.emissions[proc_.emissions.clone()];
            process.extend(emissions.iter().map(|e| (p, e.pollutant as usize, 0.0)));
        }
        let mut disposal = Vec::new();
        for (i, pool) in plan.topology.pools.iter().enumerate() {
            if pool.fate == crate::engine::PoolFate::Dispose {
                let factors = plan.topology.materials[pool.material as usize]
                    .disposal
                    .clone();
                let disposals = &plan.topology.disposals[factors];
                disposal.extend(disposals.iter().map(|d| (i, d.pollutant as usize, 0.0)));
            }
        }
        years.push(YearEmissions {
            year: view.year(),
            process,
            disposal,
            background: vec![0.0; plan.topology.pollutants.len()],
        });
    }
    let year = years.last_mut().expect("opened at step 0");
    let mut entry = 0;
    for p in 0..plan.topology.processes.len() {
        for (_, amount) in view.process_emissions(p) {
            year.process[entry].2 += amount;
            entry += 1;
        }
    }
    for row in year.disposal.iter_mut() {
        let (pool, k) = (row.0, row.1);
        row.2 += view
            .disposal_emissions(pool)
            .filter(|(kk, _)| *kk == k)
            .map(|(_, a)| a)
            .sum::<f64>();
    }
    for (k, v) in view.background().iter().enumerate() {
        year.background[k] += v;
    }
}
