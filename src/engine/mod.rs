//! The compiled plan and the step solver (SPEC §3). No I/O happens here.
//!
//! A validated [`Park`] is compiled once into a [`Plan`]: ids become dense
//! indices, every (process, material) that a process makes becomes a *pool*,
//! every input of every process an input *slot*, links are sorted in service
//! order, and the dependency graph between activities and link flows is cut
//! into strongly connected components. A [`Workspace`] then runs the plan any
//! number of times without allocating inside the step loop.

mod graph;
pub(crate) mod lanes;
mod step;

use std::collections::HashMap;

use crate::model::{Fate, Kind, Metric, Mode, Park, Scope, Series};

pub use step::{StepView, Workspace, run, run_years};

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

/// How a process's activity is set, with its feed slot resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModePlan {
    /// Runs at K.
    Fixed,
    /// Runs on deliveries to input slot `slot`.
    Feed {
        /// Index of the feed input slot.
        slot: usize,
    },
    /// Runs to meet final demand plus linked requests.
    Demand,
}

/// One process, compiled.
#[derive(Debug, Clone)]
pub struct ProcessPlan {
    /// Process id.
    pub id: String,
    /// Index of its enterprise.
    pub enterprise: usize,
    /// Mode.
    pub mode: ModePlan,
    /// Its product pool; outputs follow at `pools.start + 1 ..`.
    pub pools: std::ops::Range<usize>,
    /// Its input slots.
    pub slots: std::ops::Range<usize>,
    /// Emissions per unit: `(pollutant, coefficient, abatement)`.
    pub emissions: Vec<(usize, f64, Option<Series>)>,
}

/// What a process may and must make each year: the series read at the
/// start of a year, kept apart from [`ProcessPlan`] so that reading them
/// walks a short array (see [`Plan::operating`]).
#[derive(Debug, Clone)]
pub struct Operating {
    /// Capacity per year; `None` is unbounded (Demand only).
    pub capacity: Option<Series>,
    /// Utilization (default 1).
    pub utilization: Series,
    /// Final demand per year (Demand only).
    pub demand: Series,
}

/// Where a process's product or output goes when no link takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFate {
    /// Sold outside the park (products, and byproducts with `Sell`).
    Sell,
    /// Disposed of; emission factors are in the material's [`MaterialPlan::disposal`].
    Dispose,
}

/// A process's pool of one material it makes (product or output).
#[derive(Debug, Clone)]
pub struct PoolPlan {
    /// Owning process.
    pub process: usize,
    /// Material.
    pub material: usize,
    /// Amount per unit of activity (1 for the product).
    pub coeff: f64,
    /// Attached storage.
    pub storage: Option<usize>,
    /// Leftover fate.
    pub fate: PoolFate,
}

/// One input of one process.
#[derive(Debug, Clone)]
pub struct SlotPlan {
    /// Consuming process.
    pub process: usize,
    /// Material.
    pub material: usize,
    /// Amount per unit of activity.
    pub coeff: f64,
    /// Whether this is the process's Feed input (request = coeff · K).
    pub feed: bool,
}

/// A link, compiled.
#[derive(Debug, Clone)]
pub struct LinkPlan {
    /// Link id.
    pub id: String,
    /// Position in the park file's `links` (plan indices follow solver order).
    pub position: usize,
    /// Source pool.
    pub pool: usize,
    /// Sink input slot.
    pub slot: usize,
    /// First active year.
    pub start: i32,
    /// Last active year.
    pub end: i32,
    /// Largest flow per year; `None` unbounded.
    pub max_rate: Option<f64>,
    /// Between processes of different enterprises.
    pub inter_enterprise: bool,
    /// Enabled: false for a candidate no scenario enabled.
    pub enabled: bool,
}

/// A storage, compiled.
#[derive(Debug, Clone)]
pub struct StoragePlan {
    /// Storage id.
    pub id: String,
    /// Pool it holds.
    pub pool: usize,
    /// Largest level.
    pub capacity: f64,
    /// Level at the start of the run.
    pub initial: f64,
}

/// A material's properties the solver and indicators need.
#[derive(Debug, Clone)]
pub struct MaterialPlan {
    /// Material id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Tonnes per unit, when known.
    pub tonnes: Option<f64>,
    /// Emissions per unit disposed: `(pollutant, factor)`.
    pub disposal: Vec<(usize, f64)>,
}

/// A piece of the step's schedule: one component of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// A process evaluated once.
    Process(u32),
    /// A link evaluated once.
    Link(u32),
    /// A cycle of Demand processes over uncapped product links, solved by LU:
    /// index into [`Plan::leontief`].
    Leontief(u32),
    /// Any other cycle, iterated to its fixed point: index into [`Plan::cycles`].
    Cycle(u32),
}

/// The schedule with each stretch of link blocks as one range: a step that
/// evaluates everything walks it, and so runs a link's evaluation in a loop
/// of its own rather than choosing between kinds of block at each link.
/// Links are numbered in evaluation order, so consecutive link blocks hold
/// consecutive links (a disabled link, which has no block, ends a stretch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stretch {
    /// A process evaluated once.
    Process(u32),
    /// Links `start..end`, evaluated once each, in order.
    Links(u32, u32),
    /// A Leontief block: index into [`Plan::leontief`].
    Leontief(u32),
    /// An iterated cycle: index into [`Plan::cycles`].
    Cycle(u32),
}

