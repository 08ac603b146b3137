//! The engine's own check that a step's values are finite.
//!
//! Validation refuses quantities above 10¹⁸, so a park from a file cannot
//! overflow; a park built in code, or a plan whose coefficients a caller
//! set, can. The engine then names the first value that is not finite, in
//! the first step and in a later step that evaluates only what changed.

mod common;

use common::*;
use parkflow::engine::{Plan, Workspace, run};
use parkflow::error::Error;
use parkflow::model::parse_park;

/// A park of a source and a sink, not validated: `processes` may hold
/// quantities above validation's limit.
fn plan(time: &str, processes: &str, links: &str) -> Plan {
    let text = format!(
        r#"Park(
    id: "huge", name: "Huge",
    time: {time},
    materials: [
        Material(id: "a", name: "A", unit: "t", kind: Product),
        Material(id: "b", name: "B", unit: "t", kind: Product),
        Material(id: "acid", name: "Acid", unit: "t", kind: Byproduct, fate: Sell),
    ],
    enterprises: [Enterprise(id: "e1", name: "E1"), Enterprise(id: "e2", name: "E2")],
    processes: [{processes}],
    links: [{links}],
)"#
    );
    Plan::compile(&parse_park(&text, "huge.ron").expect("parses"))
}

/// The error a run of `plan` ends with, `(year, what, item)`: the same
/// whether a step evaluates only what changed or everything.
#[track_caller]
fn failure(plan: &Plan) -> (i32, &'static str, String) {
    let run_with = |reuse: bool| {
        let mut ws = Workspace::new(plan);
        ws.set_reuse_steady_steps(reuse);
        match run(plan, &mut ws, |_| {}) {
            Err(Error::NonFinite {
                year, what, item, ..
            }) => (year, what, item),
            other => panic!("expected a value that is not finite, got {other:?}"),
        }
    };
    let reused = run_with(true);
    assert_eq!(reused, run_with(false), "reuse on and off disagree");
    reused
}

const SOURCE: &str = r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 1e300, outputs: {"acid": 1e300})"#;

#[test]
fn an_output_that_overflows_is_named() {
    let plan = plan("Time(start: 2012, end: 2013)", SOURCE, "");
    let want = (2012, "output", "src/acid".to_string());
    assert_eq!(failure(&plan), want);
}

#[test]
fn a_request_that_overflows_is_named() {
    let plan = plan(
        "Time(start: 2012, end: 2012)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 1e300, inputs: {"b": 1e300})"#,
        "",
    );
    assert_eq!(failure(&plan), (2012, "request", "p/b".to_string()));
}

/// A source making 1 t of acid and a Feed sink that runs on it with a
/// coefficient of 1e300 (x = 1 / 1e300): its request is K · 1e300.
fn feed_sink(time: &str, capacity: &str) -> Plan {
    plan(
        time,
        &format!(
            r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 1, outputs: {{"acid": 1}}),
               Process(id: "sink", enterprise: "e2", name: "K", product: "b", mode: Feed("acid"), capacity: {capacity}, inputs: {{"acid": 1e300}})"#
        ),
        r#"Link(id: "l", from: "src", to: "sink", material: "acid")"#,
    )
}

#[test]
fn a_feed_request_that_overflows_is_named_though_the_activity_is_finite() {
    let plan = feed_sink("Time(start: 2012, end: 2012)", "1e300");
    assert_eq!(failure(&plan), (2012, "request", "sink/acid".to_string()));
}

#[test]
fn a_value_that_overflows_in_a_later_year_is_named_in_that_year() {
    // From 2014 the source makes 1e300 · 1e300 acid; the years before run.
    let plan = plan(
        "Time(start: 2012, end: 2015)",
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: [(2012, 1), (2014, 1e300)], outputs: {"acid": 1e300})"#,
        "",
    );
    let want = (2014, "output", "src/acid".to_string());
    assert_eq!(failure(&plan), want);
}

#[test]
fn a_feed_request_that_overflows_in_a_later_year_is_named_though_the_activity_stays() {
    // The sink's activity stays 1 / 1e300 (what the link delivers); only
    // its capacity, and so its feed request, grows in 2013.
    let plan = feed_sink("Time(start: 2012, end: 2013)", "[(2012, 1), (2013, 1e300)]");
    let want = (2013, "request", "sink/acid".to_string());
    assert_eq!(failure(&plan), want);
}

#[test]
fn coefficients_set_on_a_plan_are_checked_as_compiled_ones_are() {
    let mut plan = plan(
        "Time(start: 2012, end: 2012)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Fixed, capacity: 1e300, outputs: {"acid": 1}, inputs: {"b": 1})"#,
        "",
    );
    let mut ws = Workspace::new(&plan);
    run(&plan, &mut ws, |_| {}).expect("finite as compiled");
    let acid = pool(&plan, "p", "acid");
    plan.params.pool_coeff[acid] = 1e300;
    assert_eq!(failure(&plan), (2012, "output", "p/acid".to_string()));
    plan.params.pool_coeff[acid] = 1.0;
    let b = slot(&plan, "p", "b");
    plan.params.slot_coeff[b] = 1e300;
    assert_eq!(failure(&plan), (2012, "request", "p/b".to_string()));
}

#[test]
fn a_value_that_overflows_in_a_later_year_inside_a_leontief_block_is_named() {
    // Two Demand processes without capacity supply each other: a Leontief
    // block, solved whole. From 2013 p's demand makes its acid overflow.
    let plan = plan(
        "Time(start: 2012, end: 2013)",
        r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Demand, demand: [(2012, 1), (2013, 1e300)], inputs: {"b": 0.2}, outputs: {"acid": 1e300}),
           Process(id: "q", enterprise: "e2", name: "Q", product: "b", mode: Demand, demand: 1, inputs: {"a": 0.1})"#,
        r#"Link(id: "pq", from: "p", to: "q", material: "a"),
           Link(id: "qp", from: "q", to: "p", material: "b")"#,
    );
    assert_eq!(plan.schedule.leontief.len(), 1, "a Leontief block");
    let want = (2013, "output", "p/acid".to_string());
    assert_eq!(failure(&plan), want);
}

/// Two Demand processes with capacities that supply each other: a cycle
/// iterated to its fixed point. p's acid overflows in a year whose
/// `demand` is 1e10.
fn iterated_cycle(time: &str, demand: &str) -> Plan {
    let plan = plan(
        time,
        &format!(
            r#"Process(id: "p", enterprise: "e1", name: "P", product: "a", mode: Demand, capacity: 1e20, demand: {demand}, inputs: {{"b": 0.2}}, outputs: {{"acid": 1e300}}),
               Process(id: "q", enterprise: "e2", name: "Q", product: "b", mode: Demand, capacity: 1e20, demand: 1, inputs: {{"a": 0.1}})"#
        ),
        r#"Link(id: "pq", from: "p", to: "q", material: "a"),
           Link(id: "qp", from: "q", to: "p", material: "b")"#,
    );
    assert_eq!(
        (plan.schedule.leontief.len(), plan.schedule.cycles.len()),
        (0, 1),
        "an iterated cycle"
    );
    plan
}

#[test]
fn a_value_that_overflows_inside_an_iterated_cycle_is_named() {
    let plan = iterated_cycle("Time(start: 2012, end: 2012)", "1e10");
    assert_eq!(failure(&plan), (2012, "output", "p/acid".to_string()));
    let plan = iterated_cycle("Time(start: 2012, end: 2013)", "[(2012, 1), (2013, 1e10)]");
    assert_eq!(failure(&plan), (2013, "output", "p/acid".to_string()));
}
