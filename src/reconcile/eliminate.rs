//! Sparse Gaussian elimination with threshold pivoting, the solver's one
//! factorisation of the linearised equations.
//!
//! Balances are very sparse (a flow appears in at most two of them), so
//! eliminating the unknowns row by row, choosing the column with the fewest
//! entries first (Markowitz's rule), keeps the rows short where a dense
//! orthogonal projection (Crowe's QR) would cost the cube of the system's
//! size. The rows left without unknowns span the same space as Crowe's
//! projected equations, and the weighted least-squares estimate depends only
//! on that space, not on the basis chosen for it.

/// A sparse vector: (column, value) pairs in increasing column order.
pub type Sparse = Vec<(usize, f64)>;

/// An entry that cancels to less than this share of the terms it was made
/// from is zero: the rounding of sums of order-one coefficients.
pub const CANCEL: f64 = 1e-11;

/// A share of the largest entry of a column below which a row is not taken
/// as that column's pivot (threshold partial pivoting).
const THRESHOLD: f64 = 0.1;

/// `a + f·b`, dropping entries that cancel.
pub fn axpy(a: &[(usize, f64)], f: f64, b: &[(usize, f64)]) -> Sparse {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j == b.len() || (i < a.len() && a[i].0 < b[j].0);
        let take_b = i == a.len() || (j < b.len() && b[j].0 < a[i].0);
        if take_a {
            out.push(a[i]);
            i += 1;
        } else if take_b {
            out.push((b[j].0, f * b[j].1));
            j += 1;
        } else {
            let (x, y) = (a[i].1, f * b[j].1);
            let v = x + y;
            if v.abs() > CANCEL * (x.abs() + y.abs()) {
                out.push((a[i].0, v));
            }
            i += 1;
            j += 1;
        }
    }
    out
}

/// The value of column `col` in a sparse vector, if present.
pub fn get(v: &[(usize, f64)], col: usize) -> Option<f64> {
    v.binary_search_by_key(&col, |e| e.0).ok().map(|k| v[k].1)
}

/// One linear equation `Σ cols + constant = 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The coefficients.
    pub cols: Sparse,
    /// The constant term.
    pub constant: f64,
    /// The size of the terms the row was made from: the scale against
    /// which its constant is judged zero once its columns are gone.
    pub mag: f64,
    /// Which input row this one is (kept through the elimination).
    pub id: usize,
}

/// The result of eliminating a range of columns.
#[derive(Debug, Default)]
pub struct Echelon {
    /// (column, pivot row) in elimination order. A pivot row holds no column
    /// of the range that was pivoted before it.
    pub pivots: Vec<(usize, Row)>,
    /// The columns of the range that no row could pivot.
    pub free: Vec<usize>,
    /// The rows left, which hold no column of the range.
    pub rest: Vec<Row>,
}

/// Eliminate the columns `lo..hi` from `rows`.
pub fn eliminate(rows: Vec<Row>, lo: usize, hi: usize) -> Echelon {
    let width = hi - lo;
    let mut rows: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    // Rows holding each column; entries may be stale (checked when used).
    let mut col_rows: Vec<Vec<usize>> = vec![Vec::new(); width];
    for (r, row) in rows.iter().enumerate() {
        for &(c, _) in &row.as_ref().expect("all rows present").cols {
            if (lo..hi).contains(&c) {
                col_rows[c - lo].push(r);
            }
        }
    }
    let mut done = vec![false; width];
    let mut out = Echelon::default();
    for _ in 0..width {
        // The open column with the fewest (possibly stale) entries.
        let Some(k) = (0..width)
            .filter(|&k| !done[k])
            .min_by_key(|&k| col_rows[k].len())
        else {
            break;
        };
        done[k] = true;
        let col = lo + k;
        let mut holders: Vec<(usize, f64)> = Vec::new();
        for &r in &col_rows[k] {
            if let Some(v) = rows[r].as_ref().and_then(|row| get(&row.cols, col)) {
                if !holders.iter().any(|h| h.0 == r) {
                    holders.push((r, v));
                }
            }
        }
        col_rows[k] = Vec::new();
        let largest = holders.iter().fold(0.0_f64, |m, h| m.max(h.1.abs()));
        if largest == 0.0 {
            out.free.push(col);
            continue;
        }
        let (p, pv) = holders
            .iter()
            .filter(|h| h.1.abs() >= THRESHOLD * largest)
            .min_by_key(|h| rows[h.0].as_ref().map_or(usize::MAX, |row| row.cols.len()))
            .copied()
            .expect("the largest entry passes its own threshold");
        let pivot = rows[p].take().expect("a holder is present");
        for &(r, v) in &holders {
            if r == p {
                continue;
            }
            let row = rows[r].as_mut().expect("a holder is present");
            let f = -v / pv;
            let mut cols = axpy(&row.cols, f, &pivot.cols);
            // The pivot column goes exactly, whatever rounding left.
            cols.retain(|e| e.0 != col);
            for &(c, _) in &cols {
                if (lo..hi).contains(&c) && c != col && get(&row.cols, c).is_none() {
                    col_rows[c - lo].push(r);
                }
            }
            row.cols = cols;
            row.constant += f * pivot.constant;
            row.mag += f.abs() * pivot.mag;
        }
        out.pivots.push((col, pivot));
    }
    out.rest = rows.into_iter().flatten().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: usize, cols: &[(usize, f64)], constant: f64) -> Row {
        Row {
            cols: cols.to_vec(),
            constant,
            mag: 1.0,
            id,
        }
    }

    #[test]
    fn sums_drop_what_cancels() {
        // (1, 2) + (-1)·(1, 0, 3): column 0 cancels, column 2 is new.
        let s = axpy(&[(0, 1.0), (1, 2.0)], -1.0, &[(0, 1.0), (2, 3.0)]);
        assert_eq!(s, vec![(1, 2.0), (2, -3.0)]);
    }

    #[test]
    fn a_chain_of_balances_leaves_one_redundant_row() {
        // y0 = x2, y0 = x3 (columns 0 unknown, 2 and 3 measured):
        // eliminating y0 leaves x2 - x3 = 0, a redundancy.
        let e = eliminate(
            vec![
                row(0, &[(0, 1.0), (2, -1.0)], 0.0),
                row(1, &[(0, 1.0), (3, -1.0)], 0.0),
            ],
            0,
            2,
        );
        assert_eq!(e.pivots.len(), 1);
        assert_eq!(e.free, vec![1]);
        assert_eq!(e.rest.len(), 1);
        assert_eq!(e.rest[0].cols, vec![(2, 1.0), (3, -1.0)]);
    }
}