impl Stretch {
    fn of(blocks: &[Block]) -> Vec<Stretch> {
        let mut stretches: Vec<Stretch> = Vec::with_capacity(blocks.len());
        for &block in blocks {
            let stretch = match block {
                Block::Link(l) => {
                    if let Some(Stretch::Links(_, end)) = stretches.last_mut()
                        && *end == l
                    {
                        *end += 1;
                        continue;
                    }
                    Stretch::Links(l, l + 1)
                }
                Block::Process(p) => Stretch::Process(p),
                Block::Leontief(i) => Stretch::Leontief(i),
                Block::Cycle(i) => Stretch::Cycle(i),
            };
            stretches.push(stretch);
        }
        stretches
    }
}

/// No index: the end of a chain of links.
pub(crate) const NONE: u32 = u32::MAX;

/// A list of indices per item, packed: item `i`'s list is
/// `items[start[i]..start[i + 1]]`, ascending, each index once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adjacency {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Adjacency {
    /// The lists of `n` items from `(item, index)` pairs, in any order.
    fn from_pairs(n: usize, mut pairs: Vec<(usize, usize)>) -> Adjacency {
        pairs.sort_unstable();
        pairs.dedup();
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

    /// Item `i`'s list.
    #[inline(always)]
    pub(crate) fn of(&self, i: usize) -> &[u32] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// What the solver reads of a link, packed into 32 bytes so that large parks
/// stay in cache and a link's flow needs no lookup of its pool or slot
/// (with its [`LinkKind`]; its pool's storage is in [`Plan::link_storage`]).
/// Derived from [`LinkPlan`], its pool, its slot and the service order; the
/// coefficients are copies, kept equal by [`Plan::set_pool_coeff`] and
/// [`Plan::set_slot_coeff`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wiring {
    /// Process owning the pool.
    pub from: u32,
    /// Process owning the slot.
    pub to: u32,
    /// Link served just before this one from the same pool, or the number
    /// of links if none: the workspace keeps a link there that never
    /// carries anything, so a chain's start needs no test.
    pub prev_in_pool: u32,
    /// Link served just before this one into the same slot, or the number of links.
    pub prev_in_slot: u32,
    /// Source pool's amount per unit of activity (a copy of [`PoolHot::coeff`]).
    pub out_coeff: f64,
    /// Sink slot's amount per unit of activity (a copy of [`SlotHot::coeff`]).
    pub in_coeff: f64,
}

/// What kind of ends a link has, read with its [`Wiring`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkKind {
    /// Whether the sink slot's request is the capacity-based Feed request.
    pub feed: bool,
    /// Whether the source pool has a storage (in [`Plan::link_storage`]).
    pub stored: bool,
}

/// What the solver reads of a pool, packed into 16 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolHot {
    /// Amount per unit of activity.
    pub coeff: f64,
    /// Producing process.
    pub process: u32,
    /// The last link from the pool in service order, or the number of links.
    pub last: u32,
}

/// How a pool's linked amount divides between links that join two
/// enterprises and links that do not. The end of the pool's chain (its
/// `last` link) adds up what all its links took, from 0 in service order,
/// as the balance adds up each part; so when its links all join
/// enterprises, or none does, that end is the part, and the other is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    /// Every link joins two enterprises.
    Inter,
    /// No link does (also a pool without links: the chain's start is 0).
    Intra,
    /// Some do: each link's flow is added to its part.
    Mixed,
}

/// What a year's read needs of a link, packed (16 bytes against a
/// [`LinkPlan`]'s 80): a copy kept equal by [`Plan::edit_link`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkTime {
    /// First year active; `i32::MAX` for a link that is not enabled.
    pub start: i32,
    /// Last year active; `i32::MIN` for a link that is not enabled.
    pub end: i32,
    /// Most it carries per year; ∞ without a limit.
    pub rate: f64,
}

impl LinkTime {
    fn of(link: &LinkPlan) -> LinkTime {
        let (start, end) = if link.enabled {
            (link.start, link.end)
        } else {
            (i32::MAX, i32::MIN)
        };
        LinkTime {
            start,
            end,
            rate: link.max_rate.unwrap_or(f64::INFINITY),
        }
    }

    /// Whether the link carries in `year`.
    #[inline]
    pub fn active(&self, year: i32) -> bool {
        self.start <= year && year <= self.end
    }

    /// The first year after `year` in which the link turns on or off
    /// (`i32::MAX`: never).
    #[inline]
    pub fn next_change(&self, year: i32) -> i32 {
        if year < self.start {
            self.start
        } else if year <= self.end {
            self.end.saturating_add(1)
        } else {
            i32::MAX
        }
    }
}

/// What the solver reads of an input slot, packed into 16 bytes (whether
/// it is a Feed slot is in [`Plan::slot_feed`]; a Feed slot's coefficient
/// and last link are also in its process's [`Rule::Feed`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotHot {
    /// Amount per unit of activity.
    pub coeff: f64,
    /// Consuming process.
    pub process: u32,
    /// The last link into the slot in service order, or the number of links.
    pub last: u32,
}

