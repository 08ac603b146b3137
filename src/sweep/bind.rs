//! Swept parameters bound to the places they change in a compiled plan.
//!
//! A sweep resolves each path once against the park (as a scenario would),
//! then binds each match to a [`PlanSlot`]: a value in the compiled plan,
//! including the packed copies the solver reads. Each run then writes its
//! draws straight into its thread's copy of the plan: nothing is parsed,
//! validated, cloned or compiled per sample.

use serde::Deserialize;

use crate::engine::{Block, Plan};
use crate::model::{Park, Series};
use crate::scenario::path::{CoeffMap, LinkYear, ProcessSeries, StorageField, Target};

/// How a drawn value is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Apply {
    /// The value replaces the parameter (a series becomes that constant).
    #[default]
    Set,
    /// The parameter's value (every step of a series) is multiplied by it.
    Scale,
}

/// One value in a compiled plan that a swept parameter writes.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanSlot {
    /// A process's capacity, utilization or demand series.
    Process(usize, ProcessSeries),
    /// An input coefficient (input slot).
    Input(usize),
    /// An output coefficient (pool).
    Output(usize),
    /// An emission factor: (process, index in its emissions, flat entry).
    Emission(usize, usize, usize),
    /// An abatement series: (process, index in its emissions, flat entry).
    Abatement(usize, usize, usize),
    /// A link's first or last year.
    LinkYear(usize, LinkYear),
    /// A link's max_rate.
    MaxRate(usize),
    /// A material's tonnes per unit.
    Tonnes(usize),
    /// A disposal emission factor: (material, index in its disposal list).
    Disposal(usize, usize),
    /// A storage's capacity or initial level.
    Storage(usize, StorageField),
    /// Background emissions of a pollutant.
    Background(usize),
    /// A cap limit: (cap, index in its limits).
    CapLimit(usize, usize),
}

/// Bind a resolved park target to its place in `plan`. `Ok(None)`: the target
/// has no effect on runs (an abatement of a pollutant the process does not
/// emit, a cap outside the simulated years).
pub fn bind(park: &Park, plan: &Plan, target: &Target) -> Result<Option<PlanSlot>, String> {
    let pollutant = |k: &str| plan.pollutants.iter().position(|p| p == k);
    Ok(Some(match target {
        Target::ProcessSeries(p, field) => {
            if *field == ProcessSeries::Capacity
                && plan.blocks.iter().any(|b| match b {
                    Block::Leontief(i) => plan.leontief[*i as usize].contains(p),
                    _ => false,
                })
            {
                return Err(format!(
                    "process `{}` is solved in a Leontief block, which needs it unbounded; sweep its demand or coefficients instead",
                    park.processes[*p].id
                ));
            }
            PlanSlot::Process(*p, *field)
        }
        Target::ProcessCoeff(p, map, key) => {
            let material = plan.materials.iter().position(|m| m.id == *key);
            let proc_ = &plan.processes[*p];
            match map {
                CoeffMap::Inputs => PlanSlot::Input(
                    proc_
                        .slots
                        .clone()
                        .find(|&s| Some(plan.slots[s].material) == material)
                        .expect("resolved input"),
                ),
                CoeffMap::Outputs => PlanSlot::Output(
                    proc_
                        .pools
                        .clone()
                        .skip(1)
                        .find(|&i| Some(plan.pools[i].material) == material)
                        .expect("resolved output"),
                ),
                CoeffMap::Emissions => {
                    let k = pollutant(key).expect("resolved pollutant");
                    let e = proc_
                        .emissions
                        .iter()
                        .position(|(kk, _, _)| *kk == k)
                        .expect("resolved");
                    PlanSlot::Emission(*p, e, entry(plan, *p, e))
                }
            }
        }
        Target::Abatement(p, key) => {
            let k = pollutant(key).expect("resolved pollutant");
            match plan.processes[*p]
                .emissions
                .iter()
                .position(|(kk, _, _)| *kk == k)
            {
                Some(e) => PlanSlot::Abatement(*p, e, entry(plan, *p, e)),
                None => return Ok(None),
            }
        }
        Target::LinkYear(l, which) => PlanSlot::LinkYear(plan_link(plan, *l), *which),
        Target::LinkMaxRate(l) => PlanSlot::MaxRate(plan_link(plan, *l)),
        Target::LinkPriority(l) => {
            return Err(format!(
                "the priority of link `{}` decides the service order, which is compiled once; use a scenario to change it",
                park.links[*l].id
            ));
        }
        Target::TonnesPerUnit(m) => PlanSlot::Tonnes(*m),
        Target::DisposalFactor(m, key) => {
            let k = pollutant(key).expect("resolved pollutant");
            let d = plan.materials[*m]
                .disposal
                .iter()
                .position(|(kk, _)| *kk == k)
                .expect("resolved");
            PlanSlot::Disposal(*m, d)
        }
        Target::Storage(s, field) => PlanSlot::Storage(*s, *field),
        Target::Background(key) => {
            PlanSlot::Background(pollutant(key).expect("resolved pollutant"))
        }
        Target::CapLimit(c, key) => {
            let year = park.caps[*c].year;
            let Some(ci) = plan.caps.iter().position(|cap| cap.year == year) else {
                return Ok(None);
            };
            let k = pollutant(key).expect("resolved pollutant");
            PlanSlot::CapLimit(
                ci,
                plan.caps[ci]
                    .limits
                    .iter()
                    .position(|(kk, _)| *kk == k)
                    .expect("resolved"),
            )
        }
    }))
}

