//! What is specific to each process mode, in one place: how a mode is
//! compiled, which edges it adds to the dependency graph, which blocks read
//! its step capacity and its links' limits, how its activity and its inputs'
//! requests are evaluated, how its values are checked, and when a cycle of
//! its processes is a Leontief system (docs/MODEL.md, "One step").
//!
//! A new mode is a new [`Mode`] variant and its arm in each function here;
//! the compiler lists every match that needs one. Validation of the file
//! form (`model::Mode`) is in `model/validate.rs`.

use super::Plan;
use super::checks::not_finite;
use super::solve::unlimited_flow;
use super::topology::Topology;
use super::workspace::Workspace;
use crate::model;

/// How a process's activity x is set each step, with what it reads
/// resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// x = K (capacity · utilization · Δ).
    Fixed,
    /// x = min(K, delivered to input slot `slot` / its coefficient); the
    /// slot asks for its coefficient times K.
    Feed {
        /// Index of the feed input slot.
        slot: u32,
    },
    /// x = min(K, demand + what the links of its product pool would carry
    /// with an unlimited pool).
    Demand {
        /// Index of its product pool.
        product: u32,
    },
}

impl Mode {
    /// Compile a process's mode; `slots` are the process's slot indices,
    /// `inputs` its input materials in the same order, `product` its
    /// product pool. Panics only for an unvalidated park.
    pub(super) fn compile(
        mode: &model::Mode,
        inputs: impl Iterator<Item = impl AsRef<str>>,
        slots: std::ops::Range<usize>,
        product: usize,
    ) -> Mode {
        match mode {
            model::Mode::Fixed => Mode::Fixed,
            model::Mode::Demand => Mode::Demand {
                product: product as u32,
            },
            model::Mode::Feed(m) => {
                let position = inputs
                    .into_iter()
                    .position(|k| k.as_ref() == m)
                    .expect("validated: feed is an input");
                Mode::Feed {
                    slot: (slots.start + position) as u32,
                }
            }
        }
    }

    /// The input slot a Feed process runs on.
    #[inline]
    pub fn feed_slot(self) -> Option<usize> {
        match self {
            Mode::Feed { slot } => Some(slot as usize),
            _ => None,
        }
    }
}

/// The edges of the dependency graph that link `l` brings (node `np + l`;
/// nodes below `np` are processes): `(u, v)` means v is computed from u.
pub(super) fn link_edges(t: &Topology, l: usize, edges: &mut Vec<(usize, usize)>) {
    let np = t.processes.len();
    let n = t.links.len() as u32;
    let node = np + l;
    let link = &t.links[l];
    let (source, sink) = (link.from as usize, link.to as usize);
    let feed = t.modes[sink] == Mode::Feed { slot: link.slot };
    // A flow depends on its pool, its sink's request (a Feed slot's is fixed
    // by K) and the links served before it from the same pool or into the
    // same slot.
    edges.push((source, node));
    if !feed {
        edges.push((sink, node));
    }
    if link.prev_in_pool != n {
        edges.push((np + link.prev_in_pool as usize, node));
    }
    if link.prev_in_slot != n {
        edges.push((np + link.prev_in_slot as usize, node));
    }
    if feed {
        edges.push((node, sink));
    }
    // A Demand process's activity depends on what its product links would
    // carry with an unlimited pool: the sink's request less what earlier
    // links delivered there.
    if t.is_demand_product_link(l) {
        if !feed {
            edges.push((sink, source));
        }
        if link.prev_in_slot != n {
            edges.push((np + link.prev_in_slot as usize, source));
        }
    }
}

/// Who reads a step capacity or demand and who reads a link's limit, as
/// `(item, node)` pairs for link `l`: pushed onto `capacity` (item: a
/// process) and `limit` (item: a link). Each process and link also reads
/// its own (added by the caller).
pub(super) fn link_readers(
    t: &Topology,
    l: usize,
    capacity: &mut Vec<(usize, usize)>,
    limit: &mut Vec<(usize, usize)>,
) {
    let np = t.processes.len();
    let link = &t.links[l];
    let (source, sink) = (link.from as usize, link.to as usize);
    let product_of_demand = t.is_demand_product_link(l);
    if product_of_demand {
        limit.push((l, source));
    }
    if t.modes[sink] == (Mode::Feed { slot: link.slot }) {
        // The request of a Feed slot is its coefficient times K.
        capacity.push((sink, np + l));
        if product_of_demand {
            capacity.push((sink, source));
        }
    }
}

/// Process `p`'s activity this step, from what it depends on.
#[inline(always)]
pub(super) fn activity(plan: &Plan, ws: &Workspace, p: usize) -> f64 {
    match plan.topology.modes[p] {
        Mode::Fixed => ws.k[p],
        Mode::Feed { slot } => {
            let last = plan.topology.slots[slot as usize].last as usize;
            // Validation guarantees a positive feed coefficient.
            ws.k[p].min(ws.slot_taken[last] / plan.params.slot_coeff[slot as usize])
        }
        Mode::Demand { product } => {
            let mut total = ws.demand[p];
            for &l in plan.topology.pool_links.of(product as usize) {
                total += unlimited_flow(plan, ws, l as usize);
            }
            ws.k[p].min(total)
        }
    }
}

/// What slot `s` of process `p` asks for per unit of its coefficient: K
/// for a Feed slot, the activity otherwise.
#[inline(always)]
pub(super) fn request_basis(t: &Topology, ws: &Workspace, p: usize, s: u32) -> f64 {
    if t.modes[p] == (Mode::Feed { slot: s }) {
        ws.k[p]
    } else {
        ws.x[p]
    }
}

/// Whether slot `s` of process `p` buys what links do not deliver: every
/// input but a Feed input, which runs the process on what it gets.
#[inline]
pub(super) fn imports(t: &Topology, p: usize, s: u32) -> bool {
    t.modes[p] != (Mode::Feed { slot: s })
}

/// Not 0 if process `p`'s activity, or an output or request that follows
/// from it, is not finite: the activity times each of its pool and non-Feed
/// slot coefficients, and a Feed slot's request (its coefficient times K).
#[inline(always)]
pub(super) fn not_finite_process(plan: &Plan, ws: &Workspace, p: usize) -> u64 {
    let (t, params) = (&plan.topology, &plan.params);
    let process = &t.processes[p];
    let x = ws.x[p];
    let mut bad = not_finite(x);
    for &c in &params.pool_coeff[process.pools.clone()] {
        bad |= not_finite(x * c);
    }
    let feed = t.modes[p].feed_slot();
    for s in process.slots.clone() {
        let basis = if feed == Some(s) { ws.k[p] } else { x };
        bad |= not_finite(basis * params.slot_coeff[s]);
    }
    bad
}

/// A cycle is a Leontief system when it holds only unbounded Demand
/// processes whose product links inside the cycle have no rate limit.
/// `in_comp` marks the cycle's nodes.
pub(super) fn is_leontief(
    plan_t: &Topology,
    params: &super::Params,
    comp: &[usize],
    in_comp: &[bool],
) -> bool {
    let np = plan_t.processes.len();
    comp.iter().all(|&v| {
        v < np
            && match plan_t.modes[v] {
                Mode::Demand { product } => {
                    params.operating[v].capacity.is_none()
                        && plan_t.pool_links.of(product as usize).iter().all(|&l| {
                            !in_comp[plan_t.links[l as usize].to as usize]
                                || params.links[l as usize].max_rate.is_none()
                        })
                }
                _ => false,
            }
    })
}
