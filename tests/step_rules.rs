//! One test per rule of docs/MODEL.md, "One step", each against a hand-computed expectation.

mod common;
#[path = "step_rules/cycles.rs"]
mod cycles;
#[path = "step_rules/product.rs"]
mod product;

use common::*;

/// A park with a fixed cast of materials and enterprises; the test supplies
/// processes, links and anything else (storages, background, caps, targets).
fn park(time: &str, processes: &str, links: &str, rest: &str) -> String {
    format!(
        r#"Park(
    id: "rules", name: "Rules",
    time: {time},
    pollutants: [Pollutant(id: "cod", name: "COD", unit: "t"), Pollutant(id: "so2", name: "SO2", unit: "t")],
    materials: [
        Material(id: "a", name: "A", unit: "t", kind: Product),
        Material(id: "b", name: "B", unit: "t", kind: Product),
        Material(id: "c", name: "C", unit: "t", kind: Product),
        Material(id: "slag", name: "Slag", unit: "t", kind: Byproduct, fate: Sell),
        Material(id: "acid", name: "Acid", unit: "t", kind: Byproduct, fate: Dispose(emissions: {{"cod": 0.1}})),
        Material(id: "gas", name: "Gas", unit: "Nm3", kind: Byproduct, t_per_unit: 0.0005),
        Material(id: "water", name: "Wastewater", unit: "t", kind: Effluent, fate: Dispose(emissions: {{"cod": 0.002}})),
    ],
    enterprises: [Enterprise(id: "e1", name: "E1"), Enterprise(id: "e2", name: "E2"), Enterprise(id: "e3", name: "E3")],
    processes: [{processes}],
    links: [{links}],
    {rest}
)"#
    )
}

const ONE_YEAR: &str = "Time(start: 2012, end: 2012)";

/// The processes and links of the linkage tests: `src` (e1) makes 100 of
/// product a and 100 each of slag, acid and wastewater, and 1000 Nm3 of gas;
/// slag, wastewater and product a go to `other` (e2), acid to `same` (e1).
const FOUR_KINDS: (&str, &str) = (
    r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100,
                   outputs: {"slag": 1, "acid": 1, "water": 1, "gas": 10}),
           Process(id: "other", enterprise: "e2", name: "O", product: "b", mode: Fixed, capacity: 60,
                   inputs: {"slag": 1, "water": 1, "a": 1}),
           Process(id: "same", enterprise: "e1", name: "S2", product: "c", mode: Fixed, capacity: 40, inputs: {"acid": 1}),
           Process(id: "idle", enterprise: "e3", name: "I", product: "c", mode: Fixed, capacity: 0)"#,
    r#"Link(id: "slag", from: "src", to: "other", material: "slag"),
           Link(id: "acid", from: "src", to: "same", material: "acid"),
           Link(id: "water", from: "src", to: "other", material: "water"),
           Link(id: "prod", from: "src", to: "other", material: "a")"#,
);

#[test]
fn a_fixed_process_runs_at_capacity_times_utilization_per_step() {
    let (plan, sim) = sim(&park(
        "Time(start: 2012, end: 2012, steps_per_year: 4)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 1000, utilization: 0.8)"#,
        "",
        "",
    ));
    let p = process(&plan, "p");
    assert_eq!(sim.steps.len(), 4);
    for s in &sim.steps {
        close(s.activity[p], 1000.0 * 0.8 / 4.0);
        close(s.capacity[p], 250.0);
    }
}

#[test]
fn a_plant_has_no_capacity_before_its_first_step_year() {
    let (plan, sim) = sim(&park(
        "Time(start: 2013, end: 2015)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: [(2014, 300), (2015, 450)])"#,
        "",
        "",
    ));
    let p = process(&plan, "p");
    let x: Vec<f64> = sim.steps.iter().map(|s| s.activity[p]).collect();
    assert_eq!(x, [0.0, 300.0, 450.0]);
}

