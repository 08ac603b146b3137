//! Linkage rates, emission totals, targets and caps (docs/MODEL.md, "Indicators").
//!
//! [`Indicators`] observes a run step by step (allocating nothing) and yields
//! one [`YearIndicators`] per simulated year; [`judge`] compares them with the
//! park's targets and caps.

mod permits;
mod status;

use serde::{Deserialize, Serialize};

use crate::engine::lanes::Lanes;
use crate::engine::{Plan, StepView};
use crate::error::{Error, Result};
use crate::model::{Kind, Metric, Scope};

pub use permits::PermitResult;
pub use status::{Band, DEFAULT_CONFIDENCE, Status, YearBand};

use permits::PermitSources;

/// One year's indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct YearIndicators {
    /// Calendar year.
    pub year: i32,
    /// Byproduct tonnes carried between enterprises ÷ byproduct tonnes generated.
    pub linkage_mass: f64,
    /// Product and byproduct tonnes carried between enterprises ÷ product
    /// and byproduct tonnes made.
    pub linkage_product: f64,
    /// Enterprises in a byproduct exchange ÷ enterprises with capacity.
    pub linkage_enterprise: f64,
    /// Byproduct tonnes generated.
    pub byproduct_t: f64,
    /// Byproduct tonnes carried by links between enterprises.
    pub linked_inter_t: f64,
    /// Byproduct tonnes carried by links within an enterprise.
    pub linked_intra_t: f64,
    /// Product and byproduct tonnes made (the denominator of `linkage_product`).
    pub made_t: f64,
    /// Product and byproduct tonnes carried by links between enterprises.
    pub made_inter_t: f64,
    /// Park emissions per pollutant (processes and disposal).
    pub park: Vec<f64>,
    /// Background emissions per pollutant.
    pub background: Vec<f64>,
    /// Per permit of the plan, its enterprise's discharge.
    pub permits: Vec<f64>,
}

impl YearIndicators {
    /// The value of `metric` this year.
    pub fn linkage(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Mass => self.linkage_mass,
            Metric::Product => self.linkage_product,
            Metric::Enterprise => self.linkage_enterprise,
        }
    }
    /// Park plus background, per pollutant.
    pub fn total(&self, k: usize) -> f64 {
        self.park[k] + self.background[k]
    }
    /// The total a cap of `scope` judges.
    pub fn scoped(&self, scope: Scope, k: usize) -> f64 {
        match scope {
            Scope::City => self.total(k),
            Scope::Park => self.park[k],
        }
    }
}

/// Accumulates indicators over a run's steps.
#[derive(Debug, Clone)]
pub struct Indicators {
    /// `(pool, material)` of each byproduct pool.
    byproduct_pools: Vec<(usize, usize)>,
    /// `(pool, tonnes per unit)` of the byproduct pools with a tonnes
    /// conversion, read from the plan as each run starts, so a sweep may
    /// change them between runs. A byproduct with no tonnes conversion is
    /// left out of mass metrics.
    tonnes: Vec<(usize, f64)>,
    /// `(pool, material)` of each pool of a Product or a Byproduct: what
    /// `linkage_product` counts (an Effluent never counts).
    made_pools: Vec<(usize, usize)>,
    /// `(pool, tonnes per unit)` of the `made_pools` with a tonnes
    /// conversion, read as each run starts, as `tonnes` is.
    made_tonnes: Vec<(usize, f64)>,
    /// `(link, from enterprise, to enterprise)` of each link that would join
    /// two enterprises by a byproduct, in link order.
    exchange_links: Vec<(u32, u32, u32)>,
    /// Enterprise of each process.
    enterprise_of: Vec<usize>,
    linked_enterprise: Vec<bool>,
    present_enterprise: Vec<bool>,
    /// The last step's tonnes and the solution they came from: a step with
    /// the same solution adds them again without working them out. (A run's
    /// first step always solves anew, so no tonnes carry over from a run
    /// before, whose tonnes conversions may have been different.)
    step_tonnes: Option<((u64, u64), StepTonnes)>,
    /// The solution whose carrying links are in `linked_enterprise` this year.
    linked_solution: Option<(u64, u64)>,
    current: Option<YearIndicators>,
    /// Where each permit's discharge comes from.
    permit_sources: PermitSources,
    /// Years of earlier runs, kept so that a new run allocates nothing.
    spare: Vec<YearIndicators>,
    /// Finished years.
    pub years: Vec<YearIndicators>,
}

