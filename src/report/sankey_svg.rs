//! Drawing a laid-out [`Sankey`] as SVG: nodes, ribbons coloured by
//! material, recycling channels below the lanes, and a title on every
//! shape naming what it is.

use std::fmt::Write as _;

use super::html::escape;
use super::names::{MaterialClass, Names};
use super::sankey::*;
use super::sankey_labels::{
    LABEL_SIZE, LANE_TITLE_DY, LANE_TITLE_SIZE, LANE_TITLE_X, node_name, place_labels,
};
use super::terms::Term;
use super::{group, tonnes};

/// A class's colour and legend entry: a few colours a reader can tell
/// apart, whatever the park's size.
fn class_style(class: MaterialClass) -> (&'static str, Term) {
    match class {
        MaterialClass::Product => ("#4e79a7", Term::Products),
        MaterialClass::Byproduct => ("#f28e2b", Term::Byproducts),
        MaterialClass::Effluent => ("#9c755f", Term::Effluents),
        MaterialClass::Utility => ("#b07aa1", Term::Utilities),
        MaterialClass::Unknown => ("#9a9a9a", Term::OtherClass),
    }
}

/// A material's colour: its class's.
fn colour(names: &Names, id: &str) -> &'static str {
    class_style(names.material_class(id)).0
}

fn node_fill(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Imports | NodeKind::FromStorage => "#7f8c9a",
        NodeKind::Process => "#333",
        NodeKind::Sold => "#3a8a4a",
        NodeKind::Stored => "#8a5fa0",
        NodeKind::Disposed => "#a5482f",
    }
}

