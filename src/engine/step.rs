//! The step solver: allocation, activity, the fixed point, and what follows it.

use nalgebra::{DMatrix, DVector, Dyn, LU};

use super::lanes::Lanes;
use super::{Block, NONE, Plan, PoolBalance, PoolFate, Rule, SlotBalance, Split, Stretch};
use crate::error::{Error, Result};

/// Largest number of Gauss–Seidel sweeps over a cycle before giving up.
pub const MAX_SWEEPS: usize = 10_000;
/// Relative change below which a cycle has converged.
pub const TOLERANCE: f64 = 1e-12;

/// A Leontief block's links and its cached factorisation.
#[derive(Debug, Clone, Default)]
struct LeontiefCache {
    /// Process of each local index.
    processes: Vec<usize>,
    /// `(link, from local, to local)` for product links inside the block.
    internal: Vec<(usize, usize, usize)>,
    /// `(link, from local)` for product links leaving the block.
    external: Vec<(usize, usize)>,
    /// I − A as last factorised.
    matrix: DMatrix<f64>,
    /// Scratch for this year's I − A.
    scratch: DMatrix<f64>,
    /// Factorisation of `matrix`, if any.
    lu: Option<LU<f64, Dyn, Dyn>>,
    /// Right-hand side, then solution.
    rhs: DVector<f64>,
    /// The workspace epoch `matrix` was built for.
    epoch: u64,
}

/// Something read again in a year it changes: a process's series, an
/// emission entry's abatement, a link's activity, a background series.
#[derive(Debug, Clone, Copy)]
enum Change {
    Process(u32),
    Entry(u32),
    Link(u32),
    Background(u32),
}

/// Which solution a workspace holds: a number of its own (a clone draws a
/// new one) and how many times it has evaluated anything. A step with the
/// same one as the step before has bitwise the same activities, flows and
/// storages, so an observer may reuse what it worked out from them.
#[derive(Debug)]
struct SolutionId {
    workspace: u64,
    count: u64,
}

impl SolutionId {
    fn new(count: u64) -> SolutionId {
        static WORKSPACES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let workspace = WORKSPACES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        SolutionId { workspace, count }
    }
}

impl Clone for SolutionId {
    fn clone(&self) -> SolutionId {
        SolutionId::new(self.count)
    }
}

/// Everything one run needs that changes: reused across runs, so that a sweep
/// of a million samples allocates nothing per step.
#[derive(Debug, Clone)]
pub struct Workspace {
    year: i32,
    step: u32,
    dt: f64,
    // Per-year parameters.
    k: Vec<f64>,
    demand: Vec<f64>,
    capacity: Vec<f64>,
    link_active: Vec<bool>,
    keep: Vec<f64>,
    background: Vec<f64>,
    // The step's unknowns.
    x: Vec<f64>,
    f: Vec<f64>,
    /// Per link (and one more, the start of every chain, never written),
    /// each in an array of its own, as each is read at random: the most the
    /// link may carry this step (`max_rate · Δ`, ∞ without a limit, 0 when
    /// inactive); what the links of its source pool took, up to and
    /// including it; what the links into its sink slot delivered, up to
    /// and including it.
    link_cap: Vec<f64>,
    pool_taken: Vec<f64>,
    slot_taken: Vec<f64>,
    // Storage levels at the step's start and end.
    level_start: Vec<f64>,
    level: Vec<f64>,
    // After the fixed point, per storage: what is left of its pool that it
    // could not keep, and the net change of its level. Pools' and slots'
    // balances are not kept: each follows from the activities and the ends
    // of the chains when asked for (see [`StepView::pool`]).
    storage_rest: Vec<f64>,
    stored: Vec<f64>,
    /// What each pool of [`Plan::disposed_pools`] disposed of this step.
    disposed: Vec<f64>,
    park_emissions: Vec<f64>,
    /// Taken out while its block is solved, so the rest stays readable.
    leontief: Vec<Option<Box<LeontiefCache>>>,
    /// Counts the years read in, so a Leontief block rebuilds A once a year.
    epoch: u64,
    /// Whether the next step evaluates everything: at a run's start, or
    /// with reuse off. Otherwise it evaluates only the blocks in `todo`.
    full: bool,
    /// Whether an abatement changed since emissions were last added up.
    emissions_stale: bool,
    /// The solution the workspace holds (see [`StepView::solution`]).
    solution: SolutionId,
    /// Blocks to evaluate at the next step, one bit each (block `b` is bit
    /// `b % 64` of word `b / 64`): an input of theirs changed.
    todo: Vec<u64>,
    /// Whether steps re-evaluate only what changed (see [`run`]).
    reuse: bool,
    /// What changes in each year of the run after the first (index: year
    /// − start): the processes, emission entries and links whose series
    /// have a step in it, or that turn on or off in it, and background
    /// series with a step in it. Filled as the first year read reads
    /// everything; a later year reads the lists since the year read before
    /// it and files each item again under the next year it changes (see
    /// [`set_year`]).
    changes: Vec<Vec<Change>>,
    /// Offsets of each process's emission entries in `keep`.
    emission_offsets: Vec<usize>,
}

