//! The rules of docs/MODEL.md, "One step", for cycles (Leontief blocks and iterated cycles)
//! and for the linkage rates, each against a hand-computed expectation.
//! Part of the `step_rules` test binary, whose helpers it uses.

use super::*;

#[test]
fn a_cycle_of_unbounded_demand_processes_is_solved_as_a_leontief_system() {
    let text = std::fs::read_to_string("flows/examples/miller_blair.ron").unwrap();
    let (plan, sim) = sim(&text);
    assert_eq!(plan.schedule.leontief.len(), 1);
    let s = &sim.steps[0];
    // x = (I − A)⁻¹ f, A = [[.15, .25], [.2, .05]], f = (600, 1500).
    let det = 0.85 * 0.95 - 0.25 * 0.2;
    close(s.activity[0], (0.95 * 600.0 + 0.25 * 1500.0) / det);
    close(s.activity[1], (0.2 * 600.0 + 0.85 * 1500.0) / det);
    assert!((s.activity[0] - 1247.52).abs() < 0.005);
    assert!((s.activity[1] - 1841.58).abs() < 0.005);
    // Each link carries its coefficient times its sink's activity.
    close(s.flow[link(&plan, "g1_s2")], 0.25 * s.activity[1]);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn a_non_productive_leontief_block_fails_naming_its_processes() {
    let text = std::fs::read_to_string("flows/examples/miller_blair.ron")
        .unwrap()
        .replace(
            r#""good1": 0.25, "good2": 0.05"#,
            r#""good1": 1.5, "good2": 0.05"#,
        )
        .replace(
            r#""good1": 0.15, "good2": 0.20"#,
            r#""good1": 0.15, "good2": 1.2"#,
        );
    let err = sim_err(&text);
    assert!(err.contains("not productive"), "{err}");
    assert!(err.contains("`s1`") && err.contains("`s2`"), "{err}");
}

#[test]
fn a_singular_leontief_block_fails_naming_its_processes() {
    // A = [[0, 1], [1, 0]]: I − A is singular.
    let text = std::fs::read_to_string("flows/examples/miller_blair.ron")
        .unwrap()
        .replace(r#""good1": 0.25, "good2": 0.05"#, r#""good1": 1"#)
        .replace(r#""good1": 0.15, "good2": 0.20"#, r#""good2": 1"#)
        .replace(
            r#"Link(id: "g1_s1", from: "s1", to: "s1", material: "good1"),"#,
            "",
        )
        .replace(
            r#"Link(id: "g2_s2", from: "s2", to: "s2", material: "good2"),"#,
            "",
        );
    let err = sim_err(&text);
    assert!(err.contains("singular"), "{err}");
    assert!(err.contains("`s1`, `s2`"), "{err}");
}

#[test]
fn a_cycle_through_feed_processes_is_iterated_to_its_fixed_point() {
    // p runs on b (0.1 per unit, capacity 100: request 10) and makes 0.5 gas
    // per unit; q runs on gas (capacity 80) and makes b, its product. A
    // fixed source s supplies 5 b first. From x = 0: p = 50, gas 25, q = 25,
    // 25 b of which p takes the 5 it still lacks, so p = 100, gas 50,
    // q = 50, 5 b taken, 45 sold: the fixed point is p = 100, q = 50.
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "s", enterprise: "e3", name: "S", product: "b", mode: Fixed, capacity: 5),
           Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Feed("b"), capacity: 100,
                   inputs: {"b": 0.1}, outputs: {"gas": 0.5}),
           Process(id: "q", enterprise: "e2", name: "Q", product: "b", mode: Feed("gas"), capacity: 80,
                   inputs: {"gas": 1})"#,
        r#"Link(id: "first", from: "s", to: "p", material: "b"),
           Link(id: "gas", from: "p", to: "q", material: "gas", priority: 1),
           Link(id: "back", from: "q", to: "p", material: "b", priority: 1)"#,
        "",
    ));
    assert_eq!(plan.schedule.cycles.len(), 1);
    let s = &sim.steps[0];
    close(s.activity[process(&plan, "p")], 100.0);
    close(s.activity[process(&plan, "q")], 50.0);
    close(s.flow[link(&plan, "back")], 5.0);
    close(s.pools[pool(&plan, "q", "b")][4], 45.0);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn a_capacity_bounded_demand_cycle_is_iterated_and_respects_capacity() {
    // Two Demand processes supplying each other (a: 0.5 b per unit, b: 0.5 a
    // per unit) with final demand 10 each; unbounded the solution is 20 each,
    // but `x` is capped at 15, so y = 10 + 0.5 · 15 = 17.5 ≤ its capacity 100.
    let (plan, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "x", enterprise: "e1", name: "X", product: "a", mode: Demand, capacity: 15, demand: 10, inputs: {"b": 0.5}),
           Process(id: "y", enterprise: "e2", name: "Y", product: "b", mode: Demand, capacity: 100, demand: 10, inputs: {"a": 0.5})"#,
        r#"Link(id: "ab", from: "x", to: "y", material: "a"), Link(id: "ba", from: "y", to: "x", material: "b")"#,
        "",
    ));
    assert_eq!(plan.schedule.leontief.len(), 0);
    let s = &sim.steps[0];
    close(s.activity[process(&plan, "x")], 15.0);
    close(s.activity[process(&plan, "y")], 17.5);
    // y requests 8.75 a; x makes 15, so 6.25 a is sold.
    close(s.flow[link(&plan, "ab")], 8.75);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn a_cycle_that_does_not_converge_fails_naming_its_processes() {
    // Spectral radius 0.99999: the iteration would need about a million sweeps.
    let err = sim_err(&park(
        ONE_YEAR,
        r#"Process(id: "x", enterprise: "e1", name: "X", product: "a", mode: Demand, capacity: 1e12, demand: 10, inputs: {"b": 0.99999}),
           Process(id: "y", enterprise: "e2", name: "Y", product: "b", mode: Demand, capacity: 1e12, demand: 10, inputs: {"a": 0.99999})"#,
        r#"Link(id: "ab", from: "x", to: "y", material: "a"), Link(id: "ba", from: "y", to: "x", material: "b")"#,
        "",
    ));
    assert!(err.contains("did not converge"), "{err}");
    assert!(err.contains("`x`, `y`"), "{err}");
}