#[test]
fn a_feed_process_runs_on_what_links_deliver_up_to_capacity_and_imports_none_of_its_feed() {
    // src makes 100 acid; sink needs 2 acid per unit, capacity 40 → request 80.
    // Flow = min(100, 80) = 80; x = min(40, 80 / 2) = 40. Its other input b is
    // requested at 0.5 · 40 = 20 and all imported; acid is never imported.
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"acid": 1}),
           Process(id: "sink", enterprise: "e2", name: "K", product: "c", mode: Feed("acid"), capacity: 40, inputs: {"acid": 2, "b": 0.5})"#,
        r#"Link(id: "l", from: "src", to: "sink", material: "acid")"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.flow[link(&plan, "l")], 80.0);
    close(s.activity[process(&plan, "sink")], 40.0);
    let acid = slot(&plan, "sink", "acid");
    assert_eq!(s.slots[acid], [80.0, 80.0, 0.0]);
    let b = slot(&plan, "sink", "b");
    assert_eq!(s.slots[b], [20.0, 0.0, 20.0]);
    // Short supply: with 30 acid delivered the sink runs at 15 and still imports no acid.
    let (plan, sim) = common::sim(&park(
        ONE_YEAR,
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 30, outputs: {"acid": 1}),
           Process(id: "sink", enterprise: "e2", name: "K", product: "c", mode: Feed("acid"), capacity: 40, inputs: {"acid": 2})"#,
        r#"Link(id: "l", from: "src", to: "sink", material: "acid")"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.activity[process(&plan, "sink")], 15.0);
    assert_eq!(s.slots[slot(&plan, "sink", "acid")], [80.0, 30.0, 0.0]);
}

#[test]
fn a_demand_process_meets_final_demand_plus_what_its_product_links_request() {
    // user (Fixed, 100/yr) needs 0.3 b per unit: requests 30 b from maker.
    // maker: final demand 50 + 30 linked = 80, under its capacity of 500.
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "maker", enterprise: "e1", name: "M", product: "b", mode: Demand, capacity: 500, demand: 50),
           Process(id: "user", enterprise: "e2", name: "U", product: "c", mode: Fixed, capacity: 100, inputs: {"b": 0.3})"#,
        r#"Link(id: "l", from: "maker", to: "user", material: "b")"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.activity[process(&plan, "maker")], 80.0);
    close(s.flow[link(&plan, "l")], 30.0);
    // The product left after the link is sold: the final demand.
    close(s.pools[pool(&plan, "maker", "b")][4], 50.0);
}

#[test]
fn a_demand_process_is_bounded_by_its_capacity_and_the_rest_is_imported() {
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "maker", enterprise: "e1", name: "M", product: "b", mode: Demand, capacity: 20, demand: 50),
           Process(id: "user", enterprise: "e2", name: "U", product: "c", mode: Fixed, capacity: 100, inputs: {"b": 0.3})"#,
        r#"Link(id: "l", from: "maker", to: "user", material: "b")"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.activity[process(&plan, "maker")], 20.0);
    close(s.flow[link(&plan, "l")], 20.0);
    assert_eq!(s.slots[slot(&plan, "user", "b")], [30.0, 20.0, 10.0]);
}

#[test]
fn links_are_served_by_priority_then_file_order() {
    // 100 slag for two sinks requesting 70 each. The second link in the file
    // has the lower priority number, so it is served first and gets 70; the
    // other gets the remaining 30. A third link of equal priority to the
    // first but later in the file gets nothing.
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"slag": 1}),
           Process(id: "k1", enterprise: "e2", name: "K1", product: "b", mode: Fixed, capacity: 70, inputs: {"slag": 1}),
           Process(id: "k2", enterprise: "e3", name: "K2", product: "c", mode: Fixed, capacity: 70, inputs: {"slag": 1}),
           Process(id: "k3", enterprise: "e3", name: "K3", product: "b", mode: Fixed, capacity: 70, inputs: {"slag": 1})"#,
        r#"Link(id: "to_k1", from: "src", to: "k1", material: "slag", priority: 1),
           Link(id: "to_k2", from: "src", to: "k2", material: "slag", priority: 0),
           Link(id: "to_k3", from: "src", to: "k3", material: "slag", priority: 1)"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.flow[link(&plan, "to_k2")], 70.0);
    close(s.flow[link(&plan, "to_k1")], 30.0);
    close(s.flow[link(&plan, "to_k3")], 0.0);
    // What a sink is not delivered it imports.
    assert_eq!(s.slots[slot(&plan, "k1", "slag")][2], 40.0);
}

