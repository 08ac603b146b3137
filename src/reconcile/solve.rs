//! The reconciliation: the linearised solve of `linear.rs` iterated until
//! the estimates stop moving, then each quantity's estimate, standard
//! deviation, status and normalized adjustment, and the global χ² test
//! (docs/MODEL.md, "Data reconciliation").

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::linear::{Layout, Step, linearize, solve};
use super::system::{Given, Kind, System};
use crate::error::{Error, Result};

/// A normalized adjustment beyond this, in either direction, flags a
/// reading: the two-sided 95 % point of the standard normal distribution.
pub const Z_CRITICAL: f64 = 1.96;

/// The global test fails when its p-value is below this.
pub const ALPHA: f64 = 0.05;

/// The most linearisations tried before giving up.
pub const MAX_ITERATIONS: usize = 200;

/// The iteration has converged when no estimate moves by more than this
/// share of its size (for a measured quantity, of its size plus its sd).
pub const STEP_TOLERANCE: f64 = 1e-10;

/// What the reconciliation found a quantity to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Measured, and estimated anew.
    Measured,
    /// Given exactly.
    Constant,
    /// Unknown, and fixed by the data.
    Determined,
    /// Unknown, and not fixed by the data: no value is reported.
    Unobservable,
}

impl Status {
    /// The word used in the result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Measured => "measured",
            Status::Constant => "constant",
            Status::Determined => "determined",
            Status::Unobservable => "unobservable",
        }
    }
}

/// One quantity's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Its id.
    pub id: String,
    /// Flow, stock or parameter.
    pub kind: Kind,
    /// What the reconciliation found it to be.
    pub status: Status,
    /// The value given (measured or constant).
    pub measured: Option<f64>,
    /// Its sd as given (0 for a constant).
    pub sd: Option<f64>,
    /// The estimate; none for an unobservable unknown.
    pub reconciled: Option<f64>,
    /// The estimate's sd by error propagation.
    pub reconciled_sd: Option<f64>,
    /// Normalized adjustment (x̂ − m) / sd(x̂ − m), for a measured quantity
    /// that some equation adjusts.
    pub z: Option<f64>,
}

impl Outcome {
    /// Whether the normalized adjustment flags the reading.
    pub fn flagged(&self) -> bool {
        self.z.is_some_and(|z| z.abs() > Z_CRITICAL)
    }
}

/// A reconciled system.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconciled {
    /// The file's id.
    pub id: String,
    /// One per quantity, in the system's order.
    pub outcomes: Vec<Outcome>,
    /// χ² = Σ ((x̂ − m) / σ)².
    pub chi2: f64,
    /// Degrees of freedom: the independent equations that hold no unknown
    /// once the unknowns are eliminated.
    pub dof: usize,
    /// P(χ²(dof) ≥ chi2); none when dof is 0 (no test possible).
    pub p_value: Option<f64>,
    /// Linearisations solved.
    pub iterations: usize,
}

impl Reconciled {
    /// The global test at 5 %: passed, failed, or no test when dof is 0.
    pub fn verdict(&self) -> &'static str {
        match self.p_value {
            None => "no redundancy, no test",
            Some(p) if p >= ALPHA => "passed",
            Some(_) => "failed",
        }
    }

    /// Whether the global test passes (also when there is none).
    pub fn passed(&self) -> bool {
        self.p_value.is_none_or(|p| p >= ALPHA)
    }

    /// The flagged readings, largest |z| first.
    pub fn flagged(&self) -> Vec<&Outcome> {
        let mut f: Vec<&Outcome> = self.outcomes.iter().filter(|o| o.flagged()).collect();
        f.sort_by(|a, b| {
            b.z.unwrap_or(0.0)
                .abs()
                .total_cmp(&a.z.unwrap_or(0.0).abs())
        });
        f
    }
}

