//! Mass and element balances of each process, per unit of product, as
//! `check` reports them: the tonnes (or tonnes of an element) that go in
//! against those that come out as product, co-products, byproducts and
//! emissions. Coefficients do not change over time, so one balance per
//! process holds for every year.

use super::{Park, Process};

/// One balance of one process, per unit of its product.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    /// Process id.
    pub process: String,
    /// `mass`, or the element (`N`, `S`, ...).
    pub what: String,
    /// Tonnes in (inputs).
    pub inputs: f64,
    /// Tonnes out (product, outputs, emissions in tonnes).
    pub outputs: f64,
    /// Materials left out for want of a tonnes conversion.
    pub unconverted: Vec<String>,
}

impl Balance {
    /// |in − out| ÷ the larger side (0 when both are 0).
    pub fn relative_gap(&self) -> f64 {
        let scale = self.inputs.abs().max(self.outputs.abs());
        if scale > 0.0 {
            (self.inputs - self.outputs).abs() / scale
        } else {
            0.0
        }
    }
}

/// Every process's mass balance, and its balance of each element that has a
/// composition on both sides. Processes with no inputs are not balanced:
/// their feedstocks are outside the model.
pub fn balances(park: &Park) -> Vec<Balance> {
    let mut out = Vec::new();
    for p in &park.processes {
        if p.inputs.is_empty() {
            continue;
        }
        out.push(side_totals(park, p, None));
        let mut elements: Vec<&str> = Vec::new();
        let has = |m: &str, e: &str| material(park, m).is_some_and(|m| m.composition.contains(e));
        for m in park.materials.iter() {
            for (e, _) in m.composition.iter() {
                if !elements.contains(&e) {
                    elements.push(e);
                }
            }
        }
        for e in elements {
            let enters = p.inputs.keys().any(|m| has(m, e));
            let leaves = has(&p.product, e) || p.outputs.keys().any(|m| has(m, e));
            if enters && leaves {
                out.push(side_totals(park, p, Some(e)));
            }
        }
    }
    out
}

fn material<'a>(park: &'a Park, id: &str) -> Option<&'a super::Material> {
    park.materials.iter().find(|m| m.id == id)
}

/// Tonnes (of `element`, or of everything) in and out per unit of product.
fn side_totals(park: &Park, p: &Process, element: Option<&str>) -> Balance {
    let mut unconverted = Vec::new();
    let mut tonnes = |m: &str, amount: f64| -> f64 {
        let Some(mat) = material(park, m) else {
            return 0.0;
        };
        let Some(t) = mat.tonnes_per_unit() else {
            if !unconverted.iter().any(|u| u == m) {
                unconverted.push(m.to_string());
            }
            return 0.0;
        };
        let share = match element {
            Some(e) => mat.composition.get(e).copied().unwrap_or(0.0),
            None => 1.0,
        };
        amount * t * share
    };
    let inputs: f64 = p.inputs.iter().map(|(m, c)| tonnes(m, *c)).sum();
    let mut outputs = tonnes(&p.product, 1.0);
    outputs += p.outputs.iter().map(|(m, c)| tonnes(m, *c)).sum::<f64>();
    if element.is_none() {
        // Pollutants measured in tonnes leave the process too.
        outputs += p
            .emissions
            .iter()
            .filter(|(k, _)| park.pollutants.iter().any(|q| q.id == *k && q.unit == "t"))
            .map(|(_, c)| *c)
            .sum::<f64>();
    }
    Balance {
        process: p.id.clone(),
        what: element.unwrap_or("mass").to_string(),
        inputs,
        outputs,
        unconverted,
    }
}
