//! Every rejection listed in docs/MODEL.md, "The park file", each with a
//! message naming the item and field.

use parkflow::model::{parse_park, validate};

const BASE: &str = r#"Park(
    id: "v", name: "V",
    time: Time(start: 2012, end: 2020),
    pollutants: [Pollutant(id: "cod", name: "COD", unit: "t"), Pollutant(id: "so2", name: "SO2", unit: "t")],
    materials: [
        Material(id: "a", name: "A", unit: "t", kind: Product),
        Material(id: "b", name: "B", unit: "t", kind: Product),
        Material(id: "acid", name: "Acid", unit: "t", kind: Byproduct),
    ],
    enterprises: [Enterprise(id: "e1", name: "E1"), Enterprise(id: "e2", name: "E2")],
    processes: [
        Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 10,
                utilization: 0.9, outputs: {"acid": 1}, emissions: {"so2": 0.1}, abatement: {"so2": 0.5}),
        Process(id: "sink", enterprise: "e2", name: "K", product: "b", mode: Feed("acid"), capacity: 10,
                inputs: {"acid": 1}),
    ],
    links: [Link(id: "l", from: "src", to: "sink", material: "acid", start: 2014, end: 2030)],
    storages: [Storage(id: "tank", process: "src", material: "acid", capacity: 5)],
    background: {"cod": [(2012, 100), (2016, 90)]},
    targets: Targets(metric: Mass, baseline: (2012, 0.35), linkage: [(2017, 0.7), (2020, 0.8)]),
    caps: [Cap(year: 2017, scope: City, limits: {"cod": 130200})],
)"#;

