//! The compiled plan and the step solver (docs/MODEL.md, "One step"). No
//! I/O happens here.
//!
//! A validated [`Park`](crate::model::Park) is compiled once into a [`Plan`]
//! of three parts:
//!
//! - the [`Topology`]: ids turned into dense indices, every (process,
//!   material) a process makes as a *pool*, every input of every process as
//!   an input *slot*, links in service order and chained by pool and by
//!   slot. Built once, never changed;
//! - the [`Params`]: every number a run reads (coefficients, series, link
//!   years and limits, emission, abatement and disposal factors, storage
//!   sizes, background, targets and caps), each stored once and read
//!   through the topology's indices. A scenario or a sweep draw writes
//!   here, and nowhere else;
//! - the [`Schedule`]: the dependency graph between activities and link
//!   flows cut into blocks in dependency order, and who reads what.
//!
//! A [`Workspace`] then runs the plan any number of times without allocating
//! inside the step loop. What is specific to each process mode (Fixed, Feed,
//! Demand, and Demand cycles solved as Leontief systems) lives in `rules.rs`.
//!
//! The files import one another without circles: `mod.rs` only declares
//! and re-exports, and each file imports only files below it in the order
//! `finite`, `lanes`, `graph`, `mode` → `topology`, `params`, `workspace` →
//! `rules` → `schedule` → `plan` → `compile`, `flow`, `balance` → `cycles`,
//! `checks`, `emissions`, `view`, `year` → `solve` → `run`.

mod balance;
mod checks;
mod compile;
mod cycles;
mod emissions;
mod finite;
mod flow;
mod graph;
pub(crate) mod lanes;
mod mode;
mod params;
mod plan;
mod rules;
mod run;
mod schedule;
mod solve;
mod topology;
mod view;
mod workspace;
mod year;

pub use balance::{PoolBalance, SlotBalance};
pub use cycles::{MAX_SWEEPS, TOLERANCE};
pub use mode::Mode;
pub use params::{CapPlan, LinkParams, Operating, Params, PermitPlan, StorageParams};
pub use plan::Plan;
pub use run::{run, run_years};
pub use schedule::{Block, Schedule};
pub use topology::{
    Disposal, Emission, Link, Material, NONE, Pool, PoolFate, Process, Slot, Split, Storage,
    Topology,
};
pub use view::StepView;
pub use workspace::Workspace;
