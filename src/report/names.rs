//! Names for ids: what pictures and the report call enterprises, processes,
//! materials and pollutants. English names from the park (Chinese ones where
//! the park has them and the font can draw them), else the ids.

use std::collections::HashMap;

use crate::model::{Kind, Park};

use super::RunResults;
use super::terms::Term;

/// Units of mass: a Product written in any other unit (energy such as
/// `MWh` or `GJ`, a gas volume such as `Nm3`) is a utility.
const MASS_UNITS: [&str; 5] = ["t", "kg", "kt", "Mt", "g"];

/// What the Sankey colours a material's ribbons by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaterialClass {
    /// A Product in a unit of mass.
    Product,
    /// A Byproduct, whatever its unit.
    Byproduct,
    /// An Effluent, whatever its unit.
    Effluent,
    /// A Product whose unit is not a unit of mass: energy (electricity,
    /// heat) or a gas volume (natural gas): what the park's units draw as
    /// utilities rather than as feedstock.
    Utility,
    /// A material the park does not describe.
    Unknown,
}

/// A material as pictures need it.
#[derive(Debug, Clone)]
pub struct MaterialInfo {
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Unit of amounts.
    pub unit: String,
    /// Tonnes per unit (1 for "t"); `None` when the park gives no conversion.
    pub t_per_unit: Option<f64>,
    /// Product, byproduct or effluent (`None` without a park).
    pub kind: Option<Kind>,
}

impl MaterialInfo {
    /// The material's class: its kind, with Products not in a unit of mass
    /// (`MASS_UNITS`) taken as utilities. Byproducts and Effluents keep
    /// their kind, as the linkage rates count by it.
    pub fn class(&self) -> MaterialClass {
        match self.kind {
            Some(Kind::Product) if !MASS_UNITS.contains(&self.unit.trim()) => {
                MaterialClass::Utility
            }
            Some(Kind::Product) => MaterialClass::Product,
            Some(Kind::Byproduct) => MaterialClass::Byproduct,
            Some(Kind::Effluent) => MaterialClass::Effluent,
            None => MaterialClass::Unknown,
        }
    }
}

/// Names and facts for ids.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Whether plots may use Chinese names.
    pub chinese: bool,
    /// Enterprise ids in park order (else first-seen order).
    pub enterprises: Vec<String>,
    enterprise_names: HashMap<String, (String, Option<String>)>,
    process_names: HashMap<String, (String, Option<String>)>,
    enterprise_of: HashMap<String, String>,
    process_order: HashMap<String, usize>,
    materials: HashMap<String, MaterialInfo>,
    pollutants: HashMap<String, (String, String)>,
}

impl Names {
    /// Names from `park` if known, else ids from the results.
    pub fn new(park: Option<&Park>, results: &RunResults, chinese: bool) -> Names {
        let mut n = Names {
            chinese,
            ..Names::default()
        };
        if let Some(park) = park {
            for e in &park.enterprises {
                n.enterprises.push(e.id.clone());
                n.enterprise_names
                    .insert(e.id.clone(), (e.name.clone(), e.name_zh.clone()));
            }
            for (i, p) in park.processes.iter().enumerate() {
                n.process_names
                    .insert(p.id.clone(), (p.name.clone(), p.name_zh.clone()));
                n.enterprise_of.insert(p.id.clone(), p.enterprise.clone());
                n.process_order.insert(p.id.clone(), i);
            }
            for m in &park.materials {
                n.materials.insert(
                    m.id.clone(),
                    MaterialInfo {
                        name: m.name.clone(),
                        name_zh: m.name_zh.clone(),
                        unit: m.unit.clone(),
                        t_per_unit: m.tonnes_per_unit(),
                        kind: Some(m.kind),
                    },
                );
            }
            for k in &park.pollutants {
                n.pollutants
                    .insert(k.id.clone(), (k.name.clone(), k.unit.clone()));
            }
        }
        for (i, (p, e)) in results.enterprise_of.iter().enumerate() {
            if !n.enterprises.contains(e) {
                n.enterprises.push(e.clone());
            }
            n.enterprise_of
                .entry(p.clone())
                .or_insert_with(|| e.clone());
            let next = n.process_order.len() + i;
            n.process_order.entry(p.clone()).or_insert(next);
        }
        n
    }

