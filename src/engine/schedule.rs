//! The schedule: the dependency graph between activities and link flows,
//! cut into blocks in dependency order, and who reads what a step changes.

use super::graph::Graph;
use super::params::Params;
use super::rules::{is_leontief, link_edges, link_readers};
use super::topology::{Adjacency, Topology};

/// A piece of the schedule: one component of the dependency graph, or a
/// run of consecutive link components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// A process evaluated once.
    Process(u32),
    /// Links `start..end`, each evaluated once, in order. Links are numbered
    /// in evaluation order, so consecutive links that are each a component
    /// of their own make one block (a disabled link, which is never
    /// evaluated, ends one).
    Links(u32, u32),
    /// A cycle of Demand processes over uncapped product links, solved by
    /// LU: index into [`Schedule::leontief`].
    Leontief(u32),
    /// Any other cycle, iterated to its fixed point: index into
    /// [`Schedule::cycles`].
    Cycle(u32),
}

/// The order of evaluation, and who reads what.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// The blocks, in dependency order: every value a block reads is
    /// written by an earlier block or by the block itself.
    pub blocks: Vec<Block>,
    /// Processes of each Leontief block.
    pub leontief: Vec<Vec<usize>>,
    /// Nodes of each iterated cycle: `< processes` are processes, the rest
    /// links offset by the number of processes.
    pub cycles: Vec<Vec<usize>>,
    /// Per node (processes, then links offset by the number of processes):
    /// the other blocks whose evaluation reads its value.
    pub(crate) successors: Adjacency,
    /// Per process: the blocks whose evaluation reads its step capacity or
    /// demand (its own, those of links into its Feed slot, and those of the
    /// Demand processes whose product links go there).
    pub(crate) capacity_readers: Adjacency,
    /// Per link: the blocks whose evaluation reads its limit (its own, and
    /// its source's when that is a Demand process and the link carries its
    /// product).
    pub(crate) limit_readers: Adjacency,
    /// Per storage: the blocks of the links that draw on its level.
    pub(crate) storage_readers: Adjacency,
}

impl Schedule {
    /// Build the dependency graph of `t` and cut it into blocks.
    ///
    /// Nodes `0..P` are process activities, `P..P+L` link flows. An edge
    /// `u → v` means v's value is computed from u's.
    pub(super) fn build(t: &Topology, params: &Params) -> Schedule {
        let (np, nl) = (t.processes.len(), t.links.len());
        let mut edges = Vec::new();
        for &l in &t.service_order {
            link_edges(t, l as usize, &mut edges);
        }
        let g = Graph::from_edges(np + nl, &edges);
        // Among blocks ready to run, take them in file order: a process,
        // then the links into it (a link is ready once its sink is).
        let key = |v: usize| {
            if v < np {
                (2 * v, 0)
            } else {
                (2 * t.links[v - np].to as usize + 1, v - np)
            }
        };
        let components =
            super::graph::order_components(&g, g.components_in_dependency_order(), key);
        let mut schedule = Schedule::default();
        let mut in_comp = vec![false; np + nl];
        for comp in components {
            if comp.len() == 1 && !g.has_self_loop(comp[0]) {
                let v = comp[0];
                if v < np {
                    schedule.blocks.push(Block::Process(v as u32));
                } else if t.link_enabled[v - np] {
                    schedule.push_link((v - np) as u32);
                }
                continue;
            }
            for &v in &comp {
                in_comp[v] = true;
            }
            let leontief = is_leontief(t, params, &comp, &in_comp);
            for &v in &comp {
                in_comp[v] = false;
            }
            if leontief {
                (schedule.blocks).push(Block::Leontief(schedule.leontief.len() as u32));
                schedule.leontief.push(comp);
            } else {
                (schedule.blocks).push(Block::Cycle(schedule.cycles.len() as u32));
                schedule.cycles.push(comp);
            }
        }
        schedule.readers(t, &edges);
        schedule
    }

    /// Add link `l` to the schedule: to the run of links before it if it
    /// follows it, else as a block of its own.
    fn push_link(&mut self, l: u32) {
        if let Some(Block::Links(_, end)) = self.blocks.last_mut()
            && *end == l
        {
            *end += 1;
        } else {
            self.blocks.push(Block::Links(l, l + 1));
        }
    }

    /// The nodes of block `b`.
    fn nodes(&self, b: usize, np: usize) -> Vec<usize> {
        match self.blocks[b] {
            Block::Process(p) => vec![p as usize],
            Block::Links(start, end) => (start as usize..end as usize).map(|l| np + l).collect(),
            Block::Leontief(i) => self.leontief[i as usize].clone(),
            Block::Cycle(i) => self.cycles[i as usize].clone(),
        }
    }

    /// Who reads what a step changes, as blocks: what lets a step evaluate
    /// again only what depends on what changed. `edges` are the dependency
    /// graph's.
    fn readers(&mut self, t: &Topology, edges: &[(usize, usize)]) {
        let (np, nl) = (t.processes.len(), t.links.len());
        // The block of each node; disabled links have none.
        let mut block_of = vec![None; np + nl];
        for b in 0..self.blocks.len() {
            for v in self.nodes(b, np) {
                block_of[v] = Some(b);
            }
        }
        let blocks = |pairs: Vec<(usize, usize)>| -> Vec<(usize, usize)> {
            (pairs.into_iter())
                .filter_map(|(item, v)| block_of[v].map(|b| (item, b)))
                .collect()
        };
        let mut capacity: Vec<(usize, usize)> = (0..np).map(|p| (p, p)).collect();
        let mut limit: Vec<(usize, usize)> = (0..nl).map(|l| (l, np + l)).collect();
        for &l in &t.service_order {
            link_readers(t, l as usize, &mut capacity, &mut limit);
        }
        let storage = (t.storages.iter().enumerate())
            .flat_map(|(s, st)| {
                (t.pool_links.of(st.pool).iter()).map(move |&l| (s, np + l as usize))
            })
            .collect();
        // A block evaluates its own nodes in order (a cycle, to its fixed
        // point), so a node marks only other blocks.
        let successors = (blocks(edges.to_vec()).into_iter())
            .filter(|&(u, b)| block_of[u] != Some(b))
            .collect();
        self.successors = Adjacency::from_pairs(np + nl, successors);
        self.capacity_readers = Adjacency::from_pairs(np, blocks(capacity));
        self.limit_readers = Adjacency::from_pairs(nl, blocks(limit));
        self.storage_readers = Adjacency::from_pairs(t.storages.len(), blocks(storage));
    }
}

#[cfg(test)]
mod tests {
    use super::{Block, Schedule};

    #[test]
    fn consecutive_links_join_one_block_and_nothing_else_does() {
        let mut schedule = Schedule::default();
        schedule.push_link(0);
        schedule.blocks.push(Block::Process(0));
        for l in [1, 2, 4] {
            // Link 3 is disabled: no block.
            schedule.push_link(l);
        }
        schedule.blocks.push(Block::Cycle(0));
        schedule.push_link(5);
        use Block as B;
        let want = [
            B::Links(0, 1),
            B::Process(0),
            B::Links(1, 3),
            B::Links(4, 5),
            B::Cycle(0),
            B::Links(5, 6),
        ];
        assert_eq!(schedule.blocks, want);
    }
}
