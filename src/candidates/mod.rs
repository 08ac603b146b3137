//! Candidate links ranked (`parkflow links`): what each proposed link would
//! add to the judged linkage rate, to the tonnes the park disposes of, sells
//! and imports, and to each capped emission total, alone and as part of a
//! greedy portfolio.
//!
//! A candidate (`candidate: true`) is inactive unless enabled. Enabling one
//! only flips that flag on a copy of the park, so the copy needs no new
//! validation; it is compiled and run like any park. Evaluations of one round
//! run in parallel (rayon) and are collected in file order, so the ranking is
//! the same on any number of threads. When the park declares `economics`,
//! each candidate and each chosen set is also appraised in money
//! (`appraisal`). No I/O here: `cli::links` prints and writes the files.

mod appraisal;
mod sets;

use rayon::prelude::*;

use crate::engine::{Plan, StepView, Workspace, run};
use crate::error::Result;
use crate::indicators::Indicators;
use crate::model::{Kind, Park, Scope};

pub use appraisal::{Appraisal, Prices, appraise};
pub use sets::{CheapestSet, EXHAUSTIVE_MAX, FrontierPoint, Objective};

/// Below this a gain in the linkage objective counts as no gain (rounding).
const NO_GAIN: f64 = 1e-12;

/// The indicators a candidate is judged on, from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The judged linkage metric in each target year, in target order.
    pub linkage: Vec<f64>,
    /// The cap's scope total for each capped pollutant, in [`Ranking::caps`] order.
    pub caps: Vec<f64>,
    /// What crosses the park's boundary in each target year, in target order.
    pub boundary: Vec<Boundary>,
    /// The park's cash in each simulated year (*Prices*), CNY; empty when
    /// the park declares no `economics`.
    pub cash: Vec<f64>,
}

/// Tonnes that cross the park's boundary in a year: byproducts and effluents
/// disposed of and sold, and inputs imported. Materials without a tonnes
/// conversion are left out, as in the mass metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Boundary {
    /// Byproducts and effluents disposed of.
    pub disposed: f64,
    /// Byproducts and effluents sold (products, made to be sold, are not
    /// counted).
    pub sold: f64,
    /// Inputs imported from outside the park.
    pub imported: f64,
}

impl Boundary {
    /// Add one step's tonnes.
    fn observe(&mut self, view: &StepView) {
        let t = &view.plan.topology;
        let tonnes = &view.plan.params.tonnes;
        for (i, pool) in t.pools.iter().enumerate() {
            let m = pool.material as usize;
            if t.materials[m].kind == Kind::Product {
                continue;
            }
            let Some(per) = tonnes[m] else { continue };
            let b = view.pool(i);
            self.disposed += b.disposed * per;
            self.sold += b.sold * per;
        }
        for (i, slot) in t.slots.iter().enumerate() {
            if let Some(per) = tonnes[slot.material as usize] {
                self.imported += view.slot(i).imported * per;
            }
        }
    }

    fn minus(&self, other: &Boundary) -> Boundary {
        Boundary {
            disposed: self.disposed - other.disposed,
            sold: self.sold - other.sold,
            imported: self.imported - other.imported,
        }
    }
}

impl Outcome {
    /// The greedy objective: the judged linkage summed over the target years.
    pub fn objective(&self) -> f64 {
        self.linkage.iter().sum()
    }
}

/// One capped total: a cap year and a pollutant.
#[derive(Debug, Clone, PartialEq)]
pub struct CapColumn {
    /// Cap year.
    pub year: i32,
    /// Pollutant id.
    pub pollutant: String,
    /// City (park + background) or Park.
    pub scope: Scope,
    /// The limit.
    pub limit: f64,
}

/// One candidate link evaluated alone against the park as given.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateEffect {
    /// Position of the link in the park file.
    pub position: usize,
    /// Link id.
    pub link: String,
    /// Material carried.
    pub material: String,
    /// Source process.
    pub from: String,
    /// Sink process.
    pub to: String,
    /// Cost (CNY in the default park), if given.
    pub cost: Option<f64>,
    /// Change of the judged linkage in each target year.
    pub d_linkage: Vec<f64>,
    /// Change of each capped scope total (negative: lower emissions).
    pub d_caps: Vec<f64>,
    /// Change of the tonnes disposed, sold and imported in each target year.
    pub d_boundary: Vec<Boundary>,
    /// What the link earns; `None` when the park declares no `economics`.
    pub appraisal: Option<Appraisal>,
}

impl CandidateEffect {
    /// Gain in the greedy objective (linkage summed over target years).
    pub fn gain(&self) -> f64 {
        self.d_linkage.iter().sum()
    }

