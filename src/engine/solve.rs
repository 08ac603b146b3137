//! The step solver: one loop over the schedule, evaluating every block or
//! only the marked ones; a link's flow; storages settled after the fixed
//! point.

use super::Plan;
use super::checks::{check_emissions, check_finite, not_finite_nodes};
use super::cycles::{iterate_cycle, solve_leontief};
use super::emissions::emit;
use super::mode::{activity, not_finite_process, request_basis};
use super::schedule::Block;
use super::view::pool_left;
use super::workspace::Workspace;
use crate::error::Result;

/// Largest number of Gauss–Seidel sweeps over a cycle before giving up.
pub const MAX_SWEEPS: usize = 10_000;
/// Relative change below which a cycle has converged.
pub const TOLERANCE: f64 = 1e-12;

/// Solve one step: the blocks whose inputs changed (all of them at a run's
/// start), the storages, the emissions, and the checks.
pub(super) fn solve_step(plan: &Plan, ws: &mut Workspace) -> Result<()> {
    // Storage levels are the last input: a level that moved marks the links
    // that draw on it (storages are settled in any step that evaluates
    // something).
    let mut moved = false;
    for s in 0..plan.topology.storages.len() {
        if ws.level[s].to_bits() != ws.level_start[s].to_bits() {
            ws.level_start[s] = ws.level[s];
            ws.mark(plan.schedule.storage_readers.of(s));
            moved = true;
        }
    }
    if ws.full || moved || ws.pending() {
        ws.solution.count += 1;
        let full = ws.full;
        ws.full = !ws.reuse;
        let finite = solve(plan, ws, full)?;
        settle_storages(plan, ws);
        emit(plan, ws);
        if finite {
            check_emissions(plan, ws)
        } else {
            check_finite(plan, ws)
        }
    } else {
        // Nothing the solution depends on changed. Emissions are those of
        // the step before, unless an abatement changed; the background
        // may have, and is checked.
        if ws.emissions_stale {
            emit(plan, ws);
        }
        check_emissions(plan, ws)
    }
}

/// Evaluate every block (`full`), or the marked ones, in schedule order.
/// Blocks run in dependency order, so every value is written before it is
/// read, except inside a cycle, which resets its own nodes first. In a
/// marked step a value that comes out with new bits marks the blocks that
/// read it, all later in the order, so one pass suffices. Disabled links
/// are never evaluated and keep the flow 0 they start with.
///
/// Returns whether every process evaluated has a finite activity, outputs
/// and requests: that covers the flows too, as a flow is at most what its
/// pool made and held in storage, and what was not evaluated is as it was
/// when it was checked. (A process whose step capacity changed is
/// evaluated: its block is among those that read it.)
fn solve(plan: &Plan, ws: &mut Workspace, full: bool) -> Result<bool> {
    let np = plan.topology.processes.len();
    let blocks = &plan.schedule.blocks;
    if full {
        ws.todo.fill(0);
    }
    let mut bad = 0;
    let mut b = 0;
    loop {
        if full {
            if b == blocks.len() {
                break;
            }
        } else {
            match ws.take_mark(b) {
                Some(marked) => b = marked,
                None => break,
            }
        }
        match blocks[b] {
            Block::Process(p) => {
                let p = p as usize;
                let before = ws.x[p];
                let x = eval_process(plan, ws, p);
                bad |= not_finite_process(plan, ws, p);
                if !full && x.to_bits() != before.to_bits() {
                    ws.mark(plan.schedule.successors.of(p));
                }
            }
            Block::Links(start, end) => {
                for l in start as usize..end as usize {
                    if full {
                        eval_link(plan, ws, l);
                        continue;
                    }
                    let before = [ws.f[l], ws.pool_taken[l], ws.slot_taken[l]];
                    eval_link(plan, ws, l);
                    let after = [ws.f[l], ws.pool_taken[l], ws.slot_taken[l]];
                    if before.map(f64::to_bits) != after.map(f64::to_bits) {
                        ws.mark(plan.schedule.successors.of(np + l));
                    }
                }
            }
            // A cycle is solved whole, and then counts as changed throughout.
            Block::Leontief(i) => {
                let nodes = &plan.schedule.leontief[i as usize];
                solve_leontief(plan, ws, i as usize)?;
                bad |= block_done(plan, ws, full, nodes);
            }
            Block::Cycle(i) => {
                let nodes = &plan.schedule.cycles[i as usize];
                iterate_cycle(plan, ws, nodes)?;
                bad |= block_done(plan, ws, full, nodes);
            }
        }
        b += 1;
    }
    Ok(bad == 0)
}

/// A cycle's `nodes` were solved: in a marked step each counts as changed.
/// Returns its processes' check, as [`not_finite_process`] gives it.
fn block_done(plan: &Plan, ws: &mut Workspace, full: bool, nodes: &[usize]) -> u64 {
    if !full {
        for &v in nodes {
            ws.mark(plan.schedule.successors.of(v));
        }
    }
    not_finite_nodes(plan, ws, nodes)
}

/// Evaluate process `p`'s activity from what it depends on.
#[inline(always)]
pub(super) fn eval_process(plan: &Plan, ws: &mut Workspace, p: usize) -> f64 {
    let x = activity(plan, ws, p);
    ws.x[p] = x;
    x
}

/// What link `l`'s sink slot asks for, less what the links served before
/// it delivered there.
#[inline(always)]
fn wanted(plan: &Plan, ws: &Workspace, l: usize) -> f64 {
    let link = &plan.topology.links[l];
    let basis = request_basis(&plan.topology, ws, link.to as usize, link.slot);
    plan.params.slot_coeff[link.slot as usize] * basis - ws.slot_taken[link.prev_in_slot as usize]
}

/// `min(amount, cap)`, never negative. Plain comparisons: every operand is
/// finite or +∞ here (NaN cannot arise), and `f64::min` pays for NaN rules.
#[inline]
fn clamp_flow(amount: f64, cap: f64) -> f64 {
    let f = if amount < cap { amount } else { cap };
    if f > 0.0 { f } else { 0.0 }
}

/// What link `l` would carry if its pool were unlimited.
#[inline]
pub(super) fn unlimited_flow(plan: &Plan, ws: &Workspace, l: usize) -> f64 {
    // An inactive link has cap 0.
    clamp_flow(wanted(plan, ws, l), ws.link_cap[l])
}

/// Evaluate link `l`'s flow from its pool, its sink and the links served
/// before it; returns the flow.
#[inline(always)]
pub(super) fn eval_link(plan: &Plan, ws: &mut Workspace, l: usize) -> f64 {
    let link = &plan.topology.links[l];
    let pool_before = ws.pool_taken[link.prev_in_pool as usize];
    let storage = plan.topology.pools[link.pool as usize].storage;
    let stock = match ws.level_start.get(storage as usize) {
        Some(&level) => level,
        None => 0.0,
    };
    let made = plan.params.pool_coeff[link.pool as usize] * ws.x[link.from as usize];
    let available = made + stock - pool_before;
    let wanted = wanted(plan, ws, l);
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

/// Pools with a storage: what is left goes to the storage up to its
/// capacity, the rest to the pool's fate.
fn settle_storages(plan: &Plan, ws: &mut Workspace) {
    for (s, storage) in plan.topology.storages.iter().enumerate() {
        let stock = ws.level_start[s];
        let left = pool_left(plan, ws, storage.pool, stock);
        let kept = left.min(plan.params.storages[s].capacity);
        ws.level[s] = kept;
        ws.storage_rest[s] = left - kept;
        ws.stored[s] = kept - stock;
    }
}