impl Indicators {
    /// An accumulator for runs of `plan`.
    pub fn new(plan: &Plan) -> Indicators {
        let byproduct_pools: Vec<(usize, usize)> = plan
            .topology
            .pools
            .iter()
            .enumerate()
            .map(|(i, pool)| (i, pool.material as usize))
            .filter(|&(_, m)| plan.topology.materials[m].kind == Kind::Byproduct)
            .collect();
        let made_pools: Vec<(usize, usize)> = plan
            .topology
            .pools
            .iter()
            .enumerate()
            .map(|(i, pool)| (i, pool.material as usize))
            .filter(|&(_, m)| plan.topology.materials[m].kind != Kind::Effluent)
            .collect();
        // Enabled links (a candidate never carries), in index order, so a
        // step reads the flows front to back.
        let exchange_links = (0..plan.topology.links.len())
            .filter(|&l| {
                plan.topology.link_enabled[l]
                    && plan.topology.links[l].inter_enterprise
                    && plan.topology.materials[plan.link_material(l)].kind == Kind::Byproduct
            })
            .map(|l| {
                let enterprise = |p: usize| plan.topology.processes[p].enterprise as u32;
                (
                    l as u32,
                    enterprise(plan.link_from(l)),
                    enterprise(plan.link_to(l)),
                )
            })
            .collect();
        let years = plan.topology.end.saturating_sub(plan.topology.start) as usize + 1;
        Indicators {
            tonnes: Vec::with_capacity(byproduct_pools.len()),
            byproduct_pools,
            made_tonnes: Vec::with_capacity(made_pools.len()),
            made_pools,
            exchange_links,
            enterprise_of: plan
                .topology
                .processes
                .iter()
                .map(|p| p.enterprise)
                .collect(),
            linked_enterprise: vec![false; plan.topology.enterprises.len()],
            present_enterprise: vec![false; plan.topology.enterprises.len()],
            step_tonnes: None,
            linked_solution: None,
            current: None,
            permit_sources: PermitSources::new(plan),
            spare: Vec::with_capacity(years),
            years: Vec::with_capacity(years),
        }
    }

    /// Forget earlier runs, keeping the allocations.
    pub fn clear(&mut self) {
        self.spare.append(&mut self.years);
        self.spare.extend(self.current.take());
    }

    /// Take in one solved step.
    pub fn observe(&mut self, view: &StepView) {
        let plan = view.plan;
        if self.current.is_none() {
            // A run starts (after `new`, `clear` or `finish`; it may start
            // after the plan's first year, see `run_years`): the plan may
            // have changed since the last.
            self.tonnes.clear();
            self.tonnes.extend(
                self.byproduct_pools
                    .iter()
                    .filter_map(|&(i, m)| plan.params.tonnes[m].map(|t| (i, t))),
            );
            self.made_tonnes.clear();
            self.made_tonnes.extend(
                self.made_pools
                    .iter()
                    .filter_map(|&(i, m)| plan.params.tonnes[m].map(|t| (i, t))),
            );
        }
        if view.step() == 0 {
            self.close_year();
            let nk = plan.topology.pollutants.len();
            let mut year = self.spare.pop().unwrap_or_else(empty_year);
            year.year = view.year();
            year.byproduct_t = 0.0;
            year.linked_inter_t = 0.0;
            year.linked_intra_t = 0.0;
            year.made_t = 0.0;
            year.made_inter_t = 0.0;
            year.park.clear();
            year.park.resize(nk, 0.0);
            year.background.clear();
            year.background.resize(nk, 0.0);
            year.permits.clear();
            year.permits.resize(plan.params.permits.len(), 0.0);
            self.current = Some(year);
            self.linked_enterprise.fill(false);
            self.linked_solution = None;
            self.present_enterprise.fill(false);
            // Without a branch per process, which would be mispredicted.
            for (&e, &capacity) in self.enterprise_of.iter().zip(view.capacity()) {
                self.present_enterprise[e] |= capacity > 0.0;
            }
        }
        let year = self.current.as_mut().expect("opened at step 0");
        let solution = view.solution();
        // The step's tonnes in lanes, so the additions overlap, then to the
        // year; those of the step before when nothing was solved since.
        let tonnes = match self.step_tonnes {
            Some((last, tonnes)) if last == solution => tonnes,
            _ => {
                // Two sums, so that the byproducts' are added as they are
                // without the products among them.
                let byproducts = Lanes::sums(&self.tonnes, |&(i, t)| {
                    let [generated, inter, intra] = view.pool_linked(i);
                    [generated * t, inter * t, intra * t]
                });
                let made = Lanes::sums(&self.made_tonnes, |&(i, t)| {
                    let [generated, inter, _] = view.pool_linked(i);
                    [generated * t, inter * t]
                });
                let tonnes = StepTonnes { byproducts, made };
                self.step_tonnes = Some((solution, tonnes));
                tonnes
            }
        };
        let [generated, inter, intra] = tonnes.byproducts;
        year.byproduct_t += generated;
        year.linked_inter_t += inter;
        year.linked_intra_t += intra;
        year.made_t += tonnes.made[0];
        year.made_inter_t += tonnes.made[1];
        if self.linked_solution != Some(solution) {
            let flow = view.flow();
            for &(l, from, to) in &self.exchange_links {
                let carried = flow[l as usize] > 0.0;
                self.linked_enterprise[from as usize] |= carried;
                self.linked_enterprise[to as usize] |= carried;
            }
            self.linked_solution = Some(solution);
        }
        for (k, v) in view.park_emissions().iter().enumerate() {
            year.park[k] += v;
        }
        for (k, v) in view.background().iter().enumerate() {
            year.background[k] += v;
        }
        self.permit_sources.observe(view, &mut year.permits);
    }

