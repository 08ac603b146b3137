//! What is specific to each process mode, in one place: the edges it adds
//! to the dependency graph, which blocks read its step capacity and its
//! links' limits, how its activity and its inputs' requests are evaluated,
//! how its values are checked, and when a cycle of its processes is a
//! Leontief system (docs/MODEL.md, "One step").
//!
//! Each rule is a `match` on [`Mode`], so a new variant makes the compiler
//! list every arm it needs. Validation of the file form (`model::Mode`) is
//! in `model/validate.rs`.

use super::finite::{all_finite, not_finite};
use super::mode::Mode;
use super::params::Params;
use super::topology::Topology;
use super::workspace::Workspace;

/// The edges of the dependency graph that link `l` brings (node `np + l`;
/// nodes below `np` are processes): `(u, v)` means v is computed from u.
pub(super) fn link_edges(t: &Topology, l: usize, edges: &mut Vec<(usize, usize)>) {
    let np = t.processes.len();
    let n = t.links.len() as u32;
    let node = np + l;
    let link = &t.links[l];
    let (source, sink) = (link.from as usize, link.to as usize);
    let feed = link.feed;
    // A flow depends on its pool, its sink's request (a Feed slot's is fixed
    // by K) and the links served before it from the same pool or into the
    // same slot.
    edges.push((source, node));
    if !feed {
        edges.push((sink, node));
    }
    if link.prev_in_pool != n {
        edges.push((np + link.prev_in_pool as usize, node));
    }
    if link.prev_in_slot != n {
        edges.push((np + link.prev_in_slot as usize, node));
    }
    if feed {
        edges.push((node, sink));
    }
    // A Demand process's activity depends on what its product links would
    // carry with an unlimited pool: the sink's request less what earlier
    // links delivered there.
    if is_demand_product_link(t, l) {
        if !feed {
            edges.push((sink, source));
        }
        if link.prev_in_slot != n {
            edges.push((np + link.prev_in_slot as usize, source));
        }
    }
}

/// Whether link `l` carries process `p`'s product and `p` runs to meet
/// demand: `p`'s activity then depends on what the link's sink asks for.
fn is_demand_product_link(t: &Topology, l: usize) -> bool {
    let link = &t.links[l];
    matches!(t.modes[link.from as usize], Mode::Demand { product, .. } if product == link.pool)
}

/// Who reads a step capacity or demand and who reads a link's limit, as
/// `(item, node)` pairs for link `l`: pushed onto `capacity` (item: a
/// process) and `limit` (item: a link). Each process and link also reads
/// its own (added by the caller).
pub(super) fn link_readers(
    t: &Topology,
    l: usize,
    capacity: &mut Vec<(usize, usize)>,
    limit: &mut Vec<(usize, usize)>,
) {
    let np = t.processes.len();
    let link = &t.links[l];
    let (source, sink) = (link.from as usize, link.to as usize);
    let product_of_demand = is_demand_product_link(t, l);
    if product_of_demand {
        limit.push((l, source));
    }
    if link.feed {
        // The request of a Feed slot is its coefficient times K.
        capacity.push((sink, np + l));
        if product_of_demand {
            capacity.push((sink, source));
        }
    }
}

/// Process `p`'s activity this step, from what it depends on.
#[inline(always)]
pub(super) fn activity(t: &Topology, params: &Params, ws: &Workspace, p: usize) -> f64 {
    match t.modes[p] {
        Mode::Fixed => ws.k[p],
        Mode::Feed { slot, last } => {
            // Validation guarantees a positive feed coefficient.
            ws.k[p].min(ws.slot_taken[last as usize] / params.slot_coeff[slot as usize])
        }
        Mode::Demand { links, .. } => {
            let mut total = ws.demand[p];
            for &l in &t.pool_links.items()[links.0 as usize..links.1 as usize] {
                total += unlimited_flow(t, params, ws, l as usize);
            }
            ws.k[p].min(total)
        }
    }
}

/// What link `l`'s sink slot asks for, less what the links served before
/// it delivered there.
#[inline(always)]
pub(super) fn wanted(t: &Topology, params: &Params, ws: &Workspace, l: usize) -> f64 {
    let link = &t.links[l];
    let basis = if link.feed {
        ws.k[link.to as usize]
    } else {
        ws.x[link.to as usize]
    };
    params.slot_coeff[link.slot as usize] * basis - ws.slot_taken[link.prev_in_slot as usize]
}

/// `min(amount, cap)`, never negative. Plain comparisons: every operand is
/// finite or +∞ here (NaN cannot arise), and `f64::min` pays for NaN rules.
#[inline]
pub(super) fn clamp_flow(amount: f64, cap: f64) -> f64 {
    let f = if amount < cap { amount } else { cap };
    if f > 0.0 { f } else { 0.0 }
}

