//! Data reconciliation against closed-form solutions (docs/MODEL.md, "Data
//! reconciliation"): weighted least squares under balances, with the
//! standard deviations, χ² test and normalized adjustments of textbook
//! reconciliation (Narasimhan and Jordache, *Data Reconciliation and Gross
//! Error Detection*, 2000, ch. 3 and 7).

use parkflow::reconcile::solve::Status;
use parkflow::reconcile::{Reconciled, parse, reconcile};

fn run(text: &str) -> Reconciled {
    reconcile(&parse(text, "t.ron").unwrap()).unwrap()
}

fn get<'a>(r: &'a Reconciled, id: &str) -> &'a parkflow::reconcile::Outcome {
    r.outcomes.iter().find(|o| o.id == id).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-12), "{a} != {b}");
}

/// One process, one measured inflow and one measured outflow.
fn two(x1: f64, s1: f64, x2: f64, s2: f64) -> String {
    format!(
        r#"Reconcile(id: "two", processes: ["p"], flows: [
            Flow(id: "a", from: "env", to: "p", value: {x1}, sd: {s1}),
            Flow(id: "b", from: "p", to: "env", value: {x2}, sd: {s2}),
        ])"#
    )
}

#[test]
fn two_readings_of_one_flow_meet_at_their_inverse_variance_mean() {
    // a = 100 ± 3, b = 110 ± 4 and a = b: x̂ = a + 9/25·(b − a) = 103.6,
    // sd = 3·4/5 = 2.4; χ² = 10²/25 = 4 on 1 dof; z = ±10/5 = ±2.
    let r = run(&two(100.0, 3.0, 110.0, 4.0));
    for id in ["a", "b"] {
        let o = get(&r, id);
        assert_eq!(o.status, Status::Measured);
        close(o.reconciled.unwrap(), 103.6);
        close(o.reconciled_sd.unwrap(), 2.4);
    }
    close(r.chi2, 4.0);
    assert_eq!(r.dof, 1);
    close(get(&r, "a").z.unwrap(), 2.0);
    close(get(&r, "b").z.unwrap(), -2.0);
    // P(χ²₁ ≥ 4) = P(|N(0,1)| ≥ 2) = 0.04550026 (normal table).
    assert!((r.p_value.unwrap() - 0.045500263896).abs() < 1e-9);
    assert_eq!(r.verdict(), "failed");
    assert!(get(&r, "a").flagged() && get(&r, "b").flagged());
}

/// The issue's example with the transfer coefficient fixed at 0.4, so that
/// every equation is linear.
const LINEAR: &str = r#"Reconcile(
    id: "example",
    processes: ["p1", "p2", "p3"],
    flows: [
        Flow(id: "f1", from: "env", to: "p1", value: 120, sd: 12),
        Flow(id: "f2", from: "env", to: "p1", value: 40),
        Flow(id: "f3", from: "p1", to: "p2", value: 280, sd: 20),
        Flow(id: "f4", from: "p2", to: "p1"),
        Flow(id: "f5", from: "p2", to: "p3", value: 150, sd: 15),
        Flow(id: "f6", from: "p3", to: "env"),
    ],
    relations: ["f4 = 0.4 * f3"],
)"#;