    /// Close the last year; call once after the run.
    pub fn finish(&mut self) {
        self.close_year();
    }

    /// An error if a year's totals overflowed to infinity: each step is
    /// finite (the engine checks), but a year adds up to 365 of them, and
    /// tonnes are amounts times `t_per_unit`. Call after [`Indicators::finish`].
    pub fn check(&self, plan: &Plan) -> Result<()> {
        for y in &self.years {
            let bad = |what: &'static str, item: &str, value: f64| {
                (!value.is_finite()).then(|| Error::NonFinite {
                    year: y.year,
                    what,
                    item: item.to_string(),
                    value,
                })
            };
            let tonnes = [
                ("yearly tonnes", "byproducts generated", y.byproduct_t),
                (
                    "yearly tonnes",
                    "byproducts linked between enterprises",
                    y.linked_inter_t,
                ),
                (
                    "yearly tonnes",
                    "byproducts linked within enterprises",
                    y.linked_intra_t,
                ),
                ("yearly tonnes", "products and byproducts made", y.made_t),
                (
                    "yearly tonnes",
                    "products and byproducts linked between enterprises",
                    y.made_inter_t,
                ),
            ];
            let emissions = plan
                .topology
                .pollutants
                .iter()
                .enumerate()
                .flat_map(|(k, id)| {
                    [
                        ("yearly emissions", id.as_str(), y.park[k]),
                        ("yearly background emissions", id.as_str(), y.background[k]),
                    ]
                });
            let permits = (plan.params.permits.iter().zip(&y.permits)).map(|(p, &v)| {
                (
                    "yearly permit discharge",
                    plan.topology.enterprises[p.enterprise].as_str(),
                    v,
                )
            });
            if let Some(e) = tonnes
                .into_iter()
                .chain(emissions)
                .chain(permits)
                .find_map(|(what, item, value)| bad(what, item, value))
            {
                return Err(e);
            }
        }
        Ok(())
    }

    fn close_year(&mut self) {
        if let Some(mut year) = self.current.take() {
            year.linkage_mass = ratio(year.linked_inter_t, year.byproduct_t);
            year.linkage_product = ratio(year.made_inter_t, year.made_t);
            let linked = self.linked_enterprise.iter().filter(|b| **b).count();
            let present = self.present_enterprise.iter().filter(|b| **b).count();
            year.linkage_enterprise = ratio(linked as f64, present as f64);
            self.years.push(year);
        }
    }
}

/// One step's tonnes, as the indicators add them to the year.
#[derive(Debug, Clone, Copy)]
struct StepTonnes {
    /// Byproducts: made, linked between enterprises, linked within one.
    byproducts: [f64; 3],
    /// Products and byproducts: made, linked between enterprises.
    made: [f64; 2],
}