/// The flat emission entry of process `p`'s `e`-th emission.
fn entry(plan: &Plan, p: usize, e: usize) -> usize {
    plan.processes[..p]
        .iter()
        .map(|q| q.emissions.len())
        .sum::<usize>()
        + e
}

/// The plan index of the park's `position`-th link.
fn plan_link(plan: &Plan, position: usize) -> usize {
    plan.links
        .iter()
        .position(|l| l.position == position)
        .expect("every link is compiled")
}

/// The values a slot holds in the base plan (every step of a series).
pub fn base_values(plan: &Plan, slot: &PlanSlot) -> Vec<f64> {
    let series = |s: &Series| s.values().collect::<Vec<_>>();
    match slot {
        PlanSlot::Process(p, field) => {
            let proc_ = &plan.operating[*p];
            match field {
                ProcessSeries::Capacity => proc_.capacity.as_ref().map_or(Vec::new(), series),
                ProcessSeries::Utilization => series(&proc_.utilization),
                ProcessSeries::Demand => series(&proc_.demand),
            }
        }
        PlanSlot::Input(s) => vec![plan.slots[*s].coeff],
        PlanSlot::Output(i) => vec![plan.pools[*i].coeff],
        PlanSlot::Emission(p, e, _) => vec![plan.processes[*p].emissions[*e].1],
        PlanSlot::Abatement(p, e, _) => plan.processes[*p].emissions[*e]
            .2
            .as_ref()
            .map_or(vec![0.0], series),
        PlanSlot::LinkYear(l, LinkYear::Start) => vec![f64::from(plan.links[*l].start)],
        PlanSlot::LinkYear(l, LinkYear::End) => vec![f64::from(plan.links[*l].end)],
        PlanSlot::MaxRate(l) => plan.links[*l].max_rate.into_iter().collect(),
        PlanSlot::Tonnes(m) => plan.materials[*m].tonnes.into_iter().collect(),
        PlanSlot::Disposal(m, d) => vec![plan.materials[*m].disposal[*d].1],
        PlanSlot::Storage(s, StorageField::Capacity) => vec![plan.storages[*s].capacity],
        PlanSlot::Storage(s, StorageField::Initial) => vec![plan.storages[*s].initial],
        PlanSlot::Background(k) => series(&plan.background[*k]),
        PlanSlot::CapLimit(c, i) => vec![plan.caps[*c].limits[*i].1],
    }
}

