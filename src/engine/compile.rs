//! Compiling a validated park into a [`Plan`]: ids to indices, pools and
//! slots, links in service order and chained, the numbers into [`Params`],
//! then the schedule.

use std::collections::HashMap;

use super::mode::Mode;
use super::params::{CapPlan, LinkParams, Operating, Params, PermitPlan, StorageParams};
use super::plan::Plan;
use super::schedule::{Block, Schedule};
use super::topology::{
    Adjacency, Disposal, Emission, Link, Material, NONE, Pool, PoolFate, Process, Slot, Split,
    Storage, Topology,
};
use crate::model::{Fate, Kind, Metric, Park, Series};

impl Plan {
    /// Compile a validated park. Panics only if the park was not validated
    /// (ids are assumed to resolve).
    ///
    /// Links are numbered in the order the solver evaluates them, so that a
    /// step walks the link arrays front to back; [`Topology::link_positions`] keeps
    /// each link's place in the file, which decides service order and the
    /// order of result files. The order is found by compiling once in file
    /// order.
    pub fn compile(park: &Park) -> Plan {
        let file_order: Vec<usize> = (0..park.links.len()).collect();
        let first = Self::build(park, &file_order);
        let np = first.topology.processes.len();
        let mut solver_order: Vec<usize> = (first.schedule.blocks.iter())
            .flat_map(|b| match *b {
                Block::Links(start, end) => start as usize..end as usize,
                _ => 0..0,
            })
            .chain((first.schedule.cycles.iter().flatten()).filter_map(|&v| v.checked_sub(np)))
            .collect();
        let mut placed = vec![false; park.links.len()];
        for &l in &solver_order {
            placed[l] = true;
        }
        solver_order.extend((0..park.links.len()).filter(|&l| !placed[l]));
        if solver_order == file_order {
            first
        } else {
            Self::build(park, &solver_order)
        }
    }

    /// Compile with the park's links taken in `link_order`.
    fn build(park: &Park, link_order: &[usize]) -> Plan {
        let (topology, params) = compile_park(park, link_order);
        let schedule = Schedule::build(&topology, &params);
        Plan {
            topology,
            params,
            schedule,
        }
    }
}

/// Ids to indices.
fn indexer<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    ids.enumerate().map(|(i, id)| (id, i)).collect()
}

/// The index of a validated id.
fn lookup(ids: &HashMap<&str, usize>, id: &str) -> usize {
    *ids.get(id)
        .unwrap_or_else(|| panic!("unvalidated park: unknown id `{id}`"))
}

