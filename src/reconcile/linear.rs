//! One linearised reconciliation: the equations linearised at a point, the
//! unknowns eliminated, the weighted least-squares estimate of the measured
//! quantities under the equations left, and the unknowns back-substituted
//! (docs/MODEL.md, "Data reconciliation", "The equations", steps 1–4).

use nalgebra::{DMatrix, DVector};

use super::eliminate::{Echelon, Row, Sparse, axpy, eliminate, get};
use super::system::{Equation, Given, System};
use crate::error::{Error, Result};

/// An equation whose terms cancel to less than this share of their size is
/// satisfied; above it, a row with no quantity left to adjust contradicts
/// the constants.
pub const CONSISTENT: f64 = 1e-9;

/// Where each quantity sits among the solver's columns.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Quantity index of each unknown column (columns `0..ny`).
    pub unknowns: Vec<usize>,
    /// Quantity index of each measured column (columns `ny..ny + nx`).
    pub measured: Vec<usize>,
    /// Column of each quantity; `None` for a constant.
    pub col: Vec<Option<usize>>,
    /// Measured values m.
    pub m: Vec<f64>,
    /// Their standard deviations σ.
    pub sd: Vec<f64>,
}

impl Layout {
    /// The layout of a system's quantities.
    pub fn new(sys: &System) -> Layout {
        let mut unknowns = Vec::new();
        let mut measured = Vec::new();
        let (mut m, mut sd) = (Vec::new(), Vec::new());
        for (q, quantity) in sys.quantities.iter().enumerate() {
            match quantity.given {
                Given::Unknown => unknowns.push(q),
                Given::Measured { value, sd: s } => {
                    measured.push(q);
                    m.push(value);
                    sd.push(s);
                }
                Given::Constant(_) => {}
            }
        }
        let mut col = vec![None; sys.quantities.len()];
        for (j, &q) in unknowns.iter().enumerate() {
            col[q] = Some(j);
        }
        for (i, &q) in measured.iter().enumerate() {
            col[q] = Some(unknowns.len() + i);
        }
        Layout {
            unknowns,
            measured,
            col,
            m,
            sd,
        }
    }

    /// Number of unknown columns.
    pub fn ny(&self) -> usize {
        self.unknowns.len()
    }
}

/// An unknown as a linear function of the measured estimates:
/// Δy = Σ h_i x̂_i + constant, with the free unknowns it depends on.
#[derive(Debug, Clone)]
pub struct Expression {
    /// Coefficients on measured columns (`ny + i`) and on free unknowns (`< ny`).
    pub cols: Sparse,
    /// The constant part.
    pub constant: f64,
}

impl Expression {
    /// Whether the data fix this unknown: it depends on no free unknown.
    pub fn observable(&self, ny: usize) -> bool {
        self.cols.first().is_none_or(|e| e.0 >= ny)
    }
}

/// One linearised solve.
pub struct Step {
    /// x̂: the estimate of every measured quantity.
    pub x: Vec<f64>,
    /// Δy: the change of every unknown (free ones by 0).
    pub dy: Vec<f64>,
    /// Each unknown as a function of x̂.
    pub exprs: Vec<Expression>,
    /// L⁻¹ G S, with M = G S² Gᵀ = L Lᵀ: dof × nx. Its column i squared and
    /// summed is the share of σᵢ² the reconciliation removes.
    pub w: DMatrix<f64>,
}

impl Step {
    /// Degrees of freedom: the independent equations left once the unknowns
    /// are eliminated.
    pub fn dof(&self) -> usize {
        self.w.nrows()
    }
}

/// The equations linearised at `z` (a value for every quantity): one row
/// per equation, with the unknowns as changes Δy and the measured
/// quantities as values x: Σ b Δy + Σ a x + (f(z) − Σ a x̃) = 0.
pub fn linearize(sys: &System, lay: &Layout, z: &[f64]) -> Result<Vec<Row>> {
    let mut rows = Vec::with_capacity(sys.equations.len());
    for (e, eq) in sys.equations.iter().enumerate() {
        let mut cols: Sparse = Vec::new();
        let f = eq.residual(z);
        match eq {
            Equation::Balance { terms, .. } => {
                for &(q, c) in terms {
                    if let Some(col) = lay.col[q] {
                        cols.push((col, c));
                    }
                }
            }
            Equation::Relation { expr, .. } => {
                for q in expr.vars() {
                    if let Some(col) = lay.col[q] {
                        let d = expr.eval_d(z, q).1;
                        if !d.is_finite() {
                            return Err(undefined(sys, eq, z, q));
                        }
                        if d != 0.0 {
                            cols.push((col, d));
                        }
                    }
                }
            }
        }
        if !f.is_finite() {
            return Err(undefined(sys, eq, z, usize::MAX));
        }
        cols.sort_by_key(|c| c.0);
        let ny = lay.ny();
        let mut constant = f;
        for &(col, a) in &cols {
            if col >= ny {
                constant -= a * z[lay.measured[col - ny]];
            }
        }
        // Each row scaled to a largest coefficient of 1, so that one pivot
        // threshold and one cancellation rule serve every equation.
        let s = cols.iter().fold(0.0_f64, |m, c| m.max(c.1.abs()));
        let s = if s > 0.0 { s } else { 1.0 };
        for c in &mut cols {
            c.1 /= s;
        }
        let mag = eq.magnitude(z) / s;
        rows.push(Row {
            cols,
            constant: constant / s,
            mag,
            id: e,
        });
    }
    Ok(rows)
}

