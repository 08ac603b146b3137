//! Distributions of uncertain and swept parameters (docs/MODEL.md,
//! "Distributions"),
//! drawn by inverting their CDF at a uniform number so that every design
//! (Monte Carlo, Latin hypercube, Saltelli) shares one transform.

use serde::{Deserialize, Serialize};
use statrs::function::erf::{erfc, erfc_inv};

use super::written::{Form, Written};

/// The smallest uniform number any design gives (2⁻⁵⁴).
pub const U_MIN: f64 = 0.5 / (1u64 << 53) as f64;

/// The largest uniform number any design gives: the largest double below 1
/// (1 − 2⁻⁵³). Distributions are checked at both ends, so every draw is finite.
pub const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

/// A parameter's distribution. In a sweep file each takes its arguments
/// positional or named (`sweep/written.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "super::written::Written")]
pub enum Dist {
    /// Uniform on [lo, hi].
    Uniform(f64, f64),
    /// Triangular on [lo, hi] with mode.
    Triangular(f64, f64, f64),
    /// Normal, truncated to [min, max] when given.
    Normal {
        /// Mean (before truncation).
        mean: f64,
        /// Standard deviation (before truncation).
        sd: f64,
        /// Lower bound.
        #[serde(default)]
        min: Option<f64>,
        /// Upper bound.
        #[serde(default)]
        max: Option<f64>,
    },
    /// Log-normal with median and geometric standard deviation.
    LogNormal(f64, f64),
    /// One of the listed values, each equally likely.
    Choice(Vec<f64>),
}

impl TryFrom<Written> for Dist {
    type Error = String;

    fn try_from(written: Written) -> Result<Dist, String> {
        let form = |name, args, required| Form {
            name,
            args,
            required,
        };
        Ok(match written {
            Written::Uniform(a) => {
                let v = form("Uniform", &["min", "max"], 2).read(a)?;
                Dist::Uniform(v[0].unwrap_or_default(), v[1].unwrap_or_default())
            }
            Written::Triangular(a) => {
                let v = form("Triangular", &["min", "mode", "max"], 3).read(a)?;
                let [lo, mode, hi] = [v[0], v[1], v[2]].map(Option::unwrap_or_default);
                Dist::Triangular(lo, mode, hi)
            }
            Written::Normal(a) => {
                let v = form("Normal", &["mean", "sd", "min", "max"], 2).read(a)?;
                Dist::Normal {
                    mean: v[0].unwrap_or_default(),
                    sd: v[1].unwrap_or_default(),
                    min: v[2],
                    max: v[3],
                }
            }
            Written::LogNormal(a) => {
                let v = form("LogNormal", &["median", "gsd"], 2).read(a)?;
                Dist::LogNormal(v[0].unwrap_or_default(), v[1].unwrap_or_default())
            }
            Written::Choice(values) => Dist::Choice(values),
        })
    }
}

/// The probabilities a Normal or LogNormal draw is taken at are kept in
/// [`P_MIN`, `P_MAX`]: a design's uniform can round to exactly 1 (or a
/// truncated Normal's to 0), where Φ⁻¹ is infinite.
const P_MIN: f64 = 1e-300;
/// The largest `f64` below 1.
const P_MAX: f64 = 1.0 - f64::EPSILON / 2.0;
/// A bound on |Φ⁻¹(p)| for p in [`P_MIN`, `P_MAX`] (Φ⁻¹(1e-300) ≈ −37.05).
const Z_MAX: f64 = 38.0;