/// Emissions per unit of a pool disposed of, for one pollutant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DisposalEntry {
    /// The pool disposed of: its place in [`Plan::disposed_pools`].
    pub disposed: u32,
    /// Pollutant.
    pub pollutant: u32,
    /// Amount of the pollutant per unit disposed of.
    pub factor: f64,
}

/// One process emission factor, flattened.
#[derive(Debug, Clone)]
pub(crate) struct EmissionEntry {
    /// Emitting process.
    pub process: u32,
    /// Pollutant.
    pub pollutant: u32,
    /// Amount per unit of activity, before abatement.
    pub coeff: f64,
}

/// How the solver computes a process's activity, packed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    /// x = K.
    Fixed,
    /// x = min(K, delivered to the feed slot / its coefficient). The rule
    /// holds all it reads of the slot: the slot's packed data is read at
    /// random when a large park's processes run, and the rule in order.
    Feed {
        /// The last link into the feed slot, or the number of links (a
        /// copy of its [`SlotHot::last`]).
        last: u32,
        /// The feed slot's coefficient (a copy of [`SlotHot::coeff`], kept
        /// equal by [`Plan::set_slot_coeff`]).
        coeff: f64,
    },
    /// x = min(K, demand + what the links `product_links[start..end]` would carry).
    Demand {
        /// First of its product links in [`Plan::product_links`].
        start: u32,
        /// End of its product links.
        end: u32,
    },
}

/// A park compiled for simulation.
#[derive(Debug, Clone)]
pub struct Plan {
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
    /// Materials.
    pub materials: Vec<MaterialPlan>,
    /// Processes, in file order.
    pub processes: Vec<ProcessPlan>,
    /// Per process, its capacity, utilization and demand series (their
    /// only home: a sweep writes its draws here).
    pub operating: Vec<Operating>,
    /// Pools, grouped by process (product first, then outputs in file order).
    pub pools: Vec<PoolPlan>,
    /// Input slots, grouped by process in file order.
    pub slots: Vec<SlotPlan>,
    /// Links, in the order the solver evaluates them (see [`Plan::compile`]).
    pub links: Vec<LinkPlan>,
    /// Storages in file order.
    pub storages: Vec<StoragePlan>,
    /// Background emissions per pollutant per year.
    pub background: Vec<Series>,
    /// The schedule: components in dependency order.
    pub blocks: Vec<Block>,
    /// The schedule as a run's first step walks it (see [`Stretch`]).
    pub(crate) stretches: Vec<Stretch>,
    /// Processes of each Leontief block.
    pub leontief: Vec<Vec<usize>>,
    /// Nodes of each iterated cycle: `< processes.len()` are processes, the
    /// rest links offset by it.
    pub cycles: Vec<Vec<usize>>,
    /// Packed link data for the solver, per link.
    pub(crate) wiring: Vec<Wiring>,
    /// Per link, what kind of ends it has.
    pub(crate) link_kind: Vec<LinkKind>,
    /// Per link, the storage attached to its source pool, or [`NONE`].
    pub(crate) link_storage: Vec<u32>,
    /// Packed pool data for the solver, per pool.
    pub(crate) pool_hot: Vec<PoolHot>,
    /// Packed slot data for the solver, per slot.
    pub(crate) slot_hot: Vec<SlotHot>,
    /// Per slot, whether its request is the capacity-based Feed request.
    pub(crate) slot_feed: Vec<bool>,
    /// Activity rule per process.
    pub(crate) rules: Vec<Rule>,
    /// Per process, the largest of 1 and the coefficients of its pools and
    /// of its slots other than a Feed slot: its activity times this is
    /// finite exactly when the activity and every output and request that
    /// follow from it are (multiplication is monotone in magnitude). Kept
    /// equal by [`Plan::set_pool_coeff`] and [`Plan::set_slot_coeff`].
    pub(crate) largest_coeff: Vec<f64>,
    /// Product links of Demand processes, in service order, one run per process.
    pub(crate) product_links: Vec<u32>,
    /// Per node of the dependency graph (processes, then links offset by
    /// the number of processes): the blocks whose evaluation reads its value.
    pub(crate) successors: Adjacency,
    /// Per process: the blocks whose evaluation reads its step capacity or
    /// demand (its own, those of links into its Feed slot, and those of
    /// the Demand processes whose product links go there).
    pub(crate) capacity_readers: Adjacency,
    /// Per link: the blocks whose evaluation reads its limit (its own, and
    /// its source's when that is a Demand process and the link carries its
    /// product).
    pub(crate) limit_readers: Adjacency,
    /// Per storage: the blocks of the links that draw on its level.
    pub(crate) storage_readers: Adjacency,
    /// Per pool, how its linked amount divides (see [`Split`]).
    pub(crate) pool_split: Vec<Split>,
    /// Per link, when it is active and its limit per year: the part of
    /// [`LinkPlan`] a year's read needs, packed.
    pub(crate) link_times: Vec<LinkTime>,
    /// Every process emission factor, flattened in process order.
    pub(crate) emission_entries: Vec<EmissionEntry>,
    /// Per emission entry, the fraction removed: read once a year, apart
    /// from the entries [`emit`](step) reads every step. Copies of the
    /// processes' [`ProcessPlan::emissions`], kept equal by the sweep's writes.
    pub(crate) abatements: Vec<Option<Series>>,
    /// Emissions per unit disposed, flattened, by pollutant, then pool.
    pub(crate) disposal_entries: Vec<DisposalEntry>,
    /// The pools disposed of that emit, in pool order, each with its
    /// storage or [`NONE`] (what is left of a stored pool is what its
    /// storage could not keep): what each disposes of is worked out once a
    /// step, for all its pollutants.
    pub(crate) disposed_pools: Vec<(u32, u32)>,
    /// Indices into [`Plan::emission_entries`] by pollutant, then process.
    pub(crate) emission_order: Vec<u32>,
    /// Per pollutant, where its entries end in [`Plan::disposal_entries`] and
    /// in [`Plan::emission_order`].
    pub(crate) pollutant_ends: Vec<(u32, u32)>,
    /// Links in service order: (priority, position in file).
    pub service_order: Vec<usize>,
    /// Per link: the link served just before it from the same pool.
    pub prev_in_pool: Vec<Option<usize>>,
    /// Per link: the link served just before it into the same slot.
    pub prev_in_slot: Vec<Option<usize>>,
    /// Per pool: links leaving it, in service order.
    pub pool_links: Vec<Vec<usize>>,
    /// Per slot: the last link into it in service order.
    pub last_in_slot: Vec<Option<usize>>,
    /// Metric judged against the targets.
    pub metric: Metric,
    /// Baseline `(year, value)`, reported only.
    pub baseline: Option<(i32, f64)>,
    /// Linkage targets `(year, target)`.
    pub targets: Vec<(i32, f64)>,
    /// Emission caps within the simulated years.
    pub caps: Vec<CapPlan>,
}

