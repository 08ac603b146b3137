//! Swept parameters bound to the places they change in a compiled plan.
//!
//! A sweep resolves each path once against the park (as a scenario would),
//! then binds each match to a [`PlanSlot`]: the one home of a value in the
//! compiled plan's [`Params`](crate::engine::Params). Each run then writes
//! its draws straight into its thread's copy of the plan: nothing is parsed,
//! validated, cloned or compiled per sample, and no other copy of a value
//! exists to keep in step.

use crate::engine::Plan;
use crate::model::{Apply, Park, Series};
use crate::scenario::path::{CoeffMap, LinkYear, ProcessSeries, StorageField, Target};

/// One value in a compiled plan's parameters that a swept parameter writes.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanSlot {
    /// A process's capacity, utilization or demand series.
    Process(usize, ProcessSeries),
    /// An input coefficient (input slot).
    Input(usize),
    /// An output coefficient (pool).
    Output(usize),
    /// A process emission factor (its place in the topology's emissions).
    Emission(usize),
    /// An abatement series (the place of its process emission).
    Abatement(usize),
    /// A link's first or last year.
    LinkYear(usize, LinkYear),
    /// A link's max_rate.
    MaxRate(usize),
    /// A material's tonnes per unit.
    Tonnes(usize),
    /// A disposal emission factor (its place in the topology's disposals).
    Disposal(usize),
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
    let t = &plan.topology;
    let pollutant = |k: &str| t.pollutants.iter().position(|p| p == k);
    // The place of process `p`'s emission of pollutant `key`, if it emits it.
    let emission = |p: usize, key: &str| {
        let k = pollutant(key).expect("resolved pollutant") as u32;
        (t.processes[p].emissions.clone()).find(|&e| t.emissions[e].pollutant == k)
    };
    Ok(Some(match target {
        Target::ProcessSeries(p, field) => {
            if *field == ProcessSeries::Capacity
                && plan.schedule.leontief.iter().any(|block| block.contains(p))
            {
                return Err(format!(
                    "process `{}` is solved in a Leontief block, which needs it unbounded; sweep its demand or coefficients instead",
                    park.processes[*p].id
                ));
            }
            PlanSlot::Process(*p, *field)
        }
        Target::ProcessCoeff(p, map, key) => {
            let material = t.materials.iter().position(|m| m.id == *key);
            let process = &t.processes[*p];
            let is = |m: u32| Some(m as usize) == material;
            match map {
                CoeffMap::Inputs => PlanSlot::Input(
                    (process.slots.clone())
                        .find(|&s| is(t.slots[s].material))
                        .expect("resolved input"),
                ),
                CoeffMap::Outputs => PlanSlot::Output(
                    (process.pools.clone().skip(1))
                        .find(|&i| is(t.pools[i].material))
                        .expect("resolved output"),
                ),
                CoeffMap::Emissions => PlanSlot::Emission(emission(*p, key).expect("resolved")),
            }
        }
        Target::Abatement(p, key) => match emission(*p, key) {
            Some(e) => PlanSlot::Abatement(e),
            None => return Ok(None),
        },
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
            let k = pollutant(key).expect("resolved pollutant") as u32;
            PlanSlot::Disposal(
                (t.materials[*m].disposal.clone())
                    .find(|&d| t.disposals[d].pollutant == k)
                    .expect("resolved"),
            )
        }
        Target::Storage(s, field) => PlanSlot::Storage(*s, *field),
        Target::Background(key) => {
            PlanSlot::Background(pollutant(key).expect("resolved pollutant"))
        }
        Target::CapLimit(c, key) => {
            let year = park.caps[*c].year;
            let caps = &plan.params.caps;
            let Some(ci) = caps.iter().position(|cap| cap.year == year) else {
                return Ok(None);
            };
            let k = pollutant(key).expect("resolved pollutant");
            PlanSlot::CapLimit(
                ci,
                (caps[ci].limits.iter())
                    .position(|(kk, _)| *kk == k)
                    .expect("resolved"),
            )
        }
    }))
}

/// The plan index of the park's `position`-th link.
fn plan_link(plan: &Plan, position: usize) -> usize {
    (plan.topology.link_positions.iter())
        .position(|&p| p as usize == position)
        .expect("every link is compiled")
}

