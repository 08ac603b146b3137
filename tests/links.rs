//! Candidate links ranked: each alone against the park as given, then the
//! greedy portfolio, and `parkflow links` as a user meets it. The hand
//! computation for `flows/examples/candidates.ron` is at the top of that file.

mod common;

use common::{close, example, park, parkflow};
use parkflow::candidates::{Stop, evaluate, rank};
use parkflow::model::{BUILTIN_PARK, BUILTIN_PARK_NAME, parse_park, validate};
use predicates::str::contains;

fn example_park() -> parkflow::model::Park {
    park(&std::fs::read_to_string(example("candidates.ron")).unwrap())
}

#[test]
fn a_candidate_alone_gains_what_its_sink_can_take_of_the_byproduct() {
    let r = rank(&example_park()).unwrap();
    close(r.base.linkage[0], 0.0);
    let bricks = r
        .candidates
        .iter()
        .find(|c| c.link == "ash_to_bricks")
        .unwrap();
    // The brick works takes 60 t of the 150 t of byproduct: +0.4. The ash it
    // takes is no longer disposed of: 60 t × 0.01 t COD/t = 0.6 t less COD.
    close(bricks.d_linkage[0], 60.0 / 150.0);
    close(bricks.d_caps[0], -0.6);
    assert_eq!(
        (
            bricks.material.as_str(),
            bricks.from.as_str(),
            bricks.to.as_str()
        ),
        ("ash", "plant", "brick_works")
    );
    assert_eq!(bricks.cost, Some(30.0));
    // Tar is sold when not linked, so linking it changes no emission.
    let tar = r
        .candidates
        .iter()
        .find(|c| c.link == "tar_to_refinery")
        .unwrap();
    close(tar.d_linkage[0], 50.0 / 150.0);
    close(tar.d_caps[0], 0.0);
}

#[test]
fn each_candidate_says_what_it_moves_across_the_boundary() {
    // The cement works also needs 0.25 t of the plant's product per tonne of
    // cement, which no link delivers: imported.
    let text = std::fs::read_to_string(example("candidates.ron"))
        .unwrap()
        .replace(
            r#"capacity: 80, inputs: {"ash": 1.0}"#,
            r#"capacity: 80, inputs: {"ash": 1.0, "product": 0.25}"#,
        );
    let r = rank(&park(&text)).unwrap();
    let effect = |id: &str| r.candidates.iter().find(|c| c.link == id).unwrap();
    // Base: 100 t ash disposed of, 50 t tar sold, nothing imported (the
    // cement works does not run).
    let base = r.base.boundary[0];
    close(base.disposed, 100.0);
    close(base.sold, 50.0);
    close(base.imported, 0.0);
    // Ash to cement: 80 t of ash no longer disposed of, 80 × 0.25 = 20 t of
    // product imported, 0.8 t less COD: a real change, not a move.
    let cement = effect("ash_to_cement");
    close(cement.d_boundary[0].disposed, -80.0);
    close(cement.d_boundary[0].sold, 0.0);
    close(cement.d_boundary[0].imported, 20.0);
    close(cement.d_caps[0], -0.8);
    assert!(!cement.only_moves(&r.base));
    // Tar to the refinery: 50 t no longer sold, nothing else changes.
    let tar = effect("tar_to_refinery");
    close(tar.d_boundary[0].sold, -50.0);
    close(tar.d_boundary[0].disposed, 0.0);
    close(tar.d_boundary[0].imported, 0.0);
    assert!(tar.only_moves(&r.base));
    assert!(!effect("ash_to_bricks").only_moves(&r.base));
}

#[test]
fn candidates_are_listed_by_gain_per_unit_cost() {
    let r = rank(&example_park()).unwrap();
    assert!(r.by_cost);
    let order: Vec<&str> = r.candidates.iter().map(|c| c.link.as_str()).collect();
    // 0.333/10 > 0.533/20 > 0.4/30
    assert_eq!(order, ["tar_to_refinery", "ash_to_cement", "ash_to_bricks"]);
}

