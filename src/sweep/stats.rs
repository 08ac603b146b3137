//! Statistics of sweep outputs: moments, percentiles, Spearman rank
//! correlation, and Sobol indices (Saltelli 2010 first order, Jansen total)
//! with bootstrap intervals. Every function is deterministic: same input,
//! same bits.

use super::design::uniform;

/// Mean, standard deviation and percentiles of one output, as the sweep's
/// `summary.json` holds them (fields in the file's key order).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Mean.
    #[serde(deserialize_with = "null_as_nan")]
    pub mean: f64,
    /// 5th percentile.
    #[serde(deserialize_with = "null_as_nan")]
    pub p05: f64,
    /// 25th percentile.
    #[serde(deserialize_with = "null_as_nan")]
    pub p25: f64,
    /// Median.
    #[serde(deserialize_with = "null_as_nan")]
    pub p50: f64,
    /// 75th percentile.
    #[serde(deserialize_with = "null_as_nan")]
    pub p75: f64,
    /// 95th percentile.
    #[serde(deserialize_with = "null_as_nan")]
    pub p95: f64,
    /// Sample standard deviation (n − 1).
    #[serde(deserialize_with = "null_as_nan")]
    pub sd: f64,
}

/// A number that JSON writes as `null` when it is not finite, read back as NaN.
pub fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v: Option<f64> = serde::Deserialize::deserialize(d)?;
    Ok(v.unwrap_or(f64::NAN))
}

/// Summarise `values` (any order). Empty input gives zeros.
pub fn summarize(values: &[f64]) -> Summary {
    let n = values.len();
    if n == 0 {
        return Summary {
            mean: 0.0,
            sd: 0.0,
            p05: 0.0,
            p25: 0.0,
            p50: 0.0,
            p75: 0.0,
            p95: 0.0,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| percentile(&sorted, p);
    Summary {
        mean,
        sd,
        p05: q(0.05),
        p25: q(0.25),
        p50: q(0.5),
        p75: q(0.75),
        p95: q(0.95),
    }
}

/// Percentile of sorted values, linear between order statistics (Hyndman & Fan type 7).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// Ranks 1..n, ties sharing their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    // Sorted by (value in `f64::total_cmp` order, index): keys and indices
    // side by side sort far faster than indices compared through `values`.
    let mut keyed: Vec<(u64, usize)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (total_order_key(*v), i))
        .collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// An integer whose order is `f64::total_cmp`'s order of `v`: negative
/// numbers (sign bit set) have all their bits flipped, others only the sign.
fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Pearson correlation; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.is_empty() {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    }
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// Sobol indices of one parameter with 95% bootstrap intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndex {
    /// First-order index.
    pub s1: f64,
    /// Interval of `s1`.
    pub s1_ci: [f64; 2],
    /// Total-order index.
    pub st: f64,
    /// Interval of `st`.
    pub st_ci: [f64; 2],
}

/// Bootstrap resamples used for the intervals.
pub const BOOTSTRAP: usize = 500;

