//! A step's park emissions: what is disposed of, then the processes' own
//! after abatement, added up pollutant by pollutant in a fixed order.

use super::balance::pool_rest;
use super::lanes::Lanes;
use super::plan::Plan;
use super::workspace::Workspace;

/// Emissions of the step: disposal, then processes after abatement, added
/// up pollutant by pollutant in [`Lanes`]. (Each process's own emissions are
/// worked out again when asked for, by
/// `StepView::process_emissions`.)
pub(super) fn emit(plan: &Plan, ws: &mut Workspace) {
    let (t, params) = (&plan.topology, &plan.params);
    ws.emissions_stale = false;
    // Only pools disposed of have disposal emissions: what is left is disposed.
    for (j, &pool) in t.disposed_pools.iter().enumerate() {
        ws.disposed[j] = pool_rest(plan, ws, pool as usize);
    }
    let (mut disposal, mut entries) = (0, 0);
    let totals = ws.park_emissions.iter_mut().zip(&t.pollutant_ends);
    for (total, &(disposal_end, entries_end)) in totals {
        let disposal_range = disposal..disposal_end as usize;
        let entries_range = entries..entries_end as usize;
        let disposed = t.disposal_order[disposal_range]
            .iter()
            .map(|&(j, d)| ws.disposed[j as usize] * params.disposal_factor[d as usize]);
        let emitted = t.emission_order[entries_range].iter().map(|&e| {
            let e = e as usize;
            params.emission_coeff[e] * ws.x[t.emissions[e].process as usize] * ws.keep[e]
        });
        *total = Lanes::sum(disposed.chain(emitted));
        (disposal, entries) = (disposal_end as usize, entries_end as usize);
    }
}
