//! What a candidate link, or a set of them, costs and earns
//! (docs/MODEL.md, "Candidate links", *Money*): the park's cash in each
//! simulated year, a set's net cash against the park as given, its NPV and
//! its payback.

use crate::engine::{LinkParams, StepView};
use crate::error::{Error, Result};
use crate::model::{Economics, Fate, Park};

/// The park's money per unit, read once from the park: what it earns or
/// pays per unit of each material sold, imported or disposed of, and per
/// unit of each pollutant it emits. Missing amounts count 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// CNY per unit of each material, in the park's material order.
    price: Vec<f64>,
    /// CNY per unit disposed of each material.
    disposal: Vec<f64>,
    /// CNY per unit of each pollutant the park emits.
    tax: Vec<f64>,
}

impl Prices {
    /// The amounts `park` declares.
    pub fn of(park: &Park) -> Prices {
        let money = |m: Option<crate::model::Money>| m.map_or(0.0, |m| m.0);
        Prices {
            price: park.materials.iter().map(|m| money(m.price)).collect(),
            disposal: (park.materials.iter())
                .map(|m| match &m.fate {
                    Fate::Dispose { cost, .. } => money(*cost),
                    Fate::Sell => 0.0,
                })
                .collect(),
            tax: park.pollutants.iter().map(|p| money(p.tax)).collect(),
        }
    }

    /// The park's cash in one step: sales revenue − import cost − disposal
    /// cost − tax on the park's own emissions (processes and disposal; the
    /// background is not the park's).
    pub fn step_cash(&self, view: &StepView) -> f64 {
        let t = &view.plan.topology;
        let mut cash = 0.0;
        for (i, pool) in t.pools.iter().enumerate() {
            let m = pool.material as usize;
            if self.price[m] != 0.0 || self.disposal[m] != 0.0 {
                let b = view.pool(i);
                cash += b.sold * self.price[m] - b.disposed * self.disposal[m];
            }
        }
        for (i, slot) in t.slots.iter().enumerate() {
            let m = slot.material as usize;
            if self.price[m] != 0.0 {
                cash -= view.slot(i).imported * self.price[m];
            }
        }
        for (amount, tax) in view.park_emissions().iter().zip(&self.tax) {
            cash -= amount * tax;
        }
        cash
    }
}

/// What a set of candidate links earns over its appraisal.
#[derive(Debug, Clone, PartialEq)]
pub struct Appraisal {
    /// The calendar year of `cash[0]`: the first simulated year.
    pub start: i32,
    /// Net cash in each simulated year, CNY: the park's cash with the set
    /// minus without it, minus the opex of the set's links active that year.
    pub cash: Vec<f64>,
    /// Net present value, CNY.
    pub npv: f64,
    /// Years until the undiscounted cash sums to the capital cost: 0 when the
    /// set costs nothing, `None` when no year of the lifetime reaches it.
    pub payback: Option<u32>,
}

/// A link's first active year among the simulated ones, if any.
fn first_active(park: &Park, link: usize) -> Option<i32> {
    let years = LinkParams::of(&park.links[link]);
    let first = years.start.max(park.time.start);
    (first <= years.end.min(park.time.end)).then_some(first)
}

/// Appraise the candidates at `enabled` (file positions) from the park's
/// cash per simulated year with them (`with`) and without (`without`).
///
/// NPV = −capital + Σ_{t=1..L} cash_{s+t−1} ÷ (1+R)^t, with s the first
/// active year of the set's earliest link; years past the simulated ones
/// repeat the last one's cash. A link's capital is spent in its own first
/// active year, discounted to s; a link active in no simulated year earns
/// nothing and its capital counts in full.
pub fn appraise(
    park: &Park,
    economics: &Economics,
    enabled: &[usize],
    with: &[f64],
    without: &[f64],
) -> Result<Appraisal> {
    let start = park.time.start;
    let cash: Vec<f64> = (with.iter().zip(without).enumerate())
        .map(|(i, (a, b))| {
            let year = start + i as i32;
            let opex: f64 = (enabled.iter())
                .filter(|&&l| LinkParams::of(&park.links[l]).active(year))
                .map(|&l| park.links[l].opex.map_or(0.0, |m| m.0))
                .sum();
            a - b - opex
        })
        .collect();
    let cost = |l: usize| park.links[l].cost.unwrap_or(0.0);
    let total_cost: f64 = enabled.iter().map(|&l| cost(l)).sum();
    let growth = 1.0 + economics.discount_rate;
    let Some(s) = enabled.iter().filter_map(|&l| first_active(park, l)).min() else {
        return Ok(Appraisal {
            start,
            cash,
            npv: -total_cost,
            payback: (total_cost == 0.0).then_some(0),
        });
    };
    let capital: f64 = (enabled.iter())
        .map(|&l| match first_active(park, l) {
            Some(first) => cost(l) / growth.powi(first - s),
            None => cost(l),
        })
        .sum();
    let mut npv = -capital;
    let mut earned = 0.0;
    let mut payback = (total_cost == 0.0).then_some(0);
    let last = cash.len().saturating_sub(1);
    for t in 1..=economics.lifetime {
        let year = (s - start) as usize + t as usize - 1;
        let c = cash.get(year.min(last)).copied().unwrap_or(0.0);
        npv += c / growth.powi(t as i32);
        earned += c;
        if payback.is_none() && earned >= total_cost {
            payback = Some(t);
        }
    }
    // A discount rate near −1 over a long lifetime can overflow.
    if !npv.is_finite() {
        let links: Vec<&str> = enabled.iter().map(|&l| park.links[l].id.as_str()).collect();
        return Err(Error::NonFinite {
            year: s,
            what: "the net present value",
            item: links.join(" + "),
            value: npv,
        });
    }
    Ok(Appraisal {
        start,
        cash,
        npv,
        payback,
    })
}
