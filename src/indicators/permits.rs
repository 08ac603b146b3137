//! Enterprises' discharges against their permits (docs/MODEL.md,
//! "Permit"): an enterprise discharges what its processes emit after
//! abatement plus what its pools' disposal emits, summed over each year's
//! steps.

use serde::{Deserialize, Serialize};

use super::Band;
use crate::engine::{Plan, StepView};

/// Where each permit's discharge comes from: its pollutant, its
/// enterprise's processes and their pools.
#[derive(Debug, Clone, Default)]
pub(super) struct PermitSources {
    /// Per permit: pollutant, processes, pools.
    sources: Vec<(usize, Vec<usize>, Vec<usize>)>,
}

impl PermitSources {
    /// The sources of `plan`'s permits.
    pub(super) fn new(plan: &Plan) -> PermitSources {
        let t = &plan.topology;
        let sources = (plan.params.permits.iter())
            .map(|permit| {
                let processes: Vec<usize> = (0..t.processes.len())
                    .filter(|&p| t.processes[p].enterprise == permit.enterprise)
                    .collect();
                let pools = processes
                    .iter()
                    .flat_map(|&p| t.processes[p].pools.clone())
                    .collect();
                (permit.pollutant, processes, pools)
            })
            .collect();
        PermitSources { sources }
    }

    /// Add a step's discharges to `year`, one per permit.
    pub(super) fn observe(&self, view: &StepView, year: &mut [f64]) {
        for (total, (k, processes, pools)) in year.iter_mut().zip(&self.sources) {
            for &p in processes {
                *total += (view.process_emissions(p))
                    .filter(|&(kk, _)| kk == *k)
                    .map(|(_, v)| v)
                    .sum::<f64>();
            }
            for &pool in pools {
                *total += (view.disposal_emissions(pool))
                    .filter(|&(kk, _)| kk == *k)
                    .map(|(_, v)| v)
                    .sum::<f64>();
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
