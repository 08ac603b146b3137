//! A park as a reconciliation system for one simulated year
//! (docs/MODEL.md, "Reconciling a park"): its processes' activities, the
//! amounts their coefficients make, use and emit, its links, imports,
//! leftovers and stock changes become the quantities; every pool and input
//! slot balances, and every coefficient ties an amount to its process's
//! activity. Coefficients are constants, or carry the sd of the park's
//! declared `uncertainty`; the measurements of `measurements.rs` then
//! override whatever they name.

use std::collections::HashMap;

use super::expr::Expr;
use super::system::{Equation, Given, Kind, Quantity, System};
use crate::engine::{Mode, Plan, PoolFate};
use crate::model::{Apply, Park};
use crate::scenario::path::{self, Target};
use crate::sweep::bind::{PlanSlot, bind};

/// What one quantity of a park's system stands for in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A process's activity (product units a year).
    Activity(usize),
    /// What a process makes of an output material: pool index.
    Generated(usize),
    /// What a process uses of an input: slot index.
    Consumed(usize),
    /// What a process imports of an input: slot index.
    Imported(usize),
    /// What a link carries: link index.
    Carried(usize),
    /// What no link takes of a pool and no storage holds, sold or
    /// disposed by the pool's fate: pool index.
    Leftover(usize),
    /// The change of a storage's level over the year: storage index.
    StockChange(usize),
    /// A process emission after abatement: its place in the topology's
    /// emissions.
    Emitted(usize),
    /// An output coefficient: pool index.
    OutputCoeff(usize),
    /// An input coefficient: slot index.
    InputCoeff(usize),
    /// An emission factor: its place in the topology's emissions.
    EmissionCoeff(usize),
}

/// A park's year as a reconciliation system, with the role of every
/// quantity.
#[derive(Debug, Clone)]
pub struct ParkSystem {
    /// The quantities and equations.
    pub system: System,
    /// One role per quantity, in the system's order.
    pub roles: Vec<Role>,
    /// The simulated year reconciled.
    pub year: i32,
}

/// The suffix of a coefficient's id: `processes.<p>.outputs.<m>` is the
/// amount made a year, `processes.<p>.outputs.<m>.coefficient` the amount
/// per unit of product, which a scenario sets at `processes.<p>.outputs.<m>`.
pub const COEFFICIENT: &str = ".coefficient";

/// The system of `plan` (compiled from `park`) in `year`, every quantity
/// unknown or constant as the park gives it. `year` must be simulated.
pub fn park_system(park: &Park, plan: &Plan, year: i32) -> ParkSystem {
    let topo = &plan.topology;
    let params = &plan.params;
    let sds = declared_sds(park, plan);
    let mut b = Builder::default();
    let material = |m: u32| topo.materials[m as usize].id.as_str();

    for (p, process) in topo.processes.iter().enumerate() {
        let activity = b.add(
            format!("processes.{}.activity", process.id),
            Kind::Flow,
            Given::Unknown,
            Role::Activity(p),
        );
        for i in process.pools.clone() {
            let pool = &topo.pools[i];
            if i == process.pools.start {
                continue; // the product pool: what it makes is the activity
            }
            let id = format!(
                "processes.{}.outputs.{}",
                process.id,
                material(pool.material)
            );
            let amount = b.add(id.clone(), Kind::Flow, Given::Unknown, Role::Generated(i));
            let coeff = b.coefficient(id, params.pool_coeff[i], &sds, Role::OutputCoeff(i));
            b.product(amount, coeff, activity, 1.0);
        }
        let feed = match topo.modes[p] {
            Mode::Feed { slot, .. } => Some(slot as usize),
            _ => None,
        };
        for s in process.slots.clone() {
            let m = material(topo.slots[s].material);
            let id = format!("processes.{}.inputs.{m}", process.id);
            let amount = b.add(id.clone(), Kind::Flow, Given::Unknown, Role::Consumed(s));
            let coeff = b.coefficient(id, params.slot_coeff[s], &sds, Role::InputCoeff(s));
            b.product(amount, coeff, activity, 1.0);
            // A Feed process imports none of its feed (docs/MODEL.md, "One step").
            let import = if feed == Some(s) {
                Given::Constant(0.0)
            } else {
                Given::Unknown
            };
            b.add(
                format!("imports.{}.{m}", process.id),
                Kind::Flow,
                import,
                Role::Imported(s),
            );
        }
        for e in process.emissions.clone() {
            let k = &topo.pollutants[topo.emissions[e].pollutant as usize];
            let id = format!("processes.{}.emissions.{k}", process.id);
            let emitted = b.add(
                format!("emissions.{}.{k}", process.id),
                Kind::Flow,
                Given::Unknown,
                Role::Emitted(e),
            );
            let coeff = b.coefficient(id, params.emission_coeff[e], &sds, Role::EmissionCoeff(e));
            let kept = 1.0 - params.abatement[e].as_ref().map_or(0.0, |a| a.at(year));
            b.product(emitted, coeff, activity, kept);
        }
    }

    // The links active in the year, in file order, by the pool they take
    // from and the slot they deliver to.
    let mut from_pool = vec![Vec::new(); topo.pools.len()];
    let mut into_slot = vec![Vec::new(); topo.slots.len()];
    for l in plan.links_in_file_order() {
        if topo.link_enabled[l] && params.links[l].active(year) {
            let q = b.add(
                format!("links.{}.flow", topo.link_ids[l]),
                Kind::Flow,
                Given::Unknown,
                Role::Carried(l),
            );
            from_pool[topo.links[l].pool as usize].push((q, -1.0));
            into_slot[topo.links[l].slot as usize].push((q, -1.0));
        }
    }
    let mut stock_change = vec![None; topo.storages.len()];
    for (s, storage) in topo.storages.iter().enumerate() {
        stock_change[s] = Some(b.add(
            format!("stocks.{}", storage.id),
            Kind::Stock,
            Given::Unknown,
            Role::StockChange(s),
        ));
    }

    // Pool balances: made = carried away + leftover + stock change.
    for (i, pool) in topo.pools.iter().enumerate() {
        let process = &topo.processes[pool.process as usize];
        let m = material(pool.material);
        let fate = match pool.fate {
            PoolFate::Sell => "sold",
            PoolFate::Dispose => "disposed",
        };
        let leftover = b.add(
            format!("{fate}.{}.{m}", process.id),
            Kind::Flow,
            Given::Unknown,
            Role::Leftover(i),
        );
        let made = if i == process.pools.start {
            b.index(Role::Activity(pool.process as usize))
        } else {
            b.index(Role::Generated(i))
        };
        let mut terms = vec![(made, 1.0), (leftover, -1.0)];
        terms.extend_from_slice(&from_pool[i]);
        if let Some(s) = pool.storage() {
            terms.extend(stock_change[s].map(|q| (q, -1.0)));
        }
        b.equations.push(Equation::Balance {
            of: format!("the {m} of process `{}`", process.id),
            terms,
        });
    }
    // Slot balances: used = delivered by links + imported.
    for (s, slot) in topo.slots.iter().enumerate() {
        let process = &topo.processes[slot.process as usize];
        let m = material(slot.material);
        let mut terms = vec![
            (b.index(Role::Consumed(s)), 1.0),
            (b.index(Role::Imported(s)), -1.0),
        ];
        terms.extend_from_slice(&into_slot[s]);
        b.equations.push(Equation::Balance {
            of: format!("the {m} input of process `{}`", process.id),
            terms,
        });
    }

    ParkSystem {
        system: System {
            id: format!("{}-{year}", park.id),
            quantities: b.quantities,
            equations: b.equations,
        },
        roles: b.roles,
        year,
    }
}

