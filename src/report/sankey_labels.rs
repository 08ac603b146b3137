//! Where the Sankey's node labels go: beside their nodes, and never over
//! one another or over a lane's title.
//!
//! A label faces away from the ribbons' destination: right of its node in
//! the left half and in the last column, left of it otherwise. Its box is
//! the text's width in the bundled font ([`text_width`]) by
//! [`LABEL_H`]. Labels are placed largest node first; one whose box meets
//! a box already placed moves to the nearest height where it meets none
//! (just above or below a box in its way), so the labels of thin nodes are
//! the ones that move, and a label moved off its node's side gets a leader
//! line to it.

use super::font::text_width;
use super::names::Names;
use super::sankey::{NODE_W, Node, Sankey};
use super::tonnes;

/// Font size of a node label.
pub(super) const LABEL_SIZE: f64 = 11.0;
/// Height of a label's box: a line of text at [`LABEL_SIZE`].
pub(super) const LABEL_H: f64 = 1.2 * LABEL_SIZE;
/// The white halo drawn under a label's text (half its stroke width),
/// part of its box: it hides what it covers.
const HALO: f64 = 1.5;
/// Space kept between two labels' boxes, halos included.
const PAD: f64 = 1.0;
/// Font size of a lane's title, and where its baseline sits below the lane's top.
pub(super) const LANE_TITLE_SIZE: f64 = 12.0;
pub(super) const LANE_TITLE_DY: f64 = 14.0;
/// Where a lane's title starts.
pub(super) const LANE_TITLE_X: f64 = 6.0;

/// A node's label, placed.
#[derive(Debug, Clone)]
pub(super) struct Label {
    /// The node's name.
    pub(super) name: String,
    /// Its tonnes, shown after the name.
    pub(super) amount: String,
    /// Where the text is anchored.
    pub(super) x: f64,
    /// The text's middle.
    pub(super) y: f64,
    /// Whether the text ends at `x` (left of its node) rather than starts.
    pub(super) end: bool,
    /// Where a leader line from the node starts, when the label was moved
    /// off its node's side.
    pub(super) leader: Option<(f64, f64)>,
}

/// A box: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Rect(f64, f64, f64, f64);

impl Rect {
    fn meets(&self, o: &Rect) -> bool {
        self.0 < o.2 + PAD && o.0 < self.2 + PAD && self.1 < o.3 + PAD && o.1 < self.3 + PAD
    }
}

/// A node's name: its process's, or its terminal's.
pub(super) fn node_name(n: &Node, names: &Names) -> String {
    match n.kind.term() {
        Some(term) => names.term(term).to_string(),
        None => names.process(&n.id),
    }
}

/// The labels of every node, in node order.
pub(super) fn place_labels(s: &Sankey, names: &Names) -> Vec<Label> {
    let mut placed: Vec<Rect> = s
        .lanes
        .iter()
        .map(|lane| {
            let w = text_width(&names.enterprise(&lane.enterprise), LANE_TITLE_SIZE);
            let base = lane.y + LANE_TITLE_DY;
            Rect(
                LANE_TITLE_X,
                base - LANE_TITLE_SIZE,
                LANE_TITLE_X + w,
                base + 4.0,
            )
        })
        .collect();
    let mut labels: Vec<Label> = s
        .nodes
        .iter()
        .map(|n| {
            let end = !(n.layer * 2 <= s.last_layer || n.layer == s.last_layer);
            Label {
                name: node_name(n, names),
                amount: tonnes(n.t_in.max(n.t_out)),
                x: if end { n.x - 4.0 } else { n.x + NODE_W + 4.0 },
                y: n.y + n.h / 2.0,
                end,
                leader: None,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..s.nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (na, nb) = (&s.nodes[a], &s.nodes[b]);
        (nb.h.total_cmp(&na.h))
            .then(na.layer.cmp(&nb.layer))
            .then(na.y.total_cmp(&nb.y))
    });
    for i in order {
        let label = &mut labels[i];
        let w = text_width(&format!("{} {}", label.name, label.amount), LABEL_SIZE);
        let (x0, x1) = if label.end {
            (label.x - w, label.x)
        } else {
            (label.x, label.x + w)
        };
        let half = LABEL_H / 2.0 + HALO;
        let at = |y: f64| Rect(x0 - HALO, y - half, x1 + HALO, y + half);
        let free = |y: f64| !placed.iter().any(|r| r.meets(&at(y)));
        let want = label.y;
        // Never above the first lane's top, where the title is.
        let lowest = s.lanes.first().map_or(0.0, |l| l.y) + half;
        let y = if free(want) {
            want
        } else {
            placed
                .iter()
                .flat_map(|r| [r.1 - PAD - half - 0.5, r.3 + PAD + half + 0.5])
                .filter(|&y| y >= lowest && free(y))
                .min_by(|a, b| (a - want).abs().total_cmp(&(b - want).abs()))
                .unwrap_or_else(|| {
                    let bottom = placed.iter().map(|r| r.3).fold(want, f64::max);
                    bottom + PAD + half + 0.5
                })
        };
        placed.push(at(y));
        let n = &s.nodes[i];
        label.y = y;
        if y < n.y - 1.0 || y > n.y + n.h + 1.0 {
            let side = if label.end { n.x } else { n.x + NODE_W };
            label.leader = Some((side, y.clamp(n.y, n.y + n.h)));
        }
    }
    labels
}
