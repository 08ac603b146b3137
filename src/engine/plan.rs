//! [`Plan`]: a park compiled for simulation, in three parts.

use super::params::Params;
use super::schedule::Schedule;
use super::topology::Topology;

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
