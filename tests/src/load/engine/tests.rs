//! Goal: a whole run (setup, load with lost replies and refusals, chaos actor kills,
//! verification) reaches the right verdict. Method: an in-process fake node on port 0 that
//! keeps real `ReceiptChain`s and injects faults: every 7th append is committed but answered
//! 500 (a lost reply), every 11th is refused with 503 without committing. A second fake also
//! forgets some receipts it acknowledged, and the run must report them lost.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::chain::ReceiptChain;
use msez_protocol::corridor::agreement::{CorridorDefinition, check_activation};
use msez_protocol::export::{ExportHeader, export_chain};
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::DidKey;
use msez_protocol::policy::SigningPolicy;
use msez_protocol::receipt::{DigestSet, Genesis, SignedReceipt};

use super::*;

/// What the fake node does wrong on purpose.
#[derive(Clone, Copy)]
struct Faults {
    /// Commit, then answer 500 on every n-th append.
    lost_reply_every: u64,
    /// Answer 503 without committing on every n-th append.
    refuse_every: u64,
    /// Acknowledge but do not keep every n-th append (0: never).
    forget_every: u64,
    /// Create corridors PENDING, so the generator must activate them.
    create_pending: bool,
    /// Serve a zone (its lock and entity formations); without one, the lock is a 404.
    serves_zone: bool,
    /// Answer every append 429, as a node whose rate limit the load exceeds.
    rate_limit_appends: bool,
}

struct FakeCorridor {
    header: ExportHeader,
    chain: ReceiptChain,
    receipts: Vec<SignedReceipt>,
    restart_count: u64,
}

struct Fake {
    faults: Faults,
    formation_keys: Mutex<std::collections::HashSet<String>>,
    appends: AtomicU64,
    corridors: Mutex<HashMap<String, FakeCorridor>>,
}

type Reply = (StatusCode, axum::Json<Value>);

fn reply(status: StatusCode, value: Value) -> Reply {
    (status, axum::Json(value))
}

fn envelope(status: StatusCode, code: &str) -> Reply {
    reply(status, json!({"error": {"code": code, "message": code}}))
}

