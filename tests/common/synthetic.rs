//! Synthetic parks of any size, for benchmarks, load tests and profiling.
//!
//! [`park`] (or [`generate`] with [`SyntheticOptions`]) builds a valid park of
//! N processes and about 3N links from a seed. Most of it is an acyclic,
//! layered network: Fixed sources in the first layer, Feed, Demand and Fixed
//! processes downstream, byproducts of earlier layers linked to inputs of later
//! ones, across several enterprises, with some rate limits, priorities,
//! storages, emissions, abatement and byproduct fates (`Sell` and `Dispose`).
//! Into it are planted small cycles of the two kinds the solver knows: Leontief
//! blocks (2–4 Demand processes without capacity joined by uncapped product
//! links, each column of A summing to less than 0.5, so the block is
//! productive) and iterated cycles (a capacity-bound Demand process and an
//! unbounded one supplying each other).
//!
//! The network stays acyclic outside the planted cycles because it follows
//! the dependency rules of the step solver (docs/MODEL.md, "One step"): a Demand process's
//! activity depends on what its product links' sinks request, so a Demand
//! product is linked only to later Demand processes or to a Feed input (whose
//! request is fixed by capacity), and always alone in that input; a Feed
//! process's other inputs are imported, never linked; and links are served
//! layer by layer (priority = 4 × the source's layer, plus 0–3 to reorder
//! links within a layer), since a later layer's link served first into an
//! input would make the earlier layer's links wait on it.
//!
//! The random stream is a SplitMix64 written here, so a seed gives the same
//! park on every platform and under every dependency version.
//!
//! It lives with the tests, not in the library, which ships no fixtures:
//! the benches, the example and the tests that need it include this file by
//! path (`#[path = "../tests/common/synthetic.rs"] mod synthetic;`). Its own
//! tests are in `tests/load.rs`.

// Each includer uses only part of the generator.
#![allow(dead_code)]

use parkflow::model::{Keyed, Link, Mode, Park, Process, Series};

/// How to build a synthetic park; [`SyntheticOptions::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticOptions {
    /// Number of processes.
    pub processes: usize,
    /// Links per process, on average (about; the generator does not force it).
    pub links_per_process: f64,
    /// Share of processes inside Leontief blocks (groups of 2–4).
    pub leontief_share: f64,
    /// Share of processes inside iterated cycles (pairs).
    pub iterated_share: f64,
    /// First simulated year.
    pub start: i32,
    /// Number of simulated years.
    pub years: u32,
    /// Steps per year.
    pub steps_per_year: u32,
    /// Seed of the random stream.
    pub seed: u64,
}

impl SyntheticOptions {
    /// Defaults for `processes` processes: 3 links per process, 10% of
    /// processes in Leontief blocks, 2% in iterated cycles, one annual step in 2020.
    pub fn new(processes: usize, seed: u64) -> SyntheticOptions {
        SyntheticOptions {
            processes,
            links_per_process: 3.0,
            leontief_share: 0.1,
            iterated_share: 0.02,
            start: 2020,
            years: 1,
            steps_per_year: 1,
            seed,
        }
    }
}

/// A synthetic park of `n` processes with the default options (one annual step).
pub fn park(n: usize, seed: u64) -> Park {
    generate(&SyntheticOptions::new(n, seed))
}

/// A synthetic park built to `options`; the same options give the same park.
pub fn generate(options: &SyntheticOptions) -> Park {
    Builder::new(options).build()
}

/// A process's part in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Fixed, first layer: raw materials in, products and byproducts out.
    Source,
    /// Fixed, downstream: takes byproducts.
    Fixed,
    /// Feed: runs on a delivered byproduct or product.
    Feed,
    /// Demand, outside any cycle.
    Demand,
    /// Demand without capacity, in a Leontief block.
    Leontief,
    /// Demand, in an iterated cycle.
    Iterated,
}

const POLLUTANTS: [(&str, &str); 4] = [
    ("cod", "COD"),
    ("nh3n", "NH3-N"),
    ("so2", "SO2"),
    ("nox", "NOx"),
];
const RAW_MATERIALS: usize = 4;
const EFFLUENTS: [(&str, &str, [usize; 2]); 2] = [
    ("wastewater", "Process wastewater", [0, 1]),
    ("flue_gas", "Flue gas", [2, 3]),
];