    /// Whether the candidate raises linkage but changes neither the tonnes
    /// disposed of nor any capped total in any year reported: it removes no
    /// waste and no emission, and only moves material into a link that the
    /// park sold, or that leaves it in another form. Changes below
    /// `UNCHANGED` of the base value (at least of 1 t) are rounding.
    pub fn only_moves(&self, base: &Outcome) -> bool {
        let same = |d: f64, of: f64| d.abs() <= UNCHANGED * of.abs().max(1.0);
        self.gain() > NO_GAIN
            && self
                .d_caps
                .iter()
                .zip(&base.caps)
                .all(|(&d, &v)| same(d, v))
            && (self.d_boundary.iter().zip(&base.boundary))
                .all(|(d, b)| same(d.disposed, b.disposed))
    }
}

/// The share of a base value below which a change counts as none.
const UNCHANGED: f64 = 1e-9;

/// One link added by the greedy portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioStep {
    /// 1-based order of choice.
    pub rank: usize,
    /// Link id.
    pub link: String,
    /// Its cost, if given.
    pub cost: Option<f64>,
    /// Cost of the links chosen so far; `None` once any of them has no cost.
    pub cumulative_cost: Option<f64>,
    /// Gain in the objective this link added on top of the earlier ones.
    pub gain: f64,
    /// The judged linkage in each target year with the links chosen so far.
    pub linkage: Vec<f64>,
    /// Whether every target is met with the links chosen so far.
    pub all_met: bool,
}

/// Why the greedy portfolio stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every target is met.
    TargetsMet,
    /// No remaining candidate raises the objective.
    NoGain,
    /// Every candidate was chosen.
    Exhausted,
    /// The park has no linkage targets, so nothing guides the choice.
    NoTargets,
}

/// The whole ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Target years and values, in the park's order.
    pub targets: Vec<(i32, f64)>,
    /// The capped totals reported, in the park's order.
    pub caps: Vec<CapColumn>,
    /// The park as given (no candidate enabled).
    pub base: Outcome,
    /// Every candidate alone, best first: by NPV when the park declares
    /// `economics`, else by gain per unit cost (per link when some candidate
    /// has no cost); ties by gain per cost, then in file order.
    pub candidates: Vec<CandidateEffect>,
    /// Whether the ranking divides by cost (every candidate has one).
    pub by_cost: bool,
    /// The greedy portfolio in the order chosen.
    pub portfolio: Vec<PortfolioStep>,
    /// Why the portfolio stopped.
    pub stop: Stop,
    /// Per target, the cheapest set of candidates that meets it (`None`: no
    /// set does), found by trying every subset; `None` when there are more
    /// than [`EXHAUSTIVE_MAX`] candidates.
    pub cheapest: Option<Vec<Option<CheapestSet>>>,
    /// The objective of the set search.
    pub objective: Objective,
    /// Per target, the set of largest NPV that meets it (`None`: no set
    /// does); searched only for [`Objective::Npv`] in a park with `economics`.
    pub largest_npv: Option<Vec<Option<CheapestSet>>>,
    /// Whether `largest_npv` tried every subset (else it was built greedily).
    pub exhaustive: bool,
    /// Sets of candidates on the cost against linkage plane: every subset
    /// when every one was tried, else none, each alone and the greedy
    /// portfolio's prefixes. Empty without targets or when some candidate
    /// has no cost.
    pub frontier: Vec<FrontierPoint>,
}

/// The judged linkage of a run in the last target year (0 without targets).
fn last_linkage(out: &Outcome) -> f64 {
    out.linkage.last().copied().unwrap_or(0.0)
}

/// Positions (in file order) of the park's candidate links.
pub fn candidate_links(park: &Park) -> Vec<usize> {
    park.links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.candidate)
        .map(|(i, _)| i)
        .collect()
}

/// The capped totals a ranking reports, one per cap year and pollutant.
pub fn cap_columns(plan: &Plan) -> Vec<CapColumn> {
    plan.params
        .caps
        .iter()
        .flat_map(|cap| {
            cap.limits.iter().map(move |&(k, limit)| CapColumn {
                year: cap.year,
                pollutant: plan.topology.pollutants[k].clone(),
                scope: cap.scope,
                limit,
            })
        })
        .collect()
}

/// A copy of `park` with the candidate links at `enabled` (file positions)
/// switched on, as a scenario's `Enable` does.
pub fn with_enabled(park: &Park, enabled: &[usize]) -> Park {
    let mut park = park.clone();
    for &i in enabled {
        park.links[i].candidate = false;
    }
    park
}

