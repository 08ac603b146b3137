//! How sure a run's verdicts are, as the report words them: a target's or
//! cap's probability of being met and its 5–95 % band over the draws of the
//! park's declared uncertainty (docs/MODEL.md, "Uncertainty"), judged at
//! the default confidence.

use super::group;
use crate::indicators::{Band, DEFAULT_CONFIDENCE, Status};

/// The probability and band of a judged value, for a finding: empty when
/// no bands were drawn.
pub(super) fn how_sure(met: bool, band: Option<&Band>, decimals: usize) -> String {
    band.map_or(String::new(), |b| {
        let status = if Status::of(met, Some(b), DEFAULT_CONFIDENCE) == Status::AtRisk {
            " (AT RISK)"
        } else {
            ""
        };
        format!(
            ", met in {:.0}% of the draws of the park's uncertainty{status}, 5–95% {}–{}",
            b.p_met * 100.0,
            group(b.p05, decimals),
            group(b.p95, decimals)
        )
    })
}

/// A finding's mark: met, not met, or neither when met but AT RISK.
pub(super) fn judged(met: bool, band: Option<&Band>) -> Option<bool> {
    match Status::of(met, band, DEFAULT_CONFIDENCE) {
        Status::Met => Some(true),
        Status::AtRisk => None,
        Status::NotMet => Some(false),
    }
}