#[test]
fn linkage_counts_only_byproducts_carried_between_enterprises() {
    // src (e1): 100 slag, 100 acid, 100 wastewater, 100 product a.
    // slag → other enterprise: 60 (counts); acid → same enterprise: 40 (does not);
    // wastewater and product a → other enterprise (never count).
    // gas 1000 Nm3 × 0.0005 = 0.5 t, unused.
    // linkage_mass = 60 / (100 + 100 + 0.5).
    let (_, sim) = sim(&park(ONE_YEAR, FOUR_KINDS.0, FOUR_KINDS.1, ""));
    let y = &sim.years[0];
    close(y.linkage_mass, 60.0 / 200.5);
    close(y.linked_intra_t, 40.0);
    // e1 and e2 exchange a byproduct; e3 has no capacity, so it is not counted.
    close(y.linkage_enterprise, 1.0);
}

#[test]
fn linkage_enterprise_counts_enterprises_with_capacity() {
    let (_, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"slag": 1}),
           Process(id: "other", enterprise: "e2", name: "O", product: "b", mode: Fixed, capacity: 60, inputs: {"slag": 1}),
           Process(id: "lonely", enterprise: "e3", name: "L", product: "c", mode: Fixed, capacity: 5)"#,
        r#"Link(id: "slag", from: "src", to: "other", material: "slag")"#,
        "",
    ));
    close(sim.years[0].linkage_enterprise, 2.0 / 3.0);
    close(sim.years[0].linkage_mass, 0.6);
}

