//! The random stream of the synthetic parks (part of `synthetic.rs`): a
//! SplitMix64 written here, so a seed gives the same park on every platform
//! and under every dependency version.

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for
/// shaping test data.
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        // SplitMix64: the output is the mix of the state before the step.
        let out = parkflow::sweep::design::mix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        out
    }
    /// Uniform in [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in 0..n (n > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in [lo, hi).
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Roughly log-uniform between 10^lo and 10^hi: a decade, then a mantissa.
    /// Only basic arithmetic, so the value is the same on every platform.
    pub(super) fn magnitude(&mut self, lo: usize, hi: usize) -> f64 {
        const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
        let decade = lo + self.below(hi - lo);
        (POW10[decade] * self.range(1.0, 10.0)).round()
    }
    /// `x` rounded up or down at random so that the mean is `x`.
    pub(super) fn round(&mut self, x: f64) -> usize {
        let floor = x.floor();
        floor as usize + usize::from(self.chance(x - floor))
    }
}

/// A random element of the ascending list `list` below `cutoff`.
pub(super) fn pick_before(rng: &mut SplitMix64, list: &[usize], cutoff: usize) -> Option<usize> {
    let before = list.partition_point(|&p| p < cutoff);
    (before > 0).then(|| list[rng.below(before)])
}