/// The standard deviation the park's `uncertainty` declares for each
/// coefficient it names: a `Set` distribution's own, a `Scale`
/// distribution's times the coefficient. A coefficient named twice takes
/// the last.
fn declared_sds(park: &Park, plan: &Plan) -> HashMap<Role, f64> {
    let mut sds = HashMap::new();
    for param in &park.uncertainty {
        let Ok(targets) = path::resolve(park, &param.path) else {
            continue; // the park's validation has named it already
        };
        let sd = param.dist.sd();
        for target in targets
            .iter()
            .filter(|t| matches!(t, Target::ProcessCoeff(..)))
        {
            if let Ok(Some(slot)) = bind(park, plan, target) {
                let (role, base) = match slot {
                    PlanSlot::Input(s) => (Role::InputCoeff(s), plan.params.slot_coeff[s]),
                    PlanSlot::Output(i) => (Role::OutputCoeff(i), plan.params.pool_coeff[i]),
                    PlanSlot::Emission(e) => {
                        (Role::EmissionCoeff(e), plan.params.emission_coeff[e])
                    }
                    _ => continue,
                };
                let value = match param.apply {
                    Apply::Set => sd,
                    Apply::Scale => (base * sd).abs(),
                };
                sds.insert(role, value);
            }
        }
    }
    sds
}

/// Collects quantities, their roles and the equations.
#[derive(Default)]
struct Builder {
    quantities: Vec<Quantity>,
    roles: Vec<Role>,
    equations: Vec<Equation>,
    by_role: HashMap<Role, usize>,
}

impl Builder {
    fn add(&mut self, id: String, kind: Kind, given: Given, role: Role) -> usize {
        let q = self.quantities.len();
        self.quantities.push(Quantity { id, kind, given });
        self.roles.push(role);
        self.by_role.insert(role, q);
        q
    }

    /// A coefficient: measured at its value with the sd `sds` declares for
    /// its role, or a constant.
    fn coefficient(
        &mut self,
        amount_id: String,
        value: f64,
        sds: &HashMap<Role, f64>,
        role: Role,
    ) -> usize {
        let given = match sds.get(&role) {
            Some(&sd) if sd > 0.0 => Given::Measured { value, sd },
            _ => Given::Constant(value),
        };
        self.add(amount_id + COEFFICIENT, Kind::Parameter, given, role)
    }

    fn index(&self, role: Role) -> usize {
        self.by_role[&role]
    }

    /// The relation `amount = coeff · activity · factor`.
    fn product(&mut self, amount: usize, coeff: usize, activity: usize, factor: f64) {
        let text = format!(
            "{} = {} * {}{}",
            self.quantities[amount].id,
            self.quantities[coeff].id,
            self.quantities[activity].id,
            if factor == 1.0 {
                String::new()
            } else {
                format!(" * {factor}")
            }
        );
        let mut rhs = Expr::Mul(Box::new(Expr::Var(coeff)), Box::new(Expr::Var(activity)));
        if factor != 1.0 {
            rhs = Expr::Mul(Box::new(rhs), Box::new(Expr::Num(factor)));
        }
        self.equations.push(Equation::Relation {
            text,
            expr: Expr::Sub(Box::new(Expr::Var(amount)), Box::new(rhs)),
        });
    }
}