#[test]
fn linkage_is_zero_when_no_byproduct_is_generated() {
    let (_, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 10)"#,
        "",
        "",
    ));
    assert_eq!(sim.years[0].linkage_mass, 0.0);
    assert_eq!(sim.years[0].linkage_enterprise, 0.0);
}

#[test]
fn targets_are_met_when_the_judged_metric_reaches_them() {
    let (_, sim) = sim(&park(
        "Time(start: 2012, end: 2013)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"slag": 1}),
           Process(id: "other", enterprise: "e2", name: "O", product: "b", mode: Fixed, capacity: [(2012, 30), (2013, 70)], inputs: {"slag": 1})"#,
        r#"Link(id: "slag", from: "src", to: "other", material: "slag")"#,
        r#"targets: Targets(metric: Mass, baseline: (2012, 0.35), linkage: [(2013, 0.7)]),"#,
    ));
    let j = &sim.judgement;
    let b = j.baseline.as_ref().unwrap();
    close(b.value, 0.3);
    assert!(!b.met);
    assert_eq!(j.targets.len(), 1);
    close(j.targets[0].value, 0.7);
    assert!(j.targets[0].met);
}

#[test]
fn the_acid_example_matches_its_hand_computation() {
    let text = std::fs::read_to_string("flows/examples/acid.ron").unwrap();
    let (plan, sim) = sim(&text);
    let acid = pool(&plan, "mma", "spent_acid");
    let [g, inter, _, stored, _, disposed] = sim.steps[0].pools[acid];
    close(g, 110.0);
    close(inter, 60.0);
    close(stored, 30.0);
    close(disposed, 20.0);
    close(sim.steps[1].pools[acid][5], 50.0);
    close(sim.years[0].linkage_mass, 60.0 / 110.0);
    close(sim.years[1].total(0), 105.0);
    close(sim.years[0].park[1], 0.5);
    assert_eq!(
        sim.steps[0].slots[slot(&plan, "as_plant", "ammonia")],
        [12.0, 0.0, 12.0]
    );
    let cod = sim
        .judgement
        .caps
        .iter()
        .find(|c| c.pollutant == "cod")
        .unwrap();
    assert!(!cod.met);
    close(cod.margin, -1.0);
    assert_conserves_mass(&plan, &sim);
}

#[test]
fn steady_steps_reuse_the_solution_bit_for_bit() {
    // The default park by month: most steps repeat the one before. With
    // storage in the acid example, levels change until the tank is full.
    let mut jilin = parkflow::model::parse_park(parkflow::model::BUILTIN_PARK, "jilin").unwrap();
    jilin.time.steps_per_year = 12;
    let acid = common::park(&std::fs::read_to_string("flows/examples/acid.ron").unwrap());
    for park in [jilin, acid] {
        let plan = parkflow::engine::Plan::compile(&park);
        let record = |reuse: bool| {
            let mut ws = parkflow::engine::Workspace::new(&plan);
            ws.set_reuse_steady_steps(reuse);
            let mut steps = Vec::new();
            parkflow::engine::run(&plan, &mut ws, |v| {
                steps.push((
                    v.activity().to_vec(),
                    v.flow().to_vec(),
                    v.pools().collect::<Vec<_>>(),
                    v.park_emissions().to_vec(),
                ))
            })
            .unwrap();
            steps
        };
        assert_eq!(record(true), record(false), "park `{}`", park.id);
    }
}

#[test]
fn a_value_that_overflows_in_a_runs_first_step_is_named_not_passed_on() {
    // Validation refuses numbers this large; the engine still never hands
    // on an infinity, whatever plan it is given.
    let cases = [
        // An output: 1e200 units times 1e200 per unit.
        (
            r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 1e200, outputs: {"slag": 1e200})"#,
            "output of `src/slag`",
        ),
        // A request, whose activity is finite: only the request shows it.
        (
            r#"Process(id: "user", enterprise: "e1", name: "U", product: "a", mode: Fixed, capacity: 1e200, inputs: {"b": 1e200})"#,
            "request of `user/b`",
        ),
    ];
    for (processes, named) in cases {
        let text = park(ONE_YEAR, processes, "", "");
        let unvalidated = parkflow::model::parse_park(&text, "test.ron").unwrap();
        let plan = parkflow::engine::Plan::compile(&unvalidated);
        let err = parkflow::output::simulate(&plan).unwrap_err().to_string();
        assert!(err.contains(named) && err.contains("2012"), "{err}");
    }
}

