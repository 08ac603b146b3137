//! Sweep benchmarks (criterion): runs per second of the default park's
//! uncertainty sweep on 1 and 2 threads, and a 48-sector dense Leontief
//! system with final demand drawn per sample (the same draws and solves as
//! `benches/compare/leontief48.py` does with numpy). See docs/PERFORMANCE.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parkflow::model::{
    Apply, Cap, Dist, Enterprise, Keyed, Kind, Material, Mode, Param, Park, Pollutant, Process,
    Scope, Series, Time,
};
use parkflow::sweep::{self, Prepared, Sweep, design::Design, run_sweep};

/// Runs per iteration of the throughput bench.
const RUNS: u64 = 4096;

fn uncertainty() -> Prepared {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/sweeps/uncertainty.ron");
    sweep::load_sweep(&file).unwrap_or_else(|e| panic!("{e}"))
}

fn bench_throughput(c: &mut Criterion) {
    let prep = uncertainty();
    throughput(c, "sweep_default_park", &prep);
    // The same runs simulating every year, not only those the outputs
    // read (2017 and 2020): what a run of the whole range costs.
    let mut every = uncertainty();
    every.years = (every.plan.topology.start..=every.plan.topology.end).collect();
    throughput(c, "sweep_default_park_every_year", &every);
}

fn throughput(c: &mut Criterion, name: &str, prep: &Prepared) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(RUNS));
    group.sample_size(20);
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("threads", threads),
            &threads,
            |b, &threads| {
                b.iter(|| black_box(run_sweep(prep, (0..RUNS).collect(), threads, &|| {}).unwrap()))
            },
        );
    }
    group.finish();
}

/// Sectors of the dense Leontief system.
pub const SECTORS: usize = 48;

/// a_ij (input of sector i per unit of sector j): dense, column sums 0.3–0.7,
/// from a closed formula so that the numpy script builds the same matrix.
pub fn coefficient(i: usize, j: usize) -> f64 {
    let (i, j) = (i as f64, j as f64);
    0.5 / SECTORS as f64 * (1.0 + 0.8 * (0.37 * i + 0.11 * j * j).sin())
}

/// A park of 48 Demand sectors, every one supplying every other.
pub fn leontief_park() -> Park {
    let ids: Vec<String> = (0..SECTORS).map(|i| format!("s{i:02}")).collect();
    let goods: Vec<String> = (0..SECTORS).map(|i| format!("g{i:02}")).collect();
    Park {
        id: "leontief48".into(),
        name: "48-sector dense Leontief system".into(),
        name_zh: None,
        time: Time {
            start: 2000,
            end: 2000,
            steps_per_year: 1,
        },
        economics: None,
        pollutants: vec![Pollutant {
            id: "co2".into(),
            name: "CO2".into(),
            unit: "t".into(),
            tax: None,
        }],
        materials: goods
            .iter()
            .map(|g| Material {
                id: g.clone(),
                name: g.clone(),
                name_zh: None,
                unit: "t".into(),
                kind: Kind::Product,
                t_per_unit: None,
                price: None,
                fate: Default::default(),
                composition: Keyed::default(),
            })
            .collect(),
        enterprises: vec![Enterprise {
            id: "economy".into(),
            name: "Economy".into(),
            name_zh: None,
        }],
        processes: (0..SECTORS)
            .map(|j| Process {
                id: ids[j].clone(),
                enterprise: "economy".into(),
                name: ids[j].clone(),
                name_zh: None,
                product: goods[j].clone(),
                mode: Mode::Demand,
                capacity: None,
                utilization: None,
                demand: Some(Series::Constant(100.0)),
                inputs: Keyed(
                    (0..SECTORS)
                        .map(|i| (goods[i].clone(), coefficient(i, j)))
                        .collect(),
                ),
                outputs: Keyed::default(),
                emissions: Keyed(vec![("co2".into(), 1.0 + j as f64 / SECTORS as f64)]),
                abatement: Keyed::default(),
                unmodelled_inputs: Keyed::default(),
                unmodelled_outputs: Keyed::default(),
                source: None,
            })
            .collect(),
        links: (0..SECTORS)
            .flat_map(|i| (0..SECTORS).map(move |j| (i, j)))
            .map(|(i, j)| parkflow::model::Link {
                id: format!("l{i:02}_{j:02}"),
                from: ids[i].clone(),
                to: ids[j].clone(),
                material: goods[i].clone(),
                start: None,
                end: None,
                max_rate: None,
                priority: 0,
                candidate: false,
                cost: None,
                opex: None,
                source: None,
            })
            .collect(),
        storages: Vec::new(),
        background: Keyed::default(),
        targets: None,
        permits: vec![],
        uncertainty: vec![],
        caps: vec![Cap {
            year: 2000,
            scope: Scope::Park,
            limits: Keyed(vec![("co2".into(), 1e12)]),
        }],
        sources: Vec::new(),
    }
}

/// The sweep: every sector's final demand drawn from Uniform(50, 150).
pub fn leontief_sweep(samples: u64) -> Prepared {
    let park = leontief_park();
    parkflow::model::validate(&park, "leontief48").unwrap_or_else(|e| panic!("{e}"));
    let sweep = Sweep {
        id: "leontief48".into(),
        scenario: None,
        park: None,
        samples,
        seed: 48,
        design: Design::MonteCarlo,
        params: vec![Param {
            path: "processes.*.demand".into(),
            dist: Dist::Uniform(50.0, 150.0),
            apply: Apply::Set,
            each: true,
        }],
    };
    sweep::prepare(sweep, park).unwrap_or_else(|e| panic!("{e:?}"))
}

fn bench_leontief(c: &mut Criterion) {
    let samples = 2000;
    let prep = leontief_sweep(samples);
    assert_eq!(
        prep.plan.schedule.leontief.len(),
        1,
        "one 48-process Leontief block"
    );
    let mut group = c.benchmark_group("leontief48");
    group.throughput(Throughput::Elements(samples));
    group.sample_size(10);
    group.bench_function("draw_and_solve_1_thread", |b| {
        b.iter(|| black_box(run_sweep(&prep, (0..samples).collect(), 1, &|| {}).unwrap()))
    });
    group.finish();
    // The numpy script prints the same checksum: total CO2 of sample 0.
    let table = run_sweep(&prep, vec![0], 1, &|| {}).unwrap();
    eprintln!("leontief48 sample 0: total co2 = {}", table.rows[SECTORS]);
}

fn config() -> Criterion {
    Criterion::default().without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_throughput, bench_leontief
}
criterion_main!(benches);