/// The diagram as a standalone SVG document. Every name is escaped.
pub fn sankey_svg(s: &Sankey, names: &Names) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans, Verdana, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif">"#,
        w = s.width,
        h = s.height
    );
    let _ = writeln!(o, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="28" font-size="20" fill="#222">{}</text>"##,
        escape(&names.fill(Term::SankeyTitle, &[&s.year, &s.park]))
    );
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="48" font-size="12" fill="#555">{}</text>"##,
        names.term(Term::SankeyLanes)
    );
    for (i, lane) in s.lanes.iter().enumerate() {
        let fill = if i % 2 == 0 { "#f4f6f8" } else { "#fbfbfc" };
        let _ = writeln!(
            o,
            r#"<rect x="0" y="{:.1}" width="{:.0}" height="{:.1}" fill="{fill}"/>"#,
            lane.y, s.width, lane.h
        );
        let _ = writeln!(
            o,
            r##"<text x="{LANE_TITLE_X}" y="{:.1}" font-size="{LANE_TITLE_SIZE}" font-weight="bold" fill="#445">{}</text>"##,
            lane.y + LANE_TITLE_DY,
            escape(&names.enterprise(&lane.enterprise))
        );
    }
    // Forward ribbons.
    for e in s.edges.iter().filter(|e| !e.back) {
        let (a, b) = (&s.nodes[e.from], &s.nodes[e.to]);
        let w = e.tonnes * s.scale;
        let (x0, x1) = (a.x + NODE_W, b.x);
        let (y0, y1) = (e.y_from, e.y_to);
        let mx = (x0 + x1) / 2.0;
        let _ = writeln!(
            o,
            r#"<path d="M{x0:.1},{y0:.2} C{mx:.1},{y0:.2} {mx:.1},{y1:.2} {x1:.1},{y1:.2} L{x1:.1},{y1w:.2} C{mx:.1},{y1w:.2} {mx:.1},{y0w:.2} {x0:.1},{y0w:.2} Z" fill="{c}" fill-opacity="0.5" stroke="{c}" stroke-opacity="0.6" stroke-width="{sw}"><title>{t}</title></path>"#,
            y1w = y1 + w,
            y0w = y0 + w,
            c = colour(names, &e.material),
            sw = if w < 1.0 { "0.6" } else { "0" },
            t = escape(&ribbon_title(s, names, e)),
        );
    }
    // Loops, each in its own channel below the lanes.
    let mut channel = s.lanes_bottom + 24.0;
    for e in s.edges.iter().filter(|e| e.back) {
        let (a, b) = (&s.nodes[e.from], &s.nodes[e.to]);
        let w = (e.tonnes * s.scale).max(1.0);
        let yc = channel + w / 2.0;
        let (x0, x1) = (a.x + NODE_W, b.x);
        let (ya, yb) = (e.y_from + w / 2.0, e.y_to + w / 2.0);
        // Quarter circles whose inner radius stays positive however wide the loop.
        let r = w / 2.0 + 8.0;
        let c = colour(names, &e.material);
        let _ = writeln!(
            o,
            r#"<path d="M{x0:.1},{ya:.2} H{:.1} A{r:.1},{r:.1} 0 0 1 {:.1},{:.2} V{:.2} A{r:.1},{r:.1} 0 0 1 {:.1},{yc:.2} H{:.1} A{r:.1},{r:.1} 0 0 1 {:.1},{:.2} V{:.2} A{r:.1},{r:.1} 0 0 1 {:.1},{yb:.2} H{x1:.1}" fill="none" stroke="{c}" stroke-opacity="0.55" stroke-width="{w:.2}"><title>{t}</title></path>"#,
            x0 + r,
            x0 + 2.0 * r,
            ya + r,
            yc - r,
            x0 + r,
            x1 - r,
            x1 - 2.0 * r,
            yc - r,
            yb + r,
            x1 - r,
            t = escape(&ribbon_title(s, names, e)),
        );
        let _ = writeln!(
            o,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#333" text-anchor="middle">{}</text>"##,
            (x0.min(x1) + x0.max(x1)) / 2.0,
            channel + w + 14.0,
            escape(&names.fill(
                Term::Loop,
                &[
                    &names.material(&e.material),
                    &node_name(a, names),
                    &node_name(b, names),
                    &tonnes(e.tonnes)
                ]
            )),
        );
        channel += w + 34.0;
    }
    // Nodes, then their labels over every node and ribbon.
    for n in &s.nodes {
        let _ = writeln!(
            o,
            r#"<rect x="{:.1}" y="{:.2}" width="{NODE_W}" height="{:.2}" fill="{}"><title>{}</title></rect>"#,
            n.x,
            n.y,
            n.h,
            node_fill(n.kind),
            escape(&names.fill(
                Term::NodeInOut,
                &[&node_name(n, names), &tonnes(n.t_in), &tonnes(n.t_out)]
            ))
        );
    }
    for label in place_labels(s, names) {
        if let Some((x, y)) = label.leader {
            let _ = writeln!(
                o,
                r##"<path d="M{x:.1},{y:.1} L{:.1},{:.1}" stroke="#888" stroke-width="0.6" fill="none"/>"##,
                label.x, label.y
            );
        }
        let _ = writeln!(
            o,
            r##"<text x="{:.1}" y="{:.1}" font-size="{LABEL_SIZE}" fill="#111" text-anchor="{}" dominant-baseline="middle" paint-order="stroke" stroke="white" stroke-width="3" stroke-linejoin="round">{} <tspan fill="#666">{}</tspan></text>"##,
            label.x,
            label.y,
            if label.end { "end" } else { "start" },
            escape(&label.name),
            label.amount
        );
    }
    // Legend: the classes the materials of the diagram fall in.
    let mut y = channel + 30.0;
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="{y:.1}" font-size="12" fill="#333">{}</text>"##,
        escape(&names.fill(Term::SankeyLegend, &[&s.year]))
    );
    y += 22.0;
    let mut shown: Vec<MaterialClass> = (s.materials().iter())
        .map(|m| names.material_class(m))
        .collect();
    shown.sort_unstable();
    shown.dedup();
    for (i, &k) in shown.iter().enumerate() {
        let x = LEFT + i as f64 * 240.0;
        let (fill, term) = class_style(k);
        let _ = writeln!(
            o,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{}" fill-opacity="0.7"/><text x="{:.1}" y="{y:.1}" font-size="11" fill="#333" dominant-baseline="middle">{}</text>"##,
            y - 5.0,
            fill,
            x + 20.0,
            names.term(term)
        );
    }
    if !s.skipped.is_empty() {
        let y = y + 28.0;
        let list: Vec<String> = s.skipped.iter().map(|m| names.material(m)).collect();
        let _ = writeln!(
            o,
            r##"<text x="{LEFT}" y="{y:.1}" font-size="11" fill="#a00">{}</text>"##,
            escape(&names.fill(Term::NotDrawn, &[&list.join(", ")]))
        );
    }
    o.push_str("</svg>\n");
    o
}

fn ribbon_title(s: &Sankey, names: &Names, e: &Edge) -> String {
    format!(
        "{}: {} t, {} → {}",
        names.material(&e.material),
        group(e.tonnes, 0),
        node_name(&s.nodes[e.from], names),
        node_name(&s.nodes[e.to], names)
    )
}

#[cfg(test)]
mod tests {
    use super::{Names, Node, NodeKind, node_name};

    #[test]
    fn terminals_are_named_in_chinese_when_the_pictures_use_chinese_names() {
        let node = |kind| Node {
            id: String::new(),
            kind,
            enterprise: String::new(),
            layer: 0,
            t_in: 0.0,
            t_out: 0.0,
            x: 0.0,
            y: 0.0,
            h: 0.0,
        };
        let english = Names::default();
        let mut chinese = Names::default();
        chinese.chinese = true;
        let kinds = [
            NodeKind::Imports,
            NodeKind::Sold,
            NodeKind::Stored,
            NodeKind::Disposed,
        ];
        let named = |names: &Names| kinds.map(|k| node_name(&node(k), names));
        assert_eq!(named(&english), ["imports", "sold", "stored", "disposed"]);
        assert_eq!(named(&chinese), ["外购", "外售", "储存", "处置"]);
    }
}
