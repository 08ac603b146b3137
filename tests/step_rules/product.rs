//! `linkage_product` (docs/MODEL.md, "Indicators"): the tonnes of products
//! and byproducts carried between enterprises over the tonnes of them made,
//! each against a hand computation. Part of the `step_rules` test binary,
//! whose helpers it uses.

use super::*;

#[test]
fn product_linkage_counts_products_and_byproducts_but_not_effluents() {
    // src (e1) makes 100 t of product a and 100 t each of slag, acid and
    // wastewater, and 1000 Nm3 of gas at 0.0005 t/Nm3 = 0.5 t.
    // other (e2) makes 60 t of b from 60 t slag, 60 t wastewater, 60 t of a;
    // same (e1) makes 40 t of c from 40 t acid; idle makes nothing.
    // Made: a 100 + slag 100 + acid 100 + gas 0.5 + b 60 + c 40 = 400.5 t
    // (the wastewater is an Effluent and never counts).
    // Between enterprises: slag 60 + product a 60 = 120 t (the acid stays
    // within e1, the wastewater never counts).
    let (_, sim) = sim(&park(ONE_YEAR, FOUR_KINDS.0, FOUR_KINDS.1, ""));
    let y = &sim.years[0];
    close(y.made_t, 400.5);
    close(y.made_inter_t, 120.0);
    close(y.linkage_product, 120.0 / 400.5);
    // The byproduct rate of the same park is unchanged: 60 / 200.5.
    close(y.linkage_mass, 60.0 / 200.5);
}

#[test]
fn a_product_without_a_tonnes_conversion_is_left_out_of_product_linkage() {
    // Power in MWh has no t_per_unit: its 50 MWh, and the 50 MWh carried to
    // e2, are in neither sum. Left: slag 100 t made, 30 t carried; b 30 t.
    let text = park(
        ONE_YEAR,
        r#"Process(id: "plant", enterprise: "e1", name: "P", product: "power", mode: Fixed, capacity: 50,
                   outputs: {"slag": 2}),
           Process(id: "user", enterprise: "e2", name: "U", product: "b", mode: Fixed, capacity: 30,
                   inputs: {"slag": 1, "power": 1})"#,
        r#"Link(id: "slag", from: "plant", to: "user", material: "slag"),
           Link(id: "power", from: "plant", to: "user", material: "power")"#,
        "",
    )
    .replace(
        r#"Material(id: "a","#,
        r#"Material(id: "power", name: "Power", unit: "MWh", kind: Product),
        Material(id: "a","#,
    );
    let (_, sim) = sim(&text);
    let y = &sim.years[0];
    close(y.made_t, 130.0);
    close(y.made_inter_t, 30.0);
    close(y.linkage_product, 30.0 / 130.0);
}

#[test]
fn the_acid_example_links_60_of_270_product_and_byproduct_tonnes() {
    // 2012 and 2013 alike: the MMA plant makes 100 t MMA and 110 t spent
    // acid, the pipeline carries 60 t of acid to the other enterprise, whose
    // plant makes 60 t ammonium sulfate (the imported ammonia never counts).
    // 60 / (100 + 110 + 60). The tank's stock is not made in the year.
    let text = std::fs::read_to_string("flows/examples/acid.ron").unwrap();
    let (_, sim) = sim(&text);
    for y in &sim.years {
        close(y.made_t, 270.0);
        close(y.linkage_product, 60.0 / 270.0);
    }
}

#[test]
fn a_product_target_is_judged_on_linkage_product() {
    // 100 t of a made and 100 t of slag; the user takes 40 t of a and 40 t
    // of slag and makes 40 t of b: product linkage 80 / 240 = 1/3, below
    // the 0.35 target, while the byproduct rate (0.4) would meet it.
    let (_, sim) = sim(&park(
        ONE_YEAR,
        r#"Process(id: "src", enterprise: "e1", name: "S", product: "a", mode: Fixed, capacity: 100, outputs: {"slag": 1}),
           Process(id: "user", enterprise: "e2", name: "U", product: "b", mode: Fixed, capacity: 40, inputs: {"slag": 1, "a": 1})"#,
        r#"Link(id: "slag", from: "src", to: "user", material: "slag"),
           Link(id: "a", from: "src", to: "user", material: "a")"#,
        r#"targets: Targets(metric: Product, linkage: [(2012, 0.35)]),"#,
    ));
    let t = &sim.judgement.targets[0];
    close(t.value, 80.0 / 240.0);
    assert!(!t.met);
    close(sim.years[0].linkage_mass, 0.4);
}