/// Standard normal CDF.
fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile.
fn phi_inv(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

impl Dist {
    /// The distribution as a sweep file writes it, its arguments named:
    /// `Uniform(min: 0.77, max: 0.95)`, `Choice([2015, 2016])`.
    pub fn written(&self) -> String {
        let named = |name: &str, args: &[(&str, Option<f64>)]| {
            let args: Vec<String> = (args.iter())
                .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
                .collect();
            format!("{name}({})", args.join(", "))
        };
        match self {
            Dist::Uniform(min, max) => {
                named("Uniform", &[("min", Some(*min)), ("max", Some(*max))])
            }
            Dist::Triangular(min, mode, max) => named(
                "Triangular",
                &[
                    ("min", Some(*min)),
                    ("mode", Some(*mode)),
                    ("max", Some(*max)),
                ],
            ),
            Dist::Normal { mean, sd, min, max } => named(
                "Normal",
                &[
                    ("mean", Some(*mean)),
                    ("sd", Some(*sd)),
                    ("min", *min),
                    ("max", *max),
                ],
            ),
            Dist::LogNormal(median, gsd) => named(
                "LogNormal",
                &[("median", Some(*median)), ("gsd", Some(*gsd))],
            ),
            Dist::Choice(values) => {
                let values: Vec<String> = values.iter().map(f64::to_string).collect();
                format!("Choice([{}])", values.join(", "))
            }
        }
    }

    /// Check the parameters, and that every draw is a finite number; the
    /// message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        self.check_parameters()?;
        self.check_draws()
    }

    fn check_parameters(&self) -> Result<(), String> {
        let finite = |vs: &[f64]| vs.iter().all(|v| v.is_finite());
        let too_wide = |what: String| {
            Err(format!(
                "{what}: its range is too wide to draw from (the draws would overflow to infinity)"
            ))
        };
        match self {
            Dist::Uniform(lo, hi) if !finite(&[*lo, *hi]) || lo > hi => {
                Err(format!("Uniform({lo}, {hi}) needs finite lo ≤ hi"))
            }
            Dist::Uniform(lo, hi) if !(hi - lo).is_finite() => {
                too_wide(format!("Uniform({lo:?}, {hi:?})"))
            }
            Dist::Triangular(lo, mode, hi)
                if !(finite(&[*lo, *mode, *hi]) && lo <= mode && mode <= hi) || lo == hi =>
            {
                Err(format!(
                    "Triangular({lo}, {mode}, {hi}) needs lo ≤ mode ≤ hi and lo < hi"
                ))
            }
            // The quantile multiplies the width by each side's width.
            Dist::Triangular(lo, mode, hi)
                if !((hi - lo) * (mode - lo)).is_finite()
                    || !((hi - lo) * (hi - mode)).is_finite() =>
            {
                too_wide(format!("Triangular({lo:?}, {mode:?}, {hi:?})"))
            }
            Dist::Normal { mean, sd, min, max } => {
                if !finite(&[*mean, *sd]) || *sd <= 0.0 {
                    return Err(format!(
                        "Normal needs a finite mean and sd > 0 (got {mean}, {sd})"
                    ));
                }
                let (lo, hi) = (
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                );
                if lo.is_nan() || hi.is_nan() || lo >= hi {
                    return Err(format!("Normal needs min < max (got {lo}, {hi})"));
                }
                let mass = phi((hi - mean) / sd) - phi((lo - mean) / sd);
                if mass < 1e-12 {
                    return Err(format!(
                        "Normal(mean: {mean}, sd: {sd}) has almost no probability in [{lo}, {hi}]"
                    ));
                }
                // A side with no finite bound is reached by mean ± Z_MAX · sd.
                let reach = Z_MAX * sd;
                if (!lo.is_finite() && !(mean - reach).is_finite())
                    || (!hi.is_finite() && !(mean + reach).is_finite())
                {
                    return too_wide(format!(
                        "Normal(mean: {mean:?}, sd: {sd:?}) without finite min and max"
                    ));
                }
                Ok(())
            }
            Dist::LogNormal(median, gsd)
                if !finite(&[*median, *gsd]) || *median <= 0.0 || *gsd < 1.0 =>
            {
                Err(format!(
                    "LogNormal({median}, {gsd}) needs median > 0 and gsd ≥ 1"
                ))
            }
            Dist::LogNormal(median, gsd) if median.ln() + Z_MAX * gsd.ln() >= f64::MAX.ln() => {
                too_wide(format!("LogNormal({median:?}, {gsd:?})"))
            }
            Dist::Choice(values) if values.is_empty() || !finite(values) => {
                Err("Choice needs at least one finite value".into())
            }
            _ => Ok(()),
        }
    }

    /// Every draw is a finite number. The quantile rises with `u`, so its
    /// values at the smallest and largest uniforms a design gives bound every
    /// draw; the spans a quantile multiplies must not overflow either.
    fn check_draws(&self) -> Result<(), String> {
        let spans_finite = match self {
            Dist::Uniform(lo, hi) => (hi - lo).is_finite(),
            Dist::Triangular(lo, mode, hi) => [(hi - lo) * (mode - lo), (hi - lo) * (hi - mode)]
                .iter()
                .all(|v| v.is_finite()),
            _ => true,
        };
        let ends = [U_MIN, 0.5, U_MAX].map(|u| self.quantile(u));
        if spans_finite && ends.iter().all(|v| v.is_finite()) {
            return Ok(());
        }
        Err(format!(
            "{}: some draws would not be finite numbers; narrow the distribution",
            self.describe()
        ))
    }

    /// The distribution as written in a sweep file.
    fn describe(&self) -> String {
        let n = |v: &f64| crate::model::quantity(*v);
        match self {
            Dist::Uniform(lo, hi) => format!("Uniform({}, {})", n(lo), n(hi)),
            Dist::Triangular(lo, mode, hi) => {
                format!("Triangular({}, {}, {})", n(lo), n(mode), n(hi))
            }
            Dist::Normal { mean, sd, min, max } => {
                let mut s = format!("Normal(mean: {}, sd: {}", n(mean), n(sd));
                if let Some(m) = min {
                    s += &format!(", min: {}", n(m));
                }
                if let Some(m) = max {
                    s += &format!(", max: {}", n(m));
                }
                s + ")"
            }
            Dist::LogNormal(median, gsd) => format!("LogNormal({}, {})", n(median), n(gsd)),
            Dist::Choice(values) => format!("Choice of {} values", values.len()),
        }
    }

    /// The smallest and largest values the distribution can give.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Uniform(lo, hi) | Dist::Triangular(lo, _, hi) => (*lo, *hi),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            Dist::LogNormal(..) => (0.0, f64::INFINITY),
            Dist::Choice(values) => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
        }
    }

    /// The standard deviation, from the quantile function at 4,096 evenly
    /// spaced probabilities (the midpoints of equal cells): one rule for
    /// every distribution, truncated or not, within 0.5 % of the exact value
    /// (tested), which is ample for a reconciliation's weights.
    pub fn sd(&self) -> f64 {
        const CELLS: usize = 4096;
        let xs: Vec<f64> = (0..CELLS)
            .map(|i| self.quantile((i as f64 + 0.5) / CELLS as f64))
            .collect();
        let mean = xs.iter().sum::<f64>() / CELLS as f64;
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / CELLS as f64).sqrt()
    }

    /// The value at cumulative probability `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Dist::Uniform(lo, hi) => lo + u * (hi - lo),
            Dist::Triangular(lo, mode, hi) => {
                let split = (mode - lo) / (hi - lo);
                if u < split {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                }
            }
            Dist::Normal { mean, sd, min, max } => {
                let a = min.map_or(0.0, |m| phi((m - mean) / sd));
                let b = max.map_or(1.0, |m| phi((m - mean) / sd));
                let x = mean + sd * phi_inv((a + u * (b - a)).clamp(P_MIN, P_MAX));
                // Rounding at the far tails must not step outside the bounds.
                x.clamp(
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                )
            }
            Dist::LogNormal(median, gsd) => {
                (median.ln() + gsd.ln() * phi_inv(u.clamp(P_MIN, P_MAX))).exp()
            }
            Dist::Choice(values) => {
                let i = ((u * values.len() as f64) as usize).min(values.len() - 1);
                values[i]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_deviation_matches_the_closed_forms() {
        let close = |d: Dist, exact: f64| {
            let sd = d.sd();
            assert!((sd / exact - 1.0).abs() < 0.005, "{d:?}: {sd} vs {exact}");
        };
        close(Dist::Uniform(1.0, 3.0), 2.0 / 12f64.sqrt());
        close(
            Dist::Triangular(200.0, 250.0, 300.0),
            (2500.0f64 / 6.0).sqrt(),
        );
        let normal = Dist::Normal {
            mean: 5.0,
            sd: 0.5,
            min: None,
            max: None,
        };
        close(normal, 0.5);
        let s = 2f64.ln();
        close(
            Dist::LogNormal(10.0, 2.0),
            10.0 * (s * s / 2.0).exp() * ((s * s).exp() - 1.0).sqrt(),
        );
        close(
            Dist::Choice(vec![2015.0, 2016.0, 2017.0]),
            (2.0f64 / 3.0).sqrt(),
        );
    }

    /// Mean of the quantile over a fine midpoint grid: the distribution's mean.
    fn mean(d: &Dist) -> f64 {
        let n = 200_000;
        (0..n)
            .map(|i| d.quantile((i as f64 + 0.5) / n as f64))
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn each_distribution_has_its_known_mean_and_stays_in_its_bounds() {
        let cases = [
            (Dist::Uniform(0.6, 1.0), 0.8),
            (Dist::Triangular(0.9, 1.1, 1.3), 1.1),
            (Dist::Triangular(0.0, 0.0, 3.0), 1.0),
            (
                Dist::Normal {
                    mean: 1.0,
                    sd: 0.05,
                    min: None,
                    max: None,
                },
                1.0,
            ),
            // Symmetric truncation keeps the mean.
            (
                Dist::Normal {
                    mean: 1.0,
                    sd: 0.05,
                    min: Some(0.9),
                    max: Some(1.1),
                },
                1.0,
            ),
            // LogNormal mean = median · exp(ln(gsd)² / 2).
            (
                Dist::LogNormal(2.0, 1.5),
                2.0 * (1.5f64.ln().powi(2) / 2.0).exp(),
            ),
            (Dist::Choice(vec![2015.0, 2016.0, 2017.0]), 2016.0),
        ];
        for (d, expected) in cases {
            d.check().unwrap();
            let m = mean(&d);
            assert!(
                (m - expected).abs() < 2e-3 * expected.abs().max(1.0),
                "{d:?}: mean {m}, expected {expected}"
            );
            let (lo, hi) = d.support();
            for u in [1e-12, 0.001, 0.5, 0.999, 1.0 - 1e-12] {
                let x = d.quantile(u);
                assert!(x >= lo && x <= hi, "{d:?} at {u}: {x} outside [{lo}, {hi}]");
            }
        }
    }

    #[test]
    fn a_one_sided_truncated_normal_moves_its_mean_by_the_known_amount() {
        // Truncated at the mean from below: mean + sd · φ(0) / (1 − Φ(0)) = mean + sd · √(2/π).
        let d = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(0.0),
            max: None,
        };
        assert!((mean(&d) - (2.0 / std::f64::consts::PI).sqrt()).abs() < 2e-3);
    }

    #[test]
    fn the_normal_quantile_stays_within_z_max_at_the_clamped_probabilities() {
        for p in [P_MIN, P_MAX, 0.0, 1.0] {
            let z = phi_inv(p.clamp(P_MIN, P_MAX));
            assert!(z.is_finite() && z.abs() < Z_MAX, "Φ⁻¹({p}) = {z}");
        }
    }

    #[test]
    fn distributions_that_pass_the_check_draw_finite_values_even_at_u_1() {
        let wide = [
            Dist::Uniform(-1e308, 1e308),
            Dist::Triangular(0.0, 1e200, 1e300),
            Dist::Normal {
                mean: 1.0,
                sd: 1e307,
                min: Some(0.0),
                max: None,
            },
            Dist::LogNormal(1.0, 1e300),
        ];
        for d in &wide {
            let e = d.check().unwrap_err();
            assert!(e.contains("too wide"), "{d:?}: {e}");
        }
        let fine = [
            Dist::Uniform(-1e307, 1e307),
            Dist::Normal {
                mean: 0.0,
                sd: 1e300,
                min: None,
                max: None,
            },
            Dist::LogNormal(2.0, 1e8),
        ];
        // A design's uniform can round to exactly 1.0 (and a truncated
        // Normal's probability to 0).
        for d in &fine {
            d.check().unwrap();
            for u in [0.0, 1e-300, 0.5, 1.0] {
                let x = d.quantile(u);
                assert!(x.is_finite(), "{d:?} at {u}: {x}");
            }
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        assert!(
            Dist::Uniform(1.0, 0.0)
                .check()
                .unwrap_err()
                .contains("lo ≤ hi")
        );
        assert!(Dist::Triangular(0.0, 2.0, 1.0).check().is_err());
        assert!(
            Dist::Normal {
                mean: 0.0,
                sd: -1.0,
                min: None,
                max: None
            }
            .check()
            .is_err()
        );
        assert!(
            Dist::Normal {
                mean: 0.0,
                sd: 1.0,
                min: Some(50.0),
                max: Some(60.0)
            }
            .check()
            .is_err()
        );
        assert!(Dist::LogNormal(1.0, 0.5).check().is_err());
        assert!(Dist::Choice(vec![]).check().is_err());
    }

    /// A distribution as a sweep file writes it.
    fn written(text: &str) -> Result<Dist, String> {
        #[derive(serde::Deserialize)]
        struct Holder {
            dist: Dist,
        }
        let text = format!("(dist: {text})");
        crate::model::parse_sweep_ron::<Holder>(&text, "sweep.ron")
            .map(|h| h.dist)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_distribution_takes_its_arguments_named_or_positional() {
        let same = |a: &str, b: &str, want: Dist| {
            assert_eq!(written(a).unwrap(), want, "{a}");
            assert_eq!(written(b).unwrap(), want, "{b}");
        };
        same(
            "Uniform(1, 2)",
            "Uniform(min: 1, max: 2)",
            Dist::Uniform(1.0, 2.0),
        );
        same(
            "Triangular(0.8, 1.0, 1.2)",
            "Triangular(mode: 1.0, min: 0.8, max: 1.2)",
            Dist::Triangular(0.8, 1.0, 1.2),
        );
        same(
            "LogNormal(10000, 2.0)",
            "LogNormal(median: 10000, gsd: 2.0)",
            Dist::LogNormal(10000.0, 2.0),
        );
        let normal = |min, max| Dist::Normal {
            mean: 8e6,
            sd: 100.0,
            min,
            max,
        };
        same(
            "Normal(8000000, 100)",
            "Normal(mean: 8000000, sd: 100)",
            normal(None, None),
        );
        same(
            "Normal(8000000, 100, 7e6, 9e6)",
            "Normal(mean: 8000000, sd: 100, min: 7e6, max: 9e6)",
            normal(Some(7e6), Some(9e6)),
        );
        assert_eq!(
            written("Choice([2015, 2016])").unwrap(),
            Dist::Choice(vec![2015.0, 2016.0])
        );
    }

    #[test]
    fn a_distribution_written_wrong_is_told_the_right_forms() {
        let err = written("Uniform(min: 1, mx: 2)").unwrap_err();
        assert!(err.contains("no argument `mx`"), "{err}");
        assert!(err.contains("did you mean `max`"), "{err}");
        assert!(
            err.contains("Uniform(min, max) or Uniform(min: …, max: …)"),
            "{err}"
        );
        assert!(err.contains("sweep.ron:1:"), "the place in the file: {err}");
        let err = written("LogNormal(10000)").unwrap_err();
        assert!(err.contains("1 arguments given"), "{err}");
        assert!(err.contains("LogNormal(median, gsd)"), "{err}");
        let err = written("Normal(sd: 100)").unwrap_err();
        assert!(err.contains("`mean` missing"), "{err}");
        assert!(err.contains("min and max may be left out"), "{err}");
        let err = written("Uniform(min: 1, min: 2)").unwrap_err();
        assert!(err.contains("`min` given twice"), "{err}");
    }
}
