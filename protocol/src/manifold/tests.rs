//! Routing against a brute-force oracle on small random graphs (every simple path enumerated,
//! filtered and sorted by the documented key), plus fixed cases for each constraint, the
//! compliance gate, build errors and the limits.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn j(text: &str) -> JurisdictionId {
    JurisdictionId::new(text).unwrap()
}

fn node(name: &str, required: &[Domain]) -> JurisdictionNode {
    JurisdictionNode {
        jurisdiction: j(name),
        required_domains: required.to_vec(),
    }
}

fn edge(id: &str, from: &str, to: &str, flat: u64, bps: u32, hours: u32) -> CorridorEdge {
    CorridorEdge {
        corridor_id: CorridorId::new(id).unwrap(),
        from: j(from),
        to: j(to),
        flat_fee_minor: flat,
        fee_bps: bps,
        transfer_hours: hours,
        finality_hours: 0,
        required_domains: Vec::new(),
    }
}

/// A view from explicit states; anything absent is pending.
#[derive(Debug, Clone)]
struct States(BTreeMap<(JurisdictionId, Domain), ComplianceState>);

impl ComplianceView for States {
    fn state(&self, jurisdiction: &JurisdictionId, domain: Domain) -> ComplianceState {
        self.0
            .get(&(jurisdiction.clone(), domain))
            .copied()
            .unwrap_or(ComplianceState::Pending)
    }
}

fn unconstrained() -> RouteConstraints {
    RouteConstraints {
        max_cost_minor: None,
        max_hops: None,
        max_hours: None,
        excluded: BTreeSet::new(),
    }
}

fn query(from: &str, to: &str, constraints: RouteConstraints) -> RouteQuery {
    RouteQuery {
        from: j(from),
        to: j(to),
        amount_minor: 1_000_000,
        constraints,
    }
}

fn corridor_ids(route: &Route) -> Vec<&str> {
    route.corridors.iter().map(|c| c.as_str()).collect()
}

/// PK → AE direct is expensive; PK → SG → AE is cheap but slow; PK → GB → AE is in between.
fn triangle() -> Manifold {
    Manifold::new(
        vec![
            node("PK", &[]),
            node("AE", &[]),
            node("SG", &[]),
            node("GB", &[]),
        ],
        vec![
            edge("pk-ae", "PK", "AE", 5_000, 50, 2),
            edge("pk-sg", "PK", "SG", 100, 10, 10),
            edge("sg-ae", "SG", "AE", 100, 10, 10),
            edge("pk-gb", "PK", "GB", 500, 20, 3),
            edge("gb-ae", "GB", "AE", 500, 20, 3),
        ],
    )
    .unwrap()
}

#[test]
fn shortest_route_takes_cheapest_then_respects_each_constraint() {
    let manifold = triangle();
    let all = States(BTreeMap::new());
    let best =
        |constraints| shortest_route(&manifold, &query("PK", "AE", constraints), &all).unwrap();
    let cheapest = best(unconstrained()).unwrap();
    assert_eq!(corridor_ids(&cheapest), ["pk-sg", "sg-ae"]);
    assert_eq!(
        (cheapest.cost_minor, cheapest.hours, cheapest.hop_count),
        (2_200, 20, 2)
    );
    assert_eq!(cheapest.jurisdictions, [j("PK"), j("SG"), j("AE")]);
    let fast = best(RouteConstraints {
        max_hours: Some(6),
        ..unconstrained()
    })
    .unwrap();
    assert_eq!(corridor_ids(&fast), ["pk-gb", "gb-ae"]);
    let direct = best(RouteConstraints {
        max_hops: Some(1),
        ..unconstrained()
    })
    .unwrap();
    assert_eq!(corridor_ids(&direct), ["pk-ae"]);
    let mut excluded = BTreeSet::new();
    excluded.insert(j("SG"));
    let avoiding = best(RouteConstraints {
        excluded,
        ..unconstrained()
    })
    .unwrap();
    assert_eq!(corridor_ids(&avoiding), ["pk-gb", "gb-ae"]);
    assert_eq!(
        best(RouteConstraints {
            max_cost_minor: Some(2_199),
            ..unconstrained()
        }),
        None
    );
}