struct Builder<'a> {
    o: &'a SyntheticOptions,
    rng: SplitMix64,
    roles: Vec<Role>,
    /// Per process: its layer (0 for sources).
    layer: Vec<usize>,
    /// Per process: the first index of its layer (only earlier processes feed it).
    cutoff: Vec<usize>,
    /// Per process in a cycle: the range of its group.
    group: Vec<Option<std::ops::Range<usize>>>,
    byproducts: usize,
    /// Per byproduct: the processes making it, ascending.
    producers: Vec<Vec<usize>>,
    /// Demand processes, ascending.
    demand: Vec<usize>,
    /// Fixed and Feed processes, ascending.
    fixed_or_feed: Vec<usize>,
    processes: Vec<Process>,
    links: Vec<Link>,
}

/// What a link carries, which decides the options it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    /// A byproduct, or the product of a Fixed or Feed process.
    General,
    /// A Demand process's product to a later process.
    DemandProduct,
    /// A product inside a planted cycle: never limited.
    Internal,
}

impl<'a> Builder<'a> {
    fn new(o: &'a SyntheticOptions) -> Builder<'a> {
        let n = o.processes;
        Builder {
            o,
            // Mix the seed once so that seeds 0, 1, 2 start far apart.
            rng: SplitMix64(o.seed ^ 0x5EED_0F9A_2CF1_0E00),
            roles: Vec::with_capacity(n),
            layer: Vec::with_capacity(n),
            cutoff: Vec::with_capacity(n),
            group: vec![None; n],
            byproducts: (n / 8).max(3),
            producers: Vec::new(),
            demand: Vec::new(),
            fixed_or_feed: Vec::new(),
            processes: Vec::with_capacity(n),
            links: Vec::with_capacity((o.links_per_process * n as f64) as usize + 8),
        }
    }

    fn build(mut self) -> Park {
        self.lay_out();
        self.producers = vec![Vec::new(); self.byproducts];
        for i in 0..self.o.processes {
            let p = self.shell(i);
            self.processes.push(p);
        }
        let downstream = self.roles.iter().filter(|r| **r != Role::Source).count();
        let per_sink = if downstream == 0 {
            0.0
        } else {
            self.o.links_per_process * self.o.processes as f64 / downstream as f64
        };
        // What sinks could not take (too few producers upstream) is owed to
        // the next ones, so that the park ends near `links_per_process`.
        let mut owed = 0usize;
        for q in 0..self.o.processes {
            if self.roles[q] == Role::Source {
                self.connect(q, 0);
                continue;
            }
            let share = self.rng.round(per_sink);
            let before = self.links.len();
            self.connect(q, share + owed.min(3));
            owed = (owed + share).saturating_sub(self.links.len() - before);
        }
        let storages = self.storages();
        self.finish(storages)
    }

    /// Roles, layers and planted cycles. Processes are numbered in layer order,
    /// and a cycle's members are consecutive and share a layer.
    fn lay_out(&mut self) {
        let n = self.o.processes;
        if n == 0 {
            return;
        }
        let sources = n.div_ceil(5).min(n);
        let downstream = n - sources;
        let mut units: Vec<(Role, usize)> = Vec::new();
        let mut left = downstream;
        let mut leontief = (self.o.leontief_share * n as f64).round() as usize;
        if self.o.leontief_share > 0.0 && n >= 6 {
            leontief = leontief.max(2);
        }
        leontief = leontief.min(left);
        while leontief >= 2 {
            let size = (2 + self.rng.below(3)).min(leontief);
            units.push((Role::Leontief, size));
            leontief -= size;
            left -= size;
        }
        let mut pairs = (self.o.iterated_share * n as f64 / 2.0).round() as usize;
        if self.o.iterated_share > 0.0 && n >= 10 {
            pairs = pairs.max(1);
        }
        for _ in 0..pairs {
            if left >= 2 {
                units.push((Role::Iterated, 2));
                left -= 2;
            }
        }
        for _ in 0..left {
            let r = self.rng.unit();
            let role = if r < 0.40 {
                Role::Feed
            } else if r < 0.85 {
                Role::Demand
            } else {
                Role::Fixed
            };
            units.push((role, 1));
        }
        // Fisher–Yates, so planted cycles land in any layer.
        for i in (1..units.len()).rev() {
            let j = self.rng.below(i + 1);
            units.swap(i, j);
        }
        // About log2(n) downstream layers; the layer of a unit is set by where it starts.
        let layers = (usize::BITS - n.leading_zeros()) as usize;
        let layers = layers.clamp(1, downstream.max(1));
        for _ in 0..sources {
            self.roles.push(Role::Source);
            self.layer.push(0);
            self.cutoff.push(0);
        }
        let (mut pos, mut layer, mut layer_start) = (0, 0, sources);
        for (role, size) in units {
            let unit_layer = 1 + pos * layers / downstream;
            if unit_layer != layer {
                layer = unit_layer;
                layer_start = sources + pos;
            }
            let first = sources + pos;
            for _ in 0..size {
                self.roles.push(role);
                self.layer.push(layer);
                self.cutoff.push(layer_start);
            }
            if size > 1 {
                for g in first..first + size {
                    self.group[g] = Some(first..first + size);
                }
            }
            pos += size;
        }
    }

    /// Process `i` without inputs: mode, capacity, demand, outputs, emissions.
    fn shell(&mut self, i: usize) -> Process {
        let role = self.roles[i];
        let enterprises = self.enterprises();
        let rng = &mut self.rng;
        let (start, years) = (self.o.start, self.o.years);
        let fixed_capacity = |rng: &mut SplitMix64| {
            let c = rng.magnitude(4, 6);
            if years > 1 && rng.chance(0.3) {
                // An expansion part-way through the run.
                let y = start + 1 + rng.below(years as usize - 1) as i32;
                Series::Steps(vec![(start, c), (y, (c * 1.25).round())])
            } else {
                Series::Constant(c)
            }
        };
        let (mode, capacity, utilization, demand) = match role {
            Role::Source | Role::Fixed => (
                Mode::Fixed,
                Some(fixed_capacity(rng)),
                Some(Series::Constant(rng.range(0.6, 1.0))),
                None,
            ),
            // The feed is named once inputs are chosen.
            Role::Feed => (
                Mode::Fixed,
                Some(Series::Constant(rng.magnitude(3, 6))),
                None,
                None,
            ),
            Role::Demand => {
                let capacity = rng.chance(0.5).then(|| fixed_capacity(rng));
                let demand = Series::Constant(rng.magnitude(2, 4));
                (Mode::Demand, capacity, None, Some(demand))
            }
            Role::Leontief => (
                Mode::Demand,
                None,
                None,
                Some(Series::Constant(rng.magnitude(2, 4))),
            ),
            Role::Iterated => {
                // The first of the pair is capacity-bound: not a Leontief block.
                let first = self.group[i].as_ref().is_some_and(|g| g.start == i);
                let capacity = first.then(|| Series::Constant(rng.magnitude(5, 7)));
                let demand = Series::Constant(rng.magnitude(2, 4));
                (Mode::Demand, capacity, None, Some(demand))
            }
        };
        let mut outputs = Keyed::default();
        let made = 1 + usize::from(rng.chance(0.5));
        while outputs.len() < made {
            let b = rng.below(self.byproducts);
            let id = byproduct_id(b);
            if !outputs.contains(&id) {
                outputs.0.push((id, rng.range(0.05, 0.5)));
                self.producers[b].push(i);
            }
        }
        if rng.chance(0.5) {
            let (id, _, _) = EFFLUENTS[rng.below(EFFLUENTS.len())];
            outputs.0.push((id.to_string(), rng.range(0.5, 3.0)));
        }
        let mut emissions = Keyed::default();
        let mut abatement = Keyed::default();
        let emitted = 1 + rng.below(2);
        while emissions.len() < emitted {
            let (k, _) = POLLUTANTS[rng.below(POLLUTANTS.len())];
            if emissions.contains(k) {
                continue;
            }
            emissions.0.push((k.to_string(), rng.range(1e-4, 1e-2)));
            if rng.chance(0.5) {
                let a = if years > 1 {
                    let y = start + 1 + rng.below(years as usize - 1) as i32;
                    Series::Steps(vec![(start, 0.0), (y, rng.range(0.5, 0.95))])
                } else {
                    Series::Constant(rng.range(0.5, 0.95))
                };
                abatement.0.push((k.to_string(), a));
            }
        }
        match mode {
            Mode::Demand => self.demand.push(i),
            _ => self.fixed_or_feed.push(i),
        }
        let enterprise = format!("e{}", self.rng.below(enterprises));
        Process {
            id: process_id(i),
            enterprise,
            name: format!("{role:?} process {i}"),
            name_zh: None,
            product: product_id(i),
            mode,
            capacity,
            utilization,
            demand,
            inputs: Keyed::default(),
            outputs,
            emissions,
            abatement,
            unmodelled_inputs: Keyed::default(),
            unmodelled_outputs: Keyed::default(),
            source: None,
        }
    }

    fn enterprises(&self) -> usize {
        (self.o.processes / 4).max(2)
    }

    /// Choose process `q`'s inputs and about `wanted` links that deliver them.
    fn connect(&mut self, q: usize, wanted: usize) {
        let role = self.roles[q];
        let mut left = wanted;
        match role {
            Role::Source => {}
            Role::Feed => {
                let r = self.rng.unit();
                let mut feed = None;
                if r < 0.15 {
                    feed = self.demand_product_input(q);
                } else if r < 0.35 {
                    feed = self.product_input(q);
                }
                if feed.is_none() {
                    feed = self.byproduct_input(q, left.clamp(1, 4)).map(|(m, _)| m);
                }
                let feed = feed.unwrap_or_else(|| {
                    // Nothing upstream makes anything: run on a raw material, i.e. never.
                    let m = raw_id(self.rng.below(RAW_MATERIALS));
                    self.processes[q].inputs.0.push((m.clone(), 1.0));
                    m
                });
                if let Some((_, c)) = self.processes[q]
                    .inputs
                    .0
                    .iter_mut()
                    .find(|(m, _)| *m == feed)
                {
                    // A feed coefficient well above zero keeps activity bounded by deliveries.
                    *c = c.max(0.5);
                }
                self.processes[q].mode = Mode::Feed(feed);
            }
            Role::Fixed | Role::Demand | Role::Leontief | Role::Iterated => {
                if let Some(g) = self.group[q].clone() {
                    left = left.saturating_sub(self.cycle_inputs(q, g));
                }
                let upstream_demand = match role {
                    Role::Demand => 0.4,
                    Role::Leontief | Role::Iterated => 0.25,
                    _ => 0.0,
                };
                if left > 0
                    && self.rng.chance(upstream_demand)
                    && self.demand_product_input(q).is_some()
                {
                    left -= 1;
                }
                let mut slots = 0;
                while left > 0 && slots < 4 {
                    let made = if self.rng.chance(0.15) {
                        self.product_input(q).map(|_| 1)
                    } else {
                        let k = left.min(1 + self.rng.below(3));
                        self.byproduct_input(q, k).map(|(_, made)| made)
                    };
                    match made {
                        Some(made) => left = left.saturating_sub(made),
                        None => break,
                    }
                    slots += 1;
                }
            }
        }
        if self.rng.chance(0.5) || role == Role::Source {
            let m = raw_id(self.rng.below(RAW_MATERIALS));
            if !self.processes[q].inputs.contains(&m) {
                let c = self.rng.range(0.5, 3.0);
                self.processes[q].inputs.0.push((m, c));
            }
        }
    }

    /// The product links inside `q`'s planted cycle that end at `q`; returns how many.
    fn cycle_inputs(&mut self, q: usize, g: std::ops::Range<usize>) -> usize {
        let size = g.end - g.start;
        let prev = if q == g.start { g.end - 1 } else { q - 1 };
        let (lo, hi) = match self.roles[q] {
            Role::Leontief => (0.05, 0.3),
            _ => (0.05, 0.4),
        };
        let c = self.rng.range(lo, hi);
        self.add_input(q, product_id(prev), c);
        self.link(prev, q, product_id(prev), LinkKind::Internal);
        // A chord in larger Leontief blocks: first → third. Column sums stay below 0.45.
        if self.roles[q] == Role::Leontief && size >= 3 && q == g.start + 2 && self.rng.chance(0.5)
        {
            let c = self.rng.range(0.02, 0.15);
            self.add_input(q, product_id(g.start), c);
            self.link(g.start, q, product_id(g.start), LinkKind::Internal);
            return 2;
        }
        1
    }

    /// An earlier Demand process's product as `q`'s input, delivered by one link alone.
    fn demand_product_input(&mut self, q: usize) -> Option<String> {
        let d = pick_before(&mut self.rng, &self.demand, self.cutoff[q])?;
        let m = product_id(d);
        if self.processes[q].inputs.contains(&m) {
            return None;
        }
        let c = self.rng.range(0.1, 1.0);
        self.add_input(q, m.clone(), c);
        self.link(d, q, m.clone(), LinkKind::DemandProduct);
        Some(m)
    }

    /// An earlier Fixed or Feed process's product as `q`'s input, by one link.
    fn product_input(&mut self, q: usize) -> Option<String> {
        let u = pick_before(&mut self.rng, &self.fixed_or_feed, self.cutoff[q])?;
        let m = product_id(u);
        if self.processes[q].inputs.contains(&m) {
            return None;
        }
        let c = self.rng.range(0.1, 1.0);
        self.add_input(q, m.clone(), c);
        self.link(u, q, m.clone(), LinkKind::General);
        Some(m)
    }

    /// A byproduct of earlier processes as `q`'s input, from up to `k` of its
    /// producers; returns the material and the number of links made.
    fn byproduct_input(&mut self, q: usize, k: usize) -> Option<(String, usize)> {
        let cutoff = self.cutoff[q];
        for _ in 0..10 {
            let b = self.rng.below(self.byproducts);
            let m = byproduct_id(b);
            let before = self.producers[b].partition_point(|&p| p < cutoff);
            if before == 0
                || self.processes[q].inputs.contains(&m)
                || self.processes[q].outputs.contains(&m)
            {
                continue;
            }
            let k = k.min(before);
            let mut from: Vec<usize> = Vec::with_capacity(k);
            while from.len() < k {
                let p = self.producers[b][self.rng.below(before)];
                if !from.contains(&p) {
                    from.push(p);
                }
            }
            let c = self.rng.range(0.05, 1.0);
            self.add_input(q, m.clone(), c);
            for p in from {
                self.link(p, q, m.clone(), LinkKind::General);
            }
            return Some((m, k));
        }
        None
    }

    fn add_input(&mut self, q: usize, material: String, coeff: f64) {
        self.processes[q].inputs.0.push((material, coeff));
    }

    fn link(&mut self, from: usize, to: usize, material: String, kind: LinkKind) {
        let rng = &mut self.rng;
        let (limited, reordered, candidate) = match kind {
            LinkKind::General => (0.25, 0.3, 0.03),
            LinkKind::DemandProduct => (0.2, 0.0, 0.0),
            LinkKind::Internal => (0.0, 0.0, 0.0),
        };
        let max_rate = rng.chance(limited).then(|| rng.magnitude(2, 5));
        // Priorities grow with the source's layer: links are served layer by
        // layer, in any order within a layer. Serving a later layer's link
        // first would make earlier links wait on it and close unplanted cycles.
        let mut priority = 4 * self.layer[from] as i32;
        if rng.chance(reordered) {
            priority += 1 + rng.below(3) as i32;
        }
        let candidate = rng.chance(candidate);
        let start = (kind == LinkKind::General && self.o.years > 1 && rng.chance(0.1))
            .then(|| self.o.start + 1 + rng.below(self.o.years as usize - 1) as i32);
        let id = format!("l{}", self.links.len());
        self.links.push(Link {
            id,
            from: process_id(from),
            to: process_id(to),
            material,
            start,
            end: None,
            max_rate,
            priority,
            candidate,
            cost: candidate.then(|| rng.magnitude(5, 8)),
            opex: None,
            source: None,
        });
    }
}

#[path = "synthetic_finish.rs"]
mod finish;
#[path = "synthetic_random.rs"]
mod random;

use finish::{byproduct_id, process_id, product_id, raw_id};
use random::{SplitMix64, pick_before};
