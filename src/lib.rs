//! parkflow: a discrete-time input–output simulator of material flows in
//! eco-industrial parks.
//!
//! The pipeline is `model` (load and validate a park file) → `engine` (compile
//! a plan once, run it with a reusable workspace) → `indicators` (linkage
//! rates, emissions, targets and caps) → `output` (result files) → `report`
//! (plots, the Sankey diagram, report.html). The engine does no I/O; only
//! `cli` prints.

pub mod candidates;
pub mod cli;
pub mod engine;
pub mod error;
pub mod indicators;
pub mod limits;
pub mod model;
pub mod output;
pub mod reconcile;
pub mod report;
pub mod scenario;
pub mod sweep;

pub use error::{Error, Result};