impl Workspace {
    /// A workspace sized for `plan`.
    pub fn new(plan: &Plan) -> Workspace {
        let (np, nl, nk) = (
            plan.processes.len(),
            plan.links.len(),
            plan.pollutants.len(),
        );
        let mut emission_offsets = Vec::with_capacity(np + 1);
        let mut n_em = 0;
        for p in &plan.processes {
            emission_offsets.push(n_em);
            n_em += p.emissions.len();
        }
        emission_offsets.push(n_em);
        let leontief = plan
            .leontief
            .iter()
            .map(|processes| Some(Box::new(leontief_cache(plan, processes))))
            .collect();
        Workspace {
            year: plan.start,
            step: 0,
            dt: 1.0 / f64::from(plan.steps_per_year),
            k: vec![0.0; np],
            demand: vec![0.0; np],
            capacity: vec![0.0; np],
            link_active: vec![false; nl],
            keep: vec![1.0; n_em],
            background: vec![0.0; nk],
            x: vec![0.0; np],
            // One more than the links: the start of every chain, never written.
            f: vec![0.0; nl + 1],
            link_cap: vec![0.0; nl + 1],
            pool_taken: vec![0.0; nl + 1],
            slot_taken: vec![0.0; nl + 1],
            level_start: vec![0.0; plan.storages.len()],
            level: vec![0.0; plan.storages.len()],
            storage_rest: vec![0.0; plan.storages.len()],
            stored: vec![0.0; plan.storages.len()],
            disposed: vec![0.0; plan.disposed_pools.len()],
            park_emissions: vec![0.0; nk],
            leontief,
            epoch: 0,
            full: true,
            emissions_stale: true,
            solution: SolutionId::new(0),
            todo: vec![0; plan.blocks.len().div_ceil(64)],
            reuse: true,
            changes: vec![Vec::new(); plan.end.saturating_sub(plan.start).max(0) as usize + 1],
            emission_offsets,
        }
    }
}