#[test]
fn a_sink_served_by_two_links_takes_from_the_second_only_what_the_first_left() {
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "s1", enterprise: "e1", name: "S1", product: "a", mode: Fixed, capacity: 30, outputs: {"slag": 1}),
           Process(id: "s2", enterprise: "e2", name: "S2", product: "a", mode: Fixed, capacity: 100, outputs: {"slag": 1}),
           Process(id: "k", enterprise: "e3", name: "K", product: "b", mode: Fixed, capacity: 50, inputs: {"slag": 1})"#,
        r#"Link(id: "first", from: "s1", to: "k", material: "slag"),
           Link(id: "second", from: "s2", to: "k", material: "slag")"#,
        "",
    ));
    let s = &sim.steps[0];
    close(s.flow[link(&plan, "first")], 30.0);
    close(s.flow[link(&plan, "second")], 20.0);
    // s2's 80 t left is sold (fate Sell).
    close(s.pools[pool(&plan, "s2", "slag")][4], 80.0);
}

#[test]
fn max_rate_is_per_year_and_scaled_to_the_step() {
    let (plan, sim) = sim(&park(
        "Time(start: 2012, end: 2012, steps_per_year: 12)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 1200, outputs: {"slag": 1}),
           Process(id: "k", enterprise: "e2", name: "K", product: "b", mode: Fixed, capacity: 1200, inputs: {"slag": 1})"#,
        r#"Link(id: "l", from: "src", to: "k", material: "slag", max_rate: 600)"#,
        "",
    ));
    for s in &sim.steps {
        close(s.flow[link(&plan, "l")], 50.0);
    }
}

#[test]
fn a_link_carries_only_in_its_active_years_and_a_candidate_never_unless_enabled() {
    let (plan, sim) = sim(&park(
        "Time(start: 2012, end: 2016)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 10, outputs: {"slag": 1}),
           Process(id: "k", enterprise: "e2", name: "K", product: "b", mode: Fixed, capacity: 10, inputs: {"slag": 1}),
           Process(id: "k2", enterprise: "e3", name: "K2", product: "c", mode: Fixed, capacity: 10, inputs: {"slag": 1})"#,
        r#"Link(id: "l", from: "src", to: "k", material: "slag", start: 2014, end: 2015),
           Link(id: "cand", from: "src", to: "k2", material: "slag", candidate: true)"#,
        "",
    ));
    let l = link(&plan, "l");
    let flows: Vec<f64> = sim.steps.iter().map(|s| s.flow[l]).collect();
    assert_eq!(flows, [0.0, 0.0, 10.0, 10.0, 0.0]);
    let c = link(&plan, "cand");
    assert!(sim.steps.iter().all(|s| !s.active[c] && s.flow[c] == 0.0));
}