/// One year's caps, compiled.
#[derive(Debug, Clone)]
pub struct CapPlan {
    /// Year judged.
    pub year: i32,
    /// City (park + background) or Park.
    pub scope: Scope,
    /// `(pollutant, limit)`.
    pub limits: Vec<(usize, f64)>,
}

impl Plan {
    /// Compile a validated park. Panics only if the park was not validated
    /// (ids are assumed to resolve).
    ///
    /// Links are numbered in the order the solver evaluates them, so that a
    /// step walks the link arrays front to back; [`LinkPlan::position`] keeps
    /// each link's place in the file, which decides service order and the
    /// order of result files. The order is found by compiling once in file
    /// order.
    pub fn compile(park: &Park) -> Plan {
        let file_order: Vec<usize> = (0..park.links.len()).collect();
        let first = Self::build(park, &file_order);
        let mut solver_order: Vec<usize> = first
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Link(l) => Some(*l as usize),
                _ => None,
            })
            .chain(
                first
                    .cycles
                    .iter()
                    .flatten()
                    .filter_map(|&v| v.checked_sub(first.processes.len())),
            )
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
        fn indexer<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
            ids.enumerate().map(|(i, id)| (id, i)).collect()
        }
        fn lookup(ids: &HashMap<&str, usize>, id: &str) -> usize {
            *ids.get(id)
                .unwrap_or_else(|| panic!("unvalidated park: unknown id `{id}`"))
        }
        let pollutant_ids: Vec<&str> = park.pollutants.iter().map(|p| p.id.as_str()).collect();
        let enterprise_ids: Vec<&str> = park.enterprises.iter().map(|e| e.id.as_str()).collect();
        let pollutant_index = indexer(pollutant_ids.iter().copied());
        let material_index = indexer(park.materials.iter().map(|m| m.id.as_str()));
        let enterprise_index = indexer(enterprise_ids.iter().copied());
        let process_index = indexer(park.processes.iter().map(|p| p.id.as_str()));
        let pollutant = |id: &str| lookup(&pollutant_index, id);
        let material = |id: &str| lookup(&material_index, id);
        let process = |id: &str| lookup(&process_index, id);

        let materials: Vec<MaterialPlan> = park
            .materials
            .iter()
            .map(|m| MaterialPlan {
                id: m.id.clone(),
                kind: m.kind,
                tonnes: m.tonnes_per_unit(),
                disposal: match &m.fate {
                    Fate::Dispose { emissions } => {
                        emissions.iter().map(|(k, v)| (pollutant(k), *v)).collect()
                    }
                    Fate::Sell => Vec::new(),
                },
            })
            .collect();

        let mut pools = Vec::new();
        let mut slots = Vec::new();
        let mut processes = Vec::new();
        let mut operating = Vec::new();
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
                pools.push(PoolPlan {
                    process: p,
                    material: mi,
                    coeff,
                    storage: None,
                    fate,
                });
            }
            let slot_start = slots.len();
            let feed = match &proc_.mode {
                Mode::Feed(m) => Some(m.as_str()),
                _ => None,
            };
            for (m, coeff) in proc_.inputs.iter() {
                slots.push(SlotPlan {
                    process: p,
                    material: material(m),
                    coeff: *coeff,
                    feed: feed == Some(m),
                });
            }
            let mode = match &proc_.mode {
                Mode::Fixed => ModePlan::Fixed,
                Mode::Demand => ModePlan::Demand,
                Mode::Feed(m) => ModePlan::Feed {
                    slot: slot_start
                        + proc_
                            .inputs
                            .keys()
                            .position(|k| k == m)
                            .expect("validated: feed is an input"),
                },
            };
            operating.push(Operating {
                capacity: proc_.capacity.clone(),
                utilization: proc_.utilization.clone().unwrap_or(Series::Constant(1.0)),
                demand: proc_.demand.clone().unwrap_or_default(),
            });
            processes.push(ProcessPlan {
                id: proc_.id.clone(),
                enterprise: lookup(&enterprise_index, &proc_.enterprise),
                mode,
                pools: pool_start..pools.len(),
                slots: slot_start..slots.len(),
                emissions: proc_
                    .emissions
                    .iter()
                    .map(|(k, v)| (pollutant(k), *v, proc_.abatement.get(k).cloned()))
                    .collect(),
            });
        }
        let pool_of = |p: usize, m: usize| -> usize {
            processes[p]
                .pools
                .clone()
                .find(|&i| pools[i].material == m)
                .expect("validated: material is made by the process")
        };
        let slot_of = |p: usize, m: usize| -> usize {
            processes[p]
                .slots
                .clone()
                .find(|&i| slots[i].material == m)
                .expect("validated: material is an input of the process")
        };
        let links: Vec<LinkPlan> = link_order
            .iter()
            .map(|&position| {
                let l = &park.links[position];
                let (from, to) = (process(&l.from), process(&l.to));
                let m = material(&l.material);
                LinkPlan {
                    id: l.id.clone(),
                    position,
                    pool: pool_of(from, m),
                    slot: slot_of(to, m),
                    start: l.start.unwrap_or(i32::MIN),
                    end: l.end.unwrap_or(i32::MAX),
                    max_rate: l.max_rate,
                    inter_enterprise: processes[from].enterprise != processes[to].enterprise,
                    enabled: !l.candidate,
                }
            })
            .collect();
        let storages: Vec<StoragePlan> = park
            .storages
            .iter()
            .map(|s| StoragePlan {
                id: s.id.clone(),
                pool: pool_of(process(&s.process), material(&s.material)),
                capacity: s.capacity,
                initial: s.initial,
            })
            .collect();
        for (i, s) in storages.iter().enumerate() {
            pools[s.pool].storage = Some(i);
        }
        let background = pollutant_ids
            .iter()
            .map(|k| park.background.get(k).cloned().unwrap_or_default())
            .collect();

        let mut plan = Plan {
            start: park.time.start,
            end: park.time.end,
            steps_per_year: park.time.steps_per_year,
            pollutants: pollutant_ids.iter().map(|s| s.to_string()).collect(),
            enterprises: enterprise_ids.iter().map(|s| s.to_string()).collect(),
            materials,
            processes,
            operating,
            pools,
            slots,
            links,
            storages,
            background,
            blocks: Vec::new(),
            stretches: Vec::new(),
            service_order: Vec::new(),
            prev_in_pool: Vec::new(),
            prev_in_slot: Vec::new(),
            pool_links: Vec::new(),
            last_in_slot: Vec::new(),
            leontief: Vec::new(),
            cycles: Vec::new(),
            wiring: Vec::new(),
            link_kind: Vec::new(),
            link_storage: Vec::new(),
            pool_hot: Vec::new(),
            slot_hot: Vec::new(),
            slot_feed: Vec::new(),
            rules: Vec::new(),
            largest_coeff: Vec::new(),
            product_links: Vec::new(),
            successors: Adjacency::default(),
            capacity_readers: Adjacency::default(),
            limit_readers: Adjacency::default(),
            storage_readers: Adjacency::default(),
            pool_split: Vec::new(),
            link_times: Vec::new(),
            abatements: Vec::new(),
            emission_entries: Vec::new(),
            disposal_entries: Vec::new(),
            disposed_pools: Vec::new(),
            emission_order: Vec::new(),
            pollutant_ends: Vec::new(),
            metric: park.targets.as_ref().map_or(Metric::Mass, |t| t.metric),
            baseline: park
                .targets
                .as_ref()
                .and_then(|t| t.baseline)
                .map(|(y, v)| (y, v.0)),
            targets: park
                .targets
                .as_ref()
                .map(|t| t.linkage.iter().map(|(y, v)| (*y, v.0)).collect())
                .unwrap_or_default(),
            caps: park
                .caps
                .iter()
                .filter(|c| park.time.start <= c.year && c.year <= park.time.end)
                .map(|c| CapPlan {
                    year: c.year,
                    scope: c.scope,
                    limits: c.limits.iter().map(|(k, v)| (pollutant(k), *v)).collect(),
                })
                .collect(),
        };
        let priorities: Vec<(i32, usize)> = link_order
            .iter()
            .map(|&position| (park.links[position].priority, position))
            .collect();
        plan.order_links(&priorities);
        plan.schedule();
        plan
    }

    /// Set output pool `pool`'s amount per unit of activity, in every copy
    /// the solver reads.
    pub fn set_pool_coeff(&mut self, pool: usize, coeff: f64) {
        self.pools[pool].coeff = coeff;
        self.pool_hot[pool].coeff = coeff;
        for &l in &self.pool_links[pool] {
            self.wiring[l].out_coeff = coeff;
        }
        let p = self.pools[pool].process;
        self.largest_coeff[p] = self.largest_coeff_of(p);
    }

    /// Set input slot `slot`'s amount per unit of activity, in every copy
    /// the solver reads.
    pub fn set_slot_coeff(&mut self, slot: usize, coeff: f64) {
        self.slots[slot].coeff = coeff;
        self.slot_hot[slot].coeff = coeff;
        // Walk the slot's chain of links from its last.
        let mut l = self.slot_hot[slot].last as usize;
        while l < self.wiring.len() {
            self.wiring[l].in_coeff = coeff;
            l = self.wiring[l].prev_in_slot as usize;
        }
        let p = self.slots[slot].process;
        self.largest_coeff[p] = self.largest_coeff_of(p);
        if let Rule::Feed { coeff: c, .. } = &mut self.rules[p]
            && self.processes[p].mode == (ModePlan::Feed { slot })
        {
            *c = coeff;
        }
    }

    /// What [`Plan::largest_coeff`] holds for process `p`.
    fn largest_coeff_of(&self, p: usize) -> f64 {
        let proc_ = &self.processes[p];
        let pools = self.pools[proc_.pools.clone()]
            .iter()
            .map(|pool| pool.coeff);
        let slots = (self.slots[proc_.slots.clone()].iter())
            .filter(|slot| !slot.feed)
            .map(|slot| slot.coeff);
        pools.chain(slots).fold(1.0, |m, c| m.max(c.abs()))
    }

    /// Change link `l`'s years or limit (`edit` changes its [`LinkPlan`]),
    /// in every copy the solver reads. Its ends and material stay as
    /// compiled: the schedule depends on them.
    pub fn edit_link(&mut self, l: usize, edit: impl FnOnce(&mut LinkPlan)) {
        edit(&mut self.links[l]);
        self.link_times[l] = LinkTime::of(&self.links[l]);
    }

    /// Process owning a link's source pool.
    pub fn link_from(&self, l: usize) -> usize {
        self.wiring[l].from as usize
    }

    /// Process owning a link's sink slot.
    pub fn link_to(&self, l: usize) -> usize {
        self.wiring[l].to as usize
    }

    /// Link indices in the order of the park file.
    pub fn links_in_file_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.links.len()).collect();
        order.sort_by_key(|&l| self.links[l].position);
        order
    }

    /// Material a link carries.
    pub fn link_material(&self, l: usize) -> usize {
        self.pools[self.links[l].pool].material
    }

    /// Sort links into service order and chain the links sharing a pool or a slot.
    fn order_links(&mut self, priorities: &[(i32, usize)]) {
        let n = self.links.len();
        let mut order: Vec<usize> = (0..n).filter(|&l| self.links[l].enabled).collect();
        // (priority, position in the file).
        order.sort_by_key(|&l| priorities[l]);
        let mut prev_in_pool = vec![None; n];
        let mut prev_in_slot = vec![None; n];
        let mut last_pool: Vec<Option<usize>> = vec![None; self.pools.len()];
        let mut last_slot: Vec<Option<usize>> = vec![None; self.slots.len()];
        let mut pool_links = vec![Vec::new(); self.pools.len()];
        for &l in &order {
            let (pool, slot) = (self.links[l].pool, self.links[l].slot);
            prev_in_pool[l] = last_pool[pool].replace(l);
            prev_in_slot[l] = last_slot[slot].replace(l);
            pool_links[pool].push(l);
        }
        self.wiring = (0..n)
            .map(|l| {
                let (pool, slot) = (self.links[l].pool, self.links[l].slot);
                Wiring {
                    from: self.pools[pool].process as u32,
                    to: self.slots[slot].process as u32,
                    prev_in_pool: prev_in_pool[l].map_or(n as u32, |k| k as u32),
                    prev_in_slot: prev_in_slot[l].map_or(n as u32, |k| k as u32),
                    out_coeff: self.pools[pool].coeff,
                    in_coeff: self.slots[slot].coeff,
                }
            })
            .collect();
        self.link_storage = (self.links.iter())
            .map(|link| self.pools[link.pool].storage.map_or(NONE, |s| s as u32))
            .collect();
        self.link_kind = (self.links.iter())
            .map(|link| LinkKind {
                feed: self.slots[link.slot].feed,
                stored: self.pools[link.pool].storage.is_some(),
            })
            .collect();
        self.service_order = order;
        self.prev_in_pool = prev_in_pool;
        self.prev_in_slot = prev_in_slot;
        self.pool_links = pool_links;
        self.last_in_slot = last_slot;
        self.pack();
    }

    /// Fill the packed copies the solver reads (see [`Wiring`]).
    fn pack(&mut self) {
        self.link_times = self.links.iter().map(LinkTime::of).collect();
        self.pool_hot = (self.pools.iter().zip(&self.pool_links))
            .map(|(p, links)| PoolHot {
                coeff: p.coeff,
                process: p.process as u32,
                last: links.last().map_or(self.links.len() as u32, |&l| l as u32),
            })
            .collect();
        self.pool_split = (self.pool_links.iter())
            .map(|links| {
                let joining = links
                    .iter()
                    .filter(|&&l| self.links[l].inter_enterprise)
                    .count();
                match joining {
                    0 => Split::Intra,
                    n if n == links.len() => Split::Inter,
                    _ => Split::Mixed,
                }
            })
            .collect();
        self.slot_hot = self
            .slots
            .iter()
            .zip(&self.last_in_slot)
            .map(|(s, last)| SlotHot {
                coeff: s.coeff,
                process: s.process as u32,
                last: last.map_or(self.links.len() as u32, |l| l as u32),
            })
            .collect();
        self.slot_feed = self.slots.iter().map(|s| s.feed).collect();
        self.emission_entries = self
            .processes
            .iter()
            .enumerate()
            .flat_map(|(p, proc_)| {
                proc_
                    .emissions
                    .iter()
                    .map(move |&(k, coeff, _)| EmissionEntry {
                        process: p as u32,
                        pollutant: k as u32,
                        coeff,
                    })
            })
            .collect();
        self.abatements = self
            .processes
            .iter()
            .flat_map(|proc_| proc_.emissions.iter().map(|(_, _, a)| a.clone()))
            .collect();
        self.disposed_pools = (self.pools.iter().enumerate())
            .filter(|(_, pool)| {
                pool.fate == PoolFate::Dispose && !self.materials[pool.material].disposal.is_empty()
            })
            .map(|(i, pool)| (i as u32, pool.storage.map_or(NONE, |s| s as u32)))
            .collect();
        self.disposal_entries = (self.disposed_pools.iter().enumerate())
            .flat_map(|(j, &(i, _))| {
                let material = self.pools[i as usize].material;
                self.materials[material]
                    .disposal
                    .iter()
                    .map(move |&(k, factor)| DisposalEntry {
                        disposed: j as u32,
                        pollutant: k as u32,
                        factor,
                    })
            })
            .collect();
        // Each pollutant's emissions are added up in one place, in the order
        // disposal, then processes (a stable sort keeps pool and process order).
        self.disposal_entries.sort_by_key(|e| e.pollutant);
        self.emission_order = (0..self.emission_entries.len() as u32).collect();
        self.emission_order
            .sort_by_key(|&e| self.emission_entries[e as usize].pollutant);
        self.pollutant_ends = (0..self.pollutants.len() as u32)
            .map(|k| {
                let disposal = self.disposal_entries.partition_point(|e| e.pollutant <= k);
                let entries = self
                    .emission_order
                    .partition_point(|&e| self.emission_entries[e as usize].pollutant <= k);
                (disposal as u32, entries as u32)
            })
            .collect();
        self.largest_coeff = (0..self.processes.len())
            .map(|p| self.largest_coeff_of(p))
            .collect();
        self.product_links.clear();
        self.rules = (0..self.processes.len())
            .map(|p| match self.processes[p].mode {
                ModePlan::Fixed => Rule::Fixed,
                ModePlan::Feed { slot } => Rule::Feed {
                    last: self.slot_hot[slot].last,
                    coeff: self.slot_hot[slot].coeff,
                },
                ModePlan::Demand => {
                    let start = self.product_links.len() as u32;
                    let links = &self.pool_links[self.processes[p].pools.start];
                    self.product_links.extend(links.iter().map(|&l| l as u32));
                    Rule::Demand {
                        start,
                        end: self.product_links.len() as u32,
                    }
                }
            })
            .collect();
    }

    /// Build the dependency graph of activities and flows and cut it into blocks.
    ///
    /// Nodes `0..P` are process activities, `P..P+L` link flows. An edge
    /// `u → v` means v's value is computed from u's.
    fn schedule(&mut self) {
        let np = self.processes.len();
        let mut edges = Vec::new();
        for &l in &self.service_order {
            let node = np + l;
            let link = &self.links[l];
            let slot = &self.slots[link.slot];
            // A flow depends on its pool, its sink's request and the links
            // served before it from the same pool or into the same slot.
            edges.push((self.pools[link.pool].process, node));
            if !slot.feed {
                edges.push((slot.process, node));
            }
            if let Some(k) = self.prev_in_pool[l] {
                edges.push((np + k, node));
            }
            if let Some(k) = self.prev_in_slot[l] {
                edges.push((np + k, node));
            }
            let sink = slot.process;
            if let ModePlan::Feed { slot: feed } = self.processes[sink].mode
                && feed == link.slot
            {
                edges.push((node, sink));
            }
            // A Demand process's activity depends on what its product links
            // would carry with an unlimited pool: the sink's request less
            // what earlier links delivered there.
            let source = self.pools[link.pool].process;
            if self.processes[source].mode == ModePlan::Demand
                && self.processes[source].pools.start == link.pool
            {
                if !slot.feed {
                    edges.push((sink, source));
                }
                if let Some(k) = self.prev_in_slot[l] {
                    edges.push((np + k, source));
                }
            }
        }
        let g = graph::Graph::from_edges(np + self.links.len(), &edges);
        // Among blocks ready to run, take them in file order: a process,
        // then the links into it (a link is ready once its sink is).
        let key = |v: usize| {
            if v < np {
                (2 * v, 0)
            } else {
                (2 * self.link_to(v - np) + 1, v - np)
            }
        };
        let components = graph::order_components(&g, g.components_in_dependency_order(), key);
        let mut in_comp = vec![false; np + self.links.len()];
        for comp in components {
            if comp.len() == 1 && !g.has_self_loop(comp[0]) {
                let v = comp[0];
                if v < np {
                    self.blocks.push(Block::Process(v as u32));
                } else if self.links[v - np].enabled {
                    self.blocks.push(Block::Link((v - np) as u32));
                }
                continue;
            }
            for &v in &comp {
                in_comp[v] = true;
            }
            let is_leontief = self.is_leontief(&comp, &in_comp);
            for &v in &comp {
                in_comp[v] = false;
            }
            if is_leontief {
                self.blocks
                    .push(Block::Leontief(self.leontief.len() as u32));
                self.leontief.push(comp);
            } else {
                self.blocks.push(Block::Cycle(self.cycles.len() as u32));
                self.cycles.push(comp);
            }
        }
        self.stretches = Stretch::of(&self.blocks);
        self.readers(&edges);
    }

    /// Who reads what a step changes, as blocks (see [`Plan::successors`]
    /// and the fields after it): what lets a step re-evaluate only what
    /// depends on what changed. `edges` are the dependency graph's.
    fn readers(&mut self, edges: &[(usize, usize)]) {
        let (np, nl) = (self.processes.len(), self.links.len());
        // The block of each node; disabled links have none.
        let mut block_of = vec![None; np + nl];
        for (b, block) in self.blocks.iter().enumerate() {
            match *block {
                Block::Process(p) => block_of[p as usize] = Some(b),
                Block::Link(l) => block_of[np + l as usize] = Some(b),
                Block::Leontief(i) => {
                    for &v in &self.leontief[i as usize] {
                        block_of[v] = Some(b);
                    }
                }
                Block::Cycle(i) => {
                    for &v in &self.cycles[i as usize] {
                        block_of[v] = Some(b);
                    }
                }
            }
        }
        let blocks = |pairs: Vec<(usize, usize)>| -> Vec<(usize, usize)> {
            pairs
                .into_iter()
                .filter_map(|(item, v)| block_of[v].map(|b| (item, b)))
                .collect()
        };
        let mut capacity = (0..np).map(|p| (p, p)).collect::<Vec<_>>();
        let mut limit = (0..nl).map(|l| (l, np + l)).collect::<Vec<_>>();
        for &l in &self.service_order {
            let link = &self.links[l];
            let (source, sink) = (self.link_from(l), self.link_to(l));
            let product_of_demand = self.processes[source].mode == ModePlan::Demand
                && self.processes[source].pools.start == link.pool;
            if product_of_demand {
                limit.push((l, source));
            }
            if self.slots[link.slot].feed {
                // The request of a Feed slot is its coefficient times K.
                capacity.push((sink, np + l));
                if product_of_demand {
                    capacity.push((sink, source));
                }
            }
        }
        let storage = self
            .storages
            .iter()
            .enumerate()
            .flat_map(|(s, st)| self.pool_links[st.pool].iter().map(move |&l| (s, np + l)))
            .collect();
        self.successors = Adjacency::from_pairs(np + nl, blocks(edges.to_vec()));
        self.capacity_readers = Adjacency::from_pairs(np, blocks(capacity));
        self.limit_readers = Adjacency::from_pairs(nl, blocks(limit));
        self.storage_readers = Adjacency::from_pairs(self.storages.len(), blocks(storage));
    }

    /// A cycle is a Leontief system when it holds only unbounded Demand
    /// processes whose product links inside the cycle have no rate limit.
    fn is_leontief(&self, comp: &[usize], in_comp: &[bool]) -> bool {
        let np = self.processes.len();
        comp.iter().all(|&v| {
            v < np && {
                let p = &self.processes[v];
                p.mode == ModePlan::Demand
                    && self.operating[v].capacity.is_none()
                    && self.pool_links[p.pools.start].iter().all(|&l| {
                        !in_comp[self.slots[self.links[l].slot].process]
                            || self.links[l].max_rate.is_none()
                    })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Adjacency, Block, Stretch};

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
    fn stretches_join_consecutive_links_and_nothing_else() {
        use Block as B;
        use Stretch as S;
        let blocks = [
            B::Link(0),
            B::Process(0),
            B::Link(1),
            B::Link(2),
            // Link 3 is disabled: no block.
            B::Link(4),
            B::Process(1),
            B::Link(5),
            B::Leontief(0),
            B::Link(6),
            B::Cycle(0),
            B::Cycle(1),
        ];
        let want = [
            S::Links(0, 1),
            S::Process(0),
            S::Links(1, 3),
            S::Links(4, 5),
            S::Process(1),
            S::Links(5, 6),
            S::Leontief(0),
            S::Links(6, 7),
            S::Cycle(0),
            S::Cycle(1),
        ];
        assert_eq!(Stretch::of(&blocks), want);
        assert!(Stretch::of(&[]).is_empty());
    }
}