fn leontief_cache(plan: &Plan, processes: &[usize]) -> LeontiefCache {
    let n = processes.len();
    let local = |p: usize| processes.iter().position(|&q| q == p);
    let mut internal = Vec::new();
    let mut external = Vec::new();
    for (i, &p) in processes.iter().enumerate() {
        for &l in &plan.pool_links[plan.processes[p].pools.start] {
            match local(plan.link_to(l)) {
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

/// A read-only view of one solved step, handed to the caller's observer.
pub struct StepView<'a> {
    /// The plan.
    pub plan: &'a Plan,
    ws: &'a Workspace,
}

impl StepView<'_> {
    /// Calendar year.
    pub fn year(&self) -> i32 {
        self.ws.year
    }
    /// Step within the year, 0-based.
    pub fn step(&self) -> u32 {
        self.ws.step
    }
    /// Step length in years.
    pub fn dt(&self) -> f64 {
        self.ws.dt
    }
    /// Activity of each process this step (product units).
    pub fn activity(&self) -> &[f64] {
        &self.ws.x
    }
    /// Capacity of each process for this step (K = capacity · utilization · Δ; ∞ when unbounded).
    pub fn step_capacity(&self) -> &[f64] {
        &self.ws.k
    }
    /// Capacity series value of each process this year (∞ when unbounded).
    pub fn capacity(&self) -> &[f64] {
        &self.ws.capacity
    }
    /// Flow on each link this step (0 when inactive).
    pub fn flow(&self) -> &[f64] {
        &self.ws.f[..self.plan.links.len()]
    }
    /// Whether each link is active this year.
    pub fn link_active(&self) -> &[bool] {
        &self.ws.link_active
    }
    /// How pool `i`'s amount was divided this step.
    pub fn pool(&self, i: usize) -> PoolBalance {
        let [generated, inter, intra] = pool_linked(self.plan, self.ws, i);
        let storage = self.plan.pools[i].storage;
        let rest = pool_rest(self.plan, self.ws, i, storage.map_or(NONE, |s| s as u32));
        let (sold, disposed) = if self.plan.pools[i].fate == PoolFate::Dispose {
            (0.0, rest)
        } else {
            (rest, 0.0)
        };
        PoolBalance {
            generated,
            linked_inter: inter,
            linked_intra: intra,
            stored: storage.map_or(0.0, |s| self.ws.stored[s]),
            sold,
            disposed,
        }
    }
    /// How each pool's amount was divided this step, in pool order.
    pub fn pools(&self) -> impl ExactSizeIterator<Item = PoolBalance> + '_ {
        (0..self.plan.pools.len()).map(|i| self.pool(i))
    }
    /// What pool `i` made this step, and what its links took between
    /// enterprises and within one: the part of [`StepView::pool`] the
    /// indicators read.
    #[inline]
    pub(crate) fn pool_linked(&self, i: usize) -> [f64; 3] {
        pool_linked(self.plan, self.ws, i)
    }
    /// Which solution this step has: the same as an earlier step's (of
    /// the same workspace, with nothing solved in between) when its
    /// activities, flows and storages are bitwise the same.
    #[inline]
    pub(crate) fn solution(&self) -> (u64, u64) {
        (self.ws.solution.workspace, self.ws.solution.count)
    }
    /// Storage level of each storage at the step's end.
    pub fn level(&self) -> &[f64] {
        &self.ws.level
    }
    /// Storage level of each storage at the step's start.
    pub fn level_start(&self) -> &[f64] {
        &self.ws.level_start
    }
    /// Request, delivery and import of input slot `i` this step.
    pub fn slot(&self, i: usize) -> SlotBalance {
        slot_balance(self.plan, self.ws, i)
    }
    /// Request, delivery and import of each input slot this step, in slot order.
    pub fn slots(&self) -> impl ExactSizeIterator<Item = SlotBalance> + '_ {
        (0..self.plan.slots.len()).map(|i| self.slot(i))
    }
    /// Park emissions of each pollutant this step (processes and disposal).
    pub fn park_emissions(&self) -> &[f64] {
        &self.ws.park_emissions
    }
    /// Background emissions of each pollutant this step.
    pub fn background(&self) -> &[f64] {
        &self.ws.background
    }
    /// Emissions of process `p` this step, after abatement: `(pollutant, amount)`.
    pub fn process_emissions(&self, p: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.ws.emission_offsets[p]..self.ws.emission_offsets[p + 1];
        let x = self.ws.x[p];
        self.plan.emission_entries[range.clone()]
            .iter()
            .zip(&self.ws.keep[range])
            .map(move |(entry, keep)| (entry.pollutant as usize, entry.coeff * x * keep))
    }
    /// Emissions from disposing of pool `pool` this step: `(pollutant, amount)`.
    pub fn disposal_emissions(&self, pool: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let disposed = self.pool(pool).disposed;
        self.plan.materials[self.plan.pools[pool].material]
            .disposal
            .iter()
            .map(move |&(k, factor)| (k, disposed * factor))
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
/// is. A process or link whose value changes marks those that read it
/// ([`Plan::successors`](super::Plan)), and so on down the schedule; pools
/// and slots are balanced again only where an activity or flow of theirs
/// changed. Emissions are added up again when anything was evaluated or an
/// abatement changed. A year where only a few
/// projects start or grow touches a few nodes, and a steady step none.
pub fn run(plan: &Plan, ws: &mut Workspace, mut observe: impl FnMut(&StepView)) -> Result<()> {
    start_run(plan, ws);
    run_through(plan, ws, plan.end, &mut observe)
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
    let in_range = years
        .iter()
        .copied()
        .filter(|year| (plan.start..=plan.end).contains(year));
    if plan.storages.is_empty() {
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
    for year in plan.start..=last {
        let since = (year > plan.start).then(|| year - 1);
        run_year(plan, ws, year, since, observe)?;
    }
    Ok(())
}

/// Storage levels to their initial values; the first step evaluates everything.
fn start_run(plan: &Plan, ws: &mut Workspace) {
    for (s, st) in plan.storages.iter().enumerate() {
        ws.level[s] = st.initial;
    }
    ws.full = true;
}

/// Read `year` (see [`set_year`]) and run its steps.
#[inline(always)]
fn run_year(
    plan: &Plan,
    ws: &mut Workspace,
    year: i32,
    since: Option<i32>,
    observe: &mut impl FnMut(&StepView),
) -> Result<()> {
    set_year(plan, ws, year, since);
    for step in 0..plan.steps_per_year {
        ws.step = step;
        solve_step(plan, ws)?;
        observe(&StepView { plan, ws });
    }
    Ok(())
}

impl Workspace {
    /// Whether a step re-evaluates only what changed since the step before
    /// (the default; see [`run`]). Off, every step evaluates everything:
    /// for tests that check the two agree, and for timing the solver itself.
    pub fn set_reuse_steady_steps(&mut self, on: bool) {
        self.reuse = on;
        self.full |= !on;
    }

    /// Mark `blocks` for evaluation.
    #[inline]
    fn mark(&mut self, blocks: &[u32]) {
        for &b in blocks {
            self.todo[b as usize / 64] |= 1 << (b % 64);
        }
    }

    /// Whether a block is marked.
    fn pending(&self) -> bool {
        self.todo.iter().any(|&bits| bits != 0)
    }

    /// Forget every mark: everything is evaluated.
    fn clear_marks(&mut self) {
        self.todo.fill(0);
    }
}

/// Store `value` in `slot`; whether its bits differ from what was there.
#[inline]
fn update(slot: &mut f64, value: f64) -> bool {
    let changed = slot.to_bits() != value.to_bits();
    *slot = value;
    changed
}

/// Read the series at `year` into the workspace: all of them (`since` is
/// `None`: the first year of a run), or those that changed after the year
/// read before (`since`) up to `year`. Only series with steps, and links
/// that turn on or off, can change from year to year, and only in the years
/// of their steps: each read finds the next year the item changes, in the
/// same pass, and files the item under it (`changes`). So after a read of
/// year Y every item is filed once, under the first year after Y in which
/// it changes, and the lists up to Y are empty. A value the solution
/// depends on (a capacity, a demand, a link's limit) whose bits change
/// marks what reads it for the next step.
fn set_year(plan: &Plan, ws: &mut Workspace, year: i32, since: Option<i32>) {
    ws.year = year;
    ws.epoch += 1;
    let Some(since) = since else {
        for list in &mut ws.changes {
            list.clear();
        }
        // Item by item, each kind in a loop of its own, so that reading
        // needs no dispatch on the kind.
        for p in 0..plan.processes.len() as u32 {
            read_change(plan, ws, Change::Process(p), year);
        }
        for e in 0..plan.emission_entries.len() as u32 {
            read_change(plan, ws, Change::Entry(e), year);
        }
        for l in 0..plan.links.len() as u32 {
            read_change(plan, ws, Change::Link(l), year);
        }
        for k in 0..plan.background.len() as u32 {
            read_change(plan, ws, Change::Background(k), year);
        }
        return;
    };
    for changed_in in since + 1..=year {
        // Take the list out, so that reading can file into later ones (all
        // after `year`), and put it back empty, keeping its allocation.
        let index = (changed_in - plan.start) as usize;
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
        Change::Entry(e) => read_entry(plan, ws, e as usize, year),
        Change::Link(l) => read_link(plan, ws, l as usize, year),
        Change::Background(k) => read_background(plan, ws, k as usize, year),
    };
    if next <= plan.end {
        ws.changes[(next - plan.start) as usize].push(change);
    }
}

/// Read process `p`'s capacity, utilization and demand at `year`; returns
/// the first later year in which one of them changes (`i32::MAX`: never).
#[inline]
fn read_process(plan: &Plan, ws: &mut Workspace, p: usize, year: i32) -> i32 {
    let proc_ = &plan.operating[p];
    let (cap, cap_next) = proc_
        .capacity
        .as_ref()
        .map_or((f64::INFINITY, i32::MAX), |s| s.at_and_next(year));
    let (utilization, utilization_next) = proc_.utilization.at_and_next(year);
    let (demand, demand_next) = proc_.demand.at_and_next(year);
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
        ws.mark(plan.capacity_readers.of(p));
    }
    cap_next.min(utilization_next).min(demand_next)
}

/// Read emission entry `e`'s abatement at `year`; returns its next change.
#[inline]
fn read_entry(plan: &Plan, ws: &mut Workspace, e: usize, year: i32) -> i32 {
    let abatement = plan.abatements[e].as_ref();
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
    let link = plan.link_times[l];
    let active = link.active(year);
    let cap = if active { link.rate * ws.dt } else { 0.0 };
    ws.link_active[l] = active;
    // (A Leontief block also reads whether its links are active, but its
    // links have no limit: their limit changes with that, 0 or ∞.)
    if update(&mut ws.link_cap[l], cap) && !ws.full {
        ws.mark(plan.limit_readers.of(l));
    }
    link.next_change(year)
}

/// Read background series `k` at `year`; returns its next change.
#[inline]
fn read_background(plan: &Plan, ws: &mut Workspace, k: usize, year: i32) -> i32 {
    let (value, next) = plan.background[k].at_and_next(year);
    ws.background[k] = value * ws.dt;
    next
}

/// What link `l`'s sink slot asks for, before the links served before it.
#[inline(always)]
fn wanted(plan: &Plan, ws: &Workspace, l: usize) -> f64 {
    let w = &plan.wiring[l];
    w.in_coeff
        * if plan.link_kind[l].feed {
            ws.k[w.to as usize]
        } else {
            ws.x[w.to as usize]
        }
        - ws.slot_taken[w.prev_in_slot as usize]
}

/// `min(amount, cap)`, never negative. Plain comparisons: every operand is
/// finite or +∞ here (NaN cannot arise), and `f64::min` pays for NaN rules.
#[inline]
fn clamp_flow(amount: f64, cap: f64) -> f64 {
    let f = if amount < cap { amount } else { cap };
    if f > 0.0 { f } else { 0.0 }
}

/// What link `l` would carry if its pool were unlimited.
#[inline]
fn unlimited_flow(plan: &Plan, ws: &Workspace, l: usize) -> f64 {
    // An inactive link has cap 0.
    clamp_flow(wanted(plan, ws, l), ws.link_cap[l])
}

/// Evaluate link `l`'s flow from its pool, its sink and the links served before it.
#[inline(always)]
fn eval_link(plan: &Plan, ws: &mut Workspace, l: usize) -> f64 {
    let w = &plan.wiring[l];
    let pool_before = ws.pool_taken[w.prev_in_pool as usize];
    let stock = if plan.link_kind[l].stored {
        ws.level_start[plan.link_storage[l] as usize]
    } else {
        0.0
    };
    let available = w.out_coeff * ws.x[w.from as usize] + stock - pool_before;
    let wanted = wanted(plan, ws, l);
    let slot_before = ws.slot_taken[w.prev_in_slot as usize];
    // An inactive link has cap 0, so it carries nothing.
    let f = clamp_flow(
        if available < wanted {
            available
        } else {
            wanted
        },
        ws.link_cap[l],
    );
    ws.pool_taken[l] = pool_before + f;
    ws.slot_taken[l] = slot_before + f;
    ws.f[l] = f;
    f
}

/// Evaluate process `p`'s activity from what it depends on.
#[inline(always)]
fn eval_process(plan: &Plan, ws: &mut Workspace, p: usize) -> f64 {
    let x = match plan.rules[p] {
        Rule::Fixed => ws.k[p],
        Rule::Feed { last, coeff } => {
            // Validation guarantees a positive feed coefficient.
            ws.k[p].min(ws.slot_taken[last as usize] / coeff)
        }
        Rule::Demand { start, end } => {
            let mut total = ws.demand[p];
            for &l in &plan.product_links[start as usize..end as usize] {
                total += unlimited_flow(plan, ws, l as usize);
            }
            ws.k[p].min(total)
        }
    };
    ws.x[p] = x;
    x
}

fn solve_step(plan: &Plan, ws: &mut Workspace) -> Result<()> {
    let np = plan.processes.len();
    // Storage levels are the last input: a level that moved marks the links
    // that draw on it, and its pool is balanced again (storages always are,
    // in any step that evaluates something).
    let mut moved = false;
    for s in 0..plan.storages.len() {
        if ws.level[s].to_bits() != ws.level_start[s].to_bits() {
            ws.level_start[s] = ws.level[s];
            ws.mark(plan.storage_readers.of(s));
            moved = true;
        }
    }
    if ws.full || moved || ws.pending() {
        ws.solution.count += 1;
        let finite = if ws.full {
            let finite = solve_all(plan, ws)?;
            ws.full = !ws.reuse;
            finite
        } else {
            // Only what was evaluated again can have become infinite; the
            // rest was checked when it was.
            solve_marked(plan, ws)?
        };
        emit(plan, ws);
        if finite {
            check_emissions(plan, ws)
        } else {
            check_finite(plan, ws, np)
        }
    } else {
        // Nothing the solution depends on changed. Emissions are those of
        // the step before, unless an abatement changed; the background
        // may have, and is checked.
        if ws.emissions_stale {
            emit(plan, ws);
        }
        check_emissions(plan, ws)
    }
}

/// Evaluate every block, then settle the storages. Returns whether every
/// activity, output and request is finite, which covers the flows too
/// (see [`solve_marked`]).
fn solve_all(plan: &Plan, ws: &mut Workspace) -> Result<bool> {
    ws.clear_marks();
    // Blocks run in dependency order, so every value is written before it
    // is read, except inside a cycle, which resets its own nodes first.
    // Disabled links are never evaluated and keep the flow 0 they start with.
    // Each process is checked as its block is done, while its values are
    // at hand: every process is in one block.
    let mut bad = 0;
    for &stretch in &plan.stretches {
        match stretch {
            Stretch::Process(p) => {
                eval_process(plan, ws, p as usize);
                bad |= process_not_finite(plan, ws, p as usize);
            }
            Stretch::Links(start, end) => {
                for l in start..end {
                    eval_link(plan, ws, l as usize);
                }
            }
            Stretch::Leontief(b) => {
                solve_leontief(plan, ws, b as usize)?;
                bad |= nodes_not_finite(plan, ws, &plan.leontief[b as usize]);
            }
            Stretch::Cycle(c) => {
                let nodes = &plan.cycles[c as usize];
                iterate_cycle(plan, ws, nodes)?;
                bad |= nodes_not_finite(plan, ws, nodes);
            }
        }
    }
    settle_storages(plan, ws);
    Ok(bad == 0)
}

/// Evaluate the marked blocks, in the same order as [`solve_all`]; a value
/// that changes marks the blocks that read it, all later in the order.
/// Then settle the storages. Returns whether every process it evaluated
/// has a finite activity, outputs and requests ([`process_not_finite`]):
/// that covers the flows too, as a flow is at most what its pool made and
/// held in storage (finite), and what was not evaluated is as it was when
/// it was checked. (A process whose step capacity changed is evaluated:
/// its block is among those that read it.)
fn solve_marked(plan: &Plan, ws: &mut Workspace) -> Result<bool> {
    let np = plan.processes.len();
    let mut bad = 0;
    let mut word = 0;
    while word < ws.todo.len() {
        let bits = ws.todo[word];
        if bits == 0 {
            word += 1;
            continue;
        }
        // The first marked block; marks made while it runs are all later.
        ws.todo[word] = bits & (bits - 1);
        let b = word * 64 + bits.trailing_zeros() as usize;
        match plan.blocks[b] {
            Block::Process(p) => {
                let p = p as usize;
                let before = ws.x[p];
                let x = eval_process(plan, ws, p);
                bad |= process_not_finite(plan, ws, p);
                if x.to_bits() != before.to_bits() {
                    ws.mark(plan.successors.of(p));
                }
            }
            Block::Link(l) => {
                let l = l as usize;
                let before = (ws.f[l], ws.pool_taken[l], ws.slot_taken[l]);
                let f = eval_link(plan, ws, l);
                let flow = f.to_bits() != before.0.to_bits();
                let pool = ws.pool_taken[l].to_bits() != before.1.to_bits();
                let slot = ws.slot_taken[l].to_bits() != before.2.to_bits();
                if flow | pool | slot {
                    ws.mark(plan.successors.of(np + l));
                }
            }
            // A cycle is solved whole, and then counts as changed throughout.
            Block::Leontief(i) => {
                solve_leontief(plan, ws, i as usize)?;
                bad |= block_changed(plan, ws, b, &plan.leontief[i as usize]);
            }
            Block::Cycle(i) => {
                let nodes = &plan.cycles[i as usize];
                iterate_cycle(plan, ws, nodes)?;
                bad |= block_changed(plan, ws, b, nodes);
            }
        }
    }
    settle_storages(plan, ws);
    Ok(bad == 0)
}

/// Cycle block `b` was solved: each of its nodes counts as changed, and
/// its processes are checked as [`process_not_finite`] does (the result).
/// Its own mark, which its nodes set on one another, is cleared.
fn block_changed(plan: &Plan, ws: &mut Workspace, b: usize, nodes: &[usize]) -> u64 {
    for &v in nodes {
        ws.mark(plan.successors.of(v));
    }
    ws.todo[b / 64] &= !(1 << (b % 64));
    nodes_not_finite(plan, ws, nodes)
}

/// [`process_not_finite`] over the processes among a cycle's `nodes`.
fn nodes_not_finite(plan: &Plan, ws: &Workspace, nodes: &[usize]) -> u64 {
    let np = plan.processes.len();
    (nodes.iter().filter(|&&v| v < np)).fold(0, |bad, &p| bad | process_not_finite(plan, ws, p))
}

/// Not 0 if process `p`'s activity, or an output or request that follows
/// from it, is not finite: its activity times [`Plan::largest_coeff`], and
/// a Feed slot's request (its coefficient times K). Without a branch but
/// on the rule, which is the same for a process every step.
#[inline(always)]
fn process_not_finite(plan: &Plan, ws: &Workspace, p: usize) -> u64 {
    let bad = not_finite(ws.x[p] * plan.largest_coeff[p]);
    if let Rule::Feed { coeff, .. } = plan.rules[p] {
        bad | not_finite(ws.k[p] * coeff)
    } else {
        bad
    }
}

/// Gauss–Seidel sweeps over a cycle until the largest change is below
/// [`TOLERANCE`] relative to the largest value.
fn iterate_cycle(plan: &Plan, ws: &mut Workspace, nodes: &[usize]) -> Result<()> {
    let np = plan.processes.len();
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
    let np = plan.processes.len();
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
    ps.into_iter()
        .map(|p| plan.processes[p].id.clone())
        .collect()
}

/// Solve a cycle of unbounded Demand processes: (I − A) x = y.
fn solve_leontief(plan: &Plan, ws: &mut Workspace, index: usize) -> Result<()> {
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
                cache.scratch[(i, j)] -= plan.slots[plan.links[l].slot].coeff;
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
        cache.rhs[i] += unlimited_flow(plan, ws, l);
    }
    let names = || {
        let mut v: Vec<String> = cache
            .processes
            .iter()
            .map(|&p| plan.processes[p].id.clone())
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
                plan.processes[cache.processes[i]].id, rhs[i]
            ),
        });
    }
    for i in 0..n {
        ws.x[cache.processes[i]] = rhs[i].max(0.0);
    }
    Ok(())
}

