//! Pictures read as a reader reads them: the Sankey's labels apart, its
//! colours by class, the sweep's fan chart over the simulated years only
//! and with its targets in view, and the sweep report's parameters.

mod common;

use std::path::Path;

use ab_glyph::{Font, FontRef};
use common::{acid_sweep, parkflow};

/// A label's box: left, top, right, bottom, and its text.
type LabelBox = (f64, f64, f64, f64, String);

/// An attribute's value in an SVG element's text.
fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    element[start..].split('"').next()
}

/// The width of `text` at `size` pixels in DejaVu Sans, the first family
/// the Sankey names; a character it has no glyph for is a full em.
fn width(text: &str, size: f64) -> f64 {
    let bytes = include_bytes!("../assets/fonts/DejaVuSans.ttf");
    let font = FontRef::try_from_slice(bytes).unwrap();
    let em = font.units_per_em().unwrap() as f64;
    let advance = |c: char| match font.glyph_id(c) {
        g if g.0 == 0 => size,
        g => font.h_advance_unscaled(g) as f64 / em * size,
    };
    text.chars().map(advance).sum()
}

/// The boxes of the Sankey's node labels (the texts set middle on their
/// node, name and tonnes): as wide as the text, 1.2 font sizes high, and
/// the white halo around.
fn node_label_boxes(svg: &str) -> Vec<LabelBox> {
    let mut boxes = Vec::new();
    for element in svg.split("<text").skip(1) {
        if !element.contains("dominant-baseline=\"middle\" paint-order=\"stroke\"") {
            continue;
        }
        let num = |name| attr(element, name).unwrap().parse::<f64>().unwrap();
        let (x, y, size) = (num("x"), num("y"), num("font-size"));
        // The white halo drawn under the text hides what it covers.
        let halo = attr(element, "stroke-width").map_or(0.0, |w| w.parse::<f64>().unwrap() / 2.0);
        let body = element.split_once('>').unwrap().1;
        let body = body.split("</text>").next().unwrap();
        let text: String = body
            .split('<')
            .map(|part| part.rsplit_once('>').map_or(part, |(_, t)| t))
            .collect::<String>()
            .replace("&amp;", "&");
        let w = width(&text, size);
        let h = 1.2 * size;
        let (x0, x1) = match attr(element, "text-anchor") {
            Some("end") => (x - w, x),
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            _ => (x, x + w),
        };
        boxes.push((
            x0 - halo,
            y - h / 2.0 - halo,
            x1 + halo,
            y + h / 2.0 + halo,
            text,
        ));
    }
    boxes
}

/// Every pair of label boxes that overlap.
fn overlapping_labels(svg: &str) -> Vec<String> {
    let boxes = node_label_boxes(svg);
    let mut clashes = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3 {
                clashes.push(format!("{:?} and {:?}", a.4, b.4));
            }
        }
    }
    clashes
}

