//! The compliance manifold: jurisdictions as nodes, corridors as directed edges, and routing
//! that respects cost, time, hop and exclusion constraints and the subject's compliance tensor.
//!
//! Owns [`Manifold`] (built from [`JurisdictionNode`]s and [`CorridorEdge`]s), the query types
//! [`RouteQuery`] and [`RouteConstraints`], the [`ComplianceView`] a route is checked against,
//! the result [`Route`], [`shortest_route`], [`k_shortest_routes`] (Yen's algorithm) and
//! [`ManifoldError`].
//!
//! Never: returns a route through an excluded jurisdiction, over a budget, or over an edge the
//! subject may not use; reads a clock; or lets input order or hash order pick between equal
//! routes.
//!
//! # Costs and order
//! An edge costs `flat_fee_minor + ⌈amount_minor · fee_bps / 10000⌉` (the amount is the same on
//! every hop: fees are charged, not deducted) and takes `transfer_hours + finality_hours`.
//! Routes are ordered by the key (total cost, total hours, hop count, corridor ids in path
//! order): the first is the cheapest, ties go to the faster, then the shorter, then the
//! lexicographically smaller sequence of corridor ids. Every distinct route has a distinct key.
//!
//! # Compliance
//! An edge `from → to` is usable only if every domain the corridor requires passes (SPEC §10:
//! `not_applicable`, `exempt` or `compliant`) for the subject in both `from` and `to`, and every
//! domain the target jurisdiction requires passes in `to`. A cell the view does not hold is
//! `pending` and fails (fail closed).
//!
//! # Search
//! Constraints on two sums (cost and hours) plus hops make plain Dijkstra inexact, so the search
//! is multi-criteria label setting (Martins): labels leave a priority queue in key order; a label
//! is dropped when a label already settled at its node is no worse in cost, hours and hops. The
//! first label settled at the target is the best feasible simple route. The work is bounded by
//! [`SEARCH_LABELS_MAX`].

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use crate::ids::{CorridorId, EntityId, JurisdictionId};
use crate::tensor::Domain;
use crate::tensor::cell::{CellAddress, Tensor};
use crate::tensor::lattice::ComplianceState;

/// Most jurisdictions in a manifold: about 250 countries with their subdivisions and zones fit
/// many times over; the bound keeps per-query state small.
pub const NODES_MAX: usize = 4_096;

/// Most corridors in a manifold: 16 per jurisdiction at the node limit.
pub const EDGES_MAX: usize = 65_536;

/// Most labels one search may settle. Realistic graphs settle a few thousand; the bound stops a
/// pathological graph (exponentially many Pareto-optimal partial routes) from running away.
pub const SEARCH_LABELS_MAX: usize = 200_000;

/// Most alternatives [`k_shortest_routes`] returns: a user chooses among a handful.
pub const ROUTES_K_MAX: usize = 64;

const BPS_FULL: u128 = 10_000;

/// A jurisdiction and the domains a subject must pass to enter it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurisdictionNode {
    /// The jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// Domains that must pass in this jurisdiction to route into it.
    pub required_domains: Vec<Domain>,
}

/// A corridor, directed `from → to`. A bilateral corridor is two edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorEdge {
    /// The corridor's id; unique among edges.
    pub corridor_id: CorridorId,
    /// Source jurisdiction.
    pub from: JurisdictionId,
    /// Target jurisdiction.
    pub to: JurisdictionId,
    /// Fixed fee, minor units.
    pub flat_fee_minor: u64,
    /// Proportional fee, basis points of the amount (at most 10000).
    pub fee_bps: u32,
    /// Hours to move value.
    pub transfer_hours: u32,
    /// Hours until the transfer is final.
    pub finality_hours: u32,
    /// Domains that must pass at both ends.
    pub required_domains: Vec<Domain>,
}

/// Constraints on a route. `None` means unconstrained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConstraints {
    /// Most total cost, minor units.
    pub max_cost_minor: Option<u64>,
    /// Most corridors.
    pub max_hops: Option<u32>,
    /// Most total hours.
    pub max_hours: Option<u64>,
    /// Jurisdictions the route must not touch (not even as source or target).
    pub excluded: BTreeSet<JurisdictionId>,
}

/// What to route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteQuery {
    /// Start.
    pub from: JurisdictionId,
    /// Destination.
    pub to: JurisdictionId,
    /// The amount moved, minor units.
    pub amount_minor: u64,
    /// The constraints.
    pub constraints: RouteConstraints,
}

