//! The structure of a compiled park: what connects to what, as dense
//! indices. Built once by [`Plan::compile`](super::Plan::compile) and never
//! changed, so the few indices derived from others here (a link's processes,
//! a chain's end, a pool's [`Split`]) cannot fall out of step with them.
//! Every number lives in [`Params`](super::Params) instead.

use std::ops::Range;

use super::mode::Mode;
use crate::model::Kind;

/// No index: the end of a chain of links, or no storage.
pub const NONE: u32 = u32::MAX;

/// The structure of a park, compiled.
#[derive(Debug, Clone)]
pub struct Topology {
    /// First simulated year.
    pub start: i32,
    /// Last simulated year.
    pub end: i32,
    /// Steps per year.
    pub steps_per_year: u32,
    /// Pollutant ids.
    pub pollutants: Vec<String>,
    /// Enterprise ids.
    pub enterprises: Vec<String>,
    /// Materials, in file order.
    pub materials: Vec<Material>,
    /// Processes, in file order.
    pub processes: Vec<Process>,
    /// Per process, how its activity is set (an array of its own: the
    /// solver reads it for every link).
    pub modes: Vec<Mode>,
    /// Pools, grouped by process (product first, then outputs in file order).
    pub pools: Vec<Pool>,
    /// Input slots, grouped by process in file order.
    pub slots: Vec<Slot>,
    /// Links, in the order the solver evaluates them (see
    /// [`Plan::compile`](super::Plan::compile)).
    pub links: Vec<Link>,
    /// Per link, its id.
    pub link_ids: Vec<String>,
    /// Per link, its position in the park file's `links` (plan indices
    /// follow solver order).
    pub link_positions: Vec<u32>,
    /// Per link, false for a candidate no scenario enabled: never evaluated.
    pub link_enabled: Vec<bool>,
    /// Storages, in file order.
    pub storages: Vec<Storage>,
    /// Every process emission, in process order, then file order.
    pub emissions: Vec<Emission>,
    /// Every disposal emission factor's place, in material order.
    pub disposals: Vec<Disposal>,
    /// Enabled links in service order: (priority, position in the file).
    pub service_order: Vec<u32>,
    /// Per pool, the links leaving it, in service order.
    pub(crate) pool_links: Adjacency,
    /// The pools disposed of whose material emits when disposed of, in
    /// pool order: what each disposes of is worked out once a step.
    pub(crate) disposed_pools: Vec<u32>,
    /// `(place in disposed_pools, disposal)` for every disposal emission,
    /// by pollutant, then pool.
    pub(crate) disposal_order: Vec<(u32, u32)>,
    /// Process emissions by pollutant, then process.
    pub(crate) emission_order: Vec<u32>,
    /// Per pollutant, where its entries end in `disposal_order` and in
    /// `emission_order`.
    pub(crate) pollutant_ends: Vec<(u32, u32)>,
}

/// A material, compiled.
#[derive(Debug, Clone)]
pub struct Material {
    /// Material id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Its disposal emission factors: places in [`Topology::disposals`] and
    /// in [`Params::disposal_factor`](super::Params::disposal_factor).
    pub disposal: Range<usize>,
}

/// One process, compiled.
#[derive(Debug, Clone)]
pub struct Process {
    /// Process id.
    pub id: String,
    /// Index of its enterprise.
    pub enterprise: usize,
    /// Its product pool, then its outputs.
    pub pools: Range<usize>,
    /// Its input slots.
    pub slots: Range<usize>,
    /// Its emissions: places in [`Topology::emissions`].
    pub emissions: Range<usize>,
}

/// Where a process's product or output goes when no link takes it and no
/// storage keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFate {
    /// Sold outside the park (products, and byproducts with `Sell`).
    Sell,
    /// Disposed of, emitting by its material's disposal factors.
    Dispose,
}

/// How a pool's linked amount divides between links that join two
/// enterprises and links that do not. The end of the pool's chain adds up
/// what all its links took, from 0 in service order, as the balance adds up
/// each part; so when its links all join enterprises, or none does, that end
/// is the part and the other is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Every link joins two enterprises.
    Inter,
    /// No link does (also a pool without links).
    Intra,
    /// Some do: each link's flow is added to its part.
    Mixed,
}

/// What one process makes of one material (its product or an output).
#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// Producing process.
    pub process: u32,
    /// Material.
    pub material: u32,
    /// Attached storage, or [`NONE`].
    pub storage: u32,
    /// The last of its links in service order, or the number of links.
    pub last: u32,
    /// Leftover fate.
    pub fate: PoolFate,
    /// How its linked amount divides between enterprises.
    pub split: Split,
}

impl Pool {
    /// Its storage, if any.
    pub fn storage(&self) -> Option<usize> {
        (self.storage != NONE).then_some(self.storage as usize)
    }
}

/// One input of one process.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// Consuming process.
    pub process: u32,
    /// Material.
    pub material: u32,
    /// The last link into it in service order, or the number of links.
    pub last: u32,
}

