//! The reconciliation file (docs/MODEL.md, "The reconciliation file"): what
//! it reads into, and every kind of bad input named at its line and column
//! with the closest valid id.

use parkflow::reconcile::{Equation, Given, Kind, parse};

fn err(text: &str) -> String {
    parse(text, "r.ron").unwrap_err().to_string()
}

/// A small valid file; tests replace parts of it.
const GOOD: &str = r#"Reconcile(
    id: "t",
    processes: ["p1", "p2"],
    flows: [
        Flow(id: "f1", from: "env", to: "p1", value: 100, sd: 5),
        Flow(id: "f2", from: "p1", to: "p2", value: 90, sd_rel: 0.1),
        Flow(id: "f3", from: "p2", to: "env", value: 80),
        Flow(id: "f4", from: "p1", to: "env"),
    ],
    stocks: [Stock(process: "p2", value: 5, sd: 1)],
    parameters: [Parameter(id: "k", value: 0.5, sd: 0.05)],
    relations: ["f4 = k * (f1 - f2) + 0"],
)"#;

#[test]
fn a_good_file_reads_into_quantities_and_equations() {
    let s = parse(GOOD, "r.ron").unwrap();
    let ids: Vec<&str> = s.quantities.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["f1", "f2", "f3", "f4", "stock_p2", "k"]);
    assert_eq!(
        s.quantities[0].given,
        Given::Measured {
            value: 100.0,
            sd: 5.0
        }
    );
    // sd_rel 0.1 of 90 is an sd of 9.
    assert_eq!(
        s.quantities[1].given,
        Given::Measured {
            value: 90.0,
            sd: 9.0
        }
    );
    assert_eq!(s.quantities[2].given, Given::Constant(80.0));
    assert_eq!(s.quantities[3].given, Given::Unknown);
    assert_eq!(s.quantities[4].kind, Kind::Stock);
    // p1: in f1, out f2 and f4; p2: in f2, out f3 and the stock.
    assert_eq!(
        s.equations[0],
        Equation::Balance {
            of: "process `p1`".into(),
            terms: vec![(0, 1.0), (1, -1.0), (3, -1.0)]
        }
    );
    assert_eq!(
        s.equations[1],
        Equation::Balance {
            of: "process `p2`".into(),
            terms: vec![(1, 1.0), (2, -1.0), (4, -1.0)]
        }
    );
    // The relation at f1=100, f2=90, f4=5, k=0.5: 5 - 0.5*10 = 0.
    let values = [100.0, 90.0, 80.0, 5.0, 5.0, 0.5];
    assert_eq!(s.equations[2].residual(&values), 0.0);
}

#[test]
fn an_unknown_process_is_named_at_its_line_and_column_with_the_closest_id() {
    let text = GOOD.replace(r#"to: "p2", value: 90"#, r#"to: "p3", value: 90"#);
    // Line 6 `        Flow(id: "f2", from: "p1", to: "p3"`: `"p3"` at column 40.
    assert_eq!(
        err(&text),
        "r.ron:6:40: flow `f2`: to `p3` is not a process nor `env`; did you mean `p1`?"
    );
}

#[test]
fn an_unknown_id_in_a_relation_points_at_the_id() {
    let text = GOOD.replace("k * (f1", "kk * (f1");
    // Line 12 `    relations: ["f4 = kk`: the relation opens at column 17, `kk` is
    // its 6th character, at column 17 + 1 + 5 = 23.
    assert_eq!(
        err(&text),
        "r.ron:12:23: relation `f4 = kk * (f1 - f2) + 0`: unknown id `kk` in a relation; did you mean `k`?"
    );
}

#[test]
fn a_relation_that_cannot_be_parsed_points_at_the_fault() {
    let text = GOOD.replace("+ 0\"", "+ \"");
    let e = err(&text);
    assert!(
        e.starts_with("r.ron:12:39: relation `f4 = k * (f1 - f2) + `: "),
        "{e}"
    );
    let text = GOOD.replace("f4 = k", "f4 == k");
    assert!(err(&text).starts_with("r.ron:12:22: "), "{}", err(&text));
}

#[test]
fn a_negative_sd_is_refused_at_its_value() {
    let text = GOOD.replace("value: 100, sd: 5", "value: 100, sd: -5");
    // `-5` at column 63 of line 5.
    assert_eq!(
        err(&text),
        "r.ron:5:63: flow `f1`: sd -5 is not a finite number of at least 0"
    );
}

#[test]
fn a_process_with_no_flows_is_refused_at_its_name() {
    let text = GOOD.replace(r#"["p1", "p2"]"#, r#"["p1", "p2", "p9"]"#);
    assert_eq!(
        err(&text),
        "r.ron:3:29: process `p9` has no flows: every process needs a flow in or out"
    );
}

#[test]
fn an_unknown_field_suggests_the_closest() {
    let text = GOOD.replace("value: 80", "valeu: 80");
    let e = err(&text);
    assert!(e.starts_with("r.ron:7:"), "{e}");
    assert!(e.contains("did you mean `value`?"), "{e}");
}

#[test]
fn every_problem_is_listed_with_its_place() {
    let text = GOOD
        .replace(r#"id: "f3""#, r#"id: "f1""#)
        .replace(r#"process: "p2""#, r#"process: "p7""#);
    let e = err(&text);
    assert!(e.starts_with("r.ron: 2 problems:"), "{e}");
    assert!(e.contains("7:18: flow `f1`: the id is used twice"), "{e}");
    assert!(
        e.contains("10:29: stock `stock_p7`: process `p7` is not listed; did you mean `p1`?"),
        "{e}"
    );
}

#[test]
fn an_sd_without_a_value_and_both_sds_are_refused() {
    let text = GOOD.replace(r#"to: "env"),"#, r#"to: "env", sd: 3),"#);
    assert!(
        err(&text).contains("flow `f4`: sd without a value"),
        "{}",
        err(&text)
    );
    let text = GOOD.replace("sd: 5)", "sd: 5, sd_rel: 0.1)");
    assert!(
        err(&text).contains("give sd or sd_rel, not both"),
        "{}",
        err(&text)
    );
}

#[test]
fn ids_that_relations_cannot_name_are_refused() {
    let text = GOOD.replace(r#"id: "f3""#, r#"id: "f-3""#);
    assert!(
        err(&text).contains("flow `f-3`: an id is an ASCII letter"),
        "{}",
        err(&text)
    );
    let text = GOOD.replace(r#"from: "p2", to: "env""#, r#"from: "env", to: "env""#);
    assert!(
        err(&text).contains("flow `f3` goes from `env` to itself"),
        "{}",
        err(&text)
    );
}