#[test]
fn compliance_gate_blocks_edges_and_targets() {
    let mut manifold_edges = triangle().edges().to_vec();
    let sg_ae = manifold_edges
        .iter_mut()
        .find(|e| e.corridor_id.as_str() == "sg-ae")
        .unwrap();
    sg_ae.required_domains = vec![Domain::Sanctions];
    let manifold = Manifold::new(
        vec![
            node("PK", &[]),
            node("AE", &[]),
            node("SG", &[]),
            node("GB", &[Domain::Kyc]),
        ],
        manifold_edges,
    )
    .unwrap();
    let none = States(BTreeMap::new());
    let route = shortest_route(&manifold, &query("PK", "AE", unconstrained()), &none)
        .unwrap()
        .unwrap();
    assert_eq!(corridor_ids(&route), ["pk-ae"]);
    let mut states = BTreeMap::new();
    states.insert((j("GB"), Domain::Kyc), ComplianceState::Exempt);
    states.insert((j("PK"), Domain::Sanctions), ComplianceState::Compliant);
    states.insert((j("SG"), Domain::Sanctions), ComplianceState::Compliant);
    let gb_only = shortest_route(
        &manifold,
        &query("PK", "AE", unconstrained()),
        &States(states.clone()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(corridor_ids(&gb_only), ["pk-gb", "gb-ae"]);
    states.insert((j("AE"), Domain::Sanctions), ComplianceState::NotApplicable);
    let all = shortest_route(
        &manifold,
        &query("PK", "AE", unconstrained()),
        &States(states),
    )
    .unwrap()
    .unwrap();
    assert_eq!(corridor_ids(&all), ["pk-sg", "sg-ae"]);
}

#[test]
fn k_shortest_lists_alternatives_in_key_order() {
    let manifold = triangle();
    let routes = k_shortest_routes(
        &manifold,
        &query("PK", "AE", unconstrained()),
        &States(BTreeMap::new()),
        5,
    )
    .unwrap();
    let ids: Vec<Vec<&str>> = routes.iter().map(corridor_ids).collect();
    assert_eq!(
        ids,
        [
            vec!["pk-sg", "sg-ae"],
            vec!["pk-gb", "gb-ae"],
            vec!["pk-ae"]
        ]
    );
    assert_eq!(
        k_shortest_routes(
            &manifold,
            &query("PK", "AE", unconstrained()),
            &States(BTreeMap::new()),
            0
        ),
        Err(ManifoldError::KOutOfRange { k: 0 })
    );
    assert!(
        k_shortest_routes(
            &manifold,
            &query("PK", "AE", unconstrained()),
            &States(BTreeMap::new()),
            ROUTES_K_MAX
        )
        .is_ok()
    );
    assert_eq!(
        k_shortest_routes(
            &manifold,
            &query("PK", "AE", unconstrained()),
            &States(BTreeMap::new()),
            ROUTES_K_MAX + 1
        ),
        Err(ManifoldError::KOutOfRange {
            k: ROUTES_K_MAX + 1
        })
    );
}

#[test]
fn build_and_query_reject_bad_input() {
    let nodes = || vec![node("PK", &[]), node("AE", &[])];
    assert!(matches!(
        Manifold::new(vec![node("PK", &[]), node("PK", &[])], vec![]),
        Err(ManifoldError::DuplicateNode { .. })
    ));
    assert!(matches!(
        Manifold::new(
            nodes(),
            vec![
                edge("c", "PK", "AE", 0, 0, 0),
                edge("c", "AE", "PK", 0, 0, 0)
            ]
        ),
        Err(ManifoldError::DuplicateEdge { .. })
    ));
    assert!(matches!(
        Manifold::new(nodes(), vec![edge("c", "PK", "SG", 0, 0, 0)]),
        Err(ManifoldError::UnknownEndpoint { field: "to", .. })
    ));
    assert!(matches!(
        Manifold::new(nodes(), vec![edge("c", "PK", "PK", 0, 0, 0)]),
        Err(ManifoldError::SelfLoop { .. })
    ));
    assert!(Manifold::new(nodes(), vec![edge("c", "PK", "AE", 0, 10_000, 0)]).is_ok());
    assert!(matches!(
        Manifold::new(nodes(), vec![edge("c", "PK", "AE", 0, 10_001, 0)]),
        Err(ManifoldError::FeeOutOfRange {
            fee_bps: 10_001,
            ..
        })
    ));
    let manifold = Manifold::new(nodes(), vec![edge("c", "PK", "AE", u64::MAX, 1, 0)]).unwrap();
    assert!(matches!(
        shortest_route(
            &manifold,
            &query("PK", "AE", unconstrained()),
            &States(BTreeMap::new())
        ),
        Err(ManifoldError::CostOverflow { .. })
    ));
    assert!(matches!(
        shortest_route(
            &manifold,
            &query("PK", "XX", unconstrained()),
            &States(BTreeMap::new())
        ),
        Err(ManifoldError::UnknownQueryEndpoint { field: "to", .. })
    ));
}

#[test]
fn node_and_edge_counts_are_accepted_at_limit_and_rejected_above() {
    let nodes: Vec<JurisdictionNode> = (0..=NODES_MAX)
        .map(|i| node(&format!("J{i}"), &[]))
        .collect();
    assert!(Manifold::new(nodes[..NODES_MAX].to_vec(), vec![]).is_ok());
    assert_eq!(
        Manifold::new(nodes, vec![]).unwrap_err(),
        ManifoldError::TooManyNodes {
            node_count: NODES_MAX + 1
        }
    );
    let edges: Vec<CorridorEdge> = (0..=EDGES_MAX)
        .map(|i| edge(&format!("c{i}"), "PK", "AE", 0, 0, 0))
        .collect();
    let two = vec![node("PK", &[]), node("AE", &[])];
    assert!(Manifold::new(two.clone(), edges[..EDGES_MAX].to_vec()).is_ok());
    assert_eq!(
        Manifold::new(two, edges).unwrap_err(),
        ManifoldError::TooManyEdges {
            edge_count: EDGES_MAX + 1
        }
    );
}

#[test]
fn search_budget_is_enforced_at_its_limit() {
    let manifold = triangle();
    let q = query("PK", "AE", unconstrained());
    let all = States(BTreeMap::new());
    // Settled in key order: PK (0), SG (1100), AE via SG (2200): three labels.
    assert!(
        shortest_route_with_budget(&manifold, &q, &all, 3)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        shortest_route_with_budget(&manifold, &q, &all, 2),
        Err(ManifoldError::SearchBudgetExceeded { labels_max: 2 })
    );
}

/// Every simple route satisfying the query, sorted by the documented key.
fn brute_force(manifold: &Manifold, q: &RouteQuery, view: &dyn ComplianceView) -> Vec<Route> {
    fn walk(
        manifold: &Manifold,
        q: &RouteQuery,
        view: &dyn ComplianceView,
        path: &mut Vec<usize>,
        visited: &mut Vec<JurisdictionId>,
        out: &mut Vec<Route>,
    ) {
        let here = visited.last().unwrap().clone();
        if here == q.to {
            let edges: Vec<&CorridorEdge> = path.iter().map(|&e| &manifold.edges()[e]).collect();
            let cost: u64 = edges
                .iter()
                .map(|e| edge_cost_minor(e, q.amount_minor).unwrap())
                .sum();
            let hours: u64 = edges
                .iter()
                .map(|e| u64::from(e.transfer_hours) + u64::from(e.finality_hours))
                .sum();
            let c = &q.constraints;
            if c.max_cost_minor.is_none_or(|m| cost <= m)
                && c.max_hours.is_none_or(|m| hours <= m)
                && c.max_hops.is_none_or(|m| edges.len() as u32 <= m)
            {
                out.push(Route {
                    cost_minor: cost,
                    hours,
                    hop_count: edges.len() as u32,
                    corridors: edges.iter().map(|e| e.corridor_id.clone()).collect(),
                    jurisdictions: visited.clone(),
                });
            }
            return;
        }
        for (index, e) in manifold.edges().iter().enumerate() {
            let target_node = manifold
                .nodes()
                .iter()
                .find(|n| n.jurisdiction == e.to)
                .unwrap();
            let passes = |j: &JurisdictionId, d: Domain| view.state(j, d).passes();
            let usable = e.from == here
                && !visited.contains(&e.to)
                && !q.constraints.excluded.contains(&e.to)
                && e.required_domains
                    .iter()
                    .all(|&d| passes(&e.from, d) && passes(&e.to, d))
                && target_node
                    .required_domains
                    .iter()
                    .all(|&d| passes(&e.to, d));
            if usable {
                path.push(index);
                visited.push(e.to.clone());
                walk(manifold, q, view, path, visited, out);
                path.pop();
                visited.pop();
            }
        }
    }
    let mut out = Vec::new();
    if !q.constraints.excluded.contains(&q.from) && !q.constraints.excluded.contains(&q.to) {
        walk(
            manifold,
            q,
            view,
            &mut Vec::new(),
            &mut vec![q.from.clone()],
            &mut out,
        );
    }
    out.sort();
    out
}

const NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];
const GATED: [Domain; 2] = [Domain::Kyc, Domain::Sanctions];

prop_compose! {
    fn case()(
        edge_specs in proptest::collection::vec((0usize..5, 0usize..5, 0u64..5, 0u32..3, 0u32..4, 0u8..4), 0..14),
        node_gates in proptest::collection::vec(0u8..4, 5),
        states in proptest::collection::vec(0usize..5, 10),
        from in 0usize..5, to in 0usize..5,
        max_cost in proptest::option::of(0u64..12), max_hops in proptest::option::of(0u32..4),
        max_hours in proptest::option::of(0u64..8), excluded in proptest::option::of(0usize..5),
    ) -> (Manifold, RouteQuery, States) {
        let gates = |bits: u8| GATED.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, &d)| d).collect::<Vec<_>>();
        let nodes = NAMES.iter().zip(&node_gates).map(|(n, &g)| node(n, &gates(g))).collect();
        let edges = edge_specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 != s.1)
            .map(|(i, &(f, t, flat, bps, hours, g))| {
                let mut e = edge(&format!("c{i:02}"), NAMES[f], NAMES[t], flat, bps * 100, hours);
                e.required_domains = gates(g);
                e
            })
            .collect();
        let manifold = Manifold::new(nodes, edges).unwrap();
        let mut view = BTreeMap::new();
        for (i, &s) in states.iter().enumerate() {
            view.insert((j(NAMES[i / 2]), GATED[i % 2]), ComplianceState::ALL[s]);
        }
        let constraints = RouteConstraints {
            max_cost_minor: max_cost,
            max_hops,
            max_hours,
            excluded: excluded.map(|e| j(NAMES[e])).into_iter().collect(),
        };
        let mut q = query(NAMES[from], NAMES[to], constraints);
        q.amount_minor = 100;
        (manifold, q, States(view))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn shortest_route_equals_brute_force((manifold, q, view) in case()) {
        let expected = brute_force(&manifold, &q, &view).into_iter().next();
        prop_assert_eq!(shortest_route(&manifold, &q, &view).unwrap(), expected);
    }

    #[test]
    fn yen_routes_are_the_brute_force_prefix((manifold, q, view) in case(), k in 1usize..8) {
        let routes = k_shortest_routes(&manifold, &q, &view, k).unwrap();
        let expected: Vec<Route> = brute_force(&manifold, &q, &view).into_iter().take(k).collect();
        for route in &routes {
            let distinct: BTreeSet<&JurisdictionId> = route.jurisdictions.iter().collect();
            prop_assert_eq!(distinct.len(), route.jurisdictions.len(), "loop in {:?}", route);
        }
        prop_assert!(routes.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert_eq!(routes, expected);
    }
}