/// A route: corridors in order and its totals.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// Total cost, minor units.
    pub cost_minor: u64,
    /// Total hours.
    pub hours: u64,
    /// Corridors used.
    pub hop_count: u32,
    /// Corridor ids, in path order.
    pub corridors: Vec<CorridorId>,
    /// Jurisdictions visited, source first.
    pub jurisdictions: Vec<JurisdictionId>,
}

/// The subject's compliance as the router sees it.
pub trait ComplianceView {
    /// The subject's state for a domain in a jurisdiction.
    fn state(&self, jurisdiction: &JurisdictionId, domain: Domain) -> ComplianceState;
}

/// A subject's cells in a tensor, as a [`ComplianceView`].
#[derive(Debug, Clone, Copy)]
pub struct TensorView<'a> {
    /// The tensor.
    pub tensor: &'a Tensor,
    /// The subject.
    pub subject: &'a EntityId,
}

impl ComplianceView for TensorView<'_> {
    fn state(&self, jurisdiction: &JurisdictionId, domain: Domain) -> ComplianceState {
        self.tensor.state(&CellAddress {
            subject: self.subject.clone(),
            jurisdiction: jurisdiction.clone(),
            domain,
        })
    }
}

/// Why a manifold cannot be built or a query answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifoldError {
    /// More jurisdictions than [`NODES_MAX`].
    #[error("manifold has {node_count} jurisdictions; the limit is {NODES_MAX}")]
    TooManyNodes {
        /// Jurisdictions received.
        node_count: usize,
    },
    /// More corridors than [`EDGES_MAX`].
    #[error("manifold has {edge_count} corridors; the limit is {EDGES_MAX}")]
    TooManyEdges {
        /// Corridors received.
        edge_count: usize,
    },
    /// A jurisdiction listed twice.
    #[error("jurisdiction {jurisdiction} is listed twice")]
    DuplicateNode {
        /// The jurisdiction.
        jurisdiction: JurisdictionId,
    },
    /// A corridor id used twice.
    #[error("corridor {corridor_id} is listed twice")]
    DuplicateEdge {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// A corridor endpoint that is not a node.
    #[error("corridor {corridor_id}: {field} {jurisdiction} is not a jurisdiction of the manifold")]
    UnknownEndpoint {
        /// The corridor.
        corridor_id: CorridorId,
        /// `from` or `to`.
        field: &'static str,
        /// The jurisdiction.
        jurisdiction: JurisdictionId,
    },
    /// A corridor from a jurisdiction to itself.
    #[error("corridor {corridor_id} starts and ends in {jurisdiction}")]
    SelfLoop {
        /// The corridor.
        corridor_id: CorridorId,
        /// The jurisdiction.
        jurisdiction: JurisdictionId,
    },
    /// A fee above 100%.
    #[error("corridor {corridor_id}: fee_bps {fee_bps} exceeds 10000")]
    FeeOutOfRange {
        /// The corridor.
        corridor_id: CorridorId,
        /// The value.
        fee_bps: u32,
    },
    /// A query endpoint that is not a node.
    #[error("query {field} {jurisdiction} is not a jurisdiction of the manifold")]
    UnknownQueryEndpoint {
        /// `from` or `to`.
        field: &'static str,
        /// The jurisdiction.
        jurisdiction: JurisdictionId,
    },
    /// A corridor's cost for this amount does not fit in `u64`.
    #[error("corridor {corridor_id}: cost for amount {amount_minor} overflows")]
    CostOverflow {
        /// The corridor.
        corridor_id: CorridorId,
        /// The amount.
        amount_minor: u64,
    },
    /// The search settled more than [`SEARCH_LABELS_MAX`] labels.
    #[error("route search exceeded {labels_max} labels")]
    SearchBudgetExceeded {
        /// The budget.
        labels_max: usize,
    },
    /// `k` outside 1..=[`ROUTES_K_MAX`].
    #[error("k = {k} is outside 1..={ROUTES_K_MAX}")]
    KOutOfRange {
        /// The value received.
        k: usize,
    },
}

/// A checked graph. Edges are held sorted by corridor id, so an edge's index orders like its id.
#[derive(Debug, Clone)]
pub struct Manifold {
    nodes: Vec<JurisdictionNode>,
    edges: Vec<CorridorEdge>,
    edge_to: Vec<usize>,
    outgoing: Vec<Vec<usize>>,
}

