//! Properties of every run of every valid park, over random parks.

mod common;

use parkflow::Error;
use parkflow::engine::{Plan, PoolBalance, SlotBalance, StepView, Workspace, run, run_years};
use parkflow::indicators::Indicators;
use parkflow::model::*;
use parkflow::output::simulate;
use proptest::prelude::*;

/// Reads numbers from proptest's genes, so a failing park shrinks.
struct Genes<'a>(&'a [u32], usize);

impl Genes<'_> {
    fn next(&mut self) -> u32 {
        let v = self.0[self.1 % self.0.len()];
        self.1 += 1;
        v
    }
    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n.max(1)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 < percent
    }
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() as f64 / u32::MAX as f64)
    }
}

const MATERIALS: [(&str, Kind, &str); 6] = [
    ("p0", Kind::Product, "t"),
    ("p1", Kind::Product, "t"),
    ("sold", Kind::Byproduct, "t"),
    ("waste", Kind::Byproduct, "t"),
    ("gas", Kind::Byproduct, "Nm3"),
    ("water", Kind::Effluent, "t"),
];

fn keyed<V>(entries: Vec<(String, V)>) -> Keyed<V> {
    Keyed(entries)
}

fn series(g: &mut Genes, lo: f64, hi: f64, start: i32, end: i32) -> Series {
    if g.chance(60) {
        Series::Constant(g.float(lo, hi))
    } else {
        let mut year = start - 1 + g.below(3) as i32;
        let mut steps = Vec::new();
        for _ in 0..1 + g.below(3) {
            steps.push((year, g.float(lo, hi)));
            year += 1 + g.below((end - start + 1) as usize) as i32;
        }
        Series::Steps(steps)
    }
}

fn random_park(genes: &[u32]) -> Park {
    let g = &mut Genes(genes, 0);
    let start = 2012;
    let end = start + g.below(4) as i32;
    let materials = MATERIALS
        .iter()
        .map(|(id, kind, unit)| Material {
            id: id.to_string(),
            name: id.to_string(),
            name_zh: None,
            unit: unit.to_string(),
            kind: *kind,
            t_per_unit: (*unit != "t").then_some(0.0005),
            price: None,
            fate: if *id == "sold" {
                Fate::Sell
            } else {
                Fate::Dispose {
                    emissions: keyed(vec![("cod".into(), 0.01)]),
                    cost: None,
                }
            },
            composition: Keyed::default(),
        })
        .collect();
    let n = 1 + g.below(7);
    let mut processes = Vec::new();
    for i in 0..n {
        let product = g.below(MATERIALS.len());
        let mut outputs = Vec::new();
        let mut inputs = Vec::new();
        for (m, (id, _, _)) in MATERIALS.iter().enumerate() {
            if m != product && g.chance(35) {
                outputs.push((id.to_string(), g.float(0.0, 2.0)));
            }
            if g.chance(35) {
                inputs.push((id.to_string(), g.float(0.01, 1.5)));
            }
        }
        let mode = match g.below(3) {
            0 => Mode::Fixed,
            1 if !inputs.is_empty() => Mode::Feed(inputs[g.below(inputs.len())].0.clone()),
            _ => Mode::Demand,
        };
        let needs_capacity = mode != Mode::Demand || g.chance(50);
        processes.push(Process {
            id: format!("proc{i}"),
            enterprise: format!("e{}", g.below(3)),
            name: format!("Process {i}"),
            name_zh: None,
            product: MATERIALS[product].0.to_string(),
            capacity: needs_capacity.then(|| series(g, 0.0, 1000.0, start, end)),
            utilization: g.chance(50).then(|| series(g, 0.0, 1.0, start, end)),
            demand: (mode == Mode::Demand && g.chance(70))
                .then(|| series(g, 0.0, 500.0, start, end)),
            mode,
            inputs: keyed(inputs),
            outputs: keyed(outputs),
            emissions: keyed(vec![("so2".into(), g.float(0.0, 0.01))]),
            abatement: keyed(vec![("so2".into(), series(g, 0.0, 1.0, start, end))]),
            unmodelled_inputs: Keyed::default(),
            unmodelled_outputs: Keyed::default(),
            source: None,
        });
    }
    let mut links = Vec::new();
    for i in 0..g.below(3 * n + 1) {
        let (from, to) = (g.below(n), g.below(n));
        let made: Vec<String> = std::iter::once(processes[from].product.clone())
            .chain(processes[from].outputs.keys().map(String::from))
            .filter(|m| processes[to].inputs.contains(m))
            .collect();
        if made.is_empty() {
            continue;
        }
        let link_start = g.chance(30).then(|| start + g.below(3) as i32);
        links.push(Link {
            id: format!("link{i}"),
            from: processes[from].id.clone(),
            to: processes[to].id.clone(),
            material: made[g.below(made.len())].clone(),
            start: link_start,
            end: (g.chance(20)).then(|| link_start.unwrap_or(start) + g.below(3) as i32),
            max_rate: g.chance(30).then(|| g.float(0.0, 800.0)),
            priority: g.below(3) as i32,
            candidate: g.chance(10),
            cost: None,
            opex: None,
            source: None,
        });
    }
    let mut storages = Vec::new();
    for (i, p) in processes.iter().enumerate() {
        if g.chance(25) {
            let capacity = g.float(0.0, 300.0);
            storages.push(Storage {
                id: format!("tank{i}"),
                process: p.id.clone(),
                material: p.product.clone(),
                capacity,
                initial: g.float(0.0, capacity),
            });
        }
    }
    Park {
        id: "random".into(),
        name: "Random park".into(),
        name_zh: None,
        time: Time {
            start,
            end,
            steps_per_year: 1 + g.below(4) as u32,
        },
        economics: None,
        pollutants: ["cod", "so2"]
            .iter()
            .map(|k| Pollutant {
                id: k.to_string(),
                name: k.to_string(),
                unit: "t".into(),
                tax: None,
            })
            .collect(),
        materials,
        enterprises: (0..3)
            .map(|e| Enterprise {
                id: format!("e{e}"),
                name: format!("E{e}"),
                name_zh: None,
            })
            .collect(),
        processes,
        links,
        storages,
        background: keyed(vec![("cod".into(), Series::Constant(50.0))]),
        targets: Some(Targets {
            metric: Metric::Mass,
            baseline: None,
            linkage: vec![(end, Number(0.5))],
        }),
        permits: vec![],
        uncertainty: vec![],
        caps: vec![Cap {
            year: end,
            scope: Scope::City,
            limits: keyed(vec![("cod".into(), 100.0), ("so2".into(), 1.0)]),
        }],
        sources: Vec::new(),
    }
}

