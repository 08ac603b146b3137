//! The compiled plan and the step solver (docs/MODEL.md, "One step"). No
//! I/O happens here.
//!
//! A validated [`Park`](crate::model::Park) is compiled once into a [`Plan`]
//! of three parts:
//!
//! - the [`Topology`]: ids turned into dense indices, every (process,
//!   material) a process makes as a *pool*, every input of every process as
//!   an input *slot*, links in service order and chained by pool and by
//!   slot. Built once, never changed;
//! - the [`Params`]: every number a run reads (coefficients, series, link
//!   years and limits, emission, abatement and disposal factors, storage
//!   sizes, background, targets and caps), each stored once and read
//!   through the topology's indices. A scenario or a sweep draw writes
//!   here, and nowhere else;
//! - the [`Schedule`]: the dependency graph between activities and link
//!   flows cut into blocks in dependency order, and who reads what.
//!
//! A [`Workspace`] then runs the plan any number of times without allocating
//! inside the step loop. What is specific to each process mode (Fixed, Feed,
//! Demand, and Demand cycles solved as Leontief systems) lives in `mode.rs`.

mod checks;
mod compile;
mod cycles;
mod emissions;
mod graph;
pub(crate) mod lanes;
mod mode;
mod params;
mod run;
mod schedule;
mod solve;
mod topology;
mod view;
mod workspace;
mod year;

pub use mode::Mode;
pub use params::{CapPlan, LinkParams, Operating, Params, StorageParams};
pub use run::{run, run_years};
pub use schedule::{Block, Schedule};
pub use solve::{MAX_SWEEPS, TOLERANCE};
pub use topology::{
    Disposal, Emission, Link, Material, NONE, Pool, PoolFate, Process, Slot, Split, Storage,
    Topology,
};
pub use view::{PoolBalance, SlotBalance, StepView};
pub use workspace::Workspace;

/// A park compiled for simulation: its structure, its numbers and its
/// schedule, each built once by [`Plan::compile`].
#[derive(Debug, Clone)]
pub struct Plan {
    /// What connects to what: fixed once compiled.
    pub topology: Topology,
    /// Every number a run reads, each in one place.
    pub params: Params,
    /// The order of evaluation, and who reads what.
    pub schedule: Schedule,
}

impl Plan {
    /// Link indices in the order of the park file.
    pub fn links_in_file_order(&self) -> Vec<usize> {
        self.topology.links_in_file_order()
    }

    /// Process owning a link's source pool.
    pub fn link_from(&self, l: usize) -> usize {
        self.topology.links[l].from as usize
    }

    /// Process owning a link's sink slot.
    pub fn link_to(&self, l: usize) -> usize {
        self.topology.links[l].to as usize
    }

    /// Material a link carries.
    pub fn link_material(&self, l: usize) -> usize {
        self.topology.pools[self.topology.links[l].pool as usize].material as usize
    }
}