#[test]
fn measured_constant_and_determined_agree_with_the_closed_form() {
    // Eliminating f4 = 0.4 f3 and f6 = f5 leaves, in x = (f1, f3, f5):
    //   p1: f1 − 0.6 f3 + 40 = 0,  p2: 0.6 f3 − f5 = 0.
    // G = [[1, −0.6, 0], [0, 0.6, −1]], Σ = diag(144, 400, 225),
    // M = G Σ Gᵀ = [[288, −144], [−144, 369]], det 85536,
    // r = G m + g = [120 − 168 + 40, 168 − 150] = [−8, 18],
    // λ = M⁻¹ r = [369·−8 + 144·18, 144·−8 + 288·18] / det = [−360, 4032] / det.
    let det = 85536.0;
    let (l1, l2) = (-360.0 / det, 4032.0 / det);
    let f1 = 120.0 - 144.0 * l1;
    let f3 = 280.0 - 400.0 * (-0.6 * l1 + 0.6 * l2);
    let f5 = 150.0 - 225.0 * (-l2);
    let r = run(LINEAR);
    close(get(&r, "f1").reconciled.unwrap(), f1);
    close(get(&r, "f3").reconciled.unwrap(), f3);
    close(get(&r, "f5").reconciled.unwrap(), f5);
    // The balances hold: f1 + 40 = 0.6 f3 = f5.
    close(f1 + 40.0, 0.6 * f3);
    assert_eq!(get(&r, "f2").status, Status::Constant);
    assert_eq!(get(&r, "f2").reconciled, Some(40.0));
    assert_eq!(get(&r, "f4").status, Status::Determined);
    close(get(&r, "f4").reconciled.unwrap(), 0.4 * f3);
    close(get(&r, "f6").reconciled.unwrap(), f5);
    // χ² = rᵀ λ = (−8·−360 + 18·4032) / det.
    close(r.chi2, (2880.0 + 72576.0) / det);
    assert_eq!(r.dof, 2);
    // var(f̂3) = 400 − 400² gᵀ M⁻¹ g with g = (−0.6, 0.6):
    // gᵀ M⁻¹ g = 0.36 (369 − 2·144 + 288) / det = 0.36·369 / det.
    let var3 = 400.0 - 160000.0 * 0.36 * 369.0 / det;
    close(get(&r, "f3").reconciled_sd.unwrap(), var3.sqrt());
    // f4 = 0.4 f3 carries 0.4 of its sd; f6 = f5 all of f5's.
    close(get(&r, "f4").reconciled_sd.unwrap(), 0.4 * var3.sqrt());
    // var(f̂5) = 225 − 225² · (M⁻¹)₂₂ = 225 − 225²·288/det.
    let var5 = 225.0 - 225.0 * 225.0 * 288.0 / det;
    close(get(&r, "f6").reconciled_sd.unwrap(), var5.sqrt());
    assert_eq!(r.verdict(), "passed");
    assert!(r.flagged().is_empty());
}

#[test]
fn unknowns_the_data_do_not_fix_are_unobservable_and_unused_readings_stay() {
    // p: a in, u1 and u2 out, both unknown: only u1 + u2 = a is known, so
    // neither is determined, and a is checked by nothing.
    let r = run(r#"Reconcile(id: "u", processes: ["p"], flows: [
        Flow(id: "a", from: "env", to: "p", value: 100, sd: 5),
        Flow(id: "u1", from: "p", to: "env"),
        Flow(id: "u2", from: "p", to: "env"),
    ], parameters: [Parameter(id: "k", value: 3, sd: 1)])"#);
    for id in ["u1", "u2"] {
        let o = get(&r, id);
        assert_eq!(o.status, Status::Unobservable);
        assert_eq!((o.reconciled, o.reconciled_sd), (None, None));
    }
    for (id, m, s) in [("a", 100.0, 5.0), ("k", 3.0, 1.0)] {
        let o = get(&r, id);
        assert_eq!(o.status, Status::Measured);
        assert_eq!(
            (o.reconciled, o.reconciled_sd, o.z),
            (Some(m), Some(s), None)
        );
    }
    assert_eq!((r.dof, r.chi2, r.p_value), (0, 0.0, None));
    assert_eq!(r.verdict(), "no redundancy, no test");
}

#[test]
fn a_change_in_stock_enters_the_balance_as_an_outflow() {
    // in 100 ± 5 = out 80 ± 5 + stock 10 ± 5: r = 10, M = 75, λ = 10/75;
    // x̂ = m − σ² g λ: in 100 − 25·10/75, out and stock each + 25·10/75.
    let text = r#"Reconcile(id: "s", processes: ["p"], flows: [
        Flow(id: "i", from: "env", to: "p", value: 100, sd: 5),
        Flow(id: "o", from: "p", to: "env", value: 80, sd: 5),
    ], stocks: [Stock(process: "p", value: 10, sd: 5)])"#;
    let r = run(text);
    let d = 25.0 * 10.0 / 75.0;
    close(get(&r, "i").reconciled.unwrap(), 100.0 - d);
    close(get(&r, "o").reconciled.unwrap(), 80.0 + d);
    close(get(&r, "stock_p").reconciled.unwrap(), 10.0 + d);
    close(r.chi2, 100.0 / 75.0);
    // An unknown stock is the difference, with the sds added in quadrature.
    let r = run(&text.replace("value: 10, sd: 5", ""));
    let s = get(&r, "stock_p");
    assert_eq!(s.status, Status::Determined);
    close(s.reconciled.unwrap(), 20.0);
    close(s.reconciled_sd.unwrap(), 50.0_f64.sqrt());
}

