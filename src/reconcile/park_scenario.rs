//! What a park's reconciliation gives back to the park (docs/MODEL.md,
//! "Reconciling a park"): a scenario that sets the reconciled coefficients
//! and activities, and the year's values of a run, by role, to compare the
//! run of that scenario with the reconciled values.

use std::fmt::Write as _;

use super::park::{COEFFICIENT, ParkSystem, Role};
use super::solve::{Reconciled, Status};
use crate::engine::{Mode, Plan};
use crate::model::Series;
use crate::output::{Simulation, StepRecord};

/// The reconciled scenario's id for `year`.
pub fn scenario_id(year: i32) -> String {
    format!("reconciled-{year}")
}

/// The text of a scenario of the park at `park_path` (as the scenario file
/// names it) that sets every coefficient the reconciliation adjusted and,
/// for each Fixed process whose activity it estimated, the year's
/// utilization (or, above 1, the year's capacity) that makes it.
pub fn scenario_text(
    ps: &ParkSystem,
    plan: &Plan,
    result: &Reconciled,
    park_path: &str,
    measurements: &str,
) -> String {
    let year = ps.year;
    let (start, end) = (plan.topology.start, plan.topology.end);
    let mut changes = Vec::new();
    for (q, o) in result.outcomes.iter().enumerate() {
        let Some(x) = o.reconciled else { continue };
        match ps.roles[q] {
            Role::OutputCoeff(_) | Role::InputCoeff(_) | Role::EmissionCoeff(_)
                if o.status == Status::Measured && Some(x) != o.measured =>
            {
                let path = o.id.strip_suffix(COEFFICIENT).unwrap_or(&o.id);
                changes.push(format!("Set(path: \"{path}\", value: {x:?})"));
            }
            Role::Activity(p) if matches!(plan.topology.modes[p], Mode::Fixed) => {
                let operating = &plan.params.operating[p];
                let capacity = operating.capacity.as_ref().map_or(0.0, |c| c.at(year));
                let utilization = operating.utilization.at(year);
                let process = &plan.topology.processes[p].id;
                if capacity > 0.0 && x / capacity <= 1.0 {
                    let steps = one_year(&operating.utilization, year, x / capacity, start, end);
                    changes.push(format!(
                        "Set(path: \"processes.{process}.utilization\", value: {steps})"
                    ));
                } else if utilization > 0.0 {
                    let base = operating
                        .capacity
                        .as_ref()
                        .unwrap_or(&Series::Constant(0.0));
                    let steps = one_year(base, year, x / utilization, start, end);
                    changes.push(format!(
                        "Set(path: \"processes.{process}.capacity\", value: {steps})"
                    ));
                }
            }
            _ => {}
        }
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// Written by `parkflow reconcile` from the measurements {measurements} of {year}:\n\
         // the coefficients the reconciliation adjusted, and the {year} utilization\n\
         // (or capacity) of each Fixed process whose activity it estimated."
    );
    let _ = writeln!(s, "Scenario(");
    let _ = writeln!(s, "    id: \"{}\",", scenario_id(year));
    let _ = writeln!(s, "    park: {park_path:?},");
    let _ = writeln!(
        s,
        "    description: \"The park reconciled with its measurements of {year}\","
    );
    let _ = writeln!(s, "    changes: [");
    for c in &changes {
        let _ = writeln!(s, "        {c},");
    }
    let _ = writeln!(s, "    ],");
    let _ = writeln!(s, ")");
    s
}

/// `series` as one step a year from `start` to `end`, with `value` in `year`.
fn one_year(series: &Series, year: i32, value: f64, start: i32, end: i32) -> String {
    let steps: Vec<String> = (start..=end)
        .map(|y| {
            let v = if y == year { value } else { series.at(y) };
            format!("({y}, {v:?})")
        })
        .collect();
    format!("[{}]", steps.join(", "))
}

/// Each quantity's value in `ps.year` of a run of `plan` (the sums of the
/// year's steps; a coefficient as the plan holds it).
pub fn run_values(ps: &ParkSystem, plan: &Plan, sim: &Simulation) -> Vec<f64> {
    let steps: Vec<_> = sim.steps.iter().filter(|s| s.year == ps.year).collect();
    let sum = |f: &dyn Fn(&StepRecord) -> f64| -> f64 { steps.iter().map(|s| f(s)).sum() };
    let topo = &plan.topology;
    let emissions = sim.emissions.iter().find(|e| e.year == ps.year);
    ps.roles
        .iter()
        .map(|&role| match role {
            Role::Activity(p) => sum(&|s| s.activity[p]),
            Role::Generated(i) => sum(&|s| s.pools[i][0]),
            Role::Consumed(k) => sum(&|s| s.slots[k][1] + s.slots[k][2]),
            Role::Imported(k) => sum(&|s| s.slots[k][2]),
            Role::Carried(l) => sum(&|s| s.flow[l]),
            Role::Leftover(i) => sum(&|s| s.pools[i][4] + s.pools[i][5]),
            Role::StockChange(st) => sum(&|s| s.pools[topo.storages[st].pool][3]),
            Role::Emitted(e) => {
                let (p, k) = (topo.emissions[e].process, topo.emissions[e].pollutant);
                emissions.map_or(0.0, |y| {
                    y.process
                        .iter()
                        .filter(|&&(pp, kk, _)| pp == p as usize && kk == k as usize)
                        .map(|&(_, _, v)| v)
                        .sum()
                })
            }
            Role::OutputCoeff(i) => plan.params.pool_coeff[i],
            Role::InputCoeff(k) => plan.params.slot_coeff[k],
            Role::EmissionCoeff(e) => plan.params.emission_coeff[e],
        })
        .collect()
}
