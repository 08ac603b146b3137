//! Cycles of the dependency graph: Gauss–Seidel sweeps to the fixed point,
//! and Leontief systems (I − A) x = y solved by LU.

use nalgebra::{DMatrix, DVector, LU};

use super::flow::{eval_link, eval_process};
use super::plan::Plan;
use super::rules::unlimited_flow;
use super::workspace::{LeontiefCache, Workspace};
use crate::error::{Error, Result};

/// Largest number of Gauss–Seidel sweeps over a cycle before giving up.
pub const MAX_SWEEPS: usize = 10_000;
/// Relative change below which a cycle has converged.
pub const TOLERANCE: f64 = 1e-12;

impl LeontiefCache {
    /// The cache of the block of `processes` (all Demand processes).
    pub(super) fn new(plan: &Plan, processes: &[usize]) -> LeontiefCache {
        let t = &plan.topology;
        let n = processes.len();
        let local = |p: usize| processes.iter().position(|&q| q == p);
        let mut internal = Vec::new();
        let mut external = Vec::new();
        for (i, &p) in processes.iter().enumerate() {
            let product = t.processes[p].pools.start;
            for &l in t.pool_links.of(product) {
                let l = l as usize;
                match local(t.links[l].to as usize) {
                    Some(j) => internal.push((l, i, j)),
                    None => external.push((l, i)),
                }
            }
        }
        LeontiefCache {
            processes: processes.to_vec(),
            internal,
            external,
            matrix: DMatrix::zeros(n, n),
            scratch: DMatrix::zeros(n, n),
            lu: None,
            rhs: DVector::zeros(n),
            epoch: u64::MAX,
        }
    }
}

/// Gauss–Seidel sweeps over a cycle until the largest change is below
/// [`TOLERANCE`] relative to the largest value.
pub(super) fn iterate_cycle(plan: &Plan, ws: &mut Workspace, nodes: &[usize]) -> Result<()> {
    let np = plan.topology.processes.len();
    // The fixed point is sought from x = 0 (Feed and Demand; a Fixed process
    // depends on nothing, so it is never in a cycle) and no flow.
    for &v in nodes {
        if v < np {
            ws.x[v] = 0.0;
        } else {
            ws.f[v - np] = 0.0;
            ws.pool_taken[v - np] = 0.0;
            ws.slot_taken[v - np] = 0.0;
        }
    }
    let mut change = f64::INFINITY;
    for _ in 0..MAX_SWEEPS {
        let (mut delta, mut scale) = (0.0f64, 0.0f64);
        for &v in nodes {
            if v < np {
                let old = ws.x[v];
                let new = eval_process(plan, ws, v);
                delta = delta.max((new - old).abs());
                scale = scale.max(new.abs());
            } else {
                // What earlier links took is read by nodes evaluated before
                // this one in the sweep: a change there needs another sweep.
                let l = v - np;
                let old = [ws.f[l], ws.pool_taken[l], ws.slot_taken[l]];
                let new_f = eval_link(plan, ws, l);
                let new = [new_f, ws.pool_taken[l], ws.slot_taken[l]];
                for (o, n) in old.iter().zip(&new) {
                    delta = delta.max((n - o).abs());
                    scale = scale.max(n.abs());
                }
            }
        }
        if !delta.is_finite() || !scale.is_finite() {
            break;
        }
        change = if scale > 0.0 { delta / scale } else { 0.0 };
        if change <= TOLERANCE {
            return Ok(());
        }
    }
    Err(Error::NotConverged {
        year: ws.year,
        processes: cycle_processes(plan, nodes),
        sweeps: MAX_SWEEPS,
        change,
    })
}

/// The processes of a cycle, including the ends of its links, in plan order.
fn cycle_processes(plan: &Plan, nodes: &[usize]) -> Vec<String> {
    let np = plan.topology.processes.len();
    let mut ps: Vec<usize> = nodes
        .iter()
        .flat_map(|&v| {
            if v < np {
                vec![v]
            } else {
                vec![plan.link_from(v - np), plan.link_to(v - np)]
            }
        })
        .collect();
    ps.sort_unstable();
    ps.dedup();
    (ps.into_iter())
        .map(|p| plan.topology.processes[p].id.clone())
        .collect()
}

/// Solve Leontief block `index`: (I − A) x = y.
pub(super) fn solve_leontief(plan: &Plan, ws: &mut Workspace, index: usize) -> Result<()> {
    // Take the cache out so the rest of the workspace stays readable.
    let mut cache = ws.leontief[index]
        .take()
        .expect("each block is solved once at a time");
    let result = solve_leontief_block(plan, ws, &mut cache);
    ws.leontief[index] = Some(cache);
    result
}

fn solve_leontief_block(plan: &Plan, ws: &mut Workspace, cache: &mut LeontiefCache) -> Result<()> {
    let n = cache.processes.len();
    // The coefficients change at most once a year: rebuild A then, and
    // factorise only if it changed.
    if cache.epoch != ws.epoch {
        cache.epoch = ws.epoch;
        cache.scratch.fill(0.0);
        cache.scratch.fill_diagonal(1.0);
        for &(l, i, j) in &cache.internal {
            if ws.link_active[l] {
                let slot = plan.topology.links[l].slot as usize;
                cache.scratch[(i, j)] -= plan.params.slot_coeff[slot];
            }
        }
        if cache.lu.is_none() || cache.scratch != cache.matrix {
            cache.matrix.copy_from(&cache.scratch);
            cache.lu = Some(LU::new(cache.matrix.clone()));
        }
    }
    for i in 0..n {
        cache.rhs[i] = ws.demand[cache.processes[i]];
    }
    for &(l, i) in &cache.external {
        cache.rhs[i] += unlimited_flow(&plan.topology, &plan.params, ws, l);
    }
    let names = || {
        let mut v: Vec<String> = (cache.processes.iter())
            .map(|&p| plan.topology.processes[p].id.clone())
            .collect();
        v.sort();
        v
    };
    let lu = cache.lu.as_ref().expect("factorised above");
    if !lu.is_invertible() || !lu.solve_mut(&mut cache.rhs) {
        return Err(Error::Leontief {
            year: ws.year,
            processes: names(),
            reason: "singular (I − A has no inverse)".into(),
        });
    }
    let rhs = &cache.rhs;
    let scale = rhs.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if let Some(i) = (0..n).find(|&i| !rhs[i].is_finite() || rhs[i] < -1e-9 * scale) {
        return Err(Error::Leontief {
            year: ws.year,
            processes: names(),
            reason: format!(
                "not productive: its solution gives `{}` a negative activity ({:.6e}), so the spectral radius of A is at least 1",
                plan.topology.processes[cache.processes[i]].id, rhs[i]
            ),
        });
    }
    for i in 0..n {
        ws.x[cache.processes[i]] = rhs[i].max(0.0);
    }
    Ok(())
}