/// What pool `i` made this step, and what its links took between
/// enterprises and within one, from its activity and the end of its chain.
#[inline(always)]
fn pool_linked(plan: &Plan, ws: &Workspace, i: usize) -> [f64; 3] {
    // What the pool's links took is the end of its chain.
    let taken = ws.pool_taken[plan.pool_hot[i].last as usize];
    // Added up in service order, from 0: the chain's end when that is the
    // same sum (most pools), else link by link.
    let (inter, intra) = match plan.pool_split[i] {
        Split::Inter => (taken, 0.0),
        Split::Intra => (0.0, taken),
        Split::Mixed => mixed_split(plan, ws, i),
    };
    [pool_generated(plan, ws, i), inter, intra]
}

/// What pool `i` made this step.
#[inline(always)]
fn pool_generated(plan: &Plan, ws: &Workspace, i: usize) -> f64 {
    let hot = plan.pool_hot[i];
    hot.coeff * ws.x[hot.process as usize]
}

/// What is left of pool `i` this step after its links, with `stock` held
/// over in its storage (0 without one).
#[inline(always)]
fn pool_left(plan: &Plan, ws: &Workspace, i: usize, stock: f64) -> f64 {
    let taken = ws.pool_taken[plan.pool_hot[i].last as usize];
    (pool_generated(plan, ws, i) + stock - taken).max(0.0)
}

