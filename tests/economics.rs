//! What candidate links cost and earn: the park's cash, a link's NPV and
//! payback against the hand computation at the top of
//! `flows/examples/economics.ron`, the largest-NPV set, a park without
//! economics, and bad money input refused at its line and column.

mod common;

use common::{close, example, park, parkflow};
use parkflow::candidates::{Objective, rank, rank_with};
use parkflow::model::parse_park;
use predicates::str::contains;

fn read(name: &str) -> String {
    std::fs::read_to_string(example(name)).unwrap()
}

#[test]
fn a_links_npv_and_payback_agree_with_the_hand_computation() {
    let r = rank(&park(&read("economics.ron"))).unwrap();
    // Without the link the park pays 500 CNY of disposal and 1,000 of COD tax
    // a year (two steps a year, added up).
    assert_eq!(r.base.cash.len(), 3);
    for &c in &r.base.cash {
        close(c, -1500.0);
    }
    let a = r.candidates[0].appraisal.as_ref().unwrap();
    // Inactive in 2020 (no opex), then 480 − (−1,500) − 100 opex a year.
    close(a.cash[0], 0.0);
    close(a.cash[1], 1880.0);
    close(a.cash[2], 1880.0);
    // 2021, 2022 and 2023 (2022 repeated past the horizon), at 10%.
    let npv = -2000.0 + 1880.0 / 1.1 + 1880.0 / 1.21 + 1880.0 / 1.331;
    close(a.npv, npv);
    close(a.npv, 2675.281743050337);
    // 1,880 < 2,000 after one year; 3,760 after two.
    assert_eq!(a.payback, Some(2));
}

#[test]
fn a_payback_never_reached_is_none_and_a_free_link_pays_back_at_once() {
    let dear = read("economics.ron").replace("cost: 2000", "cost: 6000");
    let a = rank(&park(&dear)).unwrap().candidates[0]
        .appraisal
        .clone()
        .unwrap();
    // Three years of 1,880 make 5,640 < 6,000.
    assert_eq!(a.payback, None);
    close(a.npv, 2675.281743050337 - 4000.0);
    let free = read("economics.ron").replace("cost: 2000", "cost: 0");
    let a = rank(&park(&free)).unwrap().candidates[0]
        .appraisal
        .clone()
        .unwrap();
    assert_eq!(a.payback, Some(0));
}