#[test]
fn a_value_that_overflows_in_a_later_year_is_named_though_only_what_changed_is_evaluated() {
    // 2012 is solved whole; in 2013 only the capacity that grows and what
    // depends on it are evaluated again, and each overflow is still found.
    let two_years = "Time(start: 2012, end: 2013)";
    let cases = [
        // An output: 1e200 units times 1e200 per unit.
        (
            r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: [(2012, 1), (2013, 1e200)], outputs: {"slag": 1e200})"#,
            "",
            "src/slag",
        ),
        // A request: 1e200 units asking 1e200 of b each.
        (
            r#"Process(id: "user", enterprise: "e1", name: "U", product: "a", mode: Fixed, capacity: [(2012, 1), (2013, 1e200)], inputs: {"b": 1e200})"#,
            "",
            "user/b",
        ),
        // A flow: as much as is made, as much as is asked for.
        (
            r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: [(2012, 1), (2013, 1e200)], outputs: {"slag": 1e200}),
               Process(id: "user", enterprise: "e2", name: "U", product: "b", mode: Feed("slag"), capacity: [(2012, 1), (2013, 1e300)], inputs: {"slag": 1e200})"#,
            r#"Link(id: "l", from: "src", to: "user", material: "slag")"#,
            "`l`",
        ),
    ];
    for (processes, links, named) in cases {
        let text = park(two_years, processes, links, "");
        let unvalidated = parkflow::model::parse_park(&text, "test.ron").unwrap();
        let plan = parkflow::engine::Plan::compile(&unvalidated);
        let err = parkflow::output::simulate(&plan).unwrap_err().to_string();
        assert!(
            err.contains(named) && err.contains("2013"),
            "{named}: {err}"
        );
    }
}

#[test]
fn a_chain_of_demand_processes_that_overflows_is_named_even_when_each_number_is_valid() {
    // Every number is at most 1e18, which validation allows, but seventeen
    // Demand processes each asking 1e18 of the next bring the last to 1e306,
    // and its byproduct output of 1e18 per unit overflows.
    let n = 17;
    let materials: String = (0..n)
        .map(|i| format!(r#"Material(id: "m{i}", name: "M{i}", unit: "t", kind: Product),"#))
        .collect();
    let processes: String = (0..n)
        .map(|i| {
            let input = if i + 1 < n {
                format!(r#"inputs: {{"m{}": 1e18}},"#, i + 1)
            } else {
                r#"outputs: {"slag": 1e18},"#.to_string()
            };
            let demand = if i == 0 { "demand: 1e18," } else { "" };
            format!(
                r#"Process(id: "p{i}", enterprise: "e1", name: "P{i}", product: "m{i}", mode: Demand, {demand} {input}),"#
            )
        })
        .collect();
    let links: String = (1..n)
        .map(|i| {
            format!(
                r#"Link(id: "l{i}", from: "p{i}", to: "p{}", material: "m{i}"),"#,
                i - 1
            )
        })
        .collect();
    let text = format!(
        r#"Park(id: "chain", name: "Chain", time: Time(start: 2012, end: 2012), pollutants: [],
    materials: [{materials} Material(id: "slag", name: "Slag", unit: "t", kind: Byproduct)],
    enterprises: [Enterprise(id: "e1", name: "E1")],
    processes: [{processes}], links: [{links}])"#
    );
    let err = sim_err(&text);
    assert!(err.contains("p16") && err.contains("2012"), "{err}");
}