fn undefined(sys: &System, eq: &Equation, z: &[f64], q: usize) -> Error {
    let at = if q < z.len() {
        format!(
            " (its derivative in `{}` at {})",
            sys.quantities[q].id, z[q]
        )
    } else {
        String::new()
    };
    Error::Reconcile {
        id: sys.id.clone(),
        message: format!(
            "{} is not a finite number where it is evaluated{at}: a division by zero? Give the quantities it divides by a value",
            eq.name()
        ),
    }
}

/// Solve the linearised rows: eliminate the unknowns, fit the measured
/// quantities to the equations left, back-substitute the unknowns.
pub fn solve(sys: &System, lay: &Layout, rows: Vec<Row>) -> Result<Step> {
    let ny = lay.ny();
    let nx = lay.measured.len();
    let first = eliminate(rows, 0, ny);
    let rest = first.rest.clone();
    // The rows left hold measured columns only. Eliminating those as well
    // finds which rows are independent, and rows left with nothing but a
    // constant, which must be zero.
    let probe: Vec<Row> = rest
        .iter()
        .enumerate()
        .map(|(k, r)| Row { id: k, ..r.clone() })
        .collect();
    let second = eliminate(probe, ny, ny + nx);
    for row in &second.rest {
        if row.constant.abs() > CONSISTENT * row.mag.max(f64::MIN_POSITIVE) {
            let origin = &sys.equations[rest[row.id].id];
            return Err(Error::Reconcile {
                id: sys.id.clone(),
                message: format!(
                    "the equations contradict the constants: {}, with the equations combined with it to eliminate the unknowns, leaves a residual of {:.3e} times the size of its terms where 0 is required; no adjustment of the measured quantities can satisfy it. Check the constants, or give one of them an sd",
                    origin.name(),
                    row.constant.abs() / row.mag.max(f64::MIN_POSITIVE),
                ),
            });
        }
    }
    let independent: Vec<&Row> = second.pivots.iter().map(|(_, r)| &rest[r.id]).collect();
    let dof = independent.len();

    // G S (dof × nx) and the residual r = G m + g0.
    let mut gs = DMatrix::<f64>::zeros(dof, nx);
    let mut r = DVector::<f64>::zeros(dof);
    for (k, row) in independent.iter().enumerate() {
        let mut v = row.constant;
        for &(c, a) in &row.cols {
            let i = c - ny;
            gs[(k, i)] = a * lay.sd[i];
            v += a * lay.m[i];
        }
        r[k] = v;
    }
    let mut x = lay.m.clone();
    let mut w = DMatrix::<f64>::zeros(dof, nx);
    if dof > 0 {
        let m_mat = &gs * gs.transpose();
        let chol = m_mat.cholesky().ok_or_else(|| Error::Reconcile {
            id: sys.id.clone(),
            message: "the equations left once the unknowns are eliminated are too close to dependent to be solved (G S² Gᵀ is not positive definite)".into(),
        })?;
        let lambda = chol.solve(&r);
        // x̂ = m − S² Gᵀ λ = m − S (G S)ᵀ λ.
        let adj = gs.transpose() * lambda;
        for i in 0..nx {
            x[i] -= lay.sd[i] * adj[i];
        }
        w = gs;
        if !chol.l().solve_lower_triangular_mut(&mut w) {
            return Err(Error::Reconcile {
                id: sys.id.clone(),
                message: "the covariance of the estimates cannot be formed (a zero pivot)".into(),
            });
        }
    }
    let exprs = back_substitute(&first, ny);
    let dy = exprs
        .iter()
        .map(|e| {
            e.constant
                + e.cols
                    .iter()
                    .filter(|c| c.0 >= ny)
                    .map(|&(c, h)| h * x[c - ny])
                    .sum::<f64>()
        })
        .collect();
    Ok(Step { x, dy, exprs, w })
}

/// Each unknown as a function of the measured columns and the free unknowns,
/// from the pivot rows taken in reverse order.
fn back_substitute(first: &Echelon, ny: usize) -> Vec<Expression> {
    let mut exprs: Vec<Option<Expression>> = vec![None; ny];
    for &c in &first.free {
        exprs[c] = Some(Expression {
            cols: vec![(c, 1.0)],
            constant: 0.0,
        });
    }
    for (c, row) in first.pivots.iter().rev() {
        let a = get(&row.cols, *c).expect("a pivot row holds its column");
        let mut acc: Sparse = Vec::new();
        let mut constant = row.constant;
        for &(k, b) in &row.cols {
            if k == *c {
                continue;
            }
            if k < ny {
                // A later pivot, or a free unknown (its own column).
                let e = exprs[k]
                    .as_ref()
                    .expect("later pivots and free unknowns come first");
                acc = axpy(&acc, b, &e.cols);
                constant += b * e.constant;
            } else {
                acc = axpy(&acc, b, &[(k, 1.0)]);
            }
        }
        for e in &mut acc {
            e.1 /= -a;
        }
        exprs[*c] = Some(Expression {
            cols: acc,
            constant: -constant / a,
        });
    }
    exprs
        .into_iter()
        .map(|e| e.expect("every unknown is pivoted or free"))
        .collect()
}