#[test]
fn the_greedy_portfolio_adds_the_best_gain_per_cost_on_top_of_earlier_choices() {
    let r = rank(&example_park()).unwrap();
    let order: Vec<&str> = r.portfolio.iter().map(|p| p.link.as_str()).collect();
    assert_eq!(order, ["tar_to_refinery", "ash_to_cement", "ash_to_bricks"]);
    let cumulative: Vec<Option<f64>> = r.portfolio.iter().map(|p| p.cumulative_cost).collect();
    assert_eq!(cumulative, [Some(10.0), Some(30.0), Some(60.0)]);
    close(r.portfolio[0].linkage[0], 50.0 / 150.0);
    close(r.portfolio[1].linkage[0], 130.0 / 150.0);
    // The brick works is served first (earlier in the file), the cement works
    // takes the other 40 t: all 150 t are linked.
    close(r.portfolio[2].linkage[0], 1.0);
    // On top of the tar link, the brick works would have added 0.4 (60 t),
    // as much as alone; the third step adds only the 20 t the cement works
    // could not take: 0.133.
    close(r.portfolio[2].gain, 20.0 / 150.0);
    assert!(!r.portfolio[1].all_met && r.portfolio[2].all_met);
    assert_eq!(r.stop, Stop::TargetsMet);
    let cheapest = r.cheapest.as_ref().unwrap()[0].as_ref().unwrap();
    assert_eq!(cheapest.cost, Some(60.0));
    assert_eq!(cheapest.links.len(), 3);
}

#[test]
fn the_portfolio_stops_as_soon_as_the_targets_are_met() {
    // A target of 0.8 is met after the second step (0.867).
    let text = std::fs::read_to_string(example("candidates.ron"))
        .unwrap()
        .replace("linkage: [(2020, 0.9)]", "linkage: [(2020, 0.8)]");
    let r = rank(&park(&text)).unwrap();
    assert_eq!(r.portfolio.len(), 2);
    assert_eq!(r.stop, Stop::TargetsMet);
    // Every subset tried: ash_to_cement + tar_to_refinery (cost 30) is the
    // cheapest that reaches 0.8; ash to both users (cost 50) reaches only 0.667.
    let cheapest = r.cheapest.as_ref().unwrap()[0].as_ref().unwrap();
    assert_eq!(cheapest.links, ["tar_to_refinery", "ash_to_cement"]);
    assert_eq!(cheapest.cost, Some(30.0));
}

#[test]
fn without_costs_candidates_are_ranked_per_link_by_gain() {
    let text = std::fs::read_to_string(example("candidates.ron"))
        .unwrap()
        .replace("cost: 30, ", "");
    let r = rank(&park(&text)).unwrap();
    assert!(!r.by_cost);
    let order: Vec<&str> = r.portfolio.iter().map(|p| p.link.as_str()).collect();
    // Largest gain first: cement (+0.533). On top of it, bricks (served first,
    // 60 t, leaving the cement works 40 t: 100 t of ash, +0.133) loses to tar
    // (+0.333); bricks come last.
    assert_eq!(order, ["ash_to_cement", "tar_to_refinery", "ash_to_bricks"]);
    // Once a link without a cost is chosen the cumulative cost is unknown.
    assert_eq!(r.portfolio[2].cumulative_cost, None);
}

#[test]
fn ties_are_broken_by_file_order_and_the_ranking_is_deterministic() {
    // Two identical candidates: the first in the file is chosen first.
    let text = std::fs::read_to_string(example("candidates.ron"))
        .unwrap()
        .replace("capacity: 80", "capacity: 60")
        .replace("cost: 20", "cost: 30");
    let r = rank(&park(&text)).unwrap();
    let alone: Vec<&str> = r.candidates.iter().map(|c| c.link.as_str()).collect();
    assert_eq!(alone, ["tar_to_refinery", "ash_to_bricks", "ash_to_cement"]);
    assert_eq!(r.portfolio[1].link, "ash_to_bricks");
    assert_eq!(rank(&park(&text)).unwrap(), r);
}