/// A chain env → p1 → p2 → p3 → env, every flow read at ±2.
fn chain(b: f64) -> String {
    format!(
        r#"Reconcile(id: "chain", processes: ["p1", "p2", "p3"], flows: [
            Flow(id: "a", from: "env", to: "p1", value: 100, sd: 2),
            Flow(id: "b", from: "p1", to: "p2", value: {b}, sd: 2),
            Flow(id: "c", from: "p2", to: "p3", value: 101, sd: 2),
            Flow(id: "d", from: "p3", to: "env", value: 99, sd: 2),
        ])"#
    )
}

#[test]
fn a_reading_ten_times_too_large_is_named() {
    // Consistent readings: the mean of 100, 100, 101, 99 is 100; χ² = 2/4
    // = 0.5 on 3 dof passes and nothing is flagged.
    let good = run(&chain(100.0));
    close(get(&good, "b").reconciled.unwrap(), 100.0);
    close(good.chi2, 0.5);
    assert_eq!(good.dof, 3);
    assert!(good.flagged().is_empty());
    // b read as 1000: all four meet at 325. b's adjustment −675 has sd
    // 2·√(3/4) (one of four equal readings), the others' +225 the same:
    // z_b = −675/√3, three times any other, so b heads the flagged list.
    let bad = run(&chain(1000.0));
    close(get(&bad, "a").reconciled.unwrap(), 325.0);
    close(get(&bad, "b").z.unwrap(), -675.0 / 3.0_f64.sqrt());
    close(get(&bad, "a").z.unwrap(), 225.0 / 3.0_f64.sqrt());
    assert_eq!(bad.verdict(), "failed");
    assert_eq!(bad.flagged()[0].id, "b");
}

#[test]
fn constants_that_contradict_a_balance_are_refused() {
    // 40 in, 30 out, both exact: no adjustment can balance p.
    let e = reconcile(
        &parse(
            r#"Reconcile(id: "bad", processes: ["p", "q"], flows: [
                Flow(id: "a", from: "env", to: "p", value: 40),
                Flow(id: "m", from: "p", to: "q"),
                Flow(id: "b", from: "q", to: "env", value: 30),
                Flow(id: "c", from: "env", to: "q", value: 5, sd: 1),
            ], relations: ["c = 5"])"#,
            "t.ron",
        )
        .unwrap(),
    )
    .unwrap_err()
    .to_string();
    // Eliminating m links p's and q's balances: 40 + c = 30, with c = 5 by
    // the relation, leaves 15 for nothing to absorb.
    assert!(
        e.starts_with("reconciliation `bad`: the equations contradict the constants"),
        "{e}"
    );
    // Two exact flows alone: 40 in, 30 out.
    let e = reconcile(
        &parse(
            r#"Reconcile(id: "bad", processes: ["p"], flows: [
                Flow(id: "a", from: "env", to: "p", value: 40),
                Flow(id: "b", from: "p", to: "env", value: 30),
            ])"#,
            "t.ron",
        )
        .unwrap(),
    )
    .unwrap_err()
    .to_string();
    // The residual 10 against terms of size 70.
    assert!(e.contains("the balance of process `p`"), "{e}");
    assert!(e.contains("1.429e-1 times the size of its terms"), "{e}");
}

#[test]
fn a_product_of_two_readings_is_fitted_to_its_constant() {
    // x·y = 100 with x = y = 11 ± 1: by symmetry x̂ = ŷ = √100 = 10, χ² = 2.
    // Linearised there, the constraint is x + y = const: var(x̂) = 1 − 1/2.
    let r = run(r#"Reconcile(id: "nl", processes: ["p"], flows: [
        Flow(id: "i", from: "env", to: "p", value: 50),
        Flow(id: "o", from: "p", to: "env"),
    ], parameters: [
        Parameter(id: "x", value: 11, sd: 1),
        Parameter(id: "y", value: 11, sd: 1),
    ], relations: ["x * y = 100"])"#);
    close(get(&r, "x").reconciled.unwrap(), 10.0);
    close(get(&r, "y").reconciled.unwrap(), 10.0);
    close(r.chi2, 2.0);
    close(get(&r, "x").reconciled_sd.unwrap(), 0.5_f64.sqrt());
    assert!(r.iterations > 1);
}

