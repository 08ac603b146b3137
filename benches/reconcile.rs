//! Time of `parkflow reconcile` against the size of the system
//! (docs/PERFORMANCE.md, "Reconciliation"): synthetic flow networks of 100
//! to 10,000 flows, four flows per process, 60 % of them measured at
//! 2 % and the rest unknown, with one nonlinear relation per 100 flows.
//!
//! `cargo bench --bench reconcile` runs every size; `RECONCILE_SIZES=10000`
//! runs only the sizes listed (comma-separated).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use parkflow::reconcile::{parse, reconcile};

/// A deterministic stream of uniforms in [0, 1) (SplitMix64).
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A reconciliation file of about `flows` flows: processes in a row, each
/// sending two flows to processes at most ten places on, true values that
/// balance (each process's surplus or deficit leaves or enters from `env`),
/// readings scattered by 2 %.
pub fn synthetic(flows: usize, seed: u64) -> String {
    // 2 (n − 1) edges and 2 n exchanges with the outside: about 4 n flows.
    let n = (flows / 4).max(2);
    let mut rng = Stream(seed);
    let mut edges: Vec<(usize, usize, f64)> = Vec::new();
    let mut net = vec![0.0_f64; n];
    for p in 0..n - 1 {
        for _ in 0..2 {
            let to = (p + 1 + (rng.next() * 10.0) as usize).min(n - 1);
            let v = 50.0 + 100.0 * rng.next();
            edges.push((p, to, v));
            net[p] -= v;
            net[to] += v;
        }
    }
    let mut s = String::from("Reconcile(id: \"synthetic\", processes: [");
    for p in 0..n {
        let _ = write!(s, "\"p{p}\",");
    }
    s.push_str("], flows: [\n");
    let mut measured_edges = Vec::new();
    let write_flow = |s: &mut String,
                      id: String,
                      from: String,
                      to: String,
                      v: f64,
                      rng: &mut Stream| {
        if rng.next() < 0.6 {
            let reading = v * (1.0 + 0.02 * (2.0 * rng.next() - 1.0));
            let _ = writeln!(
                s,
                "Flow(id: \"{id}\", from: \"{from}\", to: \"{to}\", value: {reading}, sd_rel: 0.02),"
            );
            true
        } else {
            let _ = writeln!(s, "Flow(id: \"{id}\", from: \"{from}\", to: \"{to}\"),");
            false
        }
    };
    for (k, &(from, to, v)) in edges.iter().enumerate() {
        if write_flow(
            &mut s,
            format!("e{k}"),
            format!("p{from}"),
            format!("p{to}"),
            v,
            &mut rng,
        ) {
            measured_edges.push(k);
        }
    }
    // Every process also exchanges with the outside: in its deficit plus
    // 20, out 20 plus its surplus.
    for (p, &d) in net.iter().enumerate() {
        let (inflow, outflow) = (20.0 + (-d).max(0.0), 20.0 + d.max(0.0));
        write_flow(
            &mut s,
            format!("i{p}"),
            "env".into(),
            format!("p{p}"),
            inflow,
            &mut rng,
        );
        write_flow(
            &mut s,
            format!("o{p}"),
            format!("p{p}"),
            "env".into(),
            outflow,
            &mut rng,
        );
    }
    s.push_str("], parameters: [");
    // One measured coefficient per 100 flows, the ratio of two measured
    // edges: a nonlinear relation, so the solver iterates.
    let mut relations = Vec::new();
    for (r, pair) in measured_edges.chunks(2).take(flows / 100).enumerate() {
        if let [a, b] = pair {
            let ratio = edges[*a].2 / edges[*b].2;
            let _ = write!(s, "Parameter(id: \"k{r}\", value: {ratio}, sd_rel: 0.05),");
            relations.push(format!("\"e{a} = k{r} * e{b}\""));
        }
    }
    let _ = write!(s, "], relations: [{}])", relations.join(","));
    s
}

fn sizes() -> Vec<usize> {
    std::env::var("RECONCILE_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 300, 1000, 3000, 10_000])
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for flows in sizes() {
        let text = synthetic(flows, 42);
        let start = std::time::Instant::now();
        let system = parse(&text, "synthetic").expect("the synthetic system is valid");
        let parsed = start.elapsed();
        let once = reconcile(&system).expect("the synthetic system reconciles");
        // One solve, timed before criterion's samples, with the system's
        // shape: what docs/PERFORMANCE.md reports.
        eprintln!(
            "reconcile/{flows}: {} quantities, {} equations, dof {}, {} linearisations; parse {:.3} s, one reconcile {:.3} s",
            system.quantities.len(),
            system.equations.len(),
            once.dof,
            once.iterations,
            parsed.as_secs_f64(),
            start.elapsed().as_secs_f64() - parsed.as_secs_f64()
        );
        group.bench_with_input(BenchmarkId::from_parameter(flows), &system, |b, s| {
            b.iter(|| black_box(reconcile(s).expect("the synthetic system reconciles")))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().without_plots()
}

criterion_group!(name = benches; config = config(); targets = bench);
criterion_main!(benches);