#[test]
fn the_default_parks_candidates_change_nothing_until_enabled() {
    let jilin = parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME).unwrap();
    validate(&jilin, BUILTIN_PARK_NAME).unwrap();
    let positions = parkflow::candidates::candidate_links(&jilin);
    assert!(positions.len() >= 5, "{} candidates", positions.len());
    for &i in &positions {
        let l = &jilin.links[i];
        assert!(l.cost.is_some_and(|c| c > 0.0), "`{}` has no cost", l.id);
        assert!(
            l.source.as_deref().is_some_and(|s| s.contains("estimate")),
            "`{}` does not say how its cost was estimated",
            l.id
        );
    }
    // With every candidate's processes in the park but no candidate enabled,
    // the judged linkage is the committed one (0.415 in 2017).
    let base = evaluate(&jilin, &[]).unwrap();
    assert!(
        (base.linkage[0] - 0.415).abs() < 5e-4,
        "{}",
        base.linkage[0]
    );
    // CO2 is an Effluent: linking it can never raise linkage.
    let r = rank(&jilin).unwrap();
    let co2 = r.candidates.iter().find(|c| c.material == "co2").unwrap();
    assert!(co2.d_linkage.iter().all(|d| *d == 0.0));
    assert!(r.portfolio.iter().all(|p| p.link != co2.link));
}

#[test]
fn links_writes_both_tables_with_their_headers() {
    let out = tempfile::tempdir().unwrap();
    parkflow()
        .args([
            "links",
            example("candidates.ron").to_str().unwrap(),
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(contains("tar_to_refinery"))
        .stdout(contains("economics are not declared"))
        .stdout(contains("best gain per unit cost first"))
        .stdout(contains(
            "What each candidate moves across the park's boundary",
        ))
        .stdout(contains("imported 2020"))
        .stdout(contains("stopped: every target is met"))
        .stdout(contains("results written to"));
    let candidates = std::fs::read_to_string(out.path().join("candidates.csv")).unwrap();
    let mut lines = candidates.lines();
    assert_eq!(
        lines.next(),
        Some(
            "link,material,from,to,cost,npv,payback_years,cash_2020,d_linkage_2020,d_disposed_t_2020,d_sold_t_2020,d_imported_t_2020,d_cod_2020,moves_only"
        )
    );
    // The tar was sold before: linking it moves 50 t across the boundary
    // and changes no disposal and no emission.
    assert_eq!(
        lines.next(),
        Some("tar_to_refinery,tar,plant,refinery,10,,,,0.3333333333333333,0,-50,0,0,true")
    );
    assert_eq!(
        lines.next(),
        Some("ash_to_cement,ash,plant,cement_works,20,,,,0.5333333333333333,-80,0,0,-0.8,false")
    );
    let portfolio = std::fs::read_to_string(out.path().join("portfolio.csv")).unwrap();
    let mut lines = portfolio.lines();
    assert_eq!(
        lines.next(),
        Some("rank,link,cost,cumulative_cost,linkage_2020")
    );
    assert_eq!(lines.last(), Some("3,ash_to_bricks,30,60,1"));
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn links_on_a_park_without_candidates_says_so_and_succeeds() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("links");
    parkflow()
        .args(["links", example("acid.ron").to_str().unwrap(), "--out"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(contains("no candidate links to rank"));
    assert!(!dir.exists(), "nothing is written");
}

#[test]
fn links_on_a_missing_file_is_an_error() {
    parkflow()
        .args(["links", "no-such-park.ron"])
        .assert()
        .code(1)
        .stderr(contains("no-such-park.ron"));
}
