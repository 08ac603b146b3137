//! Sets of candidates chosen per target (docs/MODEL.md, "Candidate links"):
//! the cheapest set that meets it, the set of largest NPV that meets it, and
//! the points of the cost against linkage frontier. Every subset is tried up
//! to [`EXHAUSTIVE_MAX`] candidates; above, the largest-NPV set is built
//! greedily and the cheapest set is not searched.

use rayon::prelude::*;

use super::appraisal::{Appraisal, appraise};
use super::{NO_GAIN, Outcome, evaluate};
use crate::error::Result;
use crate::model::Park;

/// Up to this many candidates, every subset is tried to find the cheapest
/// set, and the set of largest NPV, meeting each target (2^12 = 4,096 runs).
pub const EXHAUSTIVE_MAX: usize = 12;

/// What the set search optimises (`parkflow links --objective`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Objective {
    /// The least capital cost, then the fewest links.
    #[default]
    Cost,
    /// The largest net present value (the park must declare `economics`).
    Npv,
}

/// A set of candidates chosen for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct CheapestSet {
    /// Link ids, in file order.
    pub links: Vec<String>,
    /// Total cost; `None` when costs are not used (then the set is the one
    /// with fewest links).
    pub cost: Option<f64>,
    /// The judged linkage in each target year with the set enabled.
    pub linkage: Vec<f64>,
    /// What the set earns, from a run with the whole set enabled; `None`
    /// when the park declares no `economics`.
    pub appraisal: Option<Appraisal>,
}

/// One set of candidates on the cost against linkage plane.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    /// Link ids, in file order.
    pub links: Vec<String>,
    /// Capital cost of the set.
    pub cost: f64,
    /// The judged linkage in the last target year with the set enabled.
    pub linkage: f64,
    /// Whether no other set reaches at least this linkage for at most this
    /// cost (one of the two strictly).
    pub efficient: bool,
}

/// The file positions of the candidates in subset `mask` of `positions`.
pub(super) fn subset(positions: &[usize], mask: u32) -> Vec<usize> {
    (0..positions.len())
        .filter(|b| mask & (1 << b) != 0)
        .map(|b| positions[b])
        .collect()
}

/// Every subset of the candidates run, indexed by bit mask.
pub(super) fn all_subsets(park: &Park, positions: &[usize]) -> Result<Vec<Outcome>> {
    let masks: Vec<u32> = (0..1u32 << positions.len()).collect();
    masks
        .par_iter()
        .map(|&m| evaluate(park, &subset(positions, m)))
        .collect()
}

/// The search's view of a park: its candidates, targets and base run.
pub(super) struct Search<'a> {
    pub park: &'a Park,
    pub positions: &'a [usize],
    pub targets: &'a [(i32, f64)],
    pub base: &'a Outcome,
}