/// Run `park` with the candidate links at `enabled` (file positions) switched
/// on, and read the judged linkage per target year and each capped total.
pub fn evaluate(park: &Park, enabled: &[usize]) -> Result<Outcome> {
    let park = with_enabled(park, enabled);
    let plan = Plan::compile(&park);
    let mut ws = Workspace::new(&plan);
    let mut indicators = Indicators::new(&plan);
    let years: Vec<i32> = plan.params.targets.iter().map(|&(y, _)| y).collect();
    let mut boundary = vec![Boundary::default(); years.len()];
    let prices = park.economics.is_some().then(|| Prices::of(&park));
    let mut cash = vec![
        0.0;
        if prices.is_some() {
            park.time.years()
        } else {
            0
        }
    ];
    run(&plan, &mut ws, |view| {
        indicators.observe(view);
        if let Some(prices) = &prices {
            cash[(view.year() - park.time.start) as usize] += prices.step_cash(view);
        }
        // A year may carry more than one target; each gets the year's tonnes.
        for (b, _) in boundary
            .iter_mut()
            .zip(&years)
            .filter(|(_, y)| **y == view.year())
        {
            b.observe(view);
        }
    })?;
    indicators.finish();
    indicators.check(&plan)?;
    let at = |year: i32| indicators.years.iter().find(|y| y.year == year);
    let linkage = plan
        .params
        .targets
        .iter()
        .map(|&(year, _)| at(year).map_or(0.0, |y| y.linkage(plan.params.metric)))
        .collect();
    let caps = plan
        .params
        .caps
        .iter()
        .flat_map(|cap| {
            let year = at(cap.year);
            cap.limits
                .iter()
                .map(move |&(k, _)| year.map_or(0.0, |y| y.scoped(cap.scope, k)))
        })
        .collect();
    if let Some((year, what, value)) = boundary.iter().zip(&years).find_map(|(b, &y)| {
        [
            ("tonnes disposed of", b.disposed),
            ("tonnes sold", b.sold),
            ("tonnes imported", b.imported),
        ]
        .into_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(what, v)| (y, what, v))
    }) {
        return Err(crate::error::Error::NonFinite {
            year,
            what,
            item: "the park".to_string(),
            value,
        });
    }
    if let Some((i, &value)) = cash.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(crate::error::Error::NonFinite {
            year: park.time.start + i as i32,
            what: "the cash",
            item: "the park".to_string(),
            value,
        });
    }
    Ok(Outcome {
        linkage,
        caps,
        boundary,
        cash,
    })
}

/// Gain per unit cost, or per link when costs are not used. A free link with
/// a gain ranks above any link that costs something.
fn score(gain: f64, cost: Option<f64>, by_cost: bool) -> f64 {
    match cost {
        Some(c) if by_cost => {
            if c > 0.0 {
                gain / c
            } else if gain > NO_GAIN {
                f64::INFINITY
            } else {
                0.0
            }
        }
        _ => gain,
    }
}

/// Whether `a` ranks above `b` (scores, then gains); on a tie the earlier in
/// file order stays ahead, so callers scan in file order and replace only on
/// a strict win.
fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

fn targets_met(targets: &[(i32, f64)], linkage: &[f64]) -> bool {
    targets.iter().zip(linkage).all(|(&(_, t), &v)| v >= t)
}

/// Evaluate every candidate of `park` alone, then build the greedy portfolio
/// and the cheapest set meeting each target.
pub fn rank(park: &Park) -> Result<Ranking> {
    rank_with(park, Objective::Cost)
}

