//! Reading a year's parameters into the workspace, and only those that
//! changed since the year read before.
//!
//! Only series with steps, and links that turn on or off, change from year
//! to year, and only in the years of their steps: each read finds the next
//! year the item changes, in the same pass, and files the item under it
//! (`Workspace::changes`). So after a read of year Y every item is filed
//! once, under the first year after Y in which it changes, and the lists up
//! to Y are empty. Reading a later year reads and refiles the lists from
//! Y + 1 to it, which is how `run_years` skips years. A value the solution
//! depends on (a capacity, a demand, a link's limit) whose bits change
//! marks the blocks that read it for the next step.

use super::plan::Plan;
use super::workspace::{Change, Workspace};

/// Store `value` in `slot`; whether its bits differ from what was there.
#[inline]
pub(super) fn update(slot: &mut f64, value: f64) -> bool {
    let changed = slot.to_bits() != value.to_bits();
    *slot = value;
    changed
}

/// Read the parameters at `year` into the workspace: all of them (`since`
/// is `None`: the first year of a run), or those that changed after the
/// year read before (`since`) up to `year`.
pub(super) fn set_year(plan: &Plan, ws: &mut Workspace, year: i32, since: Option<i32>) {
    ws.year = year;
    ws.epoch += 1;
    let t = &plan.topology;
    let Some(since) = since else {
        for list in &mut ws.changes {
            list.clear();
        }
        // Item by item, each kind in a loop of its own, so that reading
        // needs no dispatch on the kind.
        for p in 0..t.processes.len() as u32 {
            read_change(plan, ws, Change::Process(p), year);
        }
        for e in 0..t.emissions.len() as u32 {
            read_change(plan, ws, Change::Emission(e), year);
        }
        for l in 0..t.links.len() as u32 {
            read_change(plan, ws, Change::Link(l), year);
        }
        for k in 0..t.pollutants.len() as u32 {
            read_change(plan, ws, Change::Background(k), year);
        }
        return;
    };
    for changed_in in since + 1..=year {
        // Take the list out, so that reading can file into later ones (all
        // after `year`), and put it back empty, keeping its allocation.
        let index = (changed_in - t.start) as usize;
        let mut list = std::mem::take(&mut ws.changes[index]);
        for &change in &list {
            read_change(plan, ws, change, year);
        }
        list.clear();
        ws.changes[index] = list;
    }
}

/// Read `change` at `year` and file it under the next year it changes, if
/// that is in the run.
#[inline(always)]
fn read_change(plan: &Plan, ws: &mut Workspace, change: Change, year: i32) {
    let next = match change {
        Change::Process(p) => read_process(plan, ws, p as usize, year),
        Change::Emission(e) => read_emission(plan, ws, e as usize, year),
        Change::Link(l) => read_link(plan, ws, l as usize, year),
        Change::Background(k) => read_background(plan, ws, k as usize, year),
    };
    if next <= plan.topology.end {
        ws.changes[(next - plan.topology.start) as usize].push(change);
    }
}

/// Read process `p`'s capacity, utilization and demand at `year`; returns
/// the first later year in which one of them changes (`i32::MAX`: never).
#[inline]
fn read_process(plan: &Plan, ws: &mut Workspace, p: usize, year: i32) -> i32 {
    let operating = &plan.params.operating[p];
    let (cap, cap_next) =
        (operating.capacity.as_ref()).map_or((f64::INFINITY, i32::MAX), |s| s.at_and_next(year));
    let (utilization, utilization_next) = operating.utilization.at_and_next(year);
    let (demand, demand_next) = operating.demand.at_and_next(year);
    ws.capacity[p] = cap;
    let k = if cap.is_infinite() {
        f64::INFINITY
    } else {
        cap * utilization * ws.dt
    };
    // Both updates, then one test.
    if update(&mut ws.k[p], k) | update(&mut ws.demand[p], demand * ws.dt) && !ws.full {
        // (Its own block among them: a Feed slot's request, its
        // coefficient times K, is checked when the process is evaluated.)
        ws.mark(plan.schedule.capacity_readers.of(p));
    }
    cap_next.min(utilization_next).min(demand_next)
}

/// Read process emission `e`'s abatement at `year`; returns its next change.
#[inline]
fn read_emission(plan: &Plan, ws: &mut Workspace, e: usize, year: i32) -> i32 {
    let abatement = plan.params.abatement[e].as_ref();
    let (removed, next) = abatement.map_or((0.0, i32::MAX), |a| a.at_and_next(year));
    if update(&mut ws.keep[e], 1.0 - removed) {
        ws.emissions_stale = true;
    }
    next
}

/// Read whether link `l` is active at `year`, and its limit; returns the
/// next year it turns on or off.
#[inline]
fn read_link(plan: &Plan, ws: &mut Workspace, l: usize, year: i32) -> i32 {
    let link = &plan.params.links[l];
    let enabled = plan.topology.link_enabled[l];
    let active = enabled && link.active(year);
    let cap = if active { link.max_rate * ws.dt } else { 0.0 };
    ws.link_active[l] = active;
    // (A Leontief block also reads whether its links are active, but its
    // links have no limit: their limit changes with that, 0 or ∞.)
    if update(&mut ws.link_cap[l], cap) && !ws.full {
        ws.mark(plan.schedule.limit_readers.of(l));
    }
    if enabled {
        link.next_change(year)
    } else {
        i32::MAX
    }
}

/// Read background series `k` at `year`; returns its next change.
#[inline]
fn read_background(plan: &Plan, ws: &mut Workspace, k: usize, year: i32) -> i32 {
    let (value, next) = plan.params.background[k].at_and_next(year);
    ws.background[k] = value * ws.dt;
    next
}
