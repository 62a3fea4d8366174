//! The regulator console over HTTP: every request by a regulator is recorded in a hash chain a
//! verifier can recompute, a request that cannot be recorded is not served, only regulators
//! get in, and each view (credentials, corridors, attestations, tensors, the IRIS statement,
//! the SLA) shows the zone's records. Method: seed records through the store or the API, read
//! them back through the console, recompute the audit chain with the store's public hash.

use msez_persistence::audit::audit_entry_hash;
use msez_persistence::records::CredentialRecord;
use msez_persistence::watchers::AttestationRecord;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::tax::{
    FilerStatus, Ntn, RateBook, TaxEventRecord, TaxPeriod, TaxpayerId, WithholdingCategory,
    WithholdingEvent, WithholdingRateTable, compute_withholding, iris_report_of_records,
    tax_event_trail_id,
};
use msez_protocol::time::Timestamp;
use serde_json::{Value, json};

use super::corridors::create_body;
use super::support::{ADMIN, OPERATOR, REGULATOR, TestNode, start};

async fn console(node: &TestNode, path: &str) -> Value {
    let reply = node.get(path, Some(REGULATOR)).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.json()
}

#[tokio::test]
async fn console_requests_are_audited_in_a_chain_a_verifier_recomputes() {
    let node = start().await;
    let paths = [
        "/v1/regulator/sla",
        "/v1/regulator/credentials?limit=5",
        "/v1/regulator/corridors",
    ];
    for path in paths {
        console(&node, path).await;
    }
    // A refused request is audited too: the access happened.
    node.get("/v1/regulator/tensors/nobody", Some(REGULATOR))
        .await
        .assert_error(404, "not_found", None);
    // Other roles do not get in, and are not recorded as regulator accesses.
    node.get("/v1/regulator/sla", Some(ADMIN))
        .await
        .assert_error(403, "forbidden", None);
    node.get("/v1/regulator/sla", None)
        .await
        .assert_error(401, "unauthenticated", None);
    node.get("/v1/regulator/audit?limit=1001", Some(REGULATOR))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    let trail = console(&node, "/v1/regulator/audit?limit=1000").await;
    let entries = trail["entries"].as_array().unwrap();
    let recorded: Vec<&str> = entries
        .iter()
        .map(|entry| entry["entry"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        recorded,
        [
            "/v1/regulator/sla",
            "/v1/regulator/credentials",
            "/v1/regulator/corridors",
            "/v1/regulator/tensors/nobody",
            "/v1/regulator/audit",
            "/v1/regulator/audit",
        ]
    );
    assert_eq!(entries[1]["entry"]["query"], "limit=5");
    assert_eq!(entries[0]["entry"]["principal"], "regulator");
    let mut prev_hash = Digest::from_bytes([0; 32]);
    for entry in entries {
        assert_eq!(entry["prev_hash"], prev_hash.to_hex());
        let canonical = CanonicalBytes::new(&entry["entry"]).unwrap();
        let recomputed = audit_entry_hash(&prev_hash, &canonical);
        assert_eq!(entry["entry_hash"], recomputed.to_hex());
        prev_hash = recomputed;
    }
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn console_refuses_to_serve_what_it_cannot_audit() {
    let node = start().await;
    console(&node, "/v1/regulator/sla").await;
    // With the store gone, the SLA view (which needs only the node's metrics) is not served.
    node.node.state().store().close().await;
    node.get("/v1/regulator/sla", Some(REGULATOR))
        .await
        .assert_error(503, "unavailable", None);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn console_lists_credentials_attestations_and_corridor_heads() {
    let node = start().await;
    let store = node.node.state().store();
    for index in 0..3_u64 {
        store
            .record_credential(&CredentialRecord {
                credential_id: format!("urn:c:{index}"),
                credential_type: "MSEZKycVerificationCredential".to_owned(),
                issuer: "did:key:z6Mk-test".to_owned(),
                credential: CanonicalBytes::new(&json!({"id": index})).unwrap(),
                status_list_id: "kyc".to_owned(),
                status_list_index: index,
                issued_at_unix_ms: 1_700_000_000_000,
            })
            .await
            .unwrap();
        store
            .put_attestation(&AttestationRecord {
                attestation_id: format!("att-{index}"),
                subject_id: "pk-ae-1".to_owned(),
                attestation: CanonicalBytes::new(&json!({"head": index})).unwrap(),
                created_at_unix_ms: 1_700_000_000_000 + i64::try_from(index).unwrap(),
            })
            .await
            .unwrap();
    }
    let first = console(&node, "/v1/regulator/credentials?limit=2").await;
    assert_eq!(first["credentials"][1]["credential_id"], "urn:c:1");
    assert_eq!(first["next_after"], "urn:c:1");
    let rest = console(&node, "/v1/regulator/credentials?after=urn:c:1&limit=2").await;
    assert_eq!(rest["credentials"][0]["status"], "active");
    assert_eq!(rest["next_after"], Value::Null);
    let attestations = console(&node, "/v1/regulator/attestations?subject=pk-ae-1").await;
    assert_eq!(
        attestations["attestations"][2]["attestation"],
        json!({"head": 2})
    );
    node.get("/v1/regulator/attestations", Some(REGULATOR))
        .await
        .assert_error(400, "bad_request", Some("query"));
    node.get("/v1/regulator/credentials?limit=1001", Some(REGULATOR))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    let corridor_id = CorridorId::new("pk-ae-1").unwrap();
    let created = node
        .post_json(
            "/v1/corridors",
            Some(ADMIN),
            &create_body(&corridor_id, true).to_string(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let corridors = console(&node, "/v1/regulator/corridors?limit=100").await;
    assert_eq!(corridors["corridors"][0]["corridor_id"], "pk-ae-1");
    assert_eq!(corridors["corridors"][0]["height"], 0);
    assert_eq!(
        corridors["corridors"][0]["head"],
        created.json()["genesis_root"]
    );
    node.get("/v1/regulator/corridors?limit=101", Some(REGULATOR))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    node.node.shutdown().await.unwrap();
}

fn tax_record(event_id: &str, category: WithholdingCategory, gross: u64) -> TaxEventRecord {
    let book = RateBook::new(vec![WithholdingRateTable::pakistan_ito_2001().unwrap()]).unwrap();
    let event = WithholdingEvent {
        event_id: event_id.to_owned(),
        payer: EntityId::new("payer-1").unwrap(),
        payee: TaxpayerId::Ntn(Ntn::parse("1234567").unwrap()),
        payee_filer_status: FilerStatus::Filer,
        category,
        gross_amount_minor: gross,
        currency: "PKR".to_owned(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        occurred_at: Timestamp::parse("2026-03-15T10:00:00Z").unwrap(),
    };
    let withholding = compute_withholding(&book, &event).unwrap();
    TaxEventRecord { event, withholding }
}

#[tokio::test]
async fn console_iris_statement_is_the_recorded_month() {
    let node = start().await;
    let records = vec![
        tax_record("pay-1", WithholdingCategory::Goods, 1_000_000),
        tax_record("pay-2", WithholdingCategory::Services, 500_000),
        tax_record("pay-3", WithholdingCategory::Goods, 250_000),
    ];
    let jurisdiction = JurisdictionId::new("PK-RSEZ").unwrap();
    let trail = tax_event_trail_id(&jurisdiction, &TaxPeriod::parse("2026-03").unwrap());
    for record in &records {
        node.node
            .state()
            .store()
            .append_audit_entry(&trail, &CanonicalBytes::of(record).unwrap())
            .await
            .unwrap();
    }
    let statement = console(
        &node,
        "/v1/regulator/tax/iris-report?jurisdiction=PK-RSEZ&period=2026-03",
    )
    .await;
    assert_eq!(statement["event_count"], 3);
    assert_eq!(
        statement["report"],
        serde_json::to_value(iris_report_of_records(&records).unwrap()).unwrap()
    );
    assert_eq!(statement["report"]["sections"][0]["section"], "153(1)(a)");
    assert_eq!(statement["report"]["sections"][0]["event_count"], 2);
    let empty = console(
        &node,
        "/v1/regulator/tax/iris-report?jurisdiction=PK-RSEZ&period=2026-04",
    )
    .await;
    assert_eq!(empty["report"]["sections"], json!([]));
    assert_eq!(empty["trail_head_hash"], Value::Null);
    node.get(
        "/v1/regulator/tax/iris-report?jurisdiction=PK-RSEZ&period=2026-13",
        Some(REGULATOR),
    )
    .await
    .assert_error(400, "bad_request", Some("period"));
    node.get(
        "/v1/regulator/tax/iris-report?period=2026-03",
        Some(REGULATOR),
    )
    .await
    .assert_error(400, "bad_request", Some("query"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn console_sla_reports_what_the_node_measured() {
    let node = start().await;
    let idle = console(&node, "/v1/regulator/sla").await;
    assert_eq!(idle["corridor_append"]["request_count"], 0);
    assert_eq!(idle["corridor_append"]["latency_met"], Value::Null);
    for _ in 0..3 {
        node.get("/v1/admin/supervision", Some(OPERATOR)).await;
    }
    let measured = console(&node, "/v1/regulator/sla").await;
    let api = &measured["api"];
    // Three supervision reads and the first SLA read.
    assert_eq!(api["request_count"], 4);
    assert_eq!(api["server_error_count"], 0);
    assert_eq!(api["availability_bps"], 10_000);
    assert_eq!(api["availability_met"], true);
    assert!(api["latency_us_p99_max"].as_u64().is_some());
    node.node.shutdown().await.unwrap();
}