/// `parkflow COMMAND FILE --quiet --out OUT [EXTRA…]`, which must succeed.
fn quietly(command: &str, file: Option<&Path>, out: &Path, extra: &[&str]) {
    let mut cmd = parkflow();
    cmd.arg(command);
    if let Some(file) = file {
        cmd.arg(file);
    }
    cmd.args(["--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// The Sankey of the run of `park` (the built-in park for `None`) in `year`.
fn sankey(park: Option<&Path>, year: i32) -> String {
    let out = tempfile::tempdir().unwrap();
    quietly(
        "run",
        park,
        out.path(),
        &["--sankey-year", &year.to_string()],
    );
    std::fs::read_to_string(out.path().join(format!("sankey-{year}.svg"))).unwrap()
}

#[test]
fn no_two_labels_of_the_default_parks_sankey_overlap() {
    let svg = sankey(None, 2020);
    assert!(node_label_boxes(&svg).len() > 30, "every node labelled");
    let clashes = overlapping_labels(&svg);
    assert!(clashes.is_empty(), "labels overlap: {clashes:#?}");
}

/// One enterprise: a plant feeds a second, whose product goes to a third
/// and whose thin side stream goes to a fourth, drawn just below the third.
const SIDE_STREAM: &str = r#"Park(
    id: "chain",
    name: "A chain with a side stream",
    time: Time(start: 2012, end: 2012),
    pollutants: [],
    materials: [
        Material(id: "a", name: "Intermediate A", unit: "t", kind: Product),
        Material(id: "b", name: "Intermediate B", unit: "t", kind: Product),
        Material(id: "c", name: "Side stream C", unit: "t", kind: Byproduct),
        Material(id: "d", name: "Final D", unit: "t", kind: Product),
        Material(id: "e", name: "Final E", unit: "t", kind: Product),
    ],
    enterprises: [Enterprise(id: "one", name: "One")],
    processes: [
        Process(id: "p1", enterprise: "one", name: "First plant", product: "a", mode: Fixed, capacity: 100),
        Process(id: "p2", enterprise: "one", name: "Second plant", product: "b", mode: Feed("a"), capacity: 1000,
                inputs: {"a": 1.0}, outputs: {"c": 0.01}),
        Process(id: "p3", enterprise: "one", name: "Third plant", product: "d", mode: Feed("b"), capacity: 1000,
                inputs: {"b": 1.0}),
        Process(id: "p4", enterprise: "one", name: "Side plant", product: "e", mode: Feed("c"), capacity: 1000,
                inputs: {"c": 1.0}),
    ],
    links: [
        Link(id: "ab", from: "p1", to: "p2", material: "a"),
        Link(id: "bc", from: "p2", to: "p3", material: "b"),
        Link(id: "cs", from: "p2", to: "p4", material: "c"),
    ],
)"#;

#[test]
fn the_label_of_a_thin_node_keeps_clear_of_its_neighbours_label() {
    // The third plant's label met the second's at the same height and went
    // below its node, onto the side plant's label in the same column.
    let dir = tempfile::tempdir().unwrap();
    let park = dir.path().join("side-stream.ron");
    std::fs::write(&park, SIDE_STREAM).unwrap();
    let svg = sankey(Some(&park), 2012);
    assert_eq!(node_label_boxes(&svg).len(), 5, "every node labelled");
    let clashes = overlapping_labels(&svg);
    assert!(clashes.is_empty(), "labels overlap: {clashes:#?}");
}

#[test]
fn a_product_not_measured_in_tonnes_is_drawn_as_a_utility() {
    // The acid example's ammonium-sulfate plant also burns natural gas,
    // bought in Nm3: a Product not in tonnes.
    let text = std::fs::read_to_string(common::example("acid.ron")).unwrap();
    let text = text
        .replacen(
            "materials: [",
            "materials: [\n        Material(id: \"natural_gas\", name: \"Natural gas\", unit: \"Nm3\", kind: Product, t_per_unit: 0.000717),",
            1,
        )
        .replacen("inputs: {", "inputs: {\"natural_gas\": 100.0, ", 1);
    let work = tempfile::tempdir().unwrap();
    let park = work.path().join("utility.ron");
    std::fs::write(&park, text).unwrap();
    let out = work.path().join("out");
    quietly("run", Some(&park), &out, &[]);
    let sankey = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("sankey-"))
        .expect("a Sankey diagram");
    let svg = std::fs::read_to_string(sankey.path()).unwrap();
    assert!(
        svg.contains(">utilities (energy, gas volume)</text>"),
        "the legend names the utilities"
    );
    let gas = svg
        .split("<path")
        .find(|p| p.contains("<title>Natural gas:"))
        .expect("a natural-gas ribbon");
    assert_eq!(attr(gas, "fill"), Some("#b07aa1"), "utility colour: {gas}");
}

#[test]
fn the_sweep_report_lists_each_parameter_with_its_distribution_and_apply_mode() {
    let dir = tempfile::tempdir().unwrap();
    let params = r#"Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
        Param(path: "processes.mma.outputs.spent_acid", dist: Triangular(0.9, 1.0, 1.2), apply: Scale)"#;
    let out = acid_sweep(dir.path(), 50, params);
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"params\""), "summary.json records them");
    parkflow().arg("report").arg(&out).assert().success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let table = html
        .split("<table id=\"params\">")
        .nth(1)
        .expect("a table of the parameters")
        .split("</table>")
        .next()
        .unwrap();
    for row in [
        "<td><code>processes.mma.capacity</code></td><td>Uniform(min: 50, max: 150)</td><td>Set</td>",
        "<td><code>processes.mma.outputs.spent_acid</code></td><td>Triangular(min: 0.9, mode: 1, max: 1.2)</td><td>Scale</td>",
    ] {
        assert!(table.contains(row), "{row} not in {table}");
    }
}

