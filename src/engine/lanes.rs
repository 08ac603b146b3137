//! Sums whose additions need not wait for one another.
//!
//! A floating-point sum `s += t` over many terms is a chain: each addition
//! waits for the one before (four cycles or so on current processors),
//! whatever else the processor could do meanwhile. A step's emissions and a
//! year's byproduct tonnes are such sums over tens of terms, and the wait was
//! a tenth of a run. [`Lanes`] keeps four running totals instead, term `i`
//! going to total `i mod 4`, and adds them up at the end in a fixed order:
//! the same terms in the same order give the same bits, on every run and at
//! any thread count; only the rounding differs from a single running total.

/// Four running totals of one sum: term `i` goes to lane `i mod 4`.
pub(crate) struct Lanes;

impl Lanes {
    /// The sum of `terms`, in four lanes: `(l0 + l1) + (l2 + l3)`.
    #[inline(always)]
    pub(crate) fn sum(terms: impl IntoIterator<Item = f64>) -> f64 {
        let mut terms = terms.into_iter();
        // Unrolled by hand so that the lanes stay in registers.
        let [mut a, mut b, mut c, mut d] = [0.0; 4];
        while let Some(t) = terms.next() {
            a += t;
            let Some(t) = terms.next() else { break };
            b += t;
            let Some(t) = terms.next() else { break };
            c += t;
            let Some(t) = terms.next() else { break };
            d += t;
        }
        (a + b) + (c + d)
    }

    /// `N` sums over `items` at once, each in four lanes as [`Lanes::sum`]
    /// adds them: `terms(item)` gives each sum's term for one item.
    #[inline(always)]
    pub(crate) fn sums<T, const N: usize>(items: &[T], terms: impl Fn(&T) -> [f64; N]) -> [f64; N] {
        let mut lanes = [[0.0; N]; 4];
        let chunks = items.chunks_exact(4);
        let rest = chunks.remainder();
        for chunk in chunks {
            for (lane, item) in lanes.iter_mut().zip(chunk) {
                for (total, t) in lane.iter_mut().zip(terms(item)) {
                    *total += t;
                }
            }
        }
        for (lane, item) in lanes.iter_mut().zip(rest) {
            for (total, t) in lane.iter_mut().zip(terms(item)) {
                *total += t;
            }
        }
        let [a, b, c, d] = lanes;
        std::array::from_fn(|n| (a[n] + b[n]) + (c[n] + d[n]))
    }
}

#[cfg(test)]
mod tests {
    use super::Lanes;

    #[test]
    fn four_lanes_add_up_in_the_stated_order() {
        // 1e16 + 1 rounds back to 1e16 in one running total, but each lane
        // holds a 1 until the end here.
        let terms = [1e16, 1.0, 1.0, 1.0, -1e16, 1.0, 1.0, 1.0];
        let lanes = ((1e16 + -1e16) + (1.0 + 1.0)) + ((1.0 + 1.0) + (1.0 + 1.0));
        assert_eq!(Lanes::sum(terms), lanes);
        assert_eq!(Lanes::sum(terms), 6.0);
        assert_eq!(terms.iter().sum::<f64>(), 3.0);
        assert_eq!(Lanes::sum([]), 0.0);
        assert_eq!(Lanes::sum([2.5]), 2.5);
    }

    #[test]
    fn sums_over_a_slice_put_each_term_in_the_lane_sum_does() {
        let values: Vec<f64> = (0..11)
            .map(|i| 1e16 * f64::from(i % 3) + f64::from(i))
            .collect();
        for n in 0..=values.len() {
            let items = &values[..n];
            let [plain, twice] = Lanes::sums(items, |&v| [v, -2.0 * v]);
            assert_eq!(plain.to_bits(), Lanes::sum(items.iter().copied()).to_bits());
            assert_eq!(
                twice.to_bits(),
                Lanes::sum(items.iter().map(|&v| -2.0 * v)).to_bits()
            );
        }
    }
}
