//! Sampling designs: the uniform numbers behind each run's draws.
//!
//! Every number is a pure function of (seed, run, dimension), a counter-based
//! generator, so a run's draws do not depend on which thread or shard
//! computes it, nor on what was drawn before.

use serde::Deserialize;

use crate::model::dist::U_MAX;

/// How the samples are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum Design {
    /// Independent uniform draws.
    MonteCarlo,
    /// Latin hypercube: each parameter's range cut into `samples` strata, one draw in each.
    LatinHypercube,
    /// Saltelli's scheme for Sobol indices: `samples` base rows, `samples · (d + 2)` runs.
    Sobol,
}

impl Design {
    /// Name used in result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Design::MonteCarlo => "monte_carlo",
            Design::LatinHypercube => "latin_hypercube",
            Design::Sobol => "sobol",
        }
    }

    /// Model runs for `samples` base samples of `d` parameters. A prepared
    /// sweep's count fits in a `u64` ([`Design::checked_runs`]).
    pub fn runs(self, samples: u64, d: usize) -> u64 {
        self.checked_runs(samples, d).unwrap_or(u64::MAX)
    }

    /// Runs the design calls for, or `None` when they overflow a `u64`.
    pub fn checked_runs(self, samples: u64, d: usize) -> Option<u64> {
        match self {
            Design::Sobol => samples.checked_mul(d as u64 + 2),
            _ => Some(samples),
        }
    }

    /// The uniform numbers in (0, 1) of run `run`, one per parameter, into `out`.
    pub fn uniforms(self, seed: u64, samples: u64, run: u64, out: &mut [f64]) {
        let d = out.len() as u64;
        match self {
            Design::MonteCarlo => {
                for (j, u) in out.iter_mut().enumerate() {
                    *u = uniform(seed, run, j as u64);
                }
            }
            Design::LatinHypercube => {
                for (j, u) in out.iter_mut().enumerate() {
                    let key = mix(seed ^ (j as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
                    let stratum = permute(run, samples, key);
                    let v = (stratum as f64 + uniform(seed, run, j as u64)) / samples as f64;
                    // The division can round the top stratum up to 1.
                    *u = v.min(U_MAX);
                }
            }
            Design::Sobol => {
                // Run r is row m of base sample k: A (m = 0), B (m = 1), or
                // A with column m − 2 taken from B.
                let (k, m) = (run / (d + 2), run % (d + 2));
                for (j, u) in out.iter_mut().enumerate() {
                    let j = j as u64;
                    let from_b = m == 1 || (m >= 2 && m - 2 == j);
                    *u = uniform(seed, k, if from_b { d + j } else { j });
                }
            }
        }
    }
}

/// SplitMix64's finaliser: a bijective 64-bit mix.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform number in (0, 1) that depends only on (seed, index, dim).
pub fn uniform(seed: u64, index: u64, dim: u64) -> f64 {
    unit(mix(
        mix(mix(seed) ^ index) ^ dim.wrapping_mul(0xD6E8_FEB8_6659_FD93)
    ))
}

/// The midpoint of the 53-bit cell `h` falls in, in (0, 1). The top cell's
/// midpoint, 1 − 2⁻⁵⁴, rounds to 1, where a Normal or LogNormal quantile is
/// infinite: it is held at [`U_MAX`]. Every other value is unchanged.
fn unit(h: u64) -> f64 {
    (((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64).min(U_MAX)
}

/// A pseudo-random permutation of `0..n` (keyed), evaluated at `i`: a
/// balanced Feistel network on the next power of four, cycle-walked into range.
pub fn permute(i: u64, n: u64, key: u64) -> u64 {
    debug_assert!(i < n);
    // The smallest power of four (4^half, half ≥ 1) that holds 0..n,
    // computed from the bit length of n − 1 so that no shift overflows for
    // n up to u64::MAX (half is at most 32).
    let bits = u64::BITS - (n - 1).leading_zeros();
    let half = bits.div_ceil(2).max(1);
    let mask = (1u64 << half) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..4u64 {
            let f = mix(r ^ key ^ round.wrapping_mul(0x632B_E59B_D9B4_E019)) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        if x < n {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dist::U_MIN;

    #[test]
    fn a_uniform_number_never_reaches_0_or_1() {
        assert_eq!(unit(0), U_MIN);
        assert_eq!(unit(u64::MAX), U_MAX);
        assert!(unit(u64::MAX) < 1.0);
    }

    #[test]
    fn the_permutation_is_a_permutation() {
        for n in [1u64, 2, 3, 10, 17, 1000, 4097] {
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let p = permute(i, n, 42) as usize;
                assert!(!seen[p], "n = {n}: {p} twice");
                seen[p] = true;
            }
        }
    }

    #[test]
    fn the_permutation_stays_in_range_for_the_largest_sample_counts() {
        for n in [(1u64 << 62) + 1, 1 << 63, u64::MAX] {
            for i in [0, 1, n / 2, n - 1] {
                assert!(permute(i, n, 42) < n, "n = {n}, i = {i}");
            }
        }
    }

    #[test]
    fn a_latin_hypercube_puts_one_draw_in_each_stratum() {
        let n = 200;
        let mut counts = vec![[0u32; 3]; n as usize];
        let mut u = [0.0; 3];
        for run in 0..n {
            Design::LatinHypercube.uniforms(7, n, run, &mut u);
            for (j, v) in u.iter().enumerate() {
                assert!(*v > 0.0 && *v < 1.0);
                counts[(v * n as f64) as usize][j] += 1;
            }
        }
        assert!(counts.iter().all(|c| c == &[1, 1, 1]));
    }

    #[test]
    fn saltelli_rows_share_columns_as_the_scheme_needs() {
        let (d, seed) = (3usize, 11);
        let row = |run: u64| {
            let mut u = vec![0.0; d];
            Design::Sobol.uniforms(seed, 5, run, &mut u);
            u
        };
        // Base sample 2: runs 10 (A), 11 (B), 12..15 (AB_0..AB_2).
        let (a, b) = (row(10), row(11));
        assert!(a.iter().zip(&b).all(|(x, y)| x != y));
        for i in 0..d {
            let ab = row(12 + i as u64);
            for j in 0..d {
                assert_eq!(ab[j], if j == i { b[j] } else { a[j] });
            }
        }
        assert_eq!(Design::Sobol.runs(5, d), 25);
    }

    #[test]
    fn uniforms_are_spread_evenly() {
        let n = 100_000;
        let mean = (0..n).map(|i| uniform(1, i, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005);
        assert_ne!(uniform(1, 0, 0), uniform(2, 0, 0));
        assert_ne!(uniform(1, 0, 0), uniform(1, 0, 1));
    }
}