#[test]
fn storage_takes_what_links_leave_up_to_capacity_and_carries_it_to_the_next_step() {
    // 100 acid a year, a sink for 60 from 2013 on, a tank of 30 holding 10 at the start.
    // 2012: pool 100 + 10 = 110, no link: tank 30 (net +20), 80 disposed, COD 8.
    // 2013: pool 100 + 30 = 130, link 60, tank 30 (net 0), 40 disposed, COD 4.
    let (plan, sim) = sim(&park(
        "Time(start: 2012, end: 2013)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"acid": 1}),
           Process(id: "k", enterprise: "e2", name: "K", product: "b", mode: Fixed, capacity: 60, inputs: {"acid": 1})"#,
        r#"Link(id: "l", from: "src", to: "k", material: "acid", start: 2013)"#,
        r#"storages: [Storage(id: "tank", process: "src", material: "acid", capacity: 30, initial: 10)],"#,
    ));
    let acid = pool(&plan, "src", "acid");
    let [g, inter, _, stored, sold, disposed] = sim.steps[0].pools[acid];
    assert_eq!(
        (g, inter, stored, sold, disposed),
        (100.0, 0.0, 20.0, 0.0, 80.0)
    );
    let [g, inter, _, stored, _, disposed] = sim.steps[1].pools[acid];
    assert_eq!((g, inter, stored, disposed), (100.0, 60.0, 0.0, 40.0));
    close(sim.years[0].park[0], 8.0);
    close(sim.years[1].park[0], 4.0);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn storage_is_drawn_down_when_links_take_more_than_is_generated() {
    // The source stops in 2013; the tank's 30 feeds the sink that year.
    let (plan, sim) = sim(&park(
        "Time(start: 2012, end: 2013)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: [(2012, 100), (2013, 0)], outputs: {"acid": 1}),
           Process(id: "k", enterprise: "e2", name: "K", product: "b", mode: Fixed, capacity: 50, inputs: {"acid": 1})"#,
        r#"Link(id: "l", from: "src", to: "k", material: "acid")"#,
        r#"storages: [Storage(id: "tank", process: "src", material: "acid", capacity: 30)],"#,
    ));
    let acid = pool(&plan, "src", "acid");
    assert_eq!(
        sim.steps[0].pools[acid],
        [100.0, 50.0, 0.0, 30.0, 0.0, 20.0]
    );
    assert_eq!(sim.steps[1].pools[acid], [0.0, 30.0, 0.0, -30.0, 0.0, 0.0]);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn unlinked_byproducts_meet_their_fate_and_unlinked_products_are_sold() {
    // 10 units: 20 slag (Sell), 30 acid (Dispose, COD 0.1/t), 40 wastewater (Effluent, COD 0.002/t).
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 10,
                   outputs: {"slag": 2, "acid": 3, "water": 4})"#,
        "",
        "",
    ));
    let s = &sim.steps[0];
    assert_eq!(s.pools[pool(&plan, "p", "a")][4], 10.0);
    assert_eq!(s.pools[pool(&plan, "p", "slag")][4], 20.0);
    assert_eq!(s.pools[pool(&plan, "p", "slag")][5], 0.0);
    assert_eq!(s.pools[pool(&plan, "p", "acid")][5], 30.0);
    assert_eq!(s.pools[pool(&plan, "p", "water")][5], 40.0);
    close(sim.years[0].park[0], 30.0 * 0.1 + 40.0 * 0.002);
}

#[test]
fn emissions_are_abated_and_background_counts_only_toward_city_caps() {
    // SO2: 1000 units × 0.002 × (1 − 0.75) = 0.5 t park; background 10 t.
    // Park cap 0.4 exceeded by 0.1; a City cap of 11 met with margin 0.5.
    let text = |scope: &str, limit: f64| {
        park(
            "Time(start: 2012, end: 2013)",
            r#"Process(id: "boiler", enterprise: "e1", name: "B", product: "a", mode: Fixed, capacity: 1000,
                       emissions: {"so2": 0.002}, abatement: {"so2": [(2012, 0.0), (2013, 0.75)]})"#,
            "",
            &format!(
                r#"background: {{"so2": 10}}, caps: [Cap(year: 2013, scope: {scope}, limits: {{"so2": {limit}}})],"#
            ),
        )
    };
    let (_, sim) = sim(&text("Park", 0.4));
    close(sim.years[0].park[1], 2.0);
    close(sim.years[1].park[1], 0.5);
    close(sim.years[1].total(1), 10.5);
    let cap = &sim.judgement.caps[0];
    assert!(!cap.met);
    close(cap.value, 0.5);
    close(cap.margin, -0.1);
    let (_, sim) = common::sim(&text("City", 11.0));
    let cap = &sim.judgement.caps[0];
    assert!(cap.met);
    close(cap.value, 10.5);
    close(cap.margin, 0.5);
}

#[test]
fn background_is_spread_over_the_steps_of_a_year() {
    let (_, sim) = sim(&park(
        "Time(start: 2012, end: 2012, steps_per_year: 4)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 1)"#,
        "",
        r#"background: {"cod": 100},"#,
    ));
    close(sim.years[0].background[0], 100.0);
    close(sim.emissions[0].background[0], 100.0);
}
