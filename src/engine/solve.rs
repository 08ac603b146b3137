//! The step solver: one loop over the schedule, evaluating every block or
//! only the marked ones; storages settled after the fixed point; emissions
//! and checks.

use super::balance::pool_left;
use super::checks::{check_emissions, check_finite, not_finite_nodes};
use super::cycles::{iterate_cycle, solve_leontief};
use super::emissions::emit;
use super::flow::{eval_link, eval_process};
use super::plan::Plan;
use super::rules::{all_processes_finite, not_finite_process};
use super::schedule::Block;
use super::workspace::Workspace;
use std::ops::Range;

use crate::error::Result;

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
/// and requests (each as its block is done in a marked step; all at the end
/// when all were evaluated): that covers the flows too, as a flow is at most what its
/// pool made and held in storage, and what was not evaluated is as it was
/// when it was checked. (A process whose step capacity changed is
/// evaluated: its block is among those that read it.)
fn solve(plan: &Plan, ws: &mut Workspace, full: bool) -> Result<bool> {
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
                if !full {
                    bad |= not_finite_process(&plan.topology, &plan.params, ws, p);
                    if x.to_bits() != before.to_bits() {
                        ws.mark(plan.schedule.successors.of(p));
                    }
                }
            }
            Block::Links(start, end) => {
                let links = start as usize..end as usize;
                if full {
                    eval_links(plan, ws, links);
                } else {
                    eval_links_marking(plan, ws, links);
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
    if full {
        // Every process was evaluated: checked all at once, in order.
        let largest_coeff = ws.largest_coeff;
        return Ok(all_processes_finite(
            &plan.topology,
            &plan.params,
            ws,
            largest_coeff,
        ));
    }
    Ok(bad == 0)
}

/// Evaluate `links` in order. A loop of its own, apart from the solver's,
/// so that its values stay in registers: a large park's first step spends
/// most of its time here.
#[inline(never)]
fn eval_links(plan: &Plan, ws: &mut Workspace, links: Range<usize>) {
    for l in links {
        eval_link(plan, ws, l);
    }
}

/// Evaluate `links` in order, marking the readers of each whose flow, or
/// what it leaves for the next link, comes out with new bits.
fn eval_links_marking(plan: &Plan, ws: &mut Workspace, links: Range<usize>) {
    let np = plan.topology.processes.len();
    for l in links {
        let before = [ws.f[l], ws.pool_taken[l], ws.slot_taken[l]];
        eval_link(plan, ws, l);
        let after = [ws.f[l], ws.pool_taken[l], ws.slot_taken[l]];
        if before.map(f64::to_bits) != after.map(f64::to_bits) {
            ws.mark(plan.schedule.successors.of(np + l));
        }
    }
}

/// A cycle's `nodes` were solved: in a marked step each counts as changed,
/// and its processes are checked as [`not_finite_process`] checks one.
fn block_done(plan: &Plan, ws: &mut Workspace, full: bool, nodes: &[usize]) -> u64 {
    if full {
        return 0;
    }
    for &v in nodes {
        ws.mark(plan.schedule.successors.of(v));
    }
    not_finite_nodes(plan, ws, nodes)
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
