//! Strongly connected components of the dependency graph, in dependency order.
//!
//! Iterative Tarjan: synthetic parks of 10,000 processes make chains far
//! deeper than a recursive version's stack would survive.

/// A directed graph in compressed adjacency form: `succ[offsets[v]..offsets[v+1]]`
/// are the nodes that depend on `v`.
pub struct Graph {
    offsets: Vec<usize>,
    succ: Vec<usize>,
}

impl Graph {
    /// Build from edges `(u, v)` meaning "v depends on u".
    pub fn from_edges(nodes: usize, edges: &[(usize, usize)]) -> Self {
        let mut offsets = vec![0usize; nodes + 1];
        for &(u, _) in edges {
            offsets[u + 1] += 1;
        }
        for i in 0..nodes {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut succ = vec![0usize; edges.len()];
        for &(u, v) in edges {
            succ[fill[u]] = v;
            fill[u] += 1;
        }
        Graph { offsets, succ }
    }

    fn successors(&self, v: usize) -> &[usize] {
        &self.succ[self.offsets[v]..self.offsets[v + 1]]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether `v` depends on itself directly.
    pub fn has_self_loop(&self, v: usize) -> bool {
        self.successors(v).contains(&v)
    }

    /// Strongly connected components, each a list of nodes, ordered so that
    /// every component comes after all components it depends on.
    pub fn components_in_dependency_order(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let n = self.len();
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut components = Vec::new();
        let mut next = 0usize;
        // Call stack of (node, position in its successor list).
        let mut calls: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if index[root] != UNSEEN {
                continue;
            }
            calls.push((root, 0));
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
                let succ = self.successors(v);
                if *pos < succ.len() {
                    let w = succ[*pos];
                    *pos += 1;
                    if index[w] == UNSEEN {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        calls.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    loop {
                        let w = stack.pop().expect("Tarjan stack holds the component");
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    component.reverse();
                    components.push(component);
                }
            }
        }
        // Tarjan emits a component only after everything reachable from it,
        // i.e. after its dependents: reverse for dependency order.
        components.reverse();
        components
    }
}

/// Order components so that each comes after those it depends on and, among
/// those ready, the one with the smallest `key` comes first (Kahn's algorithm
/// with a heap). Keyed by position in the file, evaluation then walks the
/// workspace's arrays nearly in order, which keeps large parks in cache.
pub fn order_components(
    graph: &Graph,
    components: Vec<Vec<usize>>,
    key: impl Fn(usize) -> (usize, usize),
) -> Vec<Vec<usize>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = graph.len();
    let mut comp_of = vec![0usize; n];
    for (c, nodes) in components.iter().enumerate() {
        for &v in nodes {
            comp_of[v] = c;
        }
    }
    let nc = components.len();
    let mut indegree = vec![0usize; nc];
    for v in 0..n {
        for &w in graph.successors(v) {
            if comp_of[v] != comp_of[w] {
                indegree[comp_of[w]] += 1;
            }
        }
    }
    let comp_key: Vec<(usize, usize)> = components
        .iter()
        .map(|nodes| nodes.iter().map(|&v| key(v)).min().unwrap_or((0, 0)))
        .collect();
    let mut ready: BinaryHeap<Reverse<((usize, usize), usize)>> = (0..nc)
        .filter(|&c| indegree[c] == 0)
        .map(|c| Reverse((comp_key[c], c)))
        .collect();
    let mut slots: Vec<Option<Vec<usize>>> = components.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(nc);
    while let Some(Reverse((_, c))) = ready.pop() {
        let nodes = slots[c].take().expect("each component is emitted once");
        for &v in &nodes {
            for &w in graph.successors(v) {
                let cw = comp_of[w];
                if cw != c {
                    indegree[cw] -= 1;
                    if indegree[cw] == 0 {
                        ready.push(Reverse((comp_key[cw], cw)));
                    }
                }
            }
        }
        ordered.push(nodes);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_come_after_what_they_depend_on() {
        // 0 -> 1 <-> 2 -> 3, and 4 alone.
        let g = Graph::from_edges(5, &[(0, 1), (1, 2), (2, 1), (2, 3)]);
        let comps = g.components_in_dependency_order();
        let pos = |v: usize| comps.iter().position(|c| c.contains(&v)).unwrap();
        assert_eq!(comps.len(), 4);
        assert_eq!(pos(1), pos(2));
        assert!(pos(0) < pos(1));
        assert!(pos(2) < pos(3));
    }

    #[test]
    fn ordering_keeps_dependencies_and_prefers_small_keys() {
        // 3 -> 0, and 1, 2 free: 1 and 2 come first, 3 before 0.
        let g = Graph::from_edges(4, &[(3, 0)]);
        let comps = g.components_in_dependency_order();
        let ordered = order_components(&g, comps, |v| (v, 0));
        assert_eq!(ordered, vec![vec![1], vec![2], vec![3], vec![0]]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<_> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let comps = Graph::from_edges(n, &edges).components_in_dependency_order();
        assert_eq!(comps.len(), n);
        assert!(comps.iter().enumerate().all(|(i, c)| c == &vec![i]));
    }
}
