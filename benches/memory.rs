//! What this machine's memory costs, as a yardstick for the engine's
//! figures (criterion): the time of one 8-byte read, independent of the
//! others, from an array of 256 KiB to 64 MiB, read in order and at
//! random. A park's first step reads its data partly in order and partly
//! where its wiring sends it; `docs/PERFORMANCE.md` sets the engine's
//! time per link beside these figures.
//!
//! Nothing of parkflow is timed here.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Sizes of the array read, in KiB: from well inside a core's L2 cache to
/// well beyond its L3 share.
const SIZES_KIB: [usize; 8] = [256, 512, 1_024, 2_048, 4_096, 8_192, 16_384, 65_536];
/// Random reads per timed iteration.
const READS: usize = 1 << 16;

/// `READS` places in `0..len`, spread at random by a fixed 64-bit
/// linear congruential generator (Knuth's MMIX constants): the same
/// places on every run.
fn random_places(len: usize) -> Vec<u32> {
    let mut state: u64 = 2012;
    (0..READS)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % len as u64) as u32
        })
        .collect()
}

/// The sum of `values` at `places`, in four independent sums, so that the
/// time is the reads' and not the additions' chain.
fn gather(values: &[f64], places: &[u32]) -> f64 {
    let mut sums = [0.0; 4];
    for quad in places.chunks_exact(4) {
        for (sum, &i) in sums.iter_mut().zip(quad) {
            *sum += values[i as usize];
        }
    }
    sums.iter().sum()
}

fn bench_reads(c: &mut Criterion) {
    let mut group = c.benchmark_group("memory_read");
    for kib in SIZES_KIB {
        let len = kib * 1024 / size_of::<f64>();
        let values: Vec<f64> = (0..len).map(|i| i as f64).collect();
        // In order: every line of the array once, one read a line as in
        // the random case (which reads `READS` lines).
        let stride = 64 / size_of::<f64>();
        let in_order: Vec<u32> = (0..len).step_by(stride).map(|i| i as u32).collect();
        let at_random = random_places(len);
        for (name, places) in [("in_order", &in_order), ("at_random", &at_random)] {
            group.throughput(Throughput::Elements(places.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(name, format!("{kib}KiB")),
                places,
                |b, p| b.iter(|| black_box(gather(&values, p))),
            );
        }
    }
    group.finish();
}

/// Plots are off, as in `benches/engine.rs`.
fn config() -> Criterion {
    Criterion::default().without_plots()
}

criterion_group!(
    name = benches;
    config = config();
    targets = bench_reads
);
criterion_main!(benches);