    fn pick(&self, id: &str, found: Option<&(String, Option<String>)>) -> String {
        match found {
            Some((_, Some(zh))) if self.chinese => zh.clone(),
            Some((en, _)) => en.clone(),
            None => id.to_string(),
        }
    }

    /// An enterprise's name for plots.
    pub fn enterprise(&self, id: &str) -> String {
        self.pick(id, self.enterprise_names.get(id))
    }

    /// A process's name for plots.
    pub fn process(&self, id: &str) -> String {
        self.pick(id, self.process_names.get(id))
    }

    /// A material's name for plots.
    pub fn material(&self, id: &str) -> String {
        match self.materials.get(id) {
            Some(MaterialInfo {
                name_zh: Some(zh), ..
            }) if self.chinese => zh.clone(),
            Some(m) => m.name.clone(),
            None => id.to_string(),
        }
    }

    /// English and Chinese names of an enterprise (for the report).
    pub fn enterprise_both(&self, id: &str) -> (String, Option<String>) {
        self.enterprise_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| (id.to_string(), None))
    }

    /// English and Chinese names of a process (for the report).
    pub fn process_both(&self, id: &str) -> (String, Option<String>) {
        self.process_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| (id.to_string(), None))
    }

    /// English and Chinese names of a material (for the report).
    pub fn material_both(&self, id: &str) -> (String, Option<String>) {
        self.materials
            .get(id)
            .map(|m| (m.name.clone(), m.name_zh.clone()))
            .unwrap_or_else(|| (id.to_string(), None))
    }

    /// A pollutant's display name (`SO2` for `so2`).
    pub fn pollutant(&self, id: &str) -> String {
        self.pollutants
            .get(id)
            .map_or_else(|| id.to_uppercase(), |(n, _)| n.clone())
    }

    /// A pollutant's unit (`t` when unknown).
    pub fn pollutant_unit(&self, id: &str) -> String {
        self.pollutants
            .get(id)
            .map_or_else(|| "t".to_string(), |(_, u)| u.clone())
    }

    /// The enterprise a process belongs to.
    pub fn enterprise_of(&self, process: &str) -> Option<&str> {
        self.enterprise_of.get(process).map(String::as_str)
    }

    /// A process's place in the park file (for stable ordering).
    pub fn process_rank(&self, process: &str) -> usize {
        self.process_order
            .get(process)
            .copied()
            .unwrap_or(usize::MAX)
    }

    /// A word of the pictures, in the pictures' language.
    pub fn term(&self, term: Term) -> &'static str {
        term.text(self.chinese)
    }

    /// A phrase of the pictures, in their language, with its blanks filled.
    pub fn fill(&self, term: Term, args: &[&dyn std::fmt::Display]) -> String {
        term.fill(self.chinese, args)
    }

    /// The class a material's ribbons are coloured by (`Unknown` without a
    /// park).
    pub fn material_class(&self, id: &str) -> MaterialClass {
        self.materials
            .get(id)
            .map_or(MaterialClass::Unknown, MaterialInfo::class)
    }

    /// A material's facts, if the park is known.
    pub fn material_info(&self, id: &str) -> Option<&MaterialInfo> {
        self.materials.get(id)
    }

    /// Tonnes per unit of a material. Without a park, every material is
    /// taken to be in tonnes; with one, `None` for a unit without conversion.
    pub fn t_per_unit(&self, id: &str) -> Option<f64> {
        if self.materials.is_empty() {
            return Some(1.0);
        }
        self.materials.get(id).and_then(|m| m.t_per_unit)
    }

    /// A label for an emission source from `emissions.csv` (`process`,
    /// `process/material` or `background`).
    pub fn emission_source(&self, kind: &str, source: &str) -> String {
        match kind {
            "background" => self.term(Term::BackgroundSource).to_string(),
            "disposal" => match source.split_once('/') {
                Some((p, m)) => {
                    self.fill(Term::DisposalSource, &[&self.process(p), &self.material(m)])
                }
                None => source.to_string(),
            },
            _ => self.process(source),
        }
    }
}