impl Manifold {
    /// Checks and builds a manifold.
    pub fn new(
        mut nodes: Vec<JurisdictionNode>,
        mut edges: Vec<CorridorEdge>,
    ) -> Result<Self, ManifoldError> {
        if nodes.len() > NODES_MAX {
            return Err(ManifoldError::TooManyNodes {
                node_count: nodes.len(),
            });
        }
        if edges.len() > EDGES_MAX {
            return Err(ManifoldError::TooManyEdges {
                edge_count: edges.len(),
            });
        }
        if let Some(node) = sort_find_duplicate(&mut nodes, |node| &node.jurisdiction) {
            return Err(ManifoldError::DuplicateNode {
                jurisdiction: node.jurisdiction.clone(),
            });
        }
        if let Some(edge) = sort_find_duplicate(&mut edges, |edge| &edge.corridor_id) {
            return Err(ManifoldError::DuplicateEdge {
                corridor_id: edge.corridor_id.clone(),
            });
        }
        let position = |edge: &CorridorEdge, field, jurisdiction: &JurisdictionId| {
            nodes
                .binary_search_by(|node| node.jurisdiction.cmp(jurisdiction))
                .map_err(|_| ManifoldError::UnknownEndpoint {
                    corridor_id: edge.corridor_id.clone(),
                    field,
                    jurisdiction: jurisdiction.clone(),
                })
        };
        let mut edge_to = Vec::with_capacity(edges.len());
        let mut outgoing = vec![Vec::new(); nodes.len()];
        for (edge_index, edge) in edges.iter().enumerate() {
            check_edge(edge)?;
            let from = position(edge, "from", &edge.from)?;
            let to = position(edge, "to", &edge.to)?;
            if let Some(list) = outgoing.get_mut(from) {
                list.push(edge_index);
            }
            edge_to.push(to);
        }
        Ok(Self {
            nodes,
            edges,
            edge_to,
            outgoing,
        })
    }

    /// The jurisdictions, sorted.
    pub fn nodes(&self) -> &[JurisdictionNode] {
        &self.nodes
    }

    /// The corridors, sorted by id.
    pub fn edges(&self) -> &[CorridorEdge] {
        &self.edges
    }

    fn node_index(
        &self,
        field: &'static str,
        jurisdiction: &JurisdictionId,
    ) -> Result<usize, ManifoldError> {
        self.nodes
            .binary_search_by(|node| node.jurisdiction.cmp(jurisdiction))
            .map_err(|_| ManifoldError::UnknownQueryEndpoint {
                field,
                jurisdiction: jurisdiction.clone(),
            })
    }
}

/// Sorts by key and returns the first item whose key repeats.
fn sort_find_duplicate<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> &K) -> Option<&T> {
    items.sort_by(|a, b| key(a).cmp(key(b)));
    items
        .windows(2)
        .find(|pair| key(&pair[0]) == key(&pair[1]))
        .map(|pair| &pair[0])
}

fn check_edge(edge: &CorridorEdge) -> Result<(), ManifoldError> {
    if edge.from == edge.to {
        return Err(ManifoldError::SelfLoop {
            corridor_id: edge.corridor_id.clone(),
            jurisdiction: edge.from.clone(),
        });
    }
    if u128::from(edge.fee_bps) > BPS_FULL {
        return Err(ManifoldError::FeeOutOfRange {
            corridor_id: edge.corridor_id.clone(),
            fee_bps: edge.fee_bps,
        });
    }
    Ok(())
}

/// A partial route in the search. Its key orders the queue (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Label {
    cost_minor: u64,
    hours: u64,
    hop_count: u32,
    /// Edge indices in path order; edge order is corridor-id order.
    edges: Vec<usize>,
    node: usize,
}

impl Label {
    fn dominated_by(&self, cost_minor: u64, hours: u64, hop_count: u32) -> bool {
        cost_minor <= self.cost_minor && hours <= self.hours && hop_count <= self.hop_count
    }
}

/// One query, prepared: per-edge cost and usability, node indices.
struct Prepared<'a> {
    manifold: &'a Manifold,
    query: &'a RouteQuery,
    source: usize,
    target: usize,
    /// Per edge: `Some((cost, hours))` when usable by this subject, avoiding excluded nodes.
    edge_weights: Vec<Option<(u64, u64)>>,
}