#[test]
fn links_writes_npv_payback_and_the_first_target_years_cash() {
    let out = tempfile::tempdir().unwrap();
    parkflow()
        .args(["links", example("economics.ron").to_str().unwrap(), "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(contains("best NPV first"))
        .stdout(contains("payback"));
    let csv = std::fs::read_to_string(out.path().join("candidates.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("link,material,from,to,cost,npv,payback_years,cash_2022,d_linkage_2022,")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("ash_to_bricks,ash,plant,brick_works,2000,2675.2817430503374,2,1880,")
    );
    let svg = std::fs::read_to_string(out.path().join("frontier.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("frontier"));
}

/// candidates.ron with money: bricks sell at 100 CNY/t, nothing else has a
/// price; one year, no discounting.
fn priced_candidates(target: &str) -> String {
    read("candidates.ron")
        .replace("linkage: [(2020, 0.9)]", &format!("linkage: [(2020, {target})]"))
        .replace(
            "time: Time(start: 2020, end: 2020),",
            "time: Time(start: 2020, end: 2020),\n    economics: Economics(discount_rate: 0, lifetime: 1),",
        )
        .replace(
            r#"Material(id: "bricks", name: "Bricks", unit: "t", kind: Product)"#,
            r#"Material(id: "bricks", name: "Bricks", unit: "t", kind: Product, price: 100)"#,
        )
}

#[test]
fn the_largest_npv_set_can_differ_from_the_cheapest() {
    // Target 0.8 (120 of the 150 t of byproduct). Cheapest: tar + cement
    // (130 t, cost 30, NPV −30). With the brick works as well, 150 t are
    // linked and 60 t of bricks earn 6,000: NPV 6,000 − 60 = 5,940.
    let r = rank_with(&park(&priced_candidates("0.8")), Objective::Npv).unwrap();
    let cheapest = r.cheapest.as_ref().unwrap()[0].as_ref().unwrap();
    assert_eq!(cheapest.links, ["tar_to_refinery", "ash_to_cement"]);
    close(cheapest.appraisal.as_ref().unwrap().npv, -30.0);
    let best = r.largest_npv.as_ref().unwrap()[0].as_ref().unwrap();
    assert_eq!(
        best.links,
        ["ash_to_bricks", "tar_to_refinery", "ash_to_cement"]
    );
    assert_eq!(best.cost, Some(60.0));
    // Run with the whole set: the brick works is served first and takes its
    // 60 t, the cement works the other 40 t.
    close(best.appraisal.as_ref().unwrap().npv, 5940.0);
    close(best.linkage[0], 1.0);
    // Alone, the brick link earns 6,000 − 30: it ranks first by NPV.
    assert_eq!(r.candidates[0].link, "ash_to_bricks");
    close(r.candidates[0].appraisal.as_ref().unwrap().npv, 5970.0);
    // The default objective searches no largest-NPV set.
    assert!(
        rank(&park(&priced_candidates("0.8")))
            .unwrap()
            .largest_npv
            .is_none()
    );
}

#[test]
fn objective_npv_prints_the_largest_npv_set() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("priced.ron");
    std::fs::write(&file, priced_candidates("0.8")).unwrap();
    parkflow()
        .args([
            "links",
            file.to_str().unwrap(),
            "--objective",
            "npv",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stdout(contains(
            "Largest-NPV set meeting each target, every subset tried",
        ))
        .stdout(contains(
            "2020 target 0.800: ash_to_bricks + tar_to_refinery + ash_to_cement (cost 60, NPV 5940",
        ));
}

#[test]
fn a_park_without_economics_keeps_the_old_ranking_and_says_so() {
    let r = rank(&park(&read("candidates.ron"))).unwrap();
    let order: Vec<&str> = r.candidates.iter().map(|c| c.link.as_str()).collect();
    assert_eq!(order, ["tar_to_refinery", "ash_to_cement", "ash_to_bricks"]);
    assert!(r.candidates.iter().all(|c| c.appraisal.is_none()));
    // `links` says so: tests/links.rs, links_writes_both_tables_with_their_headers.
    let out = tempfile::tempdir().unwrap();
    parkflow()
        .args([
            "links",
            example("candidates.ron").to_str().unwrap(),
            "--objective",
            "npv",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(contains("--objective npv: economics are not declared"));
}

#[test]
fn a_candidate_without_a_cost_is_appraised_as_needing_no_capital() {
    // As a link a scenario disables: the pipe exists, its capital is sunk.
    let text = read("economics.ron").replace("cost: 2000, ", "");
    let a = rank(&park(&text)).unwrap().candidates[0]
        .appraisal
        .clone()
        .unwrap();
    close(a.npv, 2675.281743050337 + 2000.0);
    assert_eq!(a.payback, Some(0));
}

/// The error for economics.ron with `from` replaced by `to`.
fn refused(from: &str, to: &str) -> String {
    let text = read("economics.ron");
    assert!(text.contains(from), "`{from}` is not in the example");
    match parse_park(&text.replacen(from, to, 1), "e.ron") {
        Ok(_) => panic!("`{to}` should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_money_is_refused_at_its_line_and_column() {
    // The column is the value's (RON puts a negative integer's at its digits).
    let cases = [
        (
            r#"kind: Product, price: 20"#,
            r#"kind: Product, price: -20"#,
            "e.ron:30:82: -20 is not an amount of money",
        ),
        (
            "cost: 5)",
            "cost: -5)",
            "e.ron:29:65: -5 is not an amount of money",
        ),
        (
            "tax: 1000)",
            "tax: -1e3)",
            "e.ron:25:68: -1000 is not an amount of money",
        ),
        (
            "opex: 100,",
            "opex: -0.5,",
            "e.ron:46:62: -0.5 is not an amount of money",
        ),
        (
            "discount_rate: 0.1",
            "discount_rate: -1",
            "e.ron:24:42: discount rate -1 must be a number above -1",
        ),
        (
            "lifetime: 3)",
            "lifetime: 0)",
            "e.ron:24:56: lifetime 0 must be a whole number of years from 1 to 1000",
        ),
    ];
    for (from, to, expected) in cases {
        let e = refused(from, to);
        assert!(e.starts_with(expected), "{to}: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}

#[test]
fn the_binary_names_the_file_line_and_column_of_a_negative_price() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ron");
    std::fs::write(
        &file,
        read("economics.ron").replace("price: 4", "price: -4"),
    )
    .unwrap();
    parkflow()
        .args(["links", file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains("bad.ron:31:78: -4 is not an amount of money"));
}

#[test]
fn above_twelve_candidates_the_largest_npv_set_is_built_greedily() {
    // Thirteen copies of the brick link: the first served takes the 60 t the
    // brick works can use; every other only adds its cost and opex.
    let text = read("economics.ron");
    let link = text
        .lines()
        .skip_while(|l| !l.contains("Link(id: \"ash_to_bricks\""))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    let copies: Vec<String> = (0..13)
        .map(|i| link.replace("ash_to_bricks", &format!("bricks_{i:02}")))
        .collect();
    let text = text.replace(&link, &copies.join("\n"));
    let r = rank_with(&park(&text), Objective::Npv).unwrap();
    assert!(!r.exhaustive && r.cheapest.is_none());
    let set = r.largest_npv.as_ref().unwrap()[0].as_ref().unwrap();
    assert_eq!(set.links, ["bricks_00"]);
    close(set.appraisal.as_ref().unwrap().npv, 2675.281743050337);
}