/// The SVG of figure `id` in a report.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    html.split(&format!("<figure id=\"{id}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .split("</figure>")
        .next()
        .unwrap()
}

/// The texts of an SVG with their x and y: `(text, x, y)`.
fn texts(svg: &str) -> Vec<(String, f64, f64)> {
    (svg.split("<text").skip(1))
        .map(|element| {
            let num = |name| attr(element, name).unwrap().parse::<f64>().unwrap();
            let body = element.split_once('>').unwrap().1;
            let text = body.split("</text>").next().unwrap().trim().to_string();
            (text, num("x"), num("y"))
        })
        .collect()
}

#[test]
fn the_fan_chart_draws_only_the_simulated_years_and_keeps_the_targets_in_view() {
    // The default park's targets are for 2017 (0.70) and 2020 (0.80): a
    // sweep simulates those two years alone. The band used to run from one
    // to the other through 2018 and 2019, and the axis stopped near 50%.
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("fan.ron");
    std::fs::write(
        &sweep,
        r#"Sweep(id: "fan", samples: 20, seed: 1, params: [Param(path: "processes.jpcc_power.utilization", dist: Uniform(0.77, 0.95))])"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    quietly("sweep", Some(&sweep), &out, &[]);
    parkflow().arg("report").arg(&out).assert().success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let svg = figure(&html, "fan");
    let texts = texts(svg);
    let at = |label: &str| texts.iter().find(|t| t.0 == label).map(|t| (t.1, t.2));
    let (x2017, _) = at("2017").expect("2017 on the axis");
    let (x2020, _) = at("2020").expect("2020 on the axis");
    assert!(
        at("2018").is_none() && at("2019").is_none(),
        "years not simulated are not named"
    );
    // Every shape in the runs' colour stays within its year.
    let mut shapes = 0;
    for element in svg.split('<').filter(|e| e.contains("#4E79A7")) {
        let xs: Vec<f64> = if let Some(points) = attr(element, "points") {
            (points.split_whitespace())
                .filter_map(|p| p.split(',').next()?.parse().ok())
                .collect()
        } else {
            let x: f64 = attr(element, "x").unwrap().parse().unwrap();
            let w: f64 = attr(element, "width").map_or(0.0, |w| w.parse().unwrap());
            vec![x, x + w]
        };
        let (lo, hi) = xs
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        assert!(
            hi - lo < (x2020 - x2017) / 3.0,
            "a shape spans years no run simulated: {element}"
        );
        shapes += 1;
    }
    assert!(shapes >= 4, "each year drawn ({shapes} shapes)");
    // The targets are marked, inside the plot: below the title, above the axis.
    let (_, zero) = at("0%").expect("0% on the axis");
    for target in ["target 70%", "target 80%"] {
        let (_, y) = at(target).unwrap_or_else(|| panic!("{target} marked"));
        assert!(
            y > 40.0 && y < zero,
            "{target} at y {y}, axis from 40 to {zero}"
        );
    }
}