/// Write `value` into `plan` at `slot`, by `apply`, starting from `base`.
/// Touches only the slot's own fields, so runs on one thread's plan copy
/// never allocate once the copy holds series of the base's shape.
pub fn write(plan: &mut Plan, base: &Plan, slot: &PlanSlot, apply: Apply, value: f64) {
    let number = |base: f64| match apply {
        Apply::Set => value,
        Apply::Scale => base * value,
    };
    let series = |target: &mut Series, base: &Series| match apply {
        Apply::Set => *target = Series::Constant(value),
        Apply::Scale => {
            target.clone_from(base);
            for v in target.values_mut() {
                *v *= value;
            }
        }
    };
    match slot {
        PlanSlot::Process(p, field) => {
            let (proc_, base) = (&mut plan.operating[*p], &base.operating[*p]);
            match field {
                ProcessSeries::Capacity => {
                    let target = proc_.capacity.get_or_insert(Series::Constant(0.0));
                    match &base.capacity {
                        Some(b) => series(target, b),
                        None => *target = Series::Constant(value),
                    }
                }
                ProcessSeries::Utilization => series(&mut proc_.utilization, &base.utilization),
                ProcessSeries::Demand => series(&mut proc_.demand, &base.demand),
            }
        }
        PlanSlot::Input(s) => {
            plan.set_slot_coeff(*s, number(base.slots[*s].coeff));
        }
        PlanSlot::Output(i) => {
            plan.set_pool_coeff(*i, number(base.pools[*i].coeff));
        }
        PlanSlot::Emission(p, e, flat) => {
            let v = number(base.processes[*p].emissions[*e].1);
            plan.processes[*p].emissions[*e].1 = v;
            plan.emission_entries[*flat].coeff = v;
        }
        PlanSlot::Abatement(p, e, flat) => {
            const NONE: Series = Series::Constant(0.0);
            let base_series = base.processes[*p].emissions[*e].2.as_ref().unwrap_or(&NONE);
            let target = plan.abatements[*flat].get_or_insert(Series::Constant(0.0));
            series(target, base_series);
            plan.processes[*p].emissions[*e]
                .2
                .clone_from(&plan.abatements[*flat]);
        }
        PlanSlot::LinkYear(l, which) => {
            let year = value.round() as i32;
            plan.edit_link(*l, |link| match which {
                LinkYear::Start => link.start = year,
                LinkYear::End => link.end = year,
            });
        }
        PlanSlot::MaxRate(l) => {
            let rate = number(base.links[*l].max_rate.unwrap_or(0.0));
            plan.edit_link(*l, |link| link.max_rate = Some(rate));
        }
        PlanSlot::Tonnes(m) => {
            plan.materials[*m].tonnes = Some(number(base.materials[*m].tonnes.unwrap_or(0.0)));
        }
        PlanSlot::Disposal(m, d) => {
            let (k, base_factor) = base.materials[*m].disposal[*d];
            let v = number(base_factor);
            plan.materials[*m].disposal[*d].1 = v;
            for entry in plan.disposal_entries.iter_mut() {
                let pool = plan.disposed_pools[entry.disposed as usize].0;
                if plan.pools[pool as usize].material == *m && entry.pollutant as usize == k {
                    entry.factor = v;
                }
            }
        }
        PlanSlot::Storage(s, StorageField::Capacity) => {
            plan.storages[*s].capacity = number(base.storages[*s].capacity);
        }
        PlanSlot::Storage(s, StorageField::Initial) => {
            plan.storages[*s].initial = number(base.storages[*s].initial);
        }
        PlanSlot::Background(k) => series(&mut plan.background[*k], &base.background[*k]),
        PlanSlot::CapLimit(c, i) => {
            plan.caps[*c].limits[*i].1 = number(base.caps[*c].limits[*i].1);
        }
    }
}