/// The values a slot holds in the base plan (every step of a series).
pub fn base_values(plan: &Plan, slot: &PlanSlot) -> Vec<f64> {
    let series = |s: &Series| s.values().collect::<Vec<_>>();
    let params = &plan.params;
    match slot {
        PlanSlot::Process(p, field) => {
            let operating = &params.operating[*p];
            match field {
                ProcessSeries::Capacity => operating.capacity.as_ref().map_or(Vec::new(), series),
                ProcessSeries::Utilization => series(&operating.utilization),
                ProcessSeries::Demand => series(&operating.demand),
            }
        }
        PlanSlot::Input(s) => vec![params.slot_coeff[*s]],
        PlanSlot::Output(i) => vec![params.pool_coeff[*i]],
        PlanSlot::Emission(e) => vec![params.emission_coeff[*e]],
        PlanSlot::Abatement(e) => params.abatement[*e].as_ref().map_or(vec![0.0], series),
        PlanSlot::LinkYear(l, LinkYear::Start) => vec![f64::from(params.links[*l].start)],
        PlanSlot::LinkYear(l, LinkYear::End) => vec![f64::from(params.links[*l].end)],
        PlanSlot::MaxRate(l) => {
            let rate = params.links[*l].max_rate;
            if rate.is_finite() {
                vec![rate]
            } else {
                Vec::new()
            }
        }
        PlanSlot::Tonnes(m) => params.tonnes[*m].into_iter().collect(),
        PlanSlot::Disposal(d) => vec![params.disposal_factor[*d]],
        PlanSlot::Storage(s, StorageField::Capacity) => vec![params.storages[*s].capacity],
        PlanSlot::Storage(s, StorageField::Initial) => vec![params.storages[*s].initial],
        PlanSlot::Background(k) => series(&params.background[*k]),
        PlanSlot::CapLimit(c, i) => vec![params.caps[*c].limits[*i].1],
    }
}

/// Write `value` into `plan` at `slot`, by `apply`, starting from `base`.
/// Touches only the slot's own value, so runs on one thread's plan copy
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
    let (params, base) = (&mut plan.params, &base.params);
    match slot {
        PlanSlot::Process(p, field) => {
            let (operating, base) = (&mut params.operating[*p], &base.operating[*p]);
            match field {
                ProcessSeries::Capacity => {
                    let target = operating.capacity.get_or_insert(Series::Constant(0.0));
                    match &base.capacity {
                        Some(b) => series(target, b),
                        None => *target = Series::Constant(value),
                    }
                }
                ProcessSeries::Utilization => series(&mut operating.utilization, &base.utilization),
                ProcessSeries::Demand => series(&mut operating.demand, &base.demand),
            }
        }
        PlanSlot::Input(s) => params.slot_coeff[*s] = number(base.slot_coeff[*s]),
        PlanSlot::Output(i) => params.pool_coeff[*i] = number(base.pool_coeff[*i]),
        PlanSlot::Emission(e) => params.emission_coeff[*e] = number(base.emission_coeff[*e]),
        PlanSlot::Abatement(e) => {
            const NONE: Series = Series::Constant(0.0);
            let base_series = base.abatement[*e].as_ref().unwrap_or(&NONE);
            let target = params.abatement[*e].get_or_insert(Series::Constant(0.0));
            series(target, base_series);
        }
        PlanSlot::LinkYear(l, which) => {
            let year = value.round() as i32;
            match which {
                LinkYear::Start => params.links[*l].start = year,
                LinkYear::End => params.links[*l].end = year,
            }
        }
        PlanSlot::MaxRate(l) => {
            let base = base.links[*l].max_rate;
            params.links[*l].max_rate = number(if base.is_finite() { base } else { 0.0 });
        }
        PlanSlot::Tonnes(m) => params.tonnes[*m] = Some(number(base.tonnes[*m].unwrap_or(0.0))),
        PlanSlot::Disposal(d) => params.disposal_factor[*d] = number(base.disposal_factor[*d]),
        PlanSlot::Storage(s, StorageField::Capacity) => {
            params.storages[*s].capacity = number(base.storages[*s].capacity);
        }
        PlanSlot::Storage(s, StorageField::Initial) => {
            params.storages[*s].initial = number(base.storages[*s].initial);
        }
        PlanSlot::Background(k) => series(&mut params.background[*k], &base.background[*k]),
        PlanSlot::CapLimit(c, i) => {
            params.caps[*c].limits[*i].1 = number(base.caps[*c].limits[*i].1);
        }
    }
}