/// The topology and numbers of `park`, links in `link_order`.
fn compile_park(park: &Park, link_order: &[usize]) -> (Topology, Params) {
    let pollutant_index = indexer(park.pollutants.iter().map(|p| p.id.as_str()));
    let material_index = indexer(park.materials.iter().map(|m| m.id.as_str()));
    let enterprise_index = indexer(park.enterprises.iter().map(|e| e.id.as_str()));
    let process_index = indexer(park.processes.iter().map(|p| p.id.as_str()));
    let pollutant = |id: &str| lookup(&pollutant_index, id);
    let material = |id: &str| lookup(&material_index, id);
    let process = |id: &str| lookup(&process_index, id);

    let mut materials = Vec::new();
    let mut disposals = Vec::new();
    let mut disposal_factor = Vec::new();
    for (m, mat) in park.materials.iter().enumerate() {
        let start = disposals.len();
        if let Fate::Dispose { emissions, .. } = &mat.fate {
            for (k, factor) in emissions.iter() {
                disposals.push(Disposal {
                    material: m as u32,
                    pollutant: pollutant(k) as u32,
                });
                disposal_factor.push(*factor);
            }
        }
        materials.push(Material {
            id: mat.id.clone(),
            kind: mat.kind,
            disposal: start..disposals.len(),
        });
    }

    let (mut pools, mut pool_coeff) = (Vec::new(), Vec::new());
    let (mut slots, mut slot_coeff) = (Vec::new(), Vec::new());
    let (mut emissions, mut emission_coeff, mut abatement) = (Vec::new(), Vec::new(), Vec::new());
    let (mut processes, mut modes, mut operating) = (Vec::new(), Vec::new(), Vec::new());
    for (p, proc_) in park.processes.iter().enumerate() {
        let pool_start = pools.len();
        let made = std::iter::once((proc_.product.as_str(), 1.0))
            .chain(proc_.outputs.iter().map(|(m, c)| (m, *c)));
        for (m, coeff) in made {
            let mi = material(m);
            let fate = match (&park.materials[mi].kind, &park.materials[mi].fate) {
                (Kind::Product, _) | (_, Fate::Sell) => PoolFate::Sell,
                _ => PoolFate::Dispose,
            };
            pools.push(Pool {
                process: p as u32,
                material: mi as u32,
                storage: NONE,
                last: 0, // the chain's end, set once links are ordered
                fate,
                split: Split::Intra,
            });
            pool_coeff.push(coeff);
        }
        let slot_start = slots.len();
        for (m, coeff) in proc_.inputs.iter() {
            slots.push(Slot {
                process: p as u32,
                material: material(m) as u32,
                last: 0,
            });
            slot_coeff.push(*coeff);
        }
        let emission_start = emissions.len();
        for (k, coeff) in proc_.emissions.iter() {
            emissions.push(Emission {
                process: p as u32,
                pollutant: pollutant(k) as u32,
            });
            emission_coeff.push(*coeff);
            abatement.push(proc_.abatement.get(k).cloned());
        }
        modes.push(Mode::compile(
            &proc_.mode,
            proc_.inputs.keys(),
            slot_start..slots.len(),
            pool_start,
        ));
        operating.push(Operating {
            capacity: proc_.capacity.clone(),
            utilization: proc_.utilization.clone().unwrap_or(Series::Constant(1.0)),
            demand: proc_.demand.clone().unwrap_or_default(),
        });
        processes.push(Process {
            id: proc_.id.clone(),
            enterprise: lookup(&enterprise_index, &proc_.enterprise),
            pools: pool_start..pools.len(),
            slots: slot_start..slots.len(),
            emissions: emission_start..emissions.len(),
        });
    }
    let pool_of = |p: usize, m: usize| -> usize {
        (processes[p].pools.clone())
            .find(|&i| pools[i].material as usize == m)
            .expect("validated: material is made by the process")
    };
    let slot_of = |p: usize, m: usize| -> usize {
        (processes[p].slots.clone())
            .find(|&i| slots[i].material as usize == m)
            .expect("validated: material is an input of the process")
    };
    let n = link_order.len() as u32;
    let mut links = Vec::with_capacity(link_order.len());
    let mut link_ids = Vec::with_capacity(link_order.len());
    let mut link_positions = Vec::with_capacity(link_order.len());
    let mut link_enabled = Vec::with_capacity(link_order.len());
    let mut link_params = Vec::with_capacity(link_order.len());
    for &position in link_order {
        let l = &park.links[position];
        let (from, to) = (process(&l.from), process(&l.to));
        let m = material(&l.material);
        links.push(Link {
            pool: pool_of(from, m) as u32,
            slot: slot_of(to, m) as u32,
            from: from as u32,
            to: to as u32,
            prev_in_pool: n,
            prev_in_slot: n,
            storage: NONE,
            feed: false,
            inter_enterprise: processes[from].enterprise != processes[to].enterprise,
        });
        link_ids.push(l.id.clone());
        link_positions.push(position as u32);
        link_enabled.push(!l.candidate);
        link_params.push(LinkParams::of(l));
    }
    let storage_pools: Vec<usize> = (park.storages.iter())
        .map(|s| pool_of(process(&s.process), material(&s.material)))
        .collect();
    let mut storages = Vec::new();
    let mut storage_params = Vec::new();
    for (i, (s, &pool)) in park.storages.iter().zip(&storage_pools).enumerate() {
        pools[pool].storage = i as u32;
        storages.push(Storage {
            id: s.id.clone(),
            pool,
        });
        storage_params.push(StorageParams {
            capacity: s.capacity,
            initial: s.initial,
        });
    }
    let pollutants: Vec<String> = park.pollutants.iter().map(|p| p.id.clone()).collect();
    let background = (pollutants.iter())
        .map(|k| park.background.get(k).cloned().unwrap_or_default())
        .collect();
    let mut topology = Topology {
        start: park.time.start,
        end: park.time.end,
        steps_per_year: park.time.steps_per_year,
        pollutants,
        enterprises: park.enterprises.iter().map(|e| e.id.clone()).collect(),
        materials,
        processes,
        modes,
        pools,
        slots,
        links,
        link_ids,
        link_positions,
        link_enabled,
        storages,
        emissions,
        disposals,
        service_order: Vec::new(),
        pool_links: Adjacency::default(),
        disposed_pools: Vec::new(),
        disposal_order: Vec::new(),
        emission_order: Vec::new(),
        pollutant_ends: Vec::new(),
    };
    let priorities: Vec<(i32, usize)> = (link_order.iter())
        .map(|&position| (park.links[position].priority, position))
        .collect();
    order_links(&mut topology, &priorities);
    order_emissions(&mut topology);

    let targets = park.targets.as_ref();
    let params = Params {
        operating,
        pool_coeff,
        slot_coeff,
        emission_coeff,
        abatement,
        disposal_factor,
        links: link_params,
        tonnes: park.materials.iter().map(|m| m.tonnes_per_unit()).collect(),
        storages: storage_params,
        background,
        metric: targets.map_or(Metric::Mass, |t| t.metric),
        baseline: targets.and_then(|t| t.baseline).map(|(y, v)| (y, v.0)),
        targets: targets
            .map(|t| t.linkage.iter().map(|(y, v)| (*y, v.0)).collect())
            .unwrap_or_default(),
        caps: (park.caps.iter())
            .filter(|c| park.time.start <= c.year && c.year <= park.time.end)
            .map(|c| CapPlan {
                year: c.year,
                scope: c.scope,
                limits: c.limits.iter().map(|(k, v)| (pollutant(k), *v)).collect(),
            })
            .collect(),
        permits: (park.permits.iter())
            .map(|p| PermitPlan {
                enterprise: lookup(&enterprise_index, &p.enterprise),
                pollutant: pollutant(&p.pollutant),
                limit: p.limit.clone(),
            })
            .collect(),
    };
    (topology, params)
}