/// What link `l` would carry if its pool were unlimited.
#[inline]
pub(super) fn unlimited_flow(t: &Topology, params: &Params, ws: &Workspace, l: usize) -> f64 {
    // An inactive link has cap 0.
    clamp_flow(wanted(t, params, ws, l), ws.link_cap[l])
}

/// What slot `s` of process `p` asks for per unit of its coefficient: K
/// for a Feed slot, the activity otherwise.
#[inline(always)]
pub(super) fn request_basis(t: &Topology, ws: &Workspace, p: usize, s: u32) -> f64 {
    if t.modes[p].feed_slot() == Some(s as usize) {
        ws.k[p]
    } else {
        ws.x[p]
    }
}

/// Whether slot `s` of process `p` buys what links do not deliver: every
/// input but a Feed input, which runs the process on what it gets.
#[inline]
pub(super) fn imports(t: &Topology, p: usize, s: u32) -> bool {
    t.modes[p].feed_slot() != Some(s as usize)
}

/// Not 0 if process `p`'s activity, or an output or request that follows
/// from it, is not finite: the activity times each of its pool and non-Feed
/// slot coefficients, and a Feed slot's request (its coefficient times K).
#[inline(always)]
pub(super) fn not_finite_process(t: &Topology, params: &Params, ws: &Workspace, p: usize) -> u64 {
    let process = &t.processes[p];
    let x = ws.x[p];
    let mut bad = not_finite(x);
    for &c in &params.pool_coeff[process.pools.clone()] {
        bad |= not_finite(x * c);
    }
    let feed = t.modes[p].feed_slot();
    for s in process.slots.clone() {
        let basis = if feed == Some(s) { ws.k[p] } else { x };
        bad |= not_finite(basis * params.slot_coeff[s]);
    }
    bad
}

/// Whether every process's activity, outputs and requests are finite, as
/// [`not_finite_process`] checks one process: what a step that evaluates
/// everything checks. Every output is an activity times a coefficient, and
/// every request an activity or a Feed process's K times one, so when the
/// largest of these, times the largest coefficient (`largest_coeff`, at
/// least 1), is finite, so is each; only when it is not is each product
/// checked.
pub(super) fn all_processes_finite(
    t: &Topology,
    params: &Params,
    ws: &Workspace,
    largest_coeff: f64,
) -> bool {
    if !all_finite(ws.x.iter().copied()) {
        return false;
    }
    // A Feed process's K is finite (it has a capacity); an unbounded
    // Demand process's ∞ multiplies no coefficient.
    let bounded = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
    let largest = (ws.x.iter().chain(&ws.k)).fold(0.0f64, |m, &v| m.max(bounded(v)));
    (largest * largest_coeff).is_finite() || each_product_finite(t, params, ws)
}

/// Whether each output and request of every process is finite.
#[cold]
fn each_product_finite(t: &Topology, params: &Params, ws: &Workspace) -> bool {
    let outputs = (t.pools.iter().zip(&params.pool_coeff)).fold(0, |bad, (pool, c)| {
        bad | not_finite(ws.x[pool.process as usize] * c)
    });
    let requests =
        (t.slots.iter().zip(&params.slot_coeff).enumerate()).fold(0, |bad, (s, (slot, c))| {
            let basis = request_basis(t, ws, slot.process as usize, s as u32);
            bad | not_finite(basis * c)
        });
    outputs | requests == 0
}

/// The largest of 1 and the magnitudes of every pool's and slot's
/// coefficient: what [`all_processes_finite`] scales activities by. Worked
/// out at the start of each run, as a sweep may change coefficients
/// between runs.
pub(super) fn largest_coeff(params: &Params) -> f64 {
    (params.pool_coeff.iter().chain(&params.slot_coeff)).fold(1.0f64, |m, c| m.max(c.abs()))
}

/// A cycle is a Leontief system when it holds only unbounded Demand
/// processes whose product links inside the cycle have no rate limit.
/// `in_comp` marks the cycle's nodes.
pub(super) fn is_leontief(
    t: &Topology,
    params: &super::Params,
    comp: &[usize],
    in_comp: &[bool],
) -> bool {
    let np = t.processes.len();
    comp.iter().all(|&v| {
        v < np
            && match t.modes[v] {
                Mode::Demand { product, .. } => {
                    params.operating[v].capacity.is_none()
                        && t.pool_links.of(product as usize).iter().all(|&l| {
                            !in_comp[t.links[l as usize].to as usize]
                                || params.links[l as usize].max_rate == f64::INFINITY
                        })
                }
                _ => false,
            }
    })
}