/// A link: a flow from a pool to a slot, with what a step reads of its
/// ends: their processes, the pool's storage and whether the slot is a Feed
/// input are derived from the pool and the slot when compiling, and kept
/// here so that a link's evaluation reads no pool or slot.
///
/// `prev_in_pool` and `prev_in_slot` chain the links sharing a pool or a
/// slot in service order. A chain starts at the number of links: the
/// workspace keeps a link there that never carries anything, so a chain's
/// start needs no test.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Source pool.
    pub pool: u32,
    /// Sink slot.
    pub slot: u32,
    /// Process owning the pool.
    pub from: u32,
    /// Process owning the slot.
    pub to: u32,
    /// Link served just before this one from the same pool.
    pub prev_in_pool: u32,
    /// Link served just before this one into the same slot.
    pub prev_in_slot: u32,
    /// The source pool's storage, or [`NONE`] (from its [`Pool`]).
    pub storage: u32,
    /// Whether the sink slot is its process's Feed input (from the sink's
    /// [`Mode`]), so its request is the coefficient times K.
    pub feed: bool,
    /// Between processes of different enterprises.
    pub inter_enterprise: bool,
}

/// A storage, compiled.
#[derive(Debug, Clone)]
pub struct Storage {
    /// Storage id.
    pub id: String,
    /// Pool it holds.
    pub pool: usize,
}

/// One process emission factor's place (its coefficient and abatement are
/// in [`Params`](super::Params) at the same index).
#[derive(Debug, Clone, Copy)]
pub struct Emission {
    /// Emitting process.
    pub process: u32,
    /// Pollutant.
    pub pollutant: u32,
}

/// One disposal emission factor's place (its factor is in
/// [`Params::disposal_factor`](super::Params::disposal_factor) at the same index).
#[derive(Debug, Clone, Copy)]
pub struct Disposal {
    /// Material disposed of.
    pub material: u32,
    /// Pollutant.
    pub pollutant: u32,
}

impl Topology {
    /// Link indices in the order of the park file.
    pub fn links_in_file_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.links.len()).collect();
        order.sort_by_key(|&l| self.link_positions[l]);
        order
    }

    /// The input slot process `p` runs on, if it is a Feed process.
    #[inline]
    pub fn feed_slot(&self, p: usize) -> Option<usize> {
        self.modes[p].feed_slot()
    }

    /// Whether slot `s` is its process's Feed input (its request is its
    /// coefficient times K).
    #[inline]
    pub fn is_feed(&self, s: usize) -> bool {
        self.feed_slot(self.slots[s].process as usize) == Some(s)
    }

    /// `process/material` of a pool, as result files and errors name it.
    pub fn pool_name(&self, i: usize) -> String {
        let pool = &self.pools[i];
        let process = &self.processes[pool.process as usize].id;
        format!("{process}/{}", self.materials[pool.material as usize].id)
    }

    /// `process/material` of a slot.
    pub fn slot_name(&self, i: usize) -> String {
        let slot = &self.slots[i];
        let process = &self.processes[slot.process as usize].id;
        format!("{process}/{}", self.materials[slot.material as usize].id)
    }
}

/// A list of indices per item, packed: item `i`'s list is
/// `items[start[i]..start[i + 1]]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adjacency {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Adjacency {
    /// The lists of `n` items from `(item, index)` pairs, in any order:
    /// each list ascending, each index once.
    pub(crate) fn from_pairs(n: usize, mut pairs: Vec<(usize, usize)>) -> Adjacency {
        pairs.sort_unstable();
        pairs.dedup();
        Self::from_sorted(n, &pairs)
    }

    /// The lists of `n` items from `(item, index)` pairs grouped by item,
    /// each list in the order given.
    pub(crate) fn from_sorted(n: usize, pairs: &[(usize, usize)]) -> Adjacency {
        let mut start = Vec::with_capacity(n + 1);
        let mut next = 0;
        for i in 0..n {
            start.push(next as u32);
            next += pairs[next..].partition_point(|&(item, _)| item == i);
        }
        start.push(next as u32);
        Adjacency {
            start,
            items: pairs.iter().map(|&(_, index)| index as u32).collect(),
        }
    }

    /// Where item `i`'s list is in [`Adjacency::items`].
    pub(crate) fn range(&self, i: usize) -> (u32, u32) {
        (self.start[i], self.start[i + 1])
    }

    /// The lists' items, all in one.
    #[inline(always)]
    pub(crate) fn items(&self) -> &[u32] {
        &self.items
    }

    /// Item `i`'s list.
    #[inline(always)]
    pub(crate) fn of(&self, i: usize) -> &[u32] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Adjacency;

    #[test]
    fn adjacency_lists_each_items_indices_once_in_ascending_order() {
        let pairs = vec![(2, 7), (0, 3), (2, 1), (0, 3), (2, 7), (4, 0)];
        let lists = Adjacency::from_pairs(5, pairs);
        let got: Vec<&[u32]> = (0..5).map(|i| lists.of(i)).collect();
        let want: [&[u32]; 5] = [&[3], &[], &[1, 7], &[], &[0]];
        assert_eq!(got, want);
        let none = Adjacency::from_pairs(3, Vec::new());
        assert!((0..3).all(|i| none.of(i).is_empty()));
        assert!(Adjacency::from_pairs(0, Vec::new()).items.is_empty());
    }

    #[test]
    fn adjacency_from_sorted_keeps_each_lists_order() {
        let lists = Adjacency::from_sorted(3, &[(0, 5), (0, 2), (2, 9), (2, 1)]);
        let got: Vec<&[u32]> = (0..3).map(|i| lists.of(i)).collect();
        let want: [&[u32]; 3] = [&[5, 2], &[], &[9, 1]];
        assert_eq!(got, want);
    }
}
