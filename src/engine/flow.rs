//! A link's flow and a process's activity, each evaluated from the values
//! it depends on.

use super::plan::Plan;
use super::rules::{activity, clamp_flow, wanted};
use super::workspace::Workspace;

/// Evaluate process `p`'s activity from what it depends on.
#[inline(always)]
pub(super) fn eval_process(plan: &Plan, ws: &mut Workspace, p: usize) -> f64 {
    let x = activity(&plan.topology, &plan.params, ws, p);
    ws.x[p] = x;
    x
}

/// Evaluate link `l`'s flow from its pool, its sink and the links served
/// before it; returns the flow.
#[inline(always)]
pub(super) fn eval_link(plan: &Plan, ws: &mut Workspace, l: usize) -> f64 {
    let link = &plan.topology.links[l];
    let pool_before = ws.pool_taken[link.prev_in_pool as usize];
    let stock = match ws.level_start.get(link.storage as usize) {
        Some(&level) => level,
        None => 0.0,
    };
    let made = plan.params.pool_coeff[link.pool as usize] * ws.x[link.from as usize];
    let available = made + stock - pool_before;
    let wanted = wanted(&plan.topology, &plan.params, ws, l);
    let slot_before = ws.slot_taken[link.prev_in_slot as usize];
    // An inactive link has cap 0, so it carries nothing.
    let f = clamp_flow(
        if available < wanted {
            available
        } else {
            wanted
        },
        ws.link_cap[l],
    );
    ws.pool_taken[l] = pool_before + f;
    ws.slot_taken[l] = slot_before + f;
    ws.f[l] = f;
    f
}