async fn create(State(fake): State<Arc<Fake>>, body: String) -> Reply {
    let body: Value = serde_json::from_str(&body).unwrap();
    let definition = &body["definition"];
    let corridor_id = CorridorId::new(definition["corridor_id"].as_str().unwrap()).unwrap();
    let signers: Vec<DidKey> = definition["receipt_signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|did| DidKey::parse(did.as_str().unwrap()).unwrap())
        .collect();
    let threshold =
        u32::try_from(definition["receipt_signature_threshold"].as_u64().unwrap()).unwrap();
    let policy = SigningPolicy::new(threshold, signers).unwrap();
    // As a node does: the agreement must complete, and its set's digest enters the genesis.
    let typed: CorridorDefinition = serde_json::from_value(definition.clone()).unwrap();
    let agreement = check_activation(
        &typed,
        &body["definition_credential"],
        body["agreements"].as_array().unwrap(),
        crate::load::corridor::now().unwrap(),
    )
    .unwrap();
    let genesis = Genesis::new(
        corridor_id.clone(),
        CanonicalBytes::new(definition).unwrap().digest(),
        agreement.sha256().unwrap(),
        DigestSet::default(),
        DigestSet::default(),
    );
    let header = ExportHeader::new(genesis.clone(), policy.clone()).unwrap();
    let chain = ReceiptChain::from_genesis(&genesis, policy).unwrap();
    let genesis_root = chain.genesis_root();
    let corridor = FakeCorridor {
        header,
        chain,
        receipts: Vec::new(),
        restart_count: 0,
    };
    fake.corridors
        .lock()
        .unwrap()
        .insert(corridor_id.to_string(), corridor);
    assert_eq!(body["activation_approvals"].as_array().unwrap().len(), 2);
    let lifecycle = if fake.faults.create_pending {
        "PENDING"
    } else {
        "ACTIVE"
    };
    reply(
        StatusCode::CREATED,
        json!({"corridor_id": corridor_id, "genesis_root": genesis_root.to_hex(), "lifecycle": lifecycle}),
    )
}

async fn append(State(fake): State<Arc<Fake>>, Path(id): Path<String>, body: String) -> Reply {
    let count = fake.appends.fetch_add(1, Ordering::Relaxed) + 1;
    let faults = fake.faults;
    if faults.rate_limit_appends {
        return envelope(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    }
    if count % faults.refuse_every == 0 {
        return envelope(StatusCode::SERVICE_UNAVAILABLE, "overloaded");
    }
    let value: Value = serde_json::from_str(&body).unwrap();
    let signed = SignedReceipt::from_value(&value).unwrap();
    let mut corridors = fake.corridors.lock().unwrap();
    let Some(corridor) = corridors.get_mut(&id) else {
        return envelope(StatusCode::NOT_FOUND, "unknown_corridor");
    };
    let forget = faults.forget_every > 0 && count % faults.forget_every == 0;
    let mut scratch = corridor.chain.clone();
    let target = if forget {
        &mut scratch
    } else {
        &mut corridor.chain
    };
    let appended = match target.append(&signed, crate::load::corridor::now().unwrap()) {
        Ok(appended) => appended,
        Err(error) => {
            return reply(
                StatusCode::CONFLICT,
                json!({"error": {"code": "rejected", "message": error.to_string()}}),
            );
        }
    };
    if !forget {
        corridor.receipts.push(signed);
    }
    if count % faults.lost_reply_every == 0 {
        return envelope(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    }
    reply(
        StatusCode::OK,
        json!({"sequence": appended.sequence, "next_root": appended.next_root.to_hex()}),
    )
}

async fn head(State(fake): State<Arc<Fake>>, Path(id): Path<String>) -> Reply {
    let corridors = fake.corridors.lock().unwrap();
    match corridors.get(&id) {
        Some(corridor) => reply(
            StatusCode::OK,
            json!({"height": corridor.chain.height(), "head": corridor.chain.head().to_hex()}),
        ),
        None => envelope(StatusCode::NOT_FOUND, "unknown_corridor"),
    }
}

async fn export(State(fake): State<Arc<Fake>>, Path(id): Path<String>) -> (StatusCode, String) {
    let corridors = fake.corridors.lock().unwrap();
    let corridor = corridors.get(&id).unwrap();
    (
        StatusCode::OK,
        export_chain(&corridor.header, &corridor.receipts, None).unwrap(),
    )
}

async fn proof(
    State(fake): State<Arc<Fake>>,
    Path((id, sequence)): Path<(String, usize)>,
) -> Reply {
    let corridors = fake.corridors.lock().unwrap();
    let receipt = &corridors.get(&id).unwrap().receipts[sequence];
    reply(
        StatusCode::OK,
        json!({"receipt_next_root": receipt.document.next_root.to_hex()}),
    )
}

async fn supervision(State(fake): State<Arc<Fake>>) -> Reply {
    let corridors = fake.corridors.lock().unwrap();
    let children: Vec<Value> = corridors
        .iter()
        .map(|(id, corridor)| json!({"path": format!("corridor:{id}"), "name": id, "restart_count": corridor.restart_count, "children": []}))
        .collect();
    reply(
        StatusCode::OK,
        json!({"path": "zone", "name": "zone", "restart_count": 0, "children": children}),
    )
}

async fn kill(
    State(fake): State<Arc<Fake>>,
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
) -> Reply {
    // As on the real node, only the operator may kill.
    let bearer = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok());
    if bearer != Some("Bearer operator-token") {
        return envelope(StatusCode::FORBIDDEN, "forbidden");
    }
    let id = path.strip_prefix("corridor:").unwrap();
    fake.corridors
        .lock()
        .unwrap()
        .get_mut(id)
        .unwrap()
        .restart_count += 1;
    reply(StatusCode::OK, json!({"killed": true}))
}

async fn netting(body: String) -> Reply {
    let body: Value = serde_json::from_str(&body).unwrap();
    let plan = msez_protocol::netting::netting_plan_from_json(&body).unwrap();
    reply(StatusCode::OK, serde_json::to_value(&plan).unwrap())
}

async fn zone_lock(State(fake): State<Arc<Fake>>) -> Reply {
    if fake.faults.serves_zone {
        reply(StatusCode::OK, json!({"jurisdiction": "PK-RSEZ"}))
    } else {
        envelope(StatusCode::NOT_FOUND, "not_found")
    }
}

/// A formation is 201 once per idempotency key; a repeated key is a 409 the report would show.
async fn formation(
    State(fake): State<Arc<Fake>>,
    headers: axum::http::HeaderMap,
    body: String,
) -> Reply {
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["jurisdiction_id"], "PK-RSEZ");
    assert_eq!(body["address"]["country"], "PK");
    let key = headers["idempotency-key"].to_str().unwrap().to_owned();
    if fake.formation_keys.lock().unwrap().insert(key) {
        reply(StatusCode::CREATED, json!({"subject": "org-1"}))
    } else {
        envelope(StatusCode::CONFLICT, "repeated_key")
    }
}

async fn ok() -> Reply {
    reply(StatusCode::OK, json!({}))
}

/// Serves a fake node on an ephemeral port.
async fn fake_node(faults: Faults) -> SocketAddr {
    let fake = Arc::new(Fake {
        faults,
        formation_keys: Mutex::default(),
        appends: AtomicU64::new(0),
        corridors: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/health/readiness", get(ok))
        .route("/v1/corridors", post(create))
        .route("/v1/corridors/{id}", get(head))
        .route("/v1/corridors/{id}/lifecycle", post(ok))
        .route("/v1/corridors/{id}/receipts", post(append))
        .route("/v1/corridors/{id}/receipts/{sequence}/proof", get(proof))
        .route("/v1/netting/plan", post(netting))
        .route("/v1/zone/lock", get(zone_lock))
        .route("/v1/orchestration/entity-formations", post(formation))
        .route("/v1/corridors/{id}/export", get(export))
        .route("/v1/admin/supervision", get(supervision))
        .route("/v1/admin/actors/{path}/kill", post(kill))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

fn config(address: SocketAddr, rate_per_s: Option<f64>) -> LoadConfig {
    LoadConfig {
        url: format!("http://{address}"),
        token: "test-token".to_owned(),
        operator_token: Some("operator-token".to_owned()),
        corridor_count: 24,
        duration: Duration::from_millis(1_500),
        concurrency: 4,
        rate_per_s,
        chaos: true,
        node_command: None,
        node_log: PathBuf::from("unused.log"),
        proof_every: 5,
        netting_every: 9,
        formation_every: 7,
        progress: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_survives_lost_replies_refusals_and_actor_kills_without_loss() {
    let faults = Faults {
        lost_reply_every: 7,
        refuse_every: 11,
        forget_every: 0,
        create_pending: false,
        serves_zone: true,
        rate_limit_appends: false,
    };
    let address = fake_node(faults).await;
    let report = run(&config(address, None)).await.unwrap();
    assert!(report.invariants_hold(), "{:#?}", report);
    assert_eq!(report.corridors, 24);
    assert_eq!(report.chains_verified, 24);
    assert!(report.acknowledged > 50, "{}", report.acknowledged);
    assert!(
        report.committed_unacknowledged > 0,
        "lost replies must be recognised as committed"
    );
    assert!(
        report
            .errors_by_kind
            .contains_key("append:http_500_internal"),
        "{:?}",
        report.errors_by_kind
    );
    assert!(
        report
            .errors_by_kind
            .contains_key("append:http_503_overloaded"),
        "{:?}",
        report.errors_by_kind
    );
    assert!(report.latency_inclusion_proof.count > 0);
    assert!(report.latency_netting.count > 0);
    // Formations went out, each with its own key (a repeat would be a 409 error), and every
    // one sent was answered 201.
    assert!(report.latency_entity_formation.count > 0);
    assert_eq!(
        report.requests["entity_formation"],
        report.latency_entity_formation.count
    );
    assert!(
        report.formation_note.is_none(),
        "{:?}",
        report.formation_note
    );
    let chaos = report.chaos.unwrap();
    assert_eq!(chaos.actor_kills_accepted, 10);
    assert_eq!(chaos.actor_kills_checkable, 5);
    assert_eq!(chaos.actor_restarts_seen, 5);
    assert_eq!(report.restarts, 5);
    assert!(
        chaos.node_kill_note.is_some(),
        "no --node-cmd: node kills are skipped and said so"
    );
    // Exported receipts are the acknowledged ones plus those committed without a reply.
    assert_eq!(
        report.exported_receipts,
        report.acknowledged + report.committed_unacknowledged
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_reports_acknowledged_receipts_the_node_forgot_as_lost() {
    let faults = Faults {
        lost_reply_every: 1_000_003,
        refuse_every: 1_000_033,
        forget_every: 13,
        create_pending: true,
        serves_zone: false,
        rate_limit_appends: false,
    };
    let address = fake_node(faults).await;
    let report = run(&config(address, Some(400.0))).await.unwrap();
    assert!(!report.invariants_hold());
    assert!(report.lost > 0, "{report:#?}");
    assert_eq!(report.summary().lost, report.lost);
    // No zone: no formations, and the report says why.
    assert_eq!(report.latency_entity_formation.count, 0);
    assert!(
        report
            .formation_note
            .as_deref()
            .is_some_and(|note| note.contains("serves no zone")),
        "{:?}",
        report.formation_note
    );
    assert!(!report.summary().ok);
}

#[test]
fn the_default_mix_sends_proofs_and_netting_at_their_stated_shares() {
    let mut counts = HashMap::new();
    for request_index in 0..10_000 {
        *counts
            .entry(operation_at(request_index, mix(50, 100, 500)))
            .or_insert(0_u32) += 1;
    }
    assert_eq!(counts[&Operation::InclusionProof], 200);
    assert_eq!(
        counts[&Operation::Netting],
        99,
        "every 100th after the first block"
    );
    assert_eq!(counts[&Operation::EntityFormation], 20, "every 500th");
    assert_eq!(counts[&Operation::Append], 10_000 - 200 - 99 - 20);
    assert!((0..1_000).all(|index| operation_at(index, mix(0, 0, 0)) == Operation::Append));
    assert_eq!(
        operation_at(0, mix(1, 1, 1)),
        Operation::InclusionProof,
        "a meeting goes to the proof"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_backs_off_when_the_node_refuses_for_load() {
    let faults = Faults {
        lost_reply_every: 1_000_003,
        refuse_every: 1_000_033,
        forget_every: 0,
        create_pending: false,
        serves_zone: false,
        rate_limit_appends: true,
    };
    let address = fake_node(faults).await;
    let mut config = config(address, None);
    config.chaos = false;
    let report = run(&config).await.unwrap();
    assert_eq!(report.acknowledged, 0);
    assert!(report.invariants_hold(), "{report:#?}");
    // 4 workers for 1.5 s with a 10 ms pause after each refusal send at most ~600 appends
    // (fewer: proofs, netting and each request's own time take turns); without the pause a
    // local fake answers a refusal in microseconds and a worker sends thousands.
    let appends = report.requests["append"];
    assert!(appends > 0 && appends <= 650, "{appends} appends sent");
    assert_eq!(
        report.errors_by_kind["append:http_429_rate_limited"],
        appends
    );
}

#[test]
fn workers_start_the_mix_at_spread_phases() {
    // Over its first 100 requests, a worker with phase 0 sends no formation (that turn is
    // request 250); with staggered phases about a fifth of 128 workers do (33: the stride
    // spreads phases closely, not perfectly), so formations are spread
    // over time rather than sent by every worker at once.
    let mix = mix(50, 100, 500);
    let forming = (0..128)
        .filter(|&worker| {
            (0..100).any(|index| {
                operation_at(index + mix_phase(worker), mix) == Operation::EntityFormation
            })
        })
        .count();
    assert!((16..=40).contains(&forming), "{forming} of 128 workers");
    // Each worker keeps the stated shares whatever its phase.
    let counts = (0..5_000)
        .filter(|&index| operation_at(index + mix_phase(7), mix) == Operation::EntityFormation)
        .count();
    assert_eq!(counts, 10);
}

fn mix(proof_every: u64, netting_every: u64, formation_every: u64) -> Mix {
    Mix {
        proof_every,
        netting_every,
        formation_every,
    }
}