impl Search<'_> {
    fn cost(&self, set: &[usize]) -> f64 {
        set.iter()
            .map(|&i| self.park.links[i].cost.unwrap_or(0.0))
            .sum()
    }

    fn appraisal(&self, set: &[usize], out: &Outcome) -> Result<Option<Appraisal>> {
        let Some(economics) = &self.park.economics else {
            return Ok(None);
        };
        appraise(self.park, economics, set, &out.cash, &self.base.cash).map(Some)
    }

    fn chosen(&self, set: &[usize], out: &Outcome, by_cost: bool) -> Result<CheapestSet> {
        Ok(CheapestSet {
            links: set.iter().map(|&i| self.park.links[i].id.clone()).collect(),
            cost: by_cost.then(|| self.cost(set)),
            linkage: out.linkage.clone(),
            appraisal: self.appraisal(set, out)?,
        })
    }

    /// Per target, the cheapest subset that meets it (least cost, then fewest
    /// links, then the lowest bit mask, so the earliest links in the file win
    /// ties). Without costs, fewest links.
    pub fn cheapest(
        &self,
        outcomes: &[Outcome],
        by_cost: bool,
    ) -> Result<Vec<Option<CheapestSet>>> {
        let costs: Vec<f64> = (0u32..)
            .zip(outcomes)
            .map(|(mask, _)| {
                if by_cost {
                    self.cost(&subset(self.positions, mask))
                } else {
                    0.0
                }
            })
            .collect();
        self.best_per_target(outcomes, &costs, by_cost)
    }

    /// Per target, the subset of largest NPV that meets it (then fewest
    /// links, then the lowest bit mask).
    pub fn largest_npv(&self, outcomes: &[Outcome]) -> Result<Vec<Option<CheapestSet>>> {
        let less_npv: Vec<f64> = (0u32..)
            .zip(outcomes)
            .map(|(mask, out)| {
                let set = subset(self.positions, mask);
                Ok(-self.appraisal(&set, out)?.map_or(0.0, |a| a.npv))
            })
            .collect::<Result<_>>()?;
        self.best_per_target(outcomes, &less_npv, true)
    }

    /// Per target, the subset (by bit mask) that meets it with the least
    /// `key`, then the fewest links, then the lowest mask.
    fn best_per_target(
        &self,
        outcomes: &[Outcome],
        key: &[f64],
        by_cost: bool,
    ) -> Result<Vec<Option<CheapestSet>>> {
        let mut best = Vec::with_capacity(self.targets.len());
        for (t, &(_, target)) in self.targets.iter().enumerate() {
            let mut pick: Option<(f64, u32, u32)> = None;
            for ((mask, out), &k) in (0u32..).zip(outcomes).zip(key) {
                if out.linkage[t] < target {
                    continue;
                }
                let this = (k, mask.count_ones(), mask);
                if pick.is_none_or(|p| this.0 < p.0 || (this.0 == p.0 && this.1 < p.1)) {
                    pick = Some(this);
                }
            }
            best.push(match pick {
                Some((_, _, mask)) => Some(self.chosen(
                    &subset(self.positions, mask),
                    &outcomes[mask as usize],
                    by_cost,
                )?),
                None => None,
            });
        }
        Ok(best)
    }

    /// Per target, a set of large NPV built greedily, for parks with more
    /// than [`EXHAUSTIVE_MAX`] candidates. While the target is unmet, add the
    /// candidate of largest set NPV among those that raise the target year's
    /// linkage; once it is met, add the candidate that raises the set NPV
    /// most while keeping it met; stop when none does (or, unmet, when no
    /// candidate raises the linkage: no set found).
    pub fn greedy_npv(&self) -> Result<Vec<Option<CheapestSet>>> {
        let mut best = Vec::with_capacity(self.targets.len());
        for (t, &(_, target)) in self.targets.iter().enumerate() {
            let mut set: Vec<usize> = Vec::new();
            let mut current = (self.base.clone(), 0.0);
            let mut remaining = self.positions.to_vec();
            let found = loop {
                let met = current.0.linkage[t] >= target;
                let tried: Vec<(Outcome, f64)> = remaining
                    .par_iter()
                    .map(|&i| {
                        let mut with: Vec<usize> = set.clone();
                        with.push(i);
                        with.sort_unstable();
                        let out = evaluate(self.park, &with)?;
                        let npv = self.appraisal(&with, &out)?.map_or(0.0, |a| a.npv);
                        Ok((out, npv))
                    })
                    .collect::<Result<_>>()?;
                let mut pick: Option<usize> = None;
                for (j, (out, npv)) in tried.iter().enumerate() {
                    let eligible = if met {
                        out.linkage[t] >= target && *npv > current.1
                    } else {
                        out.linkage[t] > current.0.linkage[t] + NO_GAIN
                    };
                    if eligible && pick.is_none_or(|p| *npv > tried[p].1) {
                        pick = Some(j);
                    }
                }
                match pick {
                    Some(j) => {
                        set.push(remaining.remove(j));
                        set.sort_unstable();
                        current = tried.into_iter().nth(j).expect("picked from tried");
                    }
                    None => break met,
                }
            };
            best.push(if found {
                Some(self.chosen(&set, &current.0, true)?)
            } else {
                None
            });
        }
        Ok(best)
    }

    /// The cost against linkage points of `sets` (file positions, each with
    /// the judged linkage of the last target year it reaches), the efficient
    /// ones marked. Empty without targets.
    pub fn frontier(&self, sets: &[(Vec<usize>, f64)]) -> Vec<FrontierPoint> {
        if self.targets.is_empty() {
            return Vec::new();
        }
        let mut points: Vec<FrontierPoint> = sets
            .iter()
            .map(|(set, linkage)| FrontierPoint {
                links: set.iter().map(|&i| self.park.links[i].id.clone()).collect(),
                cost: self.cost(set),
                linkage: *linkage,
                efficient: false,
            })
            .collect();
        points.sort_by(|a, b| {
            (a.cost, -a.linkage)
                .partial_cmp(&(b.cost, -b.linkage))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut reached = f64::NEG_INFINITY;
        for p in &mut points {
            if p.linkage > reached + NO_GAIN {
                p.efficient = true;
                reached = p.linkage;
            }
        }
        points
    }
}
