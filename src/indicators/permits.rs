//! Enterprises' discharges against their permits (docs/MODEL.md,
//! "Permit"): an enterprise discharges what its processes emit after
//! abatement plus what its pools' disposal emits, summed over each year's
//! steps.

use serde::{Deserialize, Serialize};

use super::Band;
use crate::engine::{Plan, PoolFate, StepView};

/// Where each permit's discharge comes from, worked out once: the process
/// emissions of its pollutant by its enterprise's processes, and the pools
/// of those processes whose disposal emits it.
#[derive(Debug, Clone, Default)]
pub(super) struct PermitSources {
    /// One per permit.
    sources: Vec<Source>,
}

/// One permit's sources.
#[derive(Debug, Clone, Default)]
struct Source {
    /// Places in the topology's emissions.
    emissions: Vec<usize>,
    /// (pool, place in the topology's disposals).
    disposals: Vec<(usize, usize)>,
}

impl PermitSources {
    /// The sources of `plan`'s permits.
    pub(super) fn new(plan: &Plan) -> PermitSources {
        let t = &plan.topology;
        let sources = (plan.params.permits.iter())
            .map(|permit| {
                let k = permit.pollutant as u32;
                let ours = |p: usize| t.processes[p].enterprise == permit.enterprise;
                let emissions = (0..t.emissions.len())
                    .filter(|&e| {
                        t.emissions[e].pollutant == k && ours(t.emissions[e].process as usize)
                    })
                    .collect();
                let disposals = (0..t.pools.len())
                    .filter(|&i| {
                        t.pools[i].fate == PoolFate::Dispose && ours(t.pools[i].process as usize)
                    })
                    .flat_map(|i| {
                        let material = t.pools[i].material as usize;
                        (t.materials[material].disposal.clone())
                            .filter(|&d| t.disposals[d].pollutant == k)
                            .map(move |d| (i, d))
                    })
                    .collect();
                Source {
                    emissions,
                    disposals,
                }
            })
            .collect();
        PermitSources { sources }
    }

    /// Add a step's discharges to `year`, one per permit.
    pub(super) fn observe(&self, view: &StepView, year: &mut [f64]) {
        let factor = &view.plan.params.disposal_factor;
        for (total, source) in year.iter_mut().zip(&self.sources) {
            for &e in &source.emissions {
                *total += view.process_emission(e);
            }
            for &(pool, d) in &source.disposals {
                *total += view.pool_disposed(pool) * factor[d];
            }
        }
    }
}

/// A permit judged in one year: as a run judges it, `summary.json`
/// records it and `caps` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitResult {
    /// Enterprise id.
    pub enterprise: String,
    /// Pollutant id.
    pub pollutant: String,
    /// Year.
    pub year: i32,
    /// Permitted discharge that year.
    pub limit: f64,
    /// Modelled discharge: the enterprise's processes and disposal.
    pub value: f64,
    /// value ≤ limit.
    pub met: bool,
    /// The band over the draws of the park's uncertainty, when drawn.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}
