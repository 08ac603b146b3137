//! Sweeps (SPEC §7): many runs of one compiled plan with parameters drawn
//! from distributions, in parallel, and the statistics of their outcomes.

pub mod design;
pub mod dist;
pub mod stats;
