//! Engine benchmarks (criterion): the default park's whole run, annual and
//! monthly; synthetic parks of 10 to 10,000 processes, with and without
//! cycles (without, also 3,000 and 30,000), as time per step; and
//! compiling a plan. See docs/PERFORMANCE.md
//! for the figures and how to read them.
//!
//! Parsing, validation and compilation happen once, outside the timing loop;
//! what is timed is what a sweep does per sample: `run` with a reused
//! [`Workspace`], observed by a reused [`Indicators`].

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parkflow::engine::{Plan, Workspace, run};
use parkflow::indicators::Indicators;
use parkflow::model::{BUILTIN_PARK, Park, parse_park, validate};
use synthetic::SyntheticOptions;

/// Sizes of the synthetic parks, in processes.
const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
/// Sizes of the acyclic synthetic parks: [`SIZES`] and the sizes between
/// and beyond, where a step's data outgrows a core's L2 cache and then its
/// share of L3 (docs/PERFORMANCE.md).
const ACYCLIC_SIZES: [usize; 6] = [10, 100, 1_000, 3_000, 10_000, 30_000];
/// Seed of every synthetic park, so runs of the bench compare the same parks.
const SEED: u64 = 2012;

/// A plan with everything a run reuses.
struct Prepared {
    plan: Plan,
    ws: Workspace,
    ind: Indicators,
}

impl Prepared {
    fn new(park: &Park, name: &str) -> Prepared {
        validate(park, name).unwrap_or_else(|e| panic!("{e}"));
        let plan = Plan::compile(park);
        let ws = Workspace::new(&plan);
        let ind = Indicators::new(&plan);
        Prepared { plan, ws, ind }
    }

    /// One whole run, as a sweep sample does it; returns something to keep.
    fn run(&mut self) -> f64 {
        let Prepared { plan, ws, ind } = self;
        ind.clear();
        run(plan, ws, |v| ind.observe(v)).expect("the park runs");
        ind.finish();
        ind.years.last().map_or(0.0, |y| y.linkage_mass)
    }

    fn steps(&self) -> u64 {
        let years = (self.plan.topology.end - self.plan.topology.start + 1).max(0) as u64;
        years * u64::from(self.plan.topology.steps_per_year)
    }

    /// One line about the park's size, printed once so the figures can be read per link.
    fn describe(&self, name: &str) {
        let (leontief, cycles) = (
            self.plan.schedule.leontief.len(),
            self.plan.schedule.cycles.len(),
        );
        eprintln!(
            "{name}: {} processes, {} links, {} pools, {} slots, {} Leontief blocks, {} iterated cycles, {} steps",
            self.plan.topology.processes.len(),
            self.plan.topology.links.len(),
            self.plan.topology.pools.len(),
            self.plan.topology.slots.len(),
            leontief,
            cycles,
            self.steps()
        );
    }
}

fn default_park(steps_per_year: u32) -> Park {
    let mut park = parse_park(BUILTIN_PARK, "flows/jilin.ron").expect("the built-in park parses");
    park.time.steps_per_year = steps_per_year;
    park
}

/// The default Jilin park's whole run (2012–2020): annual and monthly.
fn bench_default_park(c: &mut Criterion) {
    let mut group = c.benchmark_group("default_park");
    for (name, steps_per_year) in [("annual", 1), ("monthly", 12)] {
        let mut p = Prepared::new(&default_park(steps_per_year), "flows/jilin.ron");
        p.describe(&format!("default_park/{name}"));
        group.throughput(Throughput::Elements(p.steps()));
        group.bench_function(name, |b| b.iter(|| black_box(p.run())));
    }
    group.finish();
}

/// Synthetic parks, one annual step: time per iteration is time per step.
fn bench_synthetic(c: &mut Criterion) {
    synthetic_steps(
        c,
        "synthetic_step",
        &SIZES,
        |n| SyntheticOptions::new(n, SEED),
        |p| p.steps(),
    );
}

/// Synthetic parks without cycles (no Leontief blocks, no iterated
/// cycles), one annual step: the parks the goal of linear growth in links
/// speaks of. Throughput in links.
fn bench_synthetic_acyclic(c: &mut Criterion) {
    let acyclic = |n| SyntheticOptions {
        leontief_share: 0.0,
        iterated_share: 0.0,
        ..SyntheticOptions::new(n, SEED)
    };
    synthetic_steps(c, "synthetic_acyclic_step", &ACYCLIC_SIZES, acyclic, |p| {
        p.plan.topology.links.len() as u64
    });
}

/// One group `name`: a park of each of `sizes` from `options`, with
/// throughput `elements`.
fn synthetic_steps(
    c: &mut Criterion,
    name: &str,
    sizes: &[usize],
    options: impl Fn(usize) -> SyntheticOptions,
    elements: impl Fn(&Prepared) -> u64,
) {
    let mut group = c.benchmark_group(name);
    for &n in sizes {
        let mut p = Prepared::new(&synthetic::generate(&options(n)), "synthetic");
        p.describe(&format!("{name}/{n}"));
        if n >= 10_000 {
            // About 1–6 ms a run (10,000 processes), 2–3 ms
            // (30,000 without cycles): a few seconds is plenty.
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(4));
        }
        group.throughput(Throughput::Elements(elements(&p)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(p.run()))
        });
    }
    group.finish();
}

/// A synthetic park of 1,000 processes over one year of 12 steps: separates the
/// per-step cost from the once-a-year cost of reading every series.
fn bench_synthetic_monthly(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic_monthly");
    let park = synthetic::generate(&SyntheticOptions {
        steps_per_year: 12,
        ..SyntheticOptions::new(1_000, SEED)
    });
    let mut p = Prepared::new(&park, "synthetic");
    p.describe("synthetic_monthly/1000");
    group.throughput(Throughput::Elements(p.steps()));
    group.bench_function("1000", |b| b.iter(|| black_box(p.run())));
    group.finish();
}

/// Compiling a plan (dense indices, service order, dependency blocks), at
/// 1,000 and 10,000 processes to show how it grows.
fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let park = synthetic::park(n, SEED);
        validate(&park, "synthetic").unwrap_or_else(|e| panic!("{e}"));
        group.bench_with_input(BenchmarkId::from_parameter(n), &park, |b, park| {
            b.iter(|| Plan::compile(black_box(park)))
        });
    }
    group.finish();
}

/// Plots are off: plotters needs a system font to draw them, and build
/// machines often have none (criterion then panics after the first bench).
fn config() -> Criterion {
    Criterion::default().without_plots()
}

criterion_group!(
    name = benches;
    config = config();
    targets = bench_default_park, bench_synthetic, bench_synthetic_acyclic, bench_synthetic_monthly, bench_compile
);
criterion_main!(benches);