#[test]
fn a_transfer_coefficient_is_determined_through_a_ratio() {
    // p: in a = 100 ± 4; out b = 30 ± 3 and c = tc·a, c and tc unknown.
    // c = a − b = 70, tc = 1 − b/a = 0.7;
    // var(tc) = (b/a²)²·16 + (1/a)²·9 = 0.003²·16 + 0.01²·9.
    let r = run(r#"Reconcile(id: "tc", processes: ["p"], flows: [
        Flow(id: "a", from: "env", to: "p", value: 100, sd: 4),
        Flow(id: "b", from: "p", to: "env", value: 30, sd: 3),
        Flow(id: "c", from: "p", to: "env"),
    ], parameters: [Parameter(id: "tc")], relations: ["c = tc * a"])"#);
    close(get(&r, "c").reconciled.unwrap(), 70.0);
    close(get(&r, "tc").reconciled.unwrap(), 0.7);
    close(
        get(&r, "tc").reconciled_sd.unwrap(),
        (0.003_f64.powi(2) * 16.0 + 0.0001 * 9.0).sqrt(),
    );
    assert_eq!(get(&r, "tc").status, Status::Determined);
}

#[test]
fn a_relation_that_cannot_hold_is_refused_not_reported() {
    // x·x = −4 has no real solution: the iteration cannot converge.
    let sys = parse(
        r#"Reconcile(id: "never", processes: ["p"], flows: [
            Flow(id: "i", from: "env", to: "p", value: 1, sd: 0.1),
            Flow(id: "o", from: "p", to: "env", value: 1, sd: 0.1),
        ], parameters: [Parameter(id: "x")], relations: ["x * x = -4"])"#,
        "t.ron",
    )
    .unwrap();
    let e = reconcile(&sys).unwrap_err().to_string();
    assert!(
        e.starts_with("reconciliation `never`: the nonlinear relations did not converge"),
        "{e}"
    );
}

#[test]
fn the_example_with_a_measured_coefficient_is_a_least_squares_minimum() {
    // With tc measured, f4 = tc·f3 is nonlinear. On the equations'
    // surface, parameterised by (f3, tc): f1 = (1 − tc) f3 − 40 and
    // f5 = (1 − tc) f3. The estimate must minimise
    // φ = Σ ((x − m)/σ)² there: its gradient in (f3, tc) vanishes.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/flows/examples/reconcile.ron"
    ))
    .unwrap();
    let r = run(&text);
    let phi = |f3: f64, tc: f64| {
        let f1 = (1.0 - tc) * f3 - 40.0;
        let f5 = (1.0 - tc) * f3;
        ((f1 - 120.0) / 12.0).powi(2)
            + ((f3 - 280.0) / 20.0).powi(2)
            + ((f5 - 150.0) / 15.0).powi(2)
            + ((tc - 0.4) / 0.04).powi(2)
    };
    let (f3, tc) = (
        get(&r, "f3").reconciled.unwrap(),
        get(&r, "tc").reconciled.unwrap(),
    );
    let (h3, ht) = (1e-4, 1e-7);
    let d3 = (phi(f3 + h3, tc) - phi(f3 - h3, tc)) / (2.0 * h3);
    let dt = (phi(f3, tc + ht) - phi(f3, tc - ht)) / (2.0 * ht);
    assert!(d3.abs() < 1e-6 && dt.abs() < 1e-4, "gradient ({d3}, {dt})");
    close(r.chi2, phi(f3, tc));
    // The estimates satisfy every equation.
    close(get(&r, "f1").reconciled.unwrap(), (1.0 - tc) * f3 - 40.0);
    close(get(&r, "f4").reconciled.unwrap(), tc * f3);
    close(
        get(&r, "f6").reconciled.unwrap(),
        get(&r, "f5").reconciled.unwrap(),
    );
    assert_eq!(r.dof, 2);
}
