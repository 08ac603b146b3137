//! Finiteness without a branch per value: the test every check of a step
//! builds on.

/// 0 for a finite `v`, without a branch: `v · 0` is ±0 for a finite `v`
/// and NaN for an infinite or NaN one, so its bits without the sign are 0
/// only for a finite `v`. Values are checked by `or`-ing these together.
#[inline(always)]
pub(super) fn not_finite(v: f64) -> u64 {
    (v * 0.0).to_bits() << 1
}

/// Whether every value is finite, without a branch per value. (An integer
/// `or` is associative, unlike a floating-point sum, so the compiler may
/// take the values several at a time.)
#[inline]
pub(super) fn all_finite(values: impl Iterator<Item = f64>) -> bool {
    values.fold(0, |bad, v| bad | not_finite(v)) == 0
}
