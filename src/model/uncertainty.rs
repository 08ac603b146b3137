//! Uncertain parameters: a path, a distribution and how a draw applies
//! (docs/MODEL.md, "Uncertainty"). A park declares them in `uncertainty`,
//! a sweep file in `params`; both read the same syntax.

use serde::{Deserialize, Serialize};

use super::dist::Dist;

/// How a drawn value is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
pub enum Apply {
    /// The value replaces the parameter (a series becomes that constant).
    #[default]
    Set,
    /// The parameter's value (every step of a series) is multiplied by it.
    Scale,
}

/// One uncertain parameter: its path, distribution and apply mode.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Parameter path (docs/MODEL.md, "Parameter paths").
    pub path: String,
    /// Distribution of the drawn value.
    pub dist: Dist,
    /// Set (default) or Scale.
    #[serde(default)]
    pub apply: Apply,
    /// With `*`: an independent draw per matched item.
    #[serde(default)]
    pub each: bool,
}
