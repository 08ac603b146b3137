//! The end of building a synthetic park (part of `synthetic.rs`): its
//! storages, the park assembled, and the ids and materials it names.

use parkflow::model::{
    Cap, Enterprise, Fate, Keyed, Kind, Material, Metric, Number, Park, Pollutant, Scope, Series,
    Storage, Targets, Time,
};

use super::{Builder, EFFLUENTS, POLLUTANTS, RAW_MATERIALS};

impl Builder<'_> {
    /// Storages on the first byproduct pool of about 3% of processes.
    pub(super) fn storages(&mut self) -> Vec<Storage> {
        let mut storages = Vec::new();
        for (i, p) in self.processes.iter().enumerate() {
            let first = i == self.o.processes / 2 && self.o.processes >= 5;
            if first || self.rng.chance(0.03) {
                let (m, _) = &p.outputs.0[0];
                storages.push(Storage {
                    id: format!("s{}", storages.len()),
                    process: p.id.clone(),
                    material: m.clone(),
                    capacity: self.rng.magnitude(2, 4),
                    initial: 0.0,
                });
            }
        }
        storages
    }

    pub(super) fn finish(mut self, storages: Vec<Storage>) -> Park {
        let o = self.o;
        let end = o.start + o.years.max(1) as i32 - 1;
        let pollutants = POLLUTANTS
            .iter()
            .map(|(id, name)| Pollutant {
                id: id.to_string(),
                name: name.to_string(),
                unit: "t".into(),
                tax: None,
            })
            .collect();
        let mut materials = Vec::new();
        for r in 0..RAW_MATERIALS {
            materials.push(material(
                raw_id(r),
                format!("Raw material {r}"),
                Kind::Product,
            ));
        }
        for i in 0..o.processes {
            materials.push(material(
                product_id(i),
                format!("Product of process {i}"),
                Kind::Product,
            ));
        }
        for b in 0..self.byproducts {
            let mut m = material(byproduct_id(b), format!("Byproduct {b}"), Kind::Byproduct);
            if b % 5 == 4 {
                // A gas measured by volume, converted to tonnes for linkage.
                m.unit = "Nm3".into();
                m.t_per_unit = Some(0.0012);
            }
            m.fate = if b % 2 == 0 {
                Fate::Sell
            } else {
                let (k, _) = POLLUTANTS[self.rng.below(POLLUTANTS.len())];
                Fate::Dispose {
                    emissions: Keyed(vec![(k.to_string(), self.rng.range(1e-4, 1e-3))]),
                    cost: None,
                }
            };
            materials.push(m);
        }
        for (id, name, pollutants) in EFFLUENTS {
            let mut m = material(id.to_string(), name.to_string(), Kind::Effluent);
            m.fate = Fate::Dispose {
                emissions: Keyed(
                    pollutants
                        .iter()
                        .map(|&k| (POLLUTANTS[k].0.to_string(), self.rng.range(1e-5, 1e-3)))
                        .collect(),
                ),
                cost: None,
            };
            materials.push(m);
        }
        let enterprises = (0..self.enterprises())
            .map(|e| Enterprise {
                id: format!("e{e}"),
                name: format!("Enterprise {e}"),
                name_zh: None,
            })
            .collect();
        Park {
            id: format!("synthetic-{}-{}", o.processes, o.seed),
            name: format!(
                "Synthetic park of {} processes (seed {})",
                o.processes, o.seed
            ),
            name_zh: None,
            time: Time {
                start: o.start,
                end,
                steps_per_year: o.steps_per_year,
            },
            economics: None,
            pollutants,
            materials,
            enterprises,
            processes: self.processes,
            links: self.links,
            storages,
            background: Keyed(vec![("cod".into(), Series::Constant(1e4))]),
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
                limits: Keyed(vec![("cod".into(), 1e6), ("so2".into(), 1e6)]),
            }],
            sources: vec!["parkflow::synthetic (generated)".into()],
        }
    }
}

pub(super) fn material(id: String, name: String, kind: Kind) -> Material {
    Material {
        id,
        name,
        name_zh: None,
        unit: "t".into(),
        kind,
        t_per_unit: None,
        price: None,
        fate: Fate::default(),
        composition: Keyed::default(),
    }
}

pub(super) fn process_id(i: usize) -> String {
    format!("p{i}")
}

pub(super) fn product_id(i: usize) -> String {
    format!("prod{i}")
}

pub(super) fn byproduct_id(b: usize) -> String {
    format!("bp{b}")
}

pub(super) fn raw_id(r: usize) -> String {
    format!("raw{r}")
}
