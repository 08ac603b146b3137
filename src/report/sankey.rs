//! The Sankey diagram of one year's flows, drawn by hand as SVG (no crate
//! lays out a Sankey with loops well).
//!
//! - **Nodes** are processes, plus terminal nodes per enterprise: imports
//!   (and storage drawn down) on the left; sales, disposal and storage filled
//!   on the right.
//! - **Ribbons** are as wide as the flow in tonnes (amount × `t_per_unit`);
//!   a material without a tonnes conversion is left out and named in a note.
//!   They are coloured by material class (`Names::material_class`).
//! - **Layout**: each enterprise gets a horizontal lane, so its processes sit
//!   together and every ribbon that crosses lanes is an inter-enterprise
//!   link. Columns are layers by longest path over the links once loops are
//!   cut: a depth-first search in park order marks the links that close a
//!   cycle (recycling), and those are routed separately, below the lanes,
//!   each in its own channel.
//!
//! The model and its layout are here; drawing it as SVG is in `sankey_svg`.

use std::collections::{BTreeMap, HashMap};

use super::RunResults;
use super::names::Names;
use super::terms::Term;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// Imports into the park (left).
    Imports,
    /// Storage drawn down (left).
    FromStorage,
    /// A process.
    Process,
    /// Sold outside the park (right).
    Sold,
    /// Stored (right).
    Stored,
    /// Disposed of (right).
    Disposed,
}

impl NodeKind {
    /// What a terminal node is called (`None` for a process, named by its
    /// process).
    pub(super) fn term(self) -> Option<Term> {
        match self {
            NodeKind::Imports => Some(Term::Imports),
            NodeKind::FromStorage => Some(Term::FromStorage),
            NodeKind::Process => None,
            NodeKind::Sold => Some(Term::Sold),
            NodeKind::Stored => Some(Term::Stored),
            NodeKind::Disposed => Some(Term::Disposed),
        }
    }
}

/// A node of the diagram.
#[derive(Debug, Clone)]
pub struct Node {
    /// Process id, or the terminal's kind for terminal nodes.
    pub id: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// Enterprise (lane) id.
    pub enterprise: String,
    /// Column.
    pub layer: usize,
    /// Tonnes in.
    pub t_in: f64,
    /// Tonnes out.
    pub t_out: f64,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) h: f64,
}

/// A ribbon.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Source node.
    pub from: usize,
    /// Sink node.
    pub to: usize,
    /// Material id.
    pub material: String,
    /// Tonnes in the year.
    pub tonnes: f64,
    /// Whether it closes a loop (routed below the lanes).
    pub back: bool,
    pub(super) y_from: f64,
    pub(super) y_to: f64,
}

/// An enterprise's lane.
#[derive(Debug, Clone)]
pub(super) struct Lane {
    pub(super) enterprise: String,
    pub(super) y: f64,
    pub(super) h: f64,
}

/// A laid-out Sankey diagram of one year.
#[derive(Debug, Clone)]
pub struct Sankey {
    /// The year shown.
    pub year: i32,
    /// Park id.
    pub park: String,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Ribbons.
    pub edges: Vec<Edge>,
    /// Materials left out for want of a tonnes conversion.
    pub skipped: Vec<String>,
    pub(super) lanes: Vec<Lane>,
    pub(super) last_layer: usize,
    pub(super) scale: f64,
    pub(super) width: f64,
    pub(super) lanes_bottom: f64,
    pub(super) height: f64,
}

pub(super) const NODE_W: f64 = 12.0;
const COL: f64 = 240.0;
pub(super) const LEFT: f64 = 30.0;
const TOP: f64 = 60.0;
const GAP: f64 = 16.0;
const LANE_PAD: f64 = 22.0;
/// Pixels for the whole of the lanes' flows.
const FLOW_PX: f64 = 1100.0;