/// Sort the enabled links into service order, chain the links sharing a
/// pool or a slot, and find each pool's split.
fn order_links(t: &mut Topology, priorities: &[(i32, usize)]) {
    let n = t.links.len();
    let mut order: Vec<usize> = (0..n).filter(|&l| t.link_enabled[l]).collect();
    // (priority, position in the file).
    order.sort_by_key(|&l| priorities[l]);
    for pool in &mut t.pools {
        pool.last = n as u32;
    }
    for slot in &mut t.slots {
        slot.last = n as u32;
    }
    for link in &mut t.links {
        link.storage = t.pools[link.pool as usize].storage;
        link.feed = t.modes[link.to as usize].feed_slot() == Some(link.slot as usize);
    }
    let mut pool_links = Vec::with_capacity(order.len());
    for &l in &order {
        let (pool, slot) = (t.links[l].pool as usize, t.links[l].slot as usize);
        t.links[l].prev_in_pool = std::mem::replace(&mut t.pools[pool].last, l as u32);
        t.links[l].prev_in_slot = std::mem::replace(&mut t.slots[slot].last, l as u32);
        pool_links.push((pool, l));
    }
    // A stable sort by pool keeps each pool's links in service order.
    pool_links.sort_by_key(|&(pool, _)| pool);
    t.pool_links = Adjacency::from_sorted(t.pools.len(), &pool_links);
    for i in 0..t.pools.len() {
        let links = t.pool_links.of(i);
        let joining = (links.iter())
            .filter(|&&l| t.links[l as usize].inter_enterprise)
            .count();
        t.pools[i].split = match joining {
            0 => Split::Intra,
            j if j == links.len() => Split::Inter,
            _ => Split::Mixed,
        };
    }
    t.service_order = order.into_iter().map(|l| l as u32).collect();
    for mode in &mut t.modes {
        mode.set_links(|s| t.slots[s].last, |pool| t.pool_links.range(pool));
    }
}

/// The orders in which a step adds up each pollutant's emissions:
/// disposal, then processes, each in pool or process order.
fn order_emissions(t: &mut Topology) {
    t.disposed_pools = (0..t.pools.len() as u32)
        .filter(|&i| {
            let pool = &t.pools[i as usize];
            pool.fate == PoolFate::Dispose
                && !t.materials[pool.material as usize].disposal.is_empty()
        })
        .collect();
    t.disposal_order = (t.disposed_pools.iter().enumerate())
        .flat_map(|(j, &i)| {
            let material = t.pools[i as usize].material as usize;
            (t.materials[material].disposal.clone()).map(move |d| (j as u32, d as u32))
        })
        .collect();
    // A stable sort keeps pool and process order within a pollutant.
    let disposals = &t.disposals;
    t.disposal_order
        .sort_by_key(|&(_, d)| disposals[d as usize].pollutant);
    t.emission_order = (0..t.emissions.len() as u32).collect();
    let emissions = &t.emissions;
    t.emission_order
        .sort_by_key(|&e| emissions[e as usize].pollutant);
    t.pollutant_ends = (0..t.pollutants.len() as u32)
        .map(|k| {
            let disposal =
                (t.disposal_order).partition_point(|&(_, d)| disposals[d as usize].pollutant <= k);
            let entries =
                (t.emission_order).partition_point(|&e| emissions[e as usize].pollutant <= k);
            (disposal as u32, entries as u32)
        })
        .collect();
}