/// Sobol indices from Saltelli's runs: `f_a[k]`, `f_b[k]`, and `f_ab[i][k]`
/// (A with column i from B), for base samples k. Intervals come from
/// [`BOOTSTRAP`] resamples of the base samples drawn from `seed`.
pub fn sobol(f_a: &[f64], f_b: &[f64], f_ab: &[Vec<f64>], seed: u64) -> Vec<SobolIndex> {
    let n = f_a.len();
    // Centring leaves the indices unchanged but removes the mean from the
    // products f_B · (f_ABi − f_A), whose variance otherwise grows with the
    // mean squared (an output like SO2 ≈ 77,000 ± 2,000 t).
    let centre = (f_a.iter().sum::<f64>() + f_b.iter().sum::<f64>()) / (2 * n).max(1) as f64;
    let f_a: Vec<f64> = f_a.iter().map(|v| v - centre).collect();
    let f_b: Vec<f64> = f_b.iter().map(|v| v - centre).collect();
    let f_ab: Vec<Vec<f64>> = f_ab
        .iter()
        .map(|col| col.iter().map(|v| v - centre).collect())
        .collect();
    let (f_a, f_b, f_ab) = (&f_a[..], &f_b[..], &f_ab[..]);
    let estimate = |pick: &dyn Fn(usize) -> usize, i: usize| -> (f64, f64) {
        let (mut sum, mut sum2) = (0.0, 0.0);
        let (mut s1, mut st) = (0.0, 0.0);
        for k in 0..n {
            let k = pick(k);
            let (a, b, ab) = (f_a[k], f_b[k], f_ab[i][k]);
            sum += a + b;
            sum2 += a * a + b * b;
            s1 += b * (ab - a);
            st += (a - ab).powi(2);
        }
        let m = 2.0 * n as f64;
        let var = sum2 / m - (sum / m).powi(2);
        if var <= 1e-300 || n == 0 {
            (0.0, 0.0)
        } else {
            (s1 / n as f64 / var, st / (2.0 * n as f64) / var)
        }
    };
    (0..f_ab.len())
        .map(|i| {
            let (s1, st) = estimate(&|k| k, i);
            let mut boot_s1 = Vec::with_capacity(BOOTSTRAP);
            let mut boot_st = Vec::with_capacity(BOOTSTRAP);
            for rep in 0..BOOTSTRAP as u64 {
                let pick = |k: usize| {
                    let u = uniform(seed ^ 0xB00B_5747, rep, k as u64);
                    ((u * n as f64) as usize).min(n.saturating_sub(1))
                };
                let (b1, bt) = estimate(&pick, i);
                boot_s1.push(b1);
                boot_st.push(bt);
            }
            boot_s1.sort_by(f64::total_cmp);
            boot_st.sort_by(f64::total_cmp);
            let ci = |v: &[f64]| [percentile(v, 0.025), percentile(v, 0.975)];
            SobolIndex {
                s1,
                s1_ci: ci(&boot_s1),
                st,
                st_ci: ci(&boot_st),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::design::Design;
    use super::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let s = summarize(&[4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!((s.mean, s.p50, s.p25, s.p05), (3.0, 3.0, 2.0, 1.2));
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn ranks_order_values_as_total_cmp_does() {
        let specials = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -4.9e-324,
            -0.0,
            0.0,
            4.9e-324,
            f64::MIN_POSITIVE,
            1.0,
            1e300,
            f64::INFINITY,
        ];
        for a in specials {
            for b in specials {
                assert_eq!(
                    total_order_key(a).cmp(&total_order_key(b)),
                    a.total_cmp(&b),
                    "{a} against {b}"
                );
            }
        }
        // Against the definition: sort indices by (value, index), then give
        // each run of equal values its average rank.
        let values: Vec<f64> = (0..500u64)
            .map(|i| ((i * 7919) % 97) as f64 - 48.0)
            .chain(specials)
            .collect();
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
        let mut expected = vec![0.0; values.len()];
        let mut i = 0;
        while i < order.len() {
            let j = (i..order.len())
                .take_while(|&j| values[order[j]] == values[order[i]])
                .last()
                .unwrap();
            for &k in &order[i..=j] {
                expected[k] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        assert_eq!(ranks(&values), expected);
    }

    #[test]
    fn spearman_sees_monotone_relations_and_shares_ranks_among_ties() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&x, &[1.0, 8.0, 27.0, 64.0, 125.0]), 1.0);
        assert_eq!(spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]), -1.0);
        assert_eq!(ranks(&[2.0, 1.0, 2.0]), vec![2.5, 1.0, 2.5]);
        assert_eq!(spearman(&x, &[1.0; 5]), 0.0);
    }

    /// Ishigami's function, a = 7, b = 0.1, on [−π, π]³.
    fn ishigami(x: &[f64]) -> f64 {
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function_match_the_analytic_values() {
        let (n, d, seed) = (20_000u64, 3usize, 20140624);
        let mut f = vec![Vec::with_capacity(n as usize); d + 2];
        let mut u = vec![0.0; d];
        for run in 0..Design::Sobol.runs(n, d) {
            Design::Sobol.uniforms(seed, n, run, &mut u);
            let x: Vec<f64> = u
                .iter()
                .map(|u| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * u)
                .collect();
            f[(run % (d as u64 + 2)) as usize].push(ishigami(&x));
        }
        let indices = sobol(&f[0], &f[1], &f[2..], seed);
        let s1 = [0.314, 0.442, 0.0];
        let st = [0.558, 0.442, 0.244];
        for i in 0..d {
            let ix = &indices[i];
            assert!(
                (ix.s1 - s1[i]).abs() < 0.03,
                "S1[{i}] = {} (expected {})",
                ix.s1,
                s1[i]
            );
            assert!(
                (ix.st - st[i]).abs() < 0.03,
                "ST[{i}] = {} (expected {})",
                ix.st,
                st[i]
            );
            assert!(ix.s1_ci[0] <= ix.s1 && ix.s1 <= ix.s1_ci[1], "{ix:?}");
            assert!(ix.st_ci[0] <= ix.st && ix.st <= ix.st_ci[1], "{ix:?}");
            assert!(ix.s1_ci[1] - ix.s1_ci[0] < 0.1);
        }
    }
}