#[test]
fn tensor_view_reads_cells_and_fails_closed_on_absent_ones() {
    use crate::tensor::cell::{Cell, Reason};
    use crate::time::Timestamp;
    let subject = EntityId::new("e-1").unwrap();
    let mut tensor = Tensor::new();
    tensor.insert(Cell {
        address: CellAddress {
            subject: subject.clone(),
            jurisdiction: j("GB"),
            domain: Domain::Kyc,
        },
        state: ComplianceState::Compliant,
        attestation_digests: Vec::new(),
        reason: Reason::MissingEvidence,
        determined_at: Timestamp::from_unix_seconds(0).unwrap(),
    });
    let view = TensorView {
        tensor: &tensor,
        subject: &subject,
    };
    assert_eq!(
        view.state(&j("GB"), Domain::Kyc),
        ComplianceState::Compliant
    );
    assert_eq!(view.state(&j("GB"), Domain::Aml), ComplianceState::Pending);
    let manifold = Manifold::new(
        vec![
            node("PK", &[]),
            node("GB", &[Domain::Kyc]),
            node("SG", &[Domain::Kyc]),
        ],
        vec![
            edge("pk-gb", "PK", "GB", 9, 0, 1),
            edge("pk-sg", "PK", "SG", 1, 0, 1),
        ],
    )
    .unwrap();
    let to_sg = shortest_route(&manifold, &query("PK", "SG", unconstrained()), &view).unwrap();
    assert_eq!(to_sg, None);
    let to_gb = shortest_route(&manifold, &query("PK", "GB", unconstrained()), &view).unwrap();
    assert_eq!(to_gb.map(|route| route.cost_minor), Some(9));
}
