//! How sure a judgement is: the band of a judged value over the draws of
//! the park's uncertainty, and the status it gives a target or cap
//! (docs/MODEL.md, "Uncertainty").

use serde::{Deserialize, Serialize};

/// The default of `--confidence`: a target or cap met at the central
/// values but with a lower probability is AT RISK.
pub const DEFAULT_CONFIDENCE: f64 = 0.9;

/// The 5–95 % band of a value and the probability of meeting its target or
/// cap, over the draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Share of draws in which the target or cap is met.
    pub p_met: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// What was met, or how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Met at the central values, with at least the asked confidence.
    Met,
    /// Met at the central values, but with a probability below the asked
    /// confidence.
    AtRisk,
    /// Not met at the central values.
    NotMet,
}

impl Status {
    /// The status of a target or cap met (or not) at the central values.
    pub fn of(met: bool, band: Option<&Band>, confidence: f64) -> Status {
        match (met, band) {
            (false, _) => Status::NotMet,
            (true, Some(b)) if b.p_met < confidence => Status::AtRisk,
            (true, _) => Status::Met,
        }
    }

    /// The word printed: `MET`, `AT RISK`, or `failed` (`MISSED` for a
    /// target, `EXCEEDED` for a cap).
    pub fn word(self, failed: &'static str) -> &'static str {
        match self {
            Status::Met => "MET",
            Status::AtRisk => "AT RISK",
            Status::NotMet => failed,
        }
    }
}

/// A year's bands: the judged linkage rate and each pollutant's total
/// (park + background).
#[derive(Debug, Clone, PartialEq)]
pub struct YearBand {
    /// Calendar year.
    pub year: i32,
    /// 5th and 95th percentiles of the judged linkage rate.
    pub linkage: (f64, f64),
    /// Per pollutant, the 5th and 95th percentiles of the total.
    pub totals: Vec<(f64, f64)>,
}