/// What a pool's links took between enterprises and within one, link by
/// link in service order. Apart from [`pool_linked`], which the callers'
/// loops inline, as few pools need it.
#[inline(never)]
fn mixed_split(plan: &Plan, ws: &Workspace, i: usize) -> (f64, f64) {
    let (mut inter, mut intra) = (0.0, 0.0);
    for &l in &plan.pool_links[i] {
        let f = ws.f[l];
        if plan.links[l].inter_enterprise {
            inter += f;
        } else {
            intra += f;
        }
    }
    (inter, intra)
}

/// What is left of pool `i` this step, after its links and its storage
/// (`storage`, or [`NONE`]), to its fate: sold or disposed of.
#[inline(always)]
fn pool_rest(plan: &Plan, ws: &Workspace, i: usize, storage: u32) -> f64 {
    if storage != NONE {
        return ws.storage_rest[storage as usize];
    }
    pool_left(plan, ws, i, 0.0)
}

/// Pools with a storage: what is left goes to the storage up to its
/// capacity, the rest to the pool's fate.
fn settle_storages(plan: &Plan, ws: &mut Workspace) {
    for (s, storage) in plan.storages.iter().enumerate() {
        let stock = ws.level_start[s];
        let left = pool_left(plan, ws, storage.pool, stock);
        let kept = left.min(storage.capacity);
        ws.level[s] = kept;
        ws.storage_rest[s] = left - kept;
        ws.stored[s] = kept - stock;
    }
}

