//! The [`Workspace`]: everything one run changes, sized once for a plan and
//! reused across runs, so that a sweep of a million samples allocates
//! nothing per step.

use nalgebra::{DMatrix, DVector, Dyn, LU};

/// Which solution a workspace holds: a number of its own (a clone draws a
/// new one) and how many times it has evaluated anything. A step with the
/// same one as the step before has bitwise the same activities, flows and
/// storages, so an observer may reuse what it worked out from them.
#[derive(Debug)]
pub(super) struct SolutionId {
    pub(super) workspace: u64,
    pub(super) count: u64,
}

impl SolutionId {
    pub(super) fn new(count: u64) -> SolutionId {
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

/// Something read again in a year it changes: a process's series, an
/// emission's abatement, a link's activity, a background series (see
/// `year.rs`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Change {
    Process(u32),
    Emission(u32),
    Link(u32),
    Background(u32),
}

/// A Leontief block's links and its cached factorisation (see `cycles.rs`).
#[derive(Debug, Clone)]
pub(super) struct LeontiefCache {
    /// Process of each local index.
    pub(super) processes: Vec<usize>,
    /// `(link, from local, to local)` for product links inside the block.
    pub(super) internal: Vec<(usize, usize, usize)>,
    /// `(link, from local)` for product links leaving the block.
    pub(super) external: Vec<(usize, usize)>,
    /// I − A as last factorised.
    pub(super) matrix: DMatrix<f64>,
    /// Scratch for this year's I − A.
    pub(super) scratch: DMatrix<f64>,
    /// Factorisation of `matrix`, if any.
    pub(super) lu: Option<LU<f64, Dyn, Dyn>>,
    /// Right-hand side, then solution.
    pub(super) rhs: DVector<f64>,
    /// The workspace epoch `matrix` was built for.
    pub(super) epoch: u64,
}

/// Everything one run changes: reused across runs (built by
/// [`Workspace::new`], in `run.rs`).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(super) year: i32,
    pub(super) step: u32,
    pub(super) dt: f64,
    // Read at the start of each year.
    /// Per process, its step capacity K (∞ when unbounded).
    pub(super) k: Vec<f64>,
    /// Per process, its final demand this step.
    pub(super) demand: Vec<f64>,
    /// Per process, its capacity series' value this year.
    pub(super) capacity: Vec<f64>,
    /// Per link, whether it is active this year.
    pub(super) link_active: Vec<bool>,
    /// Per process emission, the fraction kept after abatement.
    pub(super) keep: Vec<f64>,
    /// Per pollutant, the background emissions this step.
    pub(super) background: Vec<f64>,
    // The step's unknowns.
    /// Per process, its activity.
    pub(super) x: Vec<f64>,
    /// Per link (and one more, the start of every chain, never written),
    /// each in an array of its own, as each is read at random: its flow;
    /// the most it may carry this step (`max_rate · Δ`, ∞ without a limit,
    /// 0 when inactive); what the links of its source pool took, up to and
    /// including it; what the links into its sink slot delivered, up to and
    /// including it.
    pub(super) f: Vec<f64>,
    pub(super) link_cap: Vec<f64>,
    pub(super) pool_taken: Vec<f64>,
    pub(super) slot_taken: Vec<f64>,
    /// Storage levels at the step's start and end.
    pub(super) level_start: Vec<f64>,
    pub(super) level: Vec<f64>,
    /// After the fixed point, per storage: what is left of its pool that it
    /// could not keep, and the net change of its level. Pools' and slots'
    /// balances are not kept: each follows from the activities and the ends
    /// of the chains when asked for (see [`StepView::pool`](super::StepView::pool)).
    pub(super) storage_rest: Vec<f64>,
    pub(super) stored: Vec<f64>,
    /// What each pool of the topology's `disposed_pools` disposed of this step.
    pub(super) disposed: Vec<f64>,
    /// The largest of 1 and every coefficient's magnitude, for the run's
    /// checks (see `rules::largest_coeff`).
    pub(super) largest_coeff: f64,
    /// Per pollutant, the park's emissions this step.
    pub(super) park_emissions: Vec<f64>,
    /// Per Leontief block; taken out while its block is solved, so the rest
    /// stays readable.
    pub(super) leontief: Vec<Option<Box<LeontiefCache>>>,
    /// Counts the years read in, so a Leontief block rebuilds A once a year.
    pub(super) epoch: u64,
    /// Whether the next step evaluates everything: at a run's start, or
    /// with reuse off. Otherwise it evaluates only the blocks in `todo`.
    pub(super) full: bool,
    /// Whether an abatement changed since emissions were last added up.
    pub(super) emissions_stale: bool,
    /// The solution the workspace holds (see [`StepView::solution`](super::StepView)).
    pub(super) solution: SolutionId,
    /// Blocks to evaluate at the next step, one bit each (block `b` is bit
    /// `b % 64` of word `b / 64`): an input of theirs changed.
    pub(super) todo: Vec<u64>,
    /// Whether steps evaluate only what changed (see [`run`](super::run)).
    pub(super) reuse: bool,
    /// What changes in each year of the run after the first (index: year −
    /// start); see `year.rs`.
    pub(super) changes: Vec<Vec<Change>>,
}

impl Workspace {
    /// Whether a step evaluates only what changed since the step before
    /// (the default; see [`run`](super::run)). Off, every step evaluates
    /// everything: for tests that check the two agree, and for timing the
    /// solver itself.
    pub fn set_reuse_steady_steps(&mut self, on: bool) {
        self.reuse = on;
        self.full |= !on;
    }

    /// Mark `blocks` for evaluation.
    #[inline]
    pub(super) fn mark(&mut self, blocks: &[u32]) {
        for &b in blocks {
            self.todo[b as usize / 64] |= 1 << (b % 64);
        }
    }

    /// Whether a block is marked.
    pub(super) fn pending(&self) -> bool {
        self.todo.iter().any(|&bits| bits != 0)
    }

    /// The first marked block from `from` on, its mark taken off; marks
    /// below `from` are not looked at.
    #[inline]
    pub(super) fn take_mark(&mut self, from: usize) -> Option<usize> {
        let mut word = from / 64;
        let mut bits = *self.todo.get(word)? & (u64::MAX << (from % 64));
        while bits == 0 {
            word += 1;
            bits = *self.todo.get(word)?;
        }
        let bit = bits.trailing_zeros();
        self.todo[word] &= !(1 << bit);
        Some(word * 64 + bit as usize)
    }
}