/// As [`rank`], and with [`Objective::Npv`] in a park that declares
/// `economics`, the set of largest NPV meeting each target as well.
pub fn rank_with(park: &Park, objective: Objective) -> Result<Ranking> {
    let positions = candidate_links(park);
    let plan = Plan::compile(park);
    let targets = plan.params.targets.clone();
    let caps = cap_columns(&plan);
    let by_cost = positions.iter().all(|&i| park.links[i].cost.is_some());
    let base = evaluate(park, &[])?;

    let alone: Vec<Outcome> = positions
        .par_iter()
        .map(|&i| evaluate(park, &[i]))
        .collect::<Result<_>>()?;
    let mut candidates: Vec<CandidateEffect> = positions
        .iter()
        .zip(&alone)
        .map(|(&i, out)| {
            let l = &park.links[i];
            let appraisal = match &park.economics {
                Some(e) => Some(appraise(park, e, &[i], &out.cash, &base.cash)?),
                None => None,
            };
            Ok(CandidateEffect {
                position: i,
                link: l.id.clone(),
                material: l.material.clone(),
                from: l.from.clone(),
                to: l.to.clone(),
                cost: l.cost,
                d_linkage: diff(&out.linkage, &base.linkage),
                d_caps: diff(&out.caps, &base.caps),
                d_boundary: (out.boundary.iter().zip(&base.boundary))
                    .map(|(a, b)| a.minus(b))
                    .collect(),
                appraisal,
            })
        })
        .collect::<Result<_>>()?;
    // A stable sort keeps file order among equals.
    candidates.sort_by(|a, b| {
        let key = |c: &CandidateEffect| {
            let npv = c.appraisal.as_ref().map_or(0.0, |a| a.npv);
            (npv, score(c.gain(), c.cost, by_cost), c.gain())
        };
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });

    let (portfolio, stop) = greedy(park, &positions, &targets, &base, &alone, by_cost)?;
    let search = sets::Search {
        park,
        positions: &positions,
        targets: &targets,
        base: &base,
    };
    let npv_wanted = objective == Objective::Npv && park.economics.is_some();
    let exhaustive = positions.len() <= EXHAUSTIVE_MAX;
    let (cheapest, largest_npv, frontier) = if exhaustive {
        let outcomes = sets::all_subsets(park, &positions)?;
        let largest = if npv_wanted {
            Some(search.largest_npv(&outcomes)?)
        } else {
            None
        };
        let points: Vec<(Vec<usize>, f64)> = (0u32..)
            .zip(&outcomes)
            .map(|(mask, out)| (sets::subset(&positions, mask), last_linkage(out)))
            .collect();
        (
            Some(search.cheapest(&outcomes, by_cost)?),
            largest,
            search.frontier(&points),
        )
    } else {
        let largest = if npv_wanted {
            Some(search.greedy_npv()?)
        } else {
            None
        };
        // The park as given, each candidate alone, and the greedy
        // portfolio's prefixes, whose runs the portfolio has kept.
        let mut points: Vec<(Vec<usize>, f64)> = vec![(Vec::new(), last_linkage(&base))];
        points.extend((positions.iter().zip(&alone)).map(|(&i, o)| (vec![i], last_linkage(o))));
        let chosen: Vec<usize> = (portfolio.iter())
            .filter_map(|p| {
                positions
                    .iter()
                    .copied()
                    .find(|&i| park.links[i].id == p.link)
            })
            .collect();
        points.extend(
            (portfolio.iter().enumerate().skip(1)).filter_map(|(k, step)| {
                let linkage = step.linkage.last().copied().unwrap_or(0.0);
                Some((chosen.get(..=k)?.to_vec(), linkage))
            }),
        );
        (None, largest, search.frontier(&points))
    };
    Ok(Ranking {
        targets,
        caps,
        base,
        candidates,
        by_cost,
        portfolio,
        stop,
        cheapest,
        objective,
        largest_npv,
        exhaustive,
        frontier: if by_cost { frontier } else { Vec::new() },
    })
}

/// Add candidates one at a time, each the best gain per unit cost on top of
/// those already chosen, until every target is met or nothing gains.
fn greedy(
    park: &Park,
    positions: &[usize],
    targets: &[(i32, f64)],
    base: &Outcome,
    alone: &[Outcome],
    by_cost: bool,
) -> Result<(Vec<PortfolioStep>, Stop)> {
    let mut portfolio = Vec::new();
    if targets.is_empty() {
        return Ok((portfolio, Stop::NoTargets));
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut remaining: Vec<usize> = positions.to_vec();
    let mut current = base.clone();
    // The first round is the evaluation alone, already done.
    let mut outcomes: Vec<Outcome> = alone.to_vec();
    let mut cumulative = Some(0.0);
    loop {
        if targets_met(targets, &current.linkage) {
            return Ok((portfolio, Stop::TargetsMet));
        }
        if remaining.is_empty() {
            return Ok((portfolio, Stop::Exhausted));
        }
        let mut best: Option<(usize, (f64, f64))> = None;
        for (j, out) in outcomes.iter().enumerate() {
            let gain = out.objective() - current.objective();
            if gain <= NO_GAIN {
                continue;
            }
            let key = (score(gain, park.links[remaining[j]].cost, by_cost), gain);
            if best.is_none_or(|(_, b)| better(key, b)) {
                best = Some((j, key));
            }
        }
        let Some((j, (_, gain))) = best else {
            return Ok((portfolio, Stop::NoGain));
        };
        let link = remaining.remove(j);
        current = outcomes.remove(j);
        chosen.push(link);
        let l = &park.links[link];
        cumulative = match (cumulative, l.cost) {
            (Some(sum), Some(c)) => Some(sum + c),
            _ => None,
        };
        portfolio.push(PortfolioStep {
            rank: portfolio.len() + 1,
            link: l.id.clone(),
            cost: l.cost,
            cumulative_cost: cumulative,
            gain,
            linkage: current.linkage.clone(),
            all_met: targets_met(targets, &current.linkage),
        });
        outcomes = remaining
            .par_iter()
            .map(|&i| {
                let mut enabled = chosen.clone();
                enabled.push(i);
                evaluate(park, &enabled)
            })
            .collect::<Result<_>>()?;
    }
}

fn diff(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}
