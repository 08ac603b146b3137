//! Running a plan: a workspace sized for it, then year by year, step by
//! step, each solved step lent to the caller's observer.

use super::plan::Plan;
use super::rules::largest_coeff;
use super::solve::solve_step;
use super::view::StepView;
use super::workspace::{LeontiefCache, SolutionId, Workspace};
use super::year::set_year;
use crate::error::Result;

impl Workspace {
    /// A workspace sized for `plan`.
    pub fn new(plan: &Plan) -> Workspace {
        let t = &plan.topology;
        let (np, nl, nk, ns) = (
            t.processes.len(),
            t.links.len(),
            t.pollutants.len(),
            t.storages.len(),
        );
        let leontief = (plan.schedule.leontief.iter())
            .map(|processes| Some(Box::new(LeontiefCache::new(plan, processes))))
            .collect();
        Workspace {
            year: t.start,
            step: 0,
            dt: 1.0 / f64::from(t.steps_per_year),
            k: vec![0.0; np],
            demand: vec![0.0; np],
            capacity: vec![0.0; np],
            link_active: vec![false; nl],
            keep: vec![1.0; t.emissions.len()],
            background: vec![0.0; nk],
            x: vec![0.0; np],
            // One more than the links: the start of every chain, never written.
            f: vec![0.0; nl + 1],
            link_cap: vec![0.0; nl + 1],
            pool_taken: vec![0.0; nl + 1],
            slot_taken: vec![0.0; nl + 1],
            level_start: vec![0.0; ns],
            level: vec![0.0; ns],
            storage_rest: vec![0.0; ns],
            stored: vec![0.0; ns],
            disposed: vec![0.0; t.disposed_pools.len()],
            largest_coeff: 1.0,
            park_emissions: vec![0.0; nk],
            leontief,
            epoch: 0,
            full: true,
            emissions_stale: true,
            solution: SolutionId::new(0),
            todo: vec![0; plan.schedule.blocks.len().div_ceil(64)],
            reuse: true,
            changes: vec![Vec::new(); t.end.saturating_sub(t.start).max(0) as usize + 1],
        }
    }
}

/// Run the whole time range, calling `observe` after each step.
///
/// A run's results depend only on the plan, never on what the workspace ran
/// before. A run's first step evaluates everything. After it, a step
/// evaluates only what depends on what changed: an activity or a flow is
/// computed from its inputs alone, so if its inputs (capacities, demands,
/// link limits, storage levels, and the activities and flows it reads) are
/// bitwise those of the step before, so is its value, and it is left as it
/// is. A process or link whose value changes marks the blocks that read it
/// (the schedule's successors), and so on down the schedule. Emissions are
/// added up again when anything was evaluated or an abatement changed. A
/// year where only a few projects start or grow touches a few blocks, and a
/// steady step none.
pub fn run(plan: &Plan, ws: &mut Workspace, mut observe: impl FnMut(&StepView)) -> Result<()> {
    start_run(plan, ws);
    run_through(plan, ws, plan.topology.end, &mut observe)
}

/// Run as much of the time range as the steps of `years` need, calling
/// `observe` after each step run. Years outside the range are ignored.
///
/// A plan with a storage carries its levels from step to step, so every
/// year from the start to the last of `years` is run. A plan without one
/// carries nothing from one year to the next (a year's solution depends
/// only on that year's series and links), so only the years in `years`
/// are run, each reading what changed since the year run before it.
/// Either way the steps observed are bitwise those [`run`] gives for the
/// same years. What is not run is not checked: a value that is not finite,
/// or a block with no solution, in a year left out is not found.
pub fn run_years(
    plan: &Plan,
    ws: &mut Workspace,
    years: &[i32],
    mut observe: impl FnMut(&StepView),
) -> Result<()> {
    start_run(plan, ws);
    let t = &plan.topology;
    let in_range = (years.iter().copied()).filter(|year| (t.start..=t.end).contains(year));
    if t.storages.is_empty() {
        let mut since = None;
        for year in in_range {
            // A year not after the one run before is read in full.
            let since = since.replace(year).filter(|&before| before < year);
            run_year(plan, ws, year, since, &mut observe)?;
        }
    } else if let Some(last) = in_range.max() {
        run_through(plan, ws, last, &mut observe)?;
    }
    Ok(())
}

/// Run every year from the plan's first to `last`.
fn run_through(
    plan: &Plan,
    ws: &mut Workspace,
    last: i32,
    observe: &mut impl FnMut(&StepView),
) -> Result<()> {
    let start = plan.topology.start;
    for year in start..=last {
        let since = (year > start).then(|| year - 1);
        run_year(plan, ws, year, since, observe)?;
    }
    Ok(())
}

/// Storage levels to their initial values, the largest coefficient for the
/// checks; the first step evaluates everything.
fn start_run(plan: &Plan, ws: &mut Workspace) {
    for (level, storage) in ws.level.iter_mut().zip(&plan.params.storages) {
        *level = storage.initial;
    }
    ws.largest_coeff = largest_coeff(&plan.params);
    ws.full = true;
}

/// Read `year` and run its steps.
#[inline(always)]
fn run_year(
    plan: &Plan,
    ws: &mut Workspace,
    year: i32,
    since: Option<i32>,
    observe: &mut impl FnMut(&StepView),
) -> Result<()> {
    set_year(plan, ws, year, since);
    for step in 0..plan.topology.steps_per_year {
        ws.step = step;
        solve_step(plan, ws)?;
        observe(&StepView { plan, ws });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::engine::{Plan, Workspace};
    use crate::model::{BUILTIN_PARK, parse_park};

    #[test]
    fn marks_are_taken_lowest_first_each_once() {
        let park = parse_park(BUILTIN_PARK, "jilin.ron").expect("the default park parses");
        let mut ws = Workspace::new(&Plan::compile(&park));
        ws.todo = vec![0; 3];
        ws.mark(&[130, 2, 64, 63, 2]);
        let mut taken = Vec::new();
        let mut from = 0;
        while let Some(b) = ws.take_mark(from) {
            taken.push(b);
            from = b + 1;
        }
        assert_eq!(taken, [2, 63, 64, 130]);
        assert!(!ws.pending());
        ws.mark(&[5, 9]);
        assert_eq!(ws.take_mark(6), Some(9));
        assert!(ws.pending(), "a mark below `from` stays");
    }
}
