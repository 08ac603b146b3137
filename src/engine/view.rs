//! [`StepView`]: a solved step as the outside reads it. No pool's or slot's
//! balance is stored: each is worked out from the activities and the ends of
//! the link chains when asked for, and the indicators and emissions read
//! the same functions, so they cannot go stale.

use super::Plan;
use super::mode::{imports, request_basis};
use super::topology::{NONE, PoolFate, Split};
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

/// A read-only view of one solved step, handed to the caller's observer.
pub struct StepView<'a> {
    /// The plan.
    pub plan: &'a Plan,
    pub(super) ws: &'a Workspace,
}

impl StepView<'_> {
    /// Calendar year.
    pub fn year(&self) -> i32 {
        self.ws.year
    }
    /// Step within the year, 0-based.
    pub fn step(&self) -> u32 {
        self.ws.step
    }
    /// Step length in years.
    pub fn dt(&self) -> f64 {
        self.ws.dt
    }
    /// Activity of each process this step (product units).
    pub fn activity(&self) -> &[f64] {
        &self.ws.x
    }
    /// Capacity of each process for this step (K = capacity · utilization · Δ; ∞ when unbounded).
    pub fn step_capacity(&self) -> &[f64] {
        &self.ws.k
    }
    /// Capacity series value of each process this year (∞ when unbounded).
    pub fn capacity(&self) -> &[f64] {
        &self.ws.capacity
    }
    /// Flow on each link this step (0 when inactive).
    pub fn flow(&self) -> &[f64] {
        &self.ws.f[..self.plan.topology.links.len()]
    }
    /// Whether each link is active this year.
    pub fn link_active(&self) -> &[bool] {
        &self.ws.link_active
    }
    /// How pool `i`'s amount was divided this step.
    pub fn pool(&self, i: usize) -> PoolBalance {
        let [generated, inter, intra] = pool_linked(self.plan, self.ws, i);
        let pool = &self.plan.topology.pools[i];
        let rest = pool_rest(self.plan, self.ws, i);
        let (sold, disposed) = match pool.fate {
            PoolFate::Dispose => (0.0, rest),
            PoolFate::Sell => (rest, 0.0),
        };
        PoolBalance {
            generated,
            linked_inter: inter,
            linked_intra: intra,
            stored: pool.storage().map_or(0.0, |s| self.ws.stored[s]),
            sold,
            disposed,
        }
    }
    /// How each pool's amount was divided this step, in pool order.
    pub fn pools(&self) -> impl ExactSizeIterator<Item = PoolBalance> + '_ {
        (0..self.plan.topology.pools.len()).map(|i| self.pool(i))
    }
    /// What pool `i` made this step, and what its links took between
    /// enterprises and within one: the part of [`StepView::pool`] the
    /// indicators read.
    #[inline]
    pub(crate) fn pool_linked(&self, i: usize) -> [f64; 3] {
        pool_linked(self.plan, self.ws, i)
    }
    /// Which solution this step has: the same as an earlier step's (of
    /// the same workspace, with nothing solved in between) when its
    /// activities, flows and storages are bitwise the same.
    #[inline]
    pub(crate) fn solution(&self) -> (u64, u64) {
        (self.ws.solution.workspace, self.ws.solution.count)
    }
    /// Storage level of each storage at the step's end.
    pub fn level(&self) -> &[f64] {
        &self.ws.level
    }
    /// Storage level of each storage at the step's start.
    pub fn level_start(&self) -> &[f64] {
        &self.ws.level_start
    }
    /// Request, delivery and import of input slot `i` this step.
    pub fn slot(&self, i: usize) -> SlotBalance {
        slot_balance(self.plan, self.ws, i)
    }
    /// Request, delivery and import of each input slot this step, in slot order.
    pub fn slots(&self) -> impl ExactSizeIterator<Item = SlotBalance> + '_ {
        (0..self.plan.topology.slots.len()).map(|i| self.slot(i))
    }
    /// Park emissions of each pollutant this step (processes and disposal).
    pub fn park_emissions(&self) -> &[f64] {
        &self.ws.park_emissions
    }
    /// Background emissions of each pollutant this step.
    pub fn background(&self) -> &[f64] {
        &self.ws.background
    }
    /// Emissions of process `p` this step, after abatement: `(pollutant, amount)`.
    pub fn process_emissions(&self, p: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (t, params) = (&self.plan.topology, &self.plan.params);
        let x = self.ws.x[p];
        (t.processes[p].emissions.clone()).map(move |e| {
            let amount = params.emission_coeff[e] * x * self.ws.keep[e];
            (t.emissions[e].pollutant as usize, amount)
        })
    }
    /// Emissions from disposing of pool `pool` this step: `(pollutant, amount)`.
    pub fn disposal_emissions(&self, pool: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (t, params) = (&self.plan.topology, &self.plan.params);
        let disposed = self.pool(pool).disposed;
        let material = t.pools[pool].material as usize;
        (t.materials[material].disposal.clone()).map(move |d| {
            (
                t.disposals[d].pollutant as usize,
                disposed * params.disposal_factor[d],
            )
        })
    }
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