fn empty_year() -> YearIndicators {
    YearIndicators {
        year: 0,
        linkage_mass: 0.0,
        linkage_product: 0.0,
        linkage_enterprise: 0.0,
        byproduct_t: 0.0,
        linked_inter_t: 0.0,
        linked_intra_t: 0.0,
        made_t: 0.0,
        made_inter_t: 0.0,
        park: Vec::new(),
        background: Vec::new(),
        permits: Vec::new(),
    }
}

/// `num / den`, or 0 when nothing is generated.
fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A linkage target judged: as a run judges it, and as `summary.json`
/// records it and the report reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// Year.
    pub year: i32,
    /// Target value.
    pub target: f64,
    /// Simulated value of the judged metric.
    pub value: f64,
    /// value ≥ target.
    pub met: bool,
    /// The band over the draws of the park's uncertainty, when drawn.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// A cap judged for one pollutant: as a run judges it, and as
/// `summary.json` records it and the report reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapResult {
    /// Year.
    pub year: i32,
    /// "city" or "park".
    pub scope: String,
    /// Pollutant id.
    pub pollutant: String,
    /// Limit.
    pub limit: f64,
    /// Simulated total for the cap's scope.
    pub value: f64,
    /// limit − value.
    pub margin: f64,
    /// value ≤ limit.
    pub met: bool,
    /// The band over the draws of the park's uncertainty, when drawn.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// A cap's margin as a percentage of its limit (0 for a limit of 0), as the
/// tables and the report print it: `+1.1%` is 1.1% under the limit.
pub fn margin_percent(margin: f64, limit: f64) -> f64 {
    if limit > 0.0 {
        margin / limit * 100.0
    } else {
        0.0
    }
}

/// Targets and caps judged against a run's years.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Judgement {
    /// The baseline, reported not judged.
    pub baseline: Option<TargetResult>,
    /// Each target.
    pub targets: Vec<TargetResult>,
    /// Each cap, per pollutant.
    pub caps: Vec<CapResult>,
    /// Each permit in each simulated year, permit by permit.
    pub permits: Vec<PermitResult>,
}

impl Judgement {
    /// Whether every target and cap is met.
    pub fn all_met(&self) -> bool {
        self.targets.iter().all(|t| t.met)
            && self.caps.iter().all(|c| c.met)
            && self.permits.iter().all(|p| p.met)
    }
}

/// Judge targets and caps.
pub fn judge(plan: &Plan, years: &[YearIndicators]) -> Judgement {
    let at = |y: i32| years.iter().find(|r| r.year == y);
    let target = |(year, target): (i32, f64)| {
        at(year).map(|r| {
            let value = r.linkage(plan.params.metric);
            TargetResult {
                year,
                target,
                value,
                met: value >= target,
                band: None,
            }
        })
    };
    let mut caps = Vec::new();
    for cap in &plan.params.caps {
        let Some(r) = at(cap.year) else { continue };
        for &(k, limit) in &cap.limits {
            let value = r.scoped(cap.scope, k);
            caps.push(CapResult {
                year: cap.year,
                scope: cap.scope.as_str().to_string(),
                pollutant: plan.topology.pollutants[k].clone(),
                limit,
                value,
                margin: limit - value,
                met: value <= limit,
                band: None,
            });
        }
    }
    let mut permits = Vec::new();
    for (i, permit) in plan.params.permits.iter().enumerate() {
        // A permit given as steps holds from its first step's year: before
        // it, the enterprise had no permit to judge.
        let from = permit.limit.first_year().unwrap_or(i32::MIN);
        for r in years.iter().filter(|r| r.year >= from) {
            let (limit, value) = (permit.limit.at(r.year), r.permits[i]);
            permits.push(PermitResult {
                enterprise: plan.topology.enterprises[permit.enterprise].clone(),
                pollutant: plan.topology.pollutants[permit.pollutant].clone(),
                year: r.year,
                limit,
                value,
                met: value <= limit,
                band: None,
            });
        }
    }
    Judgement {
        permits,
        baseline: plan.params.baseline.and_then(target),
        targets: plan
            .params
            .targets
            .iter()
            .copied()
            .filter_map(target)
            .collect(),
        caps,
    }
}