/// Input slot `i`'s request, delivery and import this step.
#[inline(always)]
fn slot_balance(plan: &Plan, ws: &Workspace, i: usize) -> SlotBalance {
    let hot = plan.slot_hot[i];
    let feed = plan.slot_feed[i];
    let requested = hot.coeff
        * if feed {
            ws.k[hot.process as usize]
        } else {
            ws.x[hot.process as usize]
        };
    let delivered = ws.slot_taken[hot.last as usize];
    SlotBalance {
        requested,
        delivered,
        imported: if feed {
            0.0
        } else {
            (requested - delivered).max(0.0)
        },
    }
}

/// Emissions of the step: disposal, then processes after abatement, added
/// up pollutant by pollutant in [`Lanes`]. (Each process's own emissions are
/// worked out again when asked for, by [`StepView::process_emissions`].)
fn emit(plan: &Plan, ws: &mut Workspace) {
    ws.emissions_stale = false;
    // Only pools disposed of have disposal entries: what is left is disposed.
    for (j, &(pool, storage)) in plan.disposed_pools.iter().enumerate() {
        ws.disposed[j] = pool_rest(plan, ws, pool as usize, storage);
    }
    let (mut disposal, mut entries) = (0, 0);
    let totals = ws.park_emissions.iter_mut().zip(&plan.pollutant_ends);
    for (total, &(disposal_end, entries_end)) in totals {
        let disposal_range = disposal..disposal_end as usize;
        let entries_range = entries..entries_end as usize;
        let disposed = plan.disposal_entries[disposal_range]
            .iter()
            .map(|e| ws.disposed[e.disposed as usize] * e.factor);
        let emitted = plan.emission_order[entries_range].iter().map(|&e| {
            let entry = &plan.emission_entries[e as usize];
            entry.coeff * ws.x[entry.process as usize] * ws.keep[e as usize]
        });
        *total = Lanes::sum(disposed.chain(emitted));
        (disposal, entries) = (disposal_end as usize, entries_end as usize);
    }
}