/// The validation message for BASE with `from` replaced by `to`.
fn problems(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "`{from}` is not in the base park");
    let text = BASE.replacen(from, to, 1);
    let park = parse_park(&text, "v.ron").unwrap_or_else(|e| panic!("{e}"));
    match validate(&park, "v.ron") {
        Ok(()) => panic!("`{to}` should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn rejects(from: &str, to: &str, message: &str) {
    let got = problems(from, to);
    assert!(got.contains(message), "expected `{message}` in:\n{got}");
    assert!(got.starts_with("v.ron: "), "{got}");
}

#[test]
fn the_base_park_is_valid() {
    let park = parse_park(BASE, "v.ron").unwrap();
    validate(&park, "v.ron").unwrap();
}

#[test]
fn duplicate_ids_are_rejected() {
    rejects(
        r#"Enterprise(id: "e2""#,
        r#"Enterprise(id: "e1""#,
        "enterprise `e1` is defined twice",
    );
    rejects(
        r#"Process(id: "sink""#,
        r#"Process(id: "src""#,
        "process `src` is defined twice",
    );
    rejects(
        r#"Material(id: "b""#,
        r#"Material(id: "a""#,
        "material `a` is defined twice",
    );
}

#[test]
fn unknown_references_suggest_the_closest_id() {
    rejects(
        r#"enterprise: "e2""#,
        r#"enterprise: "ee2""#,
        "process `sink`, enterprise: unknown enterprise `ee2`; did you mean `e2`?",
    );
    rejects(
        r#"to: "sink""#,
        r#"to: "snk""#,
        "link `l`, to: unknown process `snk`; did you mean `sink`?",
    );
    rejects(
        r#"outputs: {"acid": 1}"#,
        r#"outputs: {"acd": 1}"#,
        "unknown material `acd`; did you mean `acid`?",
    );
    rejects(
        r#"process: "src""#,
        r#"process: "srcc""#,
        "storage `tank`, process: unknown process `srcc`; did you mean `src`?",
    );
}

#[test]
fn a_link_must_carry_an_output_of_its_source_and_an_input_of_its_sink() {
    rejects(
        r#"material: "acid", start"#,
        r#"material: "b", start"#,
        "link `l`, material: `b` is neither the product nor an output of `src`",
    );
    rejects(
        r#"material: "acid", start"#,
        r#"material: "a", start"#,
        "link `l`, material: `a` is not an input of `sink`",
    );
}

#[test]
fn feed_must_name_an_input() {
    rejects(
        r#"Feed("acid")"#,
        r#"Feed("a")"#,
        "Feed(\"a\") names a material that is not one of its inputs",
    );
}

#[test]
fn negative_and_non_finite_numbers_are_rejected() {
    rejects(
        "capacity: 10,\n                utilization",
        "capacity: -1,\n                utilization",
        "process `src`, capacity: -1 is negative",
    );
    rejects(
        r#"{"so2": 0.1}"#,
        r#"{"so2": inf}"#,
        "process `src`, emissions.so2: inf is not a finite number",
    );
    rejects(
        "capacity: 5)",
        "capacity: NaN)",
        "storage `tank`, capacity: NaN is not a finite number",
    );
    rejects(
        r#"(2016, 90)"#,
        r#"(2016, -90)"#,
        "background, cod: -90 is negative",
    );
}

#[test]
fn utilization_and_abatement_must_lie_in_zero_to_one() {
    rejects(
        "utilization: 0.9",
        "utilization: 1.2",
        "process `src`, utilization: 1.2 is outside [0, 1]",
    );
    rejects(
        r#"abatement: {"so2": 0.5}"#,
        r#"abatement: {"so2": -0.1}"#,
        "process `src`, abatement.so2: -0.1 is outside [0, 1]",
    );
}

#[test]
fn series_years_must_increase() {
    rejects(
        "[(2012, 100), (2016, 90)]",
        "[(2016, 100), (2012, 90)]",
        "background, cod: years must be strictly increasing",
    );
}

#[test]
fn an_end_before_its_start_is_rejected() {
    rejects(
        "end: 2030",
        "end: 2013",
        "link `l`, end: 2013 is before start 2014",
    );
    rejects(
        "Time(start: 2012, end: 2020)",
        "Time(start: 2012, end: 2011)",
        "time: end 2011 is before start 2012",
    );
}

#[test]
fn an_absurd_time_range_is_rejected_not_overflowed() {
    rejects(
        "Time(start: 2012, end: 2020)",
        "Time(start: -2147483648, end: 2147483647)",
        "spans 4294967296 years; at most 1000 are simulated",
    );
}

#[test]
fn fixed_and_feed_processes_need_a_capacity() {
    rejects(
        "mode: Fixed, capacity: 10,",
        "mode: Fixed,",
        "process `src`, capacity: required for a Fixed process",
    );
    rejects(
        r#"Feed("acid"), capacity: 10,"#,
        r#"Feed("acid"),"#,
        "process `sink`, capacity: required for a Feed process",
    );
}

#[test]
fn demand_belongs_to_demand_processes_only() {
    rejects(
        "utilization: 0.9,",
        "utilization: 0.9, demand: 5,",
        "process `src`, demand: only a Demand process takes final demand",
    );
}

#[test]
fn pollutant_keys_must_name_pollutants() {
    rejects(
        r#"limits: {"cod": 130200}"#,
        r#"limits: {"nox": 130200}"#,
        "cap 2017, limits: unknown pollutant `nox`",
    );
    rejects(
        r#"background: {"cod""#,
        r#"background: {"co""#,
        "unknown pollutant `co`; did you mean `cod`?",
    );
    rejects(
        r#"emissions: {"so2""#,
        r#"emissions: {"sox""#,
        "process `src`, emissions: unknown pollutant `sox`; did you mean `so2`?",
    );
}

#[test]
fn a_target_year_must_lie_in_the_simulated_years() {
    rejects(
        "(2020, 0.8)",
        "(2025, 0.8)",
        "targets, linkage: year 2025 is outside the simulated years 2012–2020",
    );
}

#[test]
fn the_park_id_must_be_safe_in_a_file_name() {
    rejects(
        r#"id: "v""#,
        r#"id: "../etc""#,
        "park `../etc`: the id must match [a-z0-9_-]{1,64}",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let got = problems("utilization: 0.9", "utilization: 2, demand: 1");
    assert!(got.contains("2 problems"), "{got}");
}
