//! Data reconciliation: measured flows, stocks and parameters fitted by
//! weighted least squares to a system's balances and relations, as STAN
//! does for material-flow analysis (docs/MODEL.md, "Data reconciliation").
//!
//! `system.rs` holds the types of a checked system; `file.rs` reads and
//! checks a reconciliation file into a [`System`]; `expr.rs` parses its
//! relations; `eliminate.rs` is the sparse elimination of the unknowns;
//! `linear.rs` is one linearised solve; `solve.rs` iterates it and reports
//! each quantity and the global test; `files.rs` renders the result files.
//! `park.rs` makes a park's year a system, `measurements.rs` reads the
//! readings that override its quantities, and `park_scenario.rs` turns the
//! result back into a scenario. The order of imports is `expr`, `eliminate`
//! → `system` → `file`, `measurements`, `park`, `linear` → `solve` →
//! `files`, `park_scenario`; `mod.rs` only declares and re-exports.
//! Like the engine, this module does no printing; only `cli` prints.

pub mod eliminate;
pub mod expr;
pub mod file;
pub mod files;
pub mod linear;
pub mod measurements;
pub mod park;
pub mod park_scenario;
pub mod solve;
pub mod system;

pub use file::{load, parse};
pub use solve::{Outcome, Reconciled, Status, reconcile};
pub use system::{Equation, Given, Kind, Quantity, System};