/// Reconcile a system: weighted least squares under its equations, iterated
/// for nonlinear relations; a contradiction or no convergence is an error.
pub fn reconcile(sys: &System) -> Result<Reconciled> {
    let lay = Layout::new(sys);
    // Unknowns start at 1 rather than 0, so that a product of two unknowns
    // has a derivative in each at the first linearisation.
    let mut z: Vec<f64> = sys
        .quantities
        .iter()
        .map(|q| match q.given {
            Given::Measured { value, .. } | Given::Constant(value) => value,
            Given::Unknown => 1.0,
        })
        .collect();
    let mut last_change = f64::INFINITY;
    for iteration in 1..=MAX_ITERATIONS {
        let rows = linearize(sys, &lay, &z)?;
        let step = solve(sys, &lay, rows)?;
        let mut change: f64 = 0.0;
        for (i, &q) in lay.measured.iter().enumerate() {
            let d = step.x[i] - z[q];
            change = change.max(d.abs() / (step.x[i].abs() + lay.sd[i]));
            z[q] = step.x[i];
        }
        for (j, &q) in lay.unknowns.iter().enumerate() {
            let d = step.dy[j];
            let size = (z[q] + d).abs().max(z[q].abs());
            if d != 0.0 {
                change = change.max(d.abs() / size.max(f64::MIN_POSITIVE));
            }
            z[q] += d;
        }
        if !change.is_finite() || z.iter().any(|v| !v.is_finite()) {
            return Err(not_converged(sys, iteration, change));
        }
        last_change = change;
        if change <= STEP_TOLERANCE {
            let r = finish(sys, &lay, &step, &z, iteration);
            return if finite(&r) {
                Ok(r)
            } else {
                Err(Error::Reconcile {
                    id: sys.id.clone(),
                    message: "an estimate or its sd is not a finite number: the readings span too many orders of magnitude".into(),
                })
            };
        }
    }
    Err(not_converged(sys, MAX_ITERATIONS, last_change))
}

/// Whether every number of a result is finite, as a result file requires.
fn finite(r: &Reconciled) -> bool {
    r.chi2.is_finite()
        && r.p_value.is_none_or(f64::is_finite)
        && r.outcomes.iter().all(|o| {
            [o.measured, o.sd, o.reconciled, o.reconciled_sd, o.z]
                .iter()
                .all(|v| v.is_none_or(f64::is_finite))
        })
}

fn not_converged(sys: &System, iterations: usize, change: f64) -> Error {
    Error::Reconcile {
        id: sys.id.clone(),
        message: format!(
            "the nonlinear relations did not converge after {iterations} linearisations (largest relative change {change:.3e}); check that the relations can hold with the measured values"
        ),
    }
}

/// The outcomes and the global test, from the last linearisation.
fn finish(sys: &System, lay: &Layout, step: &Step, z: &[f64], iterations: usize) -> Reconciled {
    let ny = lay.ny();
    let nx = lay.measured.len();
    // ‖W_i‖²: the share of σᵢ² that the equations explain.
    let explained: Vec<f64> = (0..nx).map(|i| step.w.column(i).norm_squared()).collect();
    let mut outcomes: Vec<Outcome> = sys
        .quantities
        .iter()
        .map(|q| Outcome {
            id: q.id.clone(),
            kind: q.kind,
            status: Status::Constant,
            measured: None,
            sd: None,
            reconciled: None,
            reconciled_sd: None,
            z: None,
        })
        .collect();
    for (q, quantity) in sys.quantities.iter().enumerate() {
        if let Given::Constant(v) = quantity.given {
            let o = &mut outcomes[q];
            (o.measured, o.sd, o.reconciled, o.reconciled_sd) =
                (Some(v), Some(0.0), Some(v), Some(0.0));
        }
    }
    let mut chi2 = 0.0;
    for (i, &q) in lay.measured.iter().enumerate() {
        let (m, s) = (lay.m[i], lay.sd[i]);
        let x = z[q];
        let share = explained[i].clamp(0.0, 1.0);
        let adj = x - m;
        chi2 += (adj / s).powi(2);
        let o = &mut outcomes[q];
        o.status = Status::Measured;
        (o.measured, o.sd, o.reconciled) = (Some(m), Some(s), Some(x));
        o.reconciled_sd = Some(s * (1.0 - share).sqrt());
        // An adjustment with no variance of its own (a reading no
        // equation checks) has no normalized value.
        o.z = (share > 1e-12).then(|| adj / (s * share.sqrt()));
    }
    for (j, &q) in lay.unknowns.iter().enumerate() {
        let e = &step.exprs[j];
        let o = &mut outcomes[q];
        if !e.observable(ny) {
            o.status = Status::Unobservable;
            continue;
        }
        o.status = Status::Determined;
        o.reconciled = Some(z[q]);
        // var(y) = ‖S h‖² − ‖W S h‖².
        let mut wsh = nalgebra::DVector::<f64>::zeros(step.dof());
        let mut sh2 = 0.0;
        for &(c, h) in &e.cols {
            let i = c - ny;
            let u = h * lay.sd[i];
            sh2 += u * u;
            if step.dof() > 0 {
                wsh.axpy(u, &step.w.column(i), 1.0);
            }
        }
        o.reconciled_sd = Some((sh2 - wsh.norm_squared()).max(0.0).sqrt());
    }
    let dof = step.dof();
    let p_value = (dof > 0).then(|| ChiSquared::new(dof as f64).map_or(f64::NAN, |d| d.sf(chi2)));
    Reconciled {
        id: sys.id.clone(),
        outcomes,
        chi2,
        dof,
        p_value,
        iterations,
    }
}