/// 0 for a finite `v`, without a branch: `v · 0` is ±0 for a finite `v`
/// and NaN for an infinite or NaN one, so its bits without the sign are 0
/// only for a finite `v`. Values are checked by `or`-ing these together.
#[inline(always)]
fn not_finite(v: f64) -> u64 {
    (v * 0.0).to_bits() << 1
}

/// Whether every value is finite, without a branch per value. (An integer
/// `or` is associative, unlike a floating-point sum, so the compiler may
/// take the values several at a time.)
#[inline]
fn all_finite(values: impl Iterator<Item = f64>) -> bool {
    values.fold(0, |bad, v| bad | not_finite(v)) == 0
}

fn check_finite(plan: &Plan, ws: &Workspace, np: usize) -> Result<()> {
    let requested = |i| slot_balance(plan, ws, i).requested;
    let generated = |i| pool_generated(plan, ws, i);
    if all_finite(ws.x.iter().copied())
        && all_finite(ws.f.iter().copied())
        && all_finite((0..plan.slots.len()).map(requested))
        && all_finite((0..plan.pools.len()).map(generated))
    {
        return check_emissions(plan, ws);
    }
    // Something is not finite: name the first.
    let bad = |what: &'static str, item: String, value: f64| Error::NonFinite {
        year: ws.year,
        what,
        item,
        value,
    };
    if let Some(p) = (0..np).find(|&p| !ws.x[p].is_finite()) {
        return Err(bad("activity", plan.processes[p].id.clone(), ws.x[p]));
    }
    if let Some(l) = (0..plan.links.len()).find(|&l| !ws.f[l].is_finite()) {
        return Err(bad("flow", plan.links[l].id.clone(), ws.f[l]));
    }
    if let Some(i) = (0..plan.slots.len()).find(|&i| !requested(i).is_finite()) {
        let s = &plan.slots[i];
        let item = format!(
            "{}/{}",
            plan.processes[s.process].id, plan.materials[s.material].id
        );
        return Err(bad("request", item, requested(i)));
    }
    if let Some(i) = (0..plan.pools.len()).find(|&i| !generated(i).is_finite()) {
        let pool = &plan.pools[i];
        let item = format!(
            "{}/{}",
            plan.processes[pool.process].id, plan.materials[pool.material].id
        );
        return Err(bad("output", item, generated(i)));
    }
    check_emissions(plan, ws)
}

fn check_emissions(plan: &Plan, ws: &Workspace) -> Result<()> {
    if all_finite(ws.park_emissions.iter().chain(&ws.background).copied()) {
        return Ok(());
    }
    for k in 0..plan.pollutants.len() {
        // Name the value that is not finite, the park's or the background's.
        for (what, value) in [
            ("emission", ws.park_emissions[k]),
            ("background emission", ws.background[k]),
        ] {
            if !value.is_finite() {
                return Err(Error::NonFinite {
                    year: ws.year,
                    what,
                    item: plan.pollutants[k].clone(),
                    value,
                });
            }
        }
    }
    Ok(())
}