impl Sankey {
    /// Build and lay out the diagram of `year`.
    pub fn build(r: &RunResults, names: &Names, year: i32) -> Sankey {
        let mut skipped: Vec<String> = Vec::new();
        let mut tonnes_of = |m: &str, amount: f64| -> Option<f64> {
            match names.t_per_unit(m) {
                Some(t) => Some(amount * t),
                None => {
                    if amount != 0.0 && !skipped.iter().any(|s| s == m) {
                        skipped.push(m.to_string());
                    }
                    None
                }
            }
        };
        // (from, to, material) → tonnes, with terminal nodes as (kind, enterprise).
        type Key = (NodeKey, NodeKey, String);
        let mut flows: BTreeMap<Key, f64> = BTreeMap::new();
        let ent = |p: &str| names.enterprise_of(p).unwrap_or("?").to_string();
        let proc_key = |p: &str| NodeKey {
            kind: NodeKind::Process,
            rank: names.process_rank(p),
            id: p.to_string(),
            enterprise: ent(p),
        };
        let term = |kind: NodeKind, p: &str| NodeKey {
            kind,
            rank: 0,
            id: kind.term().map_or("", |t| t.text(false)).to_string(),
            enterprise: ent(p),
        };
        for l in r.links.iter().filter(|l| l.year == year) {
            if let Some(t) = tonnes_of(&l.material, l.flow) {
                *flows
                    .entry((proc_key(&l.from), proc_key(&l.to), l.material.clone()))
                    .or_default() += t;
            }
        }
        for i in r.imports.iter().filter(|i| i.year == year) {
            if let Some(t) = tonnes_of(&i.material, i.imported) {
                *flows
                    .entry((
                        term(NodeKind::Imports, &i.process),
                        proc_key(&i.process),
                        i.material.clone(),
                    ))
                    .or_default() += t;
            }
        }
        for p in r.pools.iter().filter(|p| p.year == year) {
            if p.sold <= 0.0 && p.disposed <= 0.0 && p.stored == 0.0 {
                continue;
            }
            let Some(tpu) = tonnes_of(&p.material, 1.0) else {
                continue;
            };
            let me = proc_key(&p.process);
            let mut add = |from: NodeKey, to: NodeKey, v: f64| {
                *flows.entry((from, to, p.material.clone())).or_default() += v;
            };
            if p.sold > 0.0 {
                add(me.clone(), term(NodeKind::Sold, &p.process), p.sold * tpu);
            }
            if p.disposed > 0.0 {
                add(
                    me.clone(),
                    term(NodeKind::Disposed, &p.process),
                    p.disposed * tpu,
                );
            }
            if p.stored > 0.0 {
                add(
                    me.clone(),
                    term(NodeKind::Stored, &p.process),
                    p.stored * tpu,
                );
            } else if p.stored < 0.0 {
                add(
                    term(NodeKind::FromStorage, &p.process),
                    me.clone(),
                    -p.stored * tpu,
                );
            }
        }
        // Net storage changes within a year can cancel out across steps.
        flows.retain(|_, t| *t > 0.0);

        let mut keys: Vec<NodeKey> = flows
            .keys()
            .flat_map(|(a, b, _)| [a.clone(), b.clone()])
            .collect();
        keys.sort();
        keys.dedup();
        let index: HashMap<NodeKey, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let mut nodes: Vec<Node> = keys
            .iter()
            .map(|k| Node {
                id: k.id.clone(),
                kind: k.kind,
                enterprise: k.enterprise.clone(),
                layer: 0,
                t_in: 0.0,
                t_out: 0.0,
                x: 0.0,
                y: 0.0,
                h: 0.0,
            })
            .collect();
        let mut edges: Vec<Edge> = flows
            .iter()
            .map(|((a, b, m), t)| Edge {
                from: index[a],
                to: index[b],
                material: m.clone(),
                tonnes: *t,
                back: false,
                y_from: 0.0,
                y_to: 0.0,
            })
            .collect();
        for e in &edges {
            nodes[e.from].t_out += e.tonnes;
            nodes[e.to].t_in += e.tonnes;
        }
        mark_back_edges(&nodes, &mut edges);
        let max_layer = assign_layers(&mut nodes, &edges);
        let mut s = Sankey {
            year,
            park: r.summary.park.clone(),
            nodes,
            edges,
            skipped,
            lanes: Vec::new(),
            last_layer: max_layer,
            scale: 1.0,
            width: 0.0,
            lanes_bottom: 0.0,
            height: 0.0,
        };
        s.place(names, max_layer);
        s
    }