impl<'a> Prepared<'a> {
    fn new(
        manifold: &'a Manifold,
        query: &'a RouteQuery,
        compliance: &dyn ComplianceView,
    ) -> Result<Self, ManifoldError> {
        let source = manifold.node_index("from", &query.from)?;
        let target = manifold.node_index("to", &query.to)?;
        let edge_weights = manifold
            .edges
            .iter()
            .zip(&manifold.edge_to)
            .map(|(edge, &to)| {
                let usable = !query.constraints.excluded.contains(&edge.from)
                    && !query.constraints.excluded.contains(&edge.to)
                    && edge_passes(manifold, edge, to, compliance);
                if !usable {
                    return Ok(None);
                }
                let cost = edge_cost_minor(edge, query.amount_minor)?;
                let hours = u64::from(edge.transfer_hours) + u64::from(edge.finality_hours);
                Ok(Some((cost, hours)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            manifold,
            query,
            source,
            target,
            edge_weights,
        })
    }

    fn route(&self, label: &Label) -> Route {
        let edges = &self.manifold.edges;
        let mut jurisdictions = vec![self.query.from.clone()];
        jurisdictions.extend(
            label
                .edges
                .iter()
                .filter_map(|&e| edges.get(e))
                .map(|edge| edge.to.clone()),
        );
        Route {
            cost_minor: label.cost_minor,
            hours: label.hours,
            hop_count: label.hop_count,
            corridors: label
                .edges
                .iter()
                .filter_map(|&e| edges.get(e))
                .map(|edge| edge.corridor_id.clone())
                .collect(),
            jurisdictions,
        }
    }

    /// Nodes on a partial route, source first.
    fn path_nodes(&self, edges: &[usize]) -> Vec<usize> {
        let mut nodes = vec![self.source];
        nodes.extend(edges.iter().filter_map(|&e| self.manifold.edge_to.get(e)));
        nodes
    }

    /// Extends `label` over `edge_index`, if usable, simple and within the constraints.
    fn extend(&self, label: &Label, edge_index: usize, on_path: &[usize]) -> Option<Label> {
        let (cost, hours) = (*self.edge_weights.get(edge_index)?)?;
        let to = *self.manifold.edge_to.get(edge_index)?;
        if on_path.contains(&to) {
            return None;
        }
        let constraints = &self.query.constraints;
        let cost_minor = label.cost_minor.checked_add(cost)?;
        let hours = label.hours.checked_add(hours)?;
        let hop_count = label.hop_count.checked_add(1)?;
        let within = constraints
            .max_cost_minor
            .is_none_or(|max| cost_minor <= max)
            && constraints.max_hours.is_none_or(|max| hours <= max)
            && constraints.max_hops.is_none_or(|max| hop_count <= max);
        if !within {
            return None;
        }
        let mut edges = label.edges.clone();
        edges.push(edge_index);
        Some(Label {
            cost_minor,
            hours,
            hop_count,
            edges,
            node: to,
        })
    }

    /// The best feasible route that starts with `root` (a prefix from the source) and avoids
    /// `banned_edges` at the root's end; `labels_max` bounds the work.
    fn search(
        &self,
        root: Label,
        banned_edges: &BTreeSet<usize>,
        labels_max: usize,
    ) -> Result<Option<Label>, ManifoldError> {
        let mut settled: Vec<Vec<(u64, u64, u32)>> = vec![Vec::new(); self.manifold.nodes.len()];
        let root_len = root.edges.len();
        let mut queue = BinaryHeap::from([Reverse(root)]);
        let mut settled_count = 0usize;
        while let Some(Reverse(label)) = queue.pop() {
            let Some(at_node) = settled.get_mut(label.node) else {
                continue;
            };
            if at_node.iter().any(|&(c, h, k)| label.dominated_by(c, h, k)) {
                continue;
            }
            settled_count += 1;
            if settled_count > labels_max {
                return Err(ManifoldError::SearchBudgetExceeded { labels_max });
            }
            at_node.push((label.cost_minor, label.hours, label.hop_count));
            if label.node == self.target {
                return Ok(Some(label));
            }
            let on_path = self.path_nodes(&label.edges);
            let outgoing = self.manifold.outgoing.get(label.node).into_iter().flatten();
            for &edge_index in outgoing {
                if label.edges.len() == root_len && banned_edges.contains(&edge_index) {
                    continue;
                }
                if let Some(next) = self.extend(&label, edge_index, &on_path) {
                    queue.push(Reverse(next));
                }
            }
        }
        Ok(None)
    }

    fn start(&self) -> Label {
        Label {
            cost_minor: 0,
            hours: 0,
            hop_count: 0,
            edges: Vec::new(),
            node: self.source,
        }
    }
}

/// Whether the subject may use an edge (module docs, Compliance).
fn edge_passes(
    manifold: &Manifold,
    edge: &CorridorEdge,
    to: usize,
    compliance: &dyn ComplianceView,
) -> bool {
    let passes_at = |jurisdiction: &JurisdictionId, domain: Domain| {
        compliance.state(jurisdiction, domain).passes()
    };
    let corridor_ok = edge
        .required_domains
        .iter()
        .all(|&domain| passes_at(&edge.from, domain) && passes_at(&edge.to, domain));
    let target_ok = manifold.nodes.get(to).is_some_and(|node| {
        node.required_domains
            .iter()
            .all(|&domain| passes_at(&edge.to, domain))
    });
    corridor_ok && target_ok
}

/// An edge's cost for an amount: flat fee plus the proportional fee rounded up.
pub fn edge_cost_minor(edge: &CorridorEdge, amount_minor: u64) -> Result<u64, ManifoldError> {
    let proportional = (u128::from(amount_minor) * u128::from(edge.fee_bps)).div_ceil(BPS_FULL);
    u128::from(edge.flat_fee_minor)
        .checked_add(proportional)
        .and_then(|total| u64::try_from(total).ok())
        .ok_or_else(|| ManifoldError::CostOverflow {
            corridor_id: edge.corridor_id.clone(),
            amount_minor,
        })
}

/// The best route for a query, or `None` when no route satisfies it.
pub fn shortest_route(
    manifold: &Manifold,
    query: &RouteQuery,
    compliance: &dyn ComplianceView,
) -> Result<Option<Route>, ManifoldError> {
    shortest_route_with_budget(manifold, query, compliance, SEARCH_LABELS_MAX)
}

fn shortest_route_with_budget(
    manifold: &Manifold,
    query: &RouteQuery,
    compliance: &dyn ComplianceView,
    labels_max: usize,
) -> Result<Option<Route>, ManifoldError> {
    let prepared = Prepared::new(manifold, query, compliance)?;
    if excluded_endpoint(query) {
        return Ok(None);
    }
    let found = prepared.search(prepared.start(), &BTreeSet::new(), labels_max)?;
    Ok(found.map(|label| prepared.route(&label)))
}

fn excluded_endpoint(query: &RouteQuery) -> bool {
    let excluded = &query.constraints.excluded;
    excluded.contains(&query.from) || excluded.contains(&query.to)
}

/// Up to `k` best loopless routes, best first (Yen's algorithm over the constrained search).
pub fn k_shortest_routes(
    manifold: &Manifold,
    query: &RouteQuery,
    compliance: &dyn ComplianceView,
    k: usize,
) -> Result<Vec<Route>, ManifoldError> {
    if !(1..=ROUTES_K_MAX).contains(&k) {
        return Err(ManifoldError::KOutOfRange { k });
    }
    let prepared = Prepared::new(manifold, query, compliance)?;
    if excluded_endpoint(query) {
        return Ok(Vec::new());
    }
    let Some(best) = prepared.search(prepared.start(), &BTreeSet::new(), SEARCH_LABELS_MAX)? else {
        return Ok(Vec::new());
    };
    let mut accepted = vec![best];
    let mut candidates: BTreeSet<Label> = BTreeSet::new();
    while accepted.len() < k {
        let Some(previous) = accepted.last() else {
            break;
        };
        for spur_index in 0..previous.edges.len() {
            let root = root_label(&prepared, previous, spur_index);
            let banned_edges: BTreeSet<usize> = accepted
                .iter()
                .filter(|route| route.edges.get(..spur_index) == Some(&root.edges[..]))
                .filter_map(|route| route.edges.get(spur_index).copied())
                .collect();
            if let Some(found) = prepared.search(root, &banned_edges, SEARCH_LABELS_MAX)? {
                candidates.insert(found);
            }
        }
        match candidates.pop_first() {
            Some(next) => accepted.push(next),
            None => break,
        }
    }
    Ok(accepted.iter().map(|label| prepared.route(label)).collect())
}

/// The first `spur_index` edges of a route, as a label ending at the spur node.
fn root_label(prepared: &Prepared<'_>, route: &Label, spur_index: usize) -> Label {
    let edges: Vec<usize> = route.edges.iter().take(spur_index).copied().collect();
    let mut label = prepared.start();
    for &edge_index in &edges {
        let weights = prepared.edge_weights.get(edge_index).copied().flatten();
        let (cost, hours) = weights.unwrap_or((0, 0));
        label.cost_minor = label.cost_minor.saturating_add(cost);
        label.hours = label.hours.saturating_add(hours);
        label.hop_count = label.hop_count.saturating_add(1);
        label.node = prepared
            .manifold
            .edge_to
            .get(edge_index)
            .copied()
            .unwrap_or(label.node);
    }
    label.edges = edges;
    label
}

#[cfg(test)]
mod tests;
