//! Every number a compiled park's run reads, each stored once and read
//! through the [`Topology`](super::Topology)'s indices.
//!
//! A sweep writes its draws here (`sweep/bind.rs`), straight into the one
//! home of each value: nothing else holds a copy to keep in step. A run's
//! first step reads every parameter, so a write between runs needs no mark;
//! the schedule depends only on which capacities and link limits are
//! unbounded, which a sweep leaves as compiled.

use crate::model::{Metric, Scope, Series};

/// The numbers of a compiled park.
#[derive(Debug, Clone)]
pub struct Params {
    /// Per process, its capacity, utilization and demand.
    pub operating: Vec<Operating>,
    /// Per pool, the amount made per unit of activity (1 for the product).
    pub pool_coeff: Vec<f64>,
    /// Per input slot, the amount needed per unit of activity.
    pub slot_coeff: Vec<f64>,
    /// Per process emission ([`Topology::emissions`](super::Topology::emissions)),
    /// the amount per unit of activity before abatement.
    pub emission_coeff: Vec<f64>,
    /// Per process emission, the fraction removed (none: 0).
    pub abatement: Vec<Option<Series>>,
    /// Per disposal emission ([`Topology::disposals`](super::Topology::disposals)),
    /// the amount of the pollutant per unit disposed of.
    pub disposal_factor: Vec<f64>,
    /// Per link, its years and limit.
    pub links: Vec<LinkParams>,
    /// Per material, tonnes per unit, when known.
    pub tonnes: Vec<Option<f64>>,
    /// Per storage, its size and starting level.
    pub storages: Vec<StorageParams>,
    /// Background emissions per pollutant per year.
    pub background: Vec<Series>,
    /// Metric judged against the targets.
    pub metric: Metric,
    /// Baseline `(year, value)`, reported only.
    pub baseline: Option<(i32, f64)>,
    /// Linkage targets `(year, target)`.
    pub targets: Vec<(i32, f64)>,
    /// Emission caps within the simulated years.
    pub caps: Vec<CapPlan>,
    /// Enterprises' discharge permits, in file order.
    pub permits: Vec<PermitPlan>,
}

/// What a process may and must make each year: series read at the start
/// of a year.
#[derive(Debug, Clone)]
pub struct Operating {
    /// Capacity per year; `None` is unbounded (Demand only).
    pub capacity: Option<Series>,
    /// Utilization (default 1).
    pub utilization: Series,
    /// Final demand per year (Demand only).
    pub demand: Series,
}

/// A link's years and limit.
#[derive(Debug, Clone, Copy)]
pub struct LinkParams {
    /// First active year.
    pub start: i32,
    /// Last active year.
    pub end: i32,
    /// Largest flow per year; ∞ without a limit.
    pub max_rate: f64,
}

impl LinkParams {
    /// The years and limit a park's link gives.
    pub fn of(link: &crate::model::Link) -> LinkParams {
        LinkParams {
            start: link.start.unwrap_or(i32::MIN),
            end: link.end.unwrap_or(i32::MAX),
            max_rate: link.max_rate.unwrap_or(f64::INFINITY),
        }
    }

    /// Whether the link carries in `year`.
    #[inline]
    pub fn active(&self, year: i32) -> bool {
        self.start <= year && year <= self.end
    }

    /// The first year after `year` in which the link turns on or off
    /// (`i32::MAX`: never).
    #[inline]
    pub fn next_change(&self, year: i32) -> i32 {
        if year < self.start {
            self.start
        } else if year <= self.end {
            self.end.saturating_add(1)
        } else {
            i32::MAX
        }
    }
}

/// A storage's size and starting level.
#[derive(Debug, Clone, Copy)]
pub struct StorageParams {
    /// Largest level.
    pub capacity: f64,
    /// Level at the start of the run.
    pub initial: f64,
}

/// One year's caps, compiled.
#[derive(Debug, Clone)]
pub struct CapPlan {
    /// Year judged.
    pub year: i32,
    /// City (park + background) or Park.
    pub scope: Scope,
    /// `(pollutant, limit)`.
    pub limits: Vec<(usize, f64)>,
}

/// An enterprise's discharge permit, compiled.
#[derive(Debug, Clone)]
pub struct PermitPlan {
    /// Index of the enterprise.
    pub enterprise: usize,
    /// Index of the pollutant.
    pub pollutant: usize,
    /// Permitted discharge per year.
    pub limit: Series,
}