    fn place(&mut self, names: &Names, max_layer: usize) {
        // Lanes in park order; within a lane and a column, nodes by kind then rank.
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by_key(|&i| {
            let n = &self.nodes[i];
            (
                names
                    .enterprises
                    .iter()
                    .position(|e| *e == n.enterprise)
                    .unwrap_or(usize::MAX),
                n.enterprise.clone(),
                n.layer,
                n.kind,
                names.process_rank(&n.id),
            )
        });
        let mut lane_ids: Vec<String> = Vec::new();
        for &i in &order {
            if !lane_ids.contains(&self.nodes[i].enterprise) {
                lane_ids.push(self.nodes[i].enterprise.clone());
            }
        }
        let value = |n: &Node| n.t_in.max(n.t_out);
        // Scale: the lanes' tallest columns together take FLOW_PX.
        let mut total = 0.0;
        for e in &lane_ids {
            let mut per_layer = vec![0.0; max_layer + 1];
            for n in self.nodes.iter().filter(|n| &n.enterprise == e) {
                per_layer[n.layer] += value(n);
            }
            total += per_layer.iter().cloned().fold(0.0, f64::max);
        }
        let px = FLOW_PX.min(300.0 * lane_ids.len() as f64);
        self.scale = if total > 0.0 { px / total } else { 1.0 };
        for n in &mut self.nodes {
            n.h = (n.t_in.max(n.t_out) * self.scale).max(2.0);
            n.x = LEFT + n.layer as f64 * COL;
        }
        let mut y = TOP;
        for e in &lane_ids {
            let mut bottom = y + LANE_PAD;
            for layer in 0..=max_layer {
                let mut cy = y + LANE_PAD;
                let column: Vec<usize> = order
                    .iter()
                    .copied()
                    .filter(|&i| &self.nodes[i].enterprise == e && self.nodes[i].layer == layer)
                    .collect();
                for i in column {
                    self.nodes[i].y = cy;
                    cy += self.nodes[i].h + GAP;
                }
                bottom = bottom.max(cy - GAP);
            }
            let h = bottom - y + 12.0;
            self.lanes.push(Lane {
                enterprise: e.clone(),
                y,
                h,
            });
            y += h + 4.0;
        }
        self.lanes_bottom = y;
        self.width = LEFT + (max_layer as f64) * COL + NODE_W + 230.0;

        // Ribbon ends: stacked on each node's side in the order of the other end.
        let centre = |n: &Node| n.y + n.h / 2.0;
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut inc: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (j, e) in self.edges.iter().enumerate() {
            out[e.from].push(j);
            inc[e.to].push(j);
        }
        for i in 0..self.nodes.len() {
            let mut o = out[i].clone();
            o.sort_by(|&a, &b| {
                let (ea, eb) = (&self.edges[a], &self.edges[b]);
                (ea.back, centre(&self.nodes[ea.to]))
                    .partial_cmp(&(eb.back, centre(&self.nodes[eb.to])))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let mut cy = self.nodes[i].y;
            for j in o {
                self.edges[j].y_from = cy;
                cy += self.edges[j].tonnes * self.scale;
            }
            let mut o = inc[i].clone();
            o.sort_by(|&a, &b| {
                let (ea, eb) = (&self.edges[a], &self.edges[b]);
                (ea.back, centre(&self.nodes[ea.from]))
                    .partial_cmp(&(eb.back, centre(&self.nodes[eb.from])))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let mut cy = self.nodes[i].y;
            for j in o {
                self.edges[j].y_to = cy;
                cy += self.edges[j].tonnes * self.scale;
            }
        }
        let loops: f64 = self
            .edges
            .iter()
            .filter(|e| e.back)
            .map(|e| (e.tonnes * self.scale).max(1.0) + 34.0)
            .sum();
        // The legend: a line of text, one row of material classes, and a
        // line naming what was not drawn.
        self.height = self.lanes_bottom + 30.0 + loops + 40.0 + 20.0 + 40.0;
    }

    /// Materials drawn, in colour order.
    pub(super) fn materials(&self) -> Vec<String> {
        let mut m: Vec<String> = self.edges.iter().map(|e| e.material.clone()).collect();
        m.sort();
        m.dedup();
        m
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct NodeKey {
    enterprise: String,
    kind: NodeKind,
    rank: usize,
    id: String,
}

/// Mark links that close a cycle: a depth-first search over process nodes
/// in park order; an edge to a node on the stack is a back edge.
fn mark_back_edges(nodes: &[Node], edges: &mut [Edge]) {
    let n = nodes.len();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, e) in edges.iter().enumerate() {
        adj[e.from].push(j);
    }
    // 0 unvisited, 1 on stack, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < adj[v].len() {
                let j = adj[v][*next];
                *next += 1;
                let w = edges[j].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[j] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    for (e, b) in edges.iter_mut().zip(back) {
        e.back = b;
    }
}

/// Longest-path layers over the forward edges: left terminals in column 0,
/// processes from column 1, right terminals in the last column. Returns the
/// last column.
fn assign_layers(nodes: &mut [Node], edges: &[Edge]) -> usize {
    let n = nodes.len();
    let mut indeg = vec![0usize; n];
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges.iter().filter(|e| !e.back) {
        adj[e.from].push(e.to);
        indeg[e.to] += 1;
    }
    let mut layer = vec![0usize; n];
    for (i, node) in nodes.iter().enumerate() {
        if node.kind == NodeKind::Process {
            layer[i] = 1;
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &adj[v] {
            let min = if nodes[v].kind == NodeKind::Process {
                layer[v] + 1
            } else {
                1
            };
            layer[w] = layer[w].max(min);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    let last_process = (0..n)
        .filter(|&i| nodes[i].kind == NodeKind::Process)
        .map(|i| layer[i])
        .max()
        .unwrap_or(1);
    let last = last_process + 1;
    for (i, node) in nodes.iter_mut().enumerate() {
        node.layer = match node.kind {
            NodeKind::Imports | NodeKind::FromStorage => 0,
            NodeKind::Process => layer[i],
            NodeKind::Sold | NodeKind::Stored | NodeKind::Disposed => last,
        };
    }
    last
}
