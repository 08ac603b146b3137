//! Mass and element balances of each process, per unit of product, as
//! `check` reports them: the tonnes (or tonnes of an element) that go in
//! against those that come out as product, co-products, byproducts and
//! emissions, with the streams a process declares as unmodelled on either
//! side. Coefficients do not change over time, so one balance per process
//! holds for every year.

use std::collections::HashMap;

use super::{Keyed, Material, Park, Process, Stream};

/// One balance of one process, per unit of its product.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    /// Process id.
    pub process: String,
    /// `mass`, or the element (`N`, `S`, ...).
    pub what: String,
    /// Tonnes in: inputs and unmodelled inputs.
    pub inputs: f64,
    /// Tonnes out: product, outputs, emissions in tonnes (mass only) and
    /// unmodelled outputs.
    pub outputs: f64,
    /// The part of `inputs` in unmodelled streams.
    pub unmodelled_inputs: f64,
    /// The part of `outputs` in unmodelled streams.
    pub unmodelled_outputs: f64,
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

/// Whether `check` balances process `p`: it has inputs, modelled or not.
/// A process with none takes its feedstocks from outside the model.
pub fn is_balanced(p: &Process) -> bool {
    !p.inputs.is_empty() || !p.unmodelled_inputs.is_empty()
}

/// The park's materials by id.
fn materials(park: &Park) -> HashMap<&str, &Material> {
    park.materials.iter().map(|m| (m.id.as_str(), m)).collect()
}

/// Every material that enters or leaves `p`: inputs, product, outputs.
fn materials_of(p: &Process) -> impl Iterator<Item = &str> {
    (p.inputs.keys())
        .chain(std::iter::once(p.product.as_str()))
        .chain(p.outputs.keys())
}

/// Every unmodelled stream of `p`.
fn streams_of(p: &Process) -> impl Iterator<Item = &Stream> {
    (p.unmodelled_inputs.iter())
        .chain(p.unmodelled_outputs.iter())
        .map(|(_, s)| s)
}

/// The elements some material or stream of `p` has a composition for, in
/// the order they first appear.
fn elements_of<'a>(by_id: &HashMap<&str, &'a Material>, p: &'a Process) -> Vec<&'a str> {
    let compositions = materials_of(p)
        .filter_map(|m| by_id.get(m).map(|m| &m.composition))
        .chain(streams_of(p).map(|s| &s.composition));
    let mut elements: Vec<&str> = Vec::new();
    for c in compositions {
        for e in c.keys() {
            if !elements.contains(&e) {
                elements.push(e);
            }
        }
    }
    elements
}

/// Every balanced process's mass balance, and its balance of each element
/// that a material or stream entering or leaving it has a composition for.
pub fn balances(park: &Park) -> Vec<Balance> {
    let by_id = materials(park);
    let mut out = Vec::new();
    for p in park.processes.iter().filter(|p| is_balanced(p)) {
        out.push(side_totals(park, &by_id, p, None));
        for e in elements_of(&by_id, p) {
            out.push(side_totals(park, &by_id, p, Some(e)));
        }
    }
    out
}

/// One line per material that has no composition but enters or leaves a
/// balanced process with element balances: those balances leave it out.
pub fn composition_warnings(park: &Park) -> Vec<String> {
    let by_id = materials(park);
    // Per material without a composition: the processes and their elements.
    let mut missing: HashMap<&str, (Vec<&str>, Vec<&str>)> = HashMap::new();
    for p in park.processes.iter().filter(|p| is_balanced(p)) {
        let elements = elements_of(&by_id, p);
        if elements.is_empty() {
            continue;
        }
        for m in materials_of(p) {
            if by_id.get(m).is_some_and(|m| m.composition.is_empty()) {
                let (processes, seen) = missing.entry(m).or_default();
                if !processes.contains(&p.id.as_str()) {
                    processes.push(&p.id);
                }
                for e in &elements {
                    if !seen.contains(e) {
                        seen.push(e);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for m in &park.materials {
        let Some((processes, elements)) = missing.get(m.id.as_str()) else {
            continue;
        };
        let shown: Vec<String> = processes.iter().take(3).map(|p| format!("`{p}`")).collect();
        let more = match processes.len().saturating_sub(3) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        out.push(format!(
            "material `{}` has no composition, so the {} balances of {}{more} leave it out; give its mass fractions (0 where it has none)",
            m.id,
            elements.join(", "),
            shown.join(", ")
        ));
    }
    out
}

/// Tonnes (of `element`, or of everything) in and out per unit of product.
fn side_totals(
    park: &Park,
    by_id: &HashMap<&str, &Material>,
    p: &Process,
    element: Option<&str>,
) -> Balance {
    let share = |composition: &Keyed<f64>| match element {
        Some(e) => composition.get(e).copied().unwrap_or(0.0),
        None => 1.0,
    };
    let mut unconverted = Vec::new();
    let mut tonnes = |m: &str, amount: f64| -> f64 {
        let Some(mat) = by_id.get(m) else {
            return 0.0;
        };
        let Some(t) = mat.tonnes_per_unit() else {
            if !unconverted.iter().any(|u| u == m) {
                unconverted.push(m.to_string());
            }
            return 0.0;
        };
        amount * t * share(&mat.composition)
    };
    let modelled_in: f64 = p.inputs.iter().map(|(m, c)| tonnes(m, *c)).sum();
    let mut modelled_out = tonnes(&p.product, 1.0);
    modelled_out += p.outputs.iter().map(|(m, c)| tonnes(m, *c)).sum::<f64>();
    if element.is_none() {
        // Pollutants measured in tonnes leave the process too.
        modelled_out += p
            .emissions
            .iter()
            .filter(|(k, _)| park.pollutants.iter().any(|q| q.id == *k && q.unit == "t"))
            .map(|(_, c)| *c)
            .sum::<f64>();
    }
    let stream_tonnes = |streams: &Keyed<Stream>| -> f64 {
        streams
            .iter()
            .map(|(_, s)| s.tonnes * share(&s.composition))
            .sum()
    };
    let unmodelled_inputs = stream_tonnes(&p.unmodelled_inputs);
    let unmodelled_outputs = stream_tonnes(&p.unmodelled_outputs);
    Balance {
        process: p.id.clone(),
        what: element.unwrap_or("mass").to_string(),
        inputs: modelled_in + unmodelled_inputs,
        outputs: modelled_out + unmodelled_outputs,
        unmodelled_inputs,
        unmodelled_outputs,
        unconverted,
    }
}
