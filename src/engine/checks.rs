//! Never a non-finite number: the checks after each step, and the error
//! that names the first value that is not finite.

use super::balance::{pool_generated, slot_balance};
use super::finite::all_finite;
use super::plan::Plan;
use super::rules::not_finite_process;
use super::workspace::Workspace;
use crate::error::{Error, Result};

/// [`not_finite_process`] over the processes among a cycle's `nodes`.
pub(super) fn not_finite_nodes(plan: &Plan, ws: &Workspace, nodes: &[usize]) -> u64 {
    let np = plan.topology.processes.len();
    let (t, params) = (&plan.topology, &plan.params);
    (nodes.iter().filter(|&&v| v < np))
        .fold(0, |bad, &p| bad | not_finite_process(t, params, ws, p))
}

/// A value of the step is not finite: find the first, in the order
/// activities, flows, requests, outputs, emissions, and name it.
pub(super) fn check_finite(plan: &Plan, ws: &Workspace) -> Result<()> {
    let t = &plan.topology;
    let requested = |i| slot_balance(plan, ws, i).requested;
    let generated = |i| pool_generated(plan, ws, i);
    let bad = |what: &'static str, item: String, value: f64| Error::NonFinite {
        year: ws.year,
        what,
        item,
        value,
    };
    if let Some(p) = (0..t.processes.len()).find(|&p| !ws.x[p].is_finite()) {
        return Err(bad("activity", t.processes[p].id.clone(), ws.x[p]));
    }
    if let Some(l) = (0..t.links.len()).find(|&l| !ws.f[l].is_finite()) {
        return Err(bad("flow", t.link_ids[l].clone(), ws.f[l]));
    }
    if let Some(i) = (0..t.slots.len()).find(|&i| !requested(i).is_finite()) {
        return Err(bad("request", t.slot_name(i), requested(i)));
    }
    if let Some(i) = (0..t.pools.len()).find(|&i| !generated(i).is_finite()) {
        return Err(bad("output", t.pool_name(i), generated(i)));
    }
    check_emissions(plan, ws)
}

/// The park's and the background's emissions of the step are finite, or
/// the error names the first pollutant that is not.
pub(super) fn check_emissions(plan: &Plan, ws: &Workspace) -> Result<()> {
    if all_finite(ws.park_emissions.iter().chain(&ws.background).copied()) {
        return Ok(());
    }
    for (k, pollutant) in plan.topology.pollutants.iter().enumerate() {
        // Name the value that is not finite, the park's or the background's.
        for (what, value) in [
            ("emission", ws.park_emissions[k]),
            ("background emission", ws.background[k]),
        ] {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    year: ws.year,
                    what,
                    item: pollutant.clone(),
                    value,
                });
            }
        }
    }
    Ok(())
}
