//! [`StepView`]: a solved step as the outside reads it.

use super::balance::{PoolBalance, SlotBalance, pool_linked, pool_rest, slot_balance};
use super::plan::Plan;
use super::topology::PoolFate;
use super::workspace::Workspace;

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
        debug_assert_eq!(disposed.to_bits(), self.pool_disposed(i).to_bits());
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
        let t = &self.plan.topology;
        (t.processes[p].emissions.clone())
            .map(move |e| (t.emissions[e].pollutant as usize, self.process_emission(e)))
    }
    /// What pool `i` disposes of this step (0 for a pool that sells), without
    /// working out the rest of its balance.
    #[inline]
    pub fn pool_disposed(&self, i: usize) -> f64 {
        match self.plan.topology.pools[i].fate {
            PoolFate::Dispose => pool_rest(self.plan, self.ws, i),
            PoolFate::Sell => 0.0,
        }
    }
    /// The amount of process emission `e` (its place in the topology's
    /// emissions) this step, after abatement.
    #[inline]
    pub fn process_emission(&self, e: usize) -> f64 {
        let p = self.plan.topology.emissions[e].process as usize;
        self.plan.params.emission_coeff[e] * self.ws.x[p] * self.ws.keep[e]
    }
    /// Emissions from disposing of pool `pool` this step: `(pollutant, amount)`.
    pub fn disposal_emissions(&self, pool: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let t = &self.plan.topology;
        let disposed = self.pool(pool).disposed;
        let material = t.pools[pool].material as usize;
        (t.materials[material].disposal.clone()).map(move |d| {
            (
                t.disposals[d].pollutant as usize,
                disposed * self.plan.params.disposal_factor[d],
            )
        })
    }
}
