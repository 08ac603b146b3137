//! Pools' and slots' balances in a step. None is stored: each is worked out
//! from the activities, K and the ends of the link chains when asked for,
//! and the indicators, the emissions and the storages read the same
//! functions, so a balance cannot go stale.

use super::plan::Plan;
use super::rules::{imports, request_basis};
use super::topology::{NONE, Split};
use super::workspace::Workspace;

/// How one pool's amount was divided in a step:
/// `generated = linked_inter + linked_intra + stored + sold + disposed`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PoolBalance {
    /// Made by the process (coefficient × activity).
    pub generated: f64,
    /// Carried by links to processes of other enterprises.
    pub linked_inter: f64,
    /// Carried by links to processes of the same enterprise.
    pub linked_intra: f64,
    /// Net change of the attached storage's level (negative when drawn down).
    pub stored: f64,
    /// Sold outside the park.
    pub sold: f64,
    /// Disposed of.
    pub disposed: f64,
}

/// One input slot in a step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlotBalance {
    /// What the process asked for.
    pub requested: f64,
    /// What links delivered.
    pub delivered: f64,
    /// What was imported from outside the park.
    pub imported: f64,
}

/// What pool `i` made this step, and what its links took between
/// enterprises and within one, from its activity and the end of its chain.
#[inline(always)]
pub(super) fn pool_linked(plan: &Plan, ws: &Workspace, i: usize) -> [f64; 3] {
    let pool = &plan.topology.pools[i];
    // What the pool's links took is the end of its chain.
    let taken = ws.pool_taken[pool.last as usize];
    // Added up in service order, from 0: the chain's end when that is the
    // same sum (most pools), else link by link.
    let (inter, intra) = match pool.split {
        Split::Inter => (taken, 0.0),
        Split::Intra => (0.0, taken),
        Split::Mixed => mixed_split(plan, ws, i),
    };
    [pool_generated(plan, ws, i), inter, intra]
}

/// What pool `i` made this step.
#[inline(always)]
pub(super) fn pool_generated(plan: &Plan, ws: &Workspace, i: usize) -> f64 {
    plan.params.pool_coeff[i] * ws.x[plan.topology.pools[i].process as usize]
}

/// What is left of pool `i` this step after its links, with `stock` held
/// over in its storage (0 without one).
#[inline(always)]
pub(super) fn pool_left(plan: &Plan, ws: &Workspace, i: usize, stock: f64) -> f64 {
    let taken = ws.pool_taken[plan.topology.pools[i].last as usize];
    (pool_generated(plan, ws, i) + stock - taken).max(0.0)
}

/// What a pool's links took between enterprises and within one, link by
/// link in service order. Apart from [`pool_linked`], which the callers'
/// loops inline, as few pools need it.
#[inline(never)]
fn mixed_split(plan: &Plan, ws: &Workspace, i: usize) -> (f64, f64) {
    let (mut inter, mut intra) = (0.0, 0.0);
    for &l in plan.topology.pool_links.of(i) {
        let f = ws.f[l as usize];
        if plan.topology.links[l as usize].inter_enterprise {
            inter += f;
        } else {
            intra += f;
        }
    }
    (inter, intra)
}

/// What is left of pool `i` this step, after its links and its storage, to
/// its fate: sold or disposed of.
#[inline(always)]
pub(super) fn pool_rest(plan: &Plan, ws: &Workspace, i: usize) -> f64 {
    let storage = plan.topology.pools[i].storage;
    if storage != NONE {
        return ws.storage_rest[storage as usize];
    }
    pool_left(plan, ws, i, 0.0)
}

/// Input slot `i`'s request, delivery and import this step.
#[inline(always)]
pub(super) fn slot_balance(plan: &Plan, ws: &Workspace, i: usize) -> SlotBalance {
    let t = &plan.topology;
    let slot = &t.slots[i];
    let p = slot.process as usize;
    let requested = plan.params.slot_coeff[i] * request_basis(t, ws, p, i as u32);
    let delivered = ws.slot_taken[slot.last as usize];
    SlotBalance {
        requested,
        delivered,
        imported: if imports(t, p, i as u32) {
            (requested - delivered).max(0.0)
        } else {
            0.0
        },
    }
}