/// One step as observed: year, step, and what the step solved.
type Observed = (
    i32,
    u32,
    Vec<f64>,
    Vec<f64>,
    Vec<PoolBalance>,
    Vec<SlotBalance>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
);

fn observed(v: &StepView) -> Observed {
    (
        v.year(),
        v.step(),
        v.activity().to_vec(),
        v.flow().to_vec(),
        v.pools().collect::<Vec<_>>(),
        v.slots().collect::<Vec<_>>(),
        v.park_emissions().to_vec(),
        v.background().to_vec(),
        v.level().to_vec(),
    )
}

/// The steps [`run_years`] observes.
fn steps_of(plan: &Plan, ws: &mut Workspace, years: &[i32]) -> Vec<Observed> {
    let mut steps = Vec::new();
    run_years(plan, ws, years, |v| steps.push(observed(v))).unwrap();
    steps
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn every_run_of_a_valid_park_conserves_mass_and_stays_finite(genes in prop::collection::vec(any::<u32>(), 64..256)) {
        let park = random_park(&genes);
        validate(&park, "random").unwrap_or_else(|e| panic!("the generator made an invalid park: {e}"));
        let plan = Plan::compile(&park);
        match simulate(&plan) {
            Ok(sim) => {
                common::assert_conserves_mass(&plan, &sim);
                for s in &sim.steps {
                    prop_assert!(s.activity.iter().chain(&s.flow).all(|v| v.is_finite() && *v >= 0.0));
                    prop_assert!(s.pools.iter().flatten().chain(s.slots.iter().flatten()).all(|v| v.is_finite()));
                    for (p, x) in s.activity.iter().enumerate() {
                        prop_assert!(*x <= s.capacity[p] * plan.params.operating[p].utilization.at(s.year).max(1.0) + 1e-9 * x.abs().max(1.0));
                    }
                }
                for y in &sim.years {
                    prop_assert!((0.0..=1.0).contains(&y.linkage_mass));
                    prop_assert!((0.0..=1.0).contains(&y.linkage_product));
                    // Byproducts are among the products and byproducts made.
                    prop_assert!(y.byproduct_t <= y.made_t * (1.0 + 1e-12));
                    prop_assert!((0.0..=1.0).contains(&y.linkage_enterprise));
                    prop_assert!(y.park.iter().chain(&y.background).all(|v| v.is_finite() && *v >= 0.0));
                }
                // A second run gives the same bits.
                let again = simulate(&plan).unwrap();
                prop_assert_eq!(&sim, &again);
                // Solving every step gives the bits of reusing steady steps.
                let record = |reuse: bool| {
                    let mut ws = Workspace::new(&plan);
                    ws.set_reuse_steady_steps(reuse);
                    let mut steps = Vec::new();
                    run(&plan, &mut ws, |v| steps.push(observed(v))).unwrap();
                    steps
                };
                prop_assert_eq!(record(true), record(false));
                // So do the indicators, which add a steady step's tonnes
                // and carrying links from the step before.
                let indicators = |reuse: bool| {
                    let mut ws = Workspace::new(&plan);
                    ws.set_reuse_steady_steps(reuse);
                    let mut ind = Indicators::new(&plan);
                    run(&plan, &mut ws, |v| ind.observe(v)).unwrap();
                    ind.finish();
                    ind.years
                };
                prop_assert_eq!(indicators(true), indicators(false));
                // Each year reads only what changes in it, yet sees every
                // series and link as read afresh.
                let mut ws = Workspace::new(&plan);
                let mut read = Vec::new();
                run(&plan, &mut ws, |v| {
                    let y = v.year();
                    for (p, proc_) in plan.params.operating.iter().enumerate() {
                        let cap = proc_.capacity.as_ref().map_or(f64::INFINITY, |s| s.at(y));
                        read.push((v.capacity()[p].to_bits(), cap.to_bits()));
                    }
                    for (l, years) in plan.params.links.iter().enumerate() {
                        let enabled = plan.topology.link_enabled[l];
                        let active = enabled && years.start <= y && y <= years.end;
                        read.push((u64::from(v.link_active()[l]), u64::from(active)));
                    }
                    for (k, series) in plan.params.background.iter().enumerate() {
                        read.push((v.background()[k].to_bits(), (series.at(y) * v.dt()).to_bits()));
                    }
                })
                .unwrap();
                prop_assert!(read.iter().all(|(got, want)| got == want));
                // Running some years only gives their steps bit for bit (every
                // year up to the last asked for when a storage carries levels),
                // on a fresh workspace and on one that ran other years before.
                let every: Vec<i32> = (plan.topology.start..=plan.topology.end).collect();
                let full = steps_of(&plan, &mut Workspace::new(&plan), &every);
                let mut ws = Workspace::new(&plan);
                let mut ind = Indicators::new(&plan);
                for mask in [genes[0], genes[1], genes[0] ^ genes[1]] {
                    let years: Vec<i32> = every
                        .iter()
                        .copied()
                        .filter(|y| mask >> (y - plan.topology.start) & 1 == 1)
                        .collect();
                    let last = years.last().copied().unwrap_or(plan.topology.start - 1);
                    let wanted = |y: i32| {
                        if plan.topology.storages.is_empty() { years.contains(&y) } else { y <= last }
                    };
                    let expected: Vec<_> = full.iter().filter(|s| wanted(s.0)).cloned().collect();
                    prop_assert_eq!(&steps_of(&plan, &mut ws, &years), &expected);
                    ind.clear();
                    run_years(&plan, &mut ws, &years, |v| ind.observe(v)).unwrap();
                    ind.finish();
                    let expected: Vec<_> = sim.years.iter().filter(|y| wanted(y.year)).cloned().collect();
                    prop_assert_eq!(&ind.years, &expected);
                }
                // Years in any order, and years outside the range.
                let (first, last) = (plan.topology.start, plan.topology.end);
                let asked = [last, plan.topology.start - 1, first, last + 1, last];
                let expected: Vec<_> = if plan.topology.storages.is_empty() {
                    [last, first, last]
                        .iter()
                        .flat_map(|&y| full.iter().filter(move |s| s.0 == y))
                        .cloned()
                        .collect()
                } else {
                    full.clone()
                };
                prop_assert_eq!(&steps_of(&plan, &mut ws, &asked), &expected);
                // So does a reused workspace, run twice.
                let mut ws = Workspace::new(&plan);
                let mut ind = Indicators::new(&plan);
                for _ in 0..2 {
                    ind.clear();
                    run(&plan, &mut ws, |v| ind.observe(v)).unwrap();
                    ind.finish();
                    prop_assert_eq!(&ind.years, &sim.years);
                }
            }
            Err(Error::Leontief { processes, .. } | Error::NotConverged { processes, .. }) => {
                prop_assert!(!processes.is_empty());
            }
            Err(e) => prop_assert!(false, "unexpected error: {e}"),
        }
    }
}
