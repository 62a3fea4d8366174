//! The Mass-facing flows over HTTP against the in-process Mass sandbox: each flow returns
//! `{mass, compliance, credential, attestation}` with a verifiable credential and attestation;
//! the same `Idempotency-Key` replays the answer with no second Mass write; the sanctions hard
//! block stops a flow before Mass; Mass down is a 503 naming the service and its circuit state,
//! with nothing of the node's own written, and a retry with the same key completes without
//! repeating the Mass writes that had succeeded. Method: one `flow` request helper; Mass writes
//! counted with the sandbox's per-service request counters.

use std::time::Duration;

use msez_mass::error::Service;
use msez_mass::sandbox::faults::FaultConfig;
use msez_protocol::proof::verify_document;
use serde_json::{Value, json};

use super::support::{
    ADMIN, PARTY, REGULATOR, Reply, TestNode, read, start, start_with_zone, start_with_zone_in,
};

async fn flow(node: &TestNode, path: &str, key: Option<&str>, body: &Value) -> Reply {
    let mut request = node
        .client
        .post(node.url(path))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    read(request.send().await.unwrap()).await
}

const FORMATIONS: &str = "/v1/orchestration/entity-formations";
const PAYMENTS: &str = "/v1/orchestration/payments";

fn formation(name: &str) -> Value {
    json!({
        "name": name,
        "bio": "Cotton spinning and export",
        "jurisdiction_id": "PK-RSEZ",
        "address": {"line1": "Plot 7, Rashakai SEZ", "city": "Nowshera", "country": "PK"},
        "requested_by": "user-founder-1",
        "account": {"name": "Operating", "currency": "PKR"},
        "screening": {"names": ["Sara Ahmed"]},
    })
}

fn requests(node: &TestNode, service: Service) -> u64 {
    node.node.sandbox().unwrap().request_count(service)
}

#[track_caller]
fn check_signed(document: &Value) {
    let checks = verify_document(document).unwrap();
    assert!(!checks.is_empty());
    assert!(
        checks.iter().all(|check| check.outcome.is_ok()),
        "{document:#}"
    );
}

async fn form(node: &TestNode, key: &str, name: &str) -> Value {
    let reply = flow(node, FORMATIONS, Some(key), &formation(name)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn formation_runs_every_step_and_replays_without_a_second_mass_write() {
    let node = start_with_zone().await;
    let answer = form(&node, "form-1", "Karachi Cotton Mills").await;
    let mass = &answer["mass"];
    let entity_id = mass["organization"]["id"].as_str().unwrap().to_owned();
    assert_eq!(answer["subject"], entity_id.as_str());
    for record in ["treasury", "account", "consent"] {
        assert!(mass[record]["id"].as_str().is_some(), "{record}: {mass}");
    }
    assert_eq!(mass["consent"]["status"], "PENDING");
    assert_eq!(mass["account"]["currency"], "PKR");
    assert_eq!(mass["entity_application"]["lifecycle"]["state"], "applied");
    assert_eq!(answer["compliance"]["leaf_count"], 20);
    let credential = &answer["credential"];
    assert_eq!(credential["type"][1], "MSEZComplianceAttestationCredential");
    assert_eq!(
        credential["credentialSubject"]["tensor_commitment"],
        answer["compliance"]["commitment_root"]
    );
    check_signed(credential);
    let attestation = &answer["attestation"];
    assert_eq!(attestation["mass"]["organization_id"], entity_id.as_str());
    assert_eq!(attestation["credential_id"], credential["id"]);
    check_signed(attestation);
    // The node's own records: the tensor, the credential and the attestation.
    let tensor = node
        .get(
            &format!("/v1/compliance/tensors/{entity_id}"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(
        tensor.json()["commitment_root"],
        answer["compliance"]["commitment_root"]
    );
    let filed = node
        .get(
            &format!("/v1/regulator/attestations?subject={entity_id}"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(filed.json()["attestations"][0]["attestation"], *attestation);
    // The same key replays the same answer and writes nothing in Mass.
    let organizations = requests(&node, Service::Organization);
    let treasury = requests(&node, Service::Treasury);
    let consents = requests(&node, Service::Consent);
    let replay = flow(
        &node,
        FORMATIONS,
        Some("form-1"),
        &formation("Karachi Cotton Mills"),
    )
    .await;
    assert_eq!(replay.status, 201, "{}", replay.text);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.json(), answer);
    assert_eq!(requests(&node, Service::Organization), organizations);
    assert_eq!(requests(&node, Service::Treasury), treasury);
    assert_eq!(requests(&node, Service::Consent), consents);
    // The same key with another body is refused.
    flow(&node, FORMATIONS, Some("form-1"), &formation("Other Mills"))
        .await
        .assert_error(422, "invalid_request", Some("Idempotency-Key"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn flows_refuse_bad_requests_before_any_mass_call() {
    let node = start_with_zone().await;
    flow(&node, FORMATIONS, None, &formation("Mills"))
        .await
        .assert_error(400, "bad_request", Some("Idempotency-Key"));
    flow(&node, FORMATIONS, Some("has space"), &formation("Mills"))
        .await
        .assert_error(400, "bad_request", Some("Idempotency-Key"));
    let mut missing = formation("Mills");
    missing.as_object_mut().unwrap().remove("account");
    flow(&node, FORMATIONS, Some("bad-1"), &missing)
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let mut currency = formation("Mills");
    currency["account"]["currency"] = json!("rupees");
    flow(&node, FORMATIONS, Some("bad-2"), &currency)
        .await
        .assert_error(422, "invalid_request", Some("/account/currency"));
    let mut elsewhere = formation("Mills");
    elsewhere["jurisdiction_id"] = json!("AE");
    flow(&node, FORMATIONS, Some("bad-3"), &elsewhere)
        .await
        .assert_error(422, "invalid_request", Some("/jurisdiction_id"));
    // The listed name is a confirmed sanctions match: blocked before Mass.
    let listed = flow(
        &node,
        FORMATIONS,
        Some("bad-4"),
        &formation("Example Listed Trading Co"),
    )
    .await;
    listed.assert_error(422, "invalid_request", Some("/name"));
    assert!(
        listed.text.contains("sanctions hard block"),
        "{}",
        listed.text
    );
    assert_eq!(requests(&node, Service::Organization), 0);
    let party = node
        .client
        .post(node.url(FORMATIONS))
        .bearer_auth(PARTY)
        .header("content-type", "application/json")
        .header("idempotency-key", "bad-5")
        .body(formation("Mills").to_string());
    read(party.send().await.unwrap())
        .await
        .assert_error(403, "forbidden", None);
    // A refusal before any Mass step does not spend the key: corrected, it runs.
    let corrected = flow(
        &node,
        FORMATIONS,
        Some("bad-4"),
        &formation("Mardan Marble"),
    )
    .await;
    assert_eq!(corrected.status, 201, "{}", corrected.text);
    assert_eq!(requests(&node, Service::Organization), 1);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn flows_need_a_zone_regpack_to_screen() {
    let node = start().await;
    flow(&node, FORMATIONS, Some("no-zone"), &formation("Mills"))
        .await
        .assert_error(409, "conflict", None);
    assert_eq!(requests(&node, Service::Organization), 0);
    node.node.shutdown().await.unwrap();
}

fn down() -> FaultConfig {
    FaultConfig {
        down: true,
        ..FaultConfig::healthy()
    }
}

#[tokio::test]
async fn mass_down_is_503_with_the_circuit_state_and_the_retry_completes_once() {
    let node = start_with_zone().await;
    let sandbox = node.node.sandbox().unwrap();
    sandbox.set_faults(Service::Treasury, down()).unwrap();
    let refused = flow(
        &node,
        FORMATIONS,
        Some("form-down"),
        &formation("Lahore Looms"),
    )
    .await;
    refused.assert_error(503, "unavailable", None);
    assert!(refused.text.contains("treasury-info"), "{}", refused.text);
    assert!(refused.text.contains("circuit closed"), "{}", refused.text);
    assert!(refused.headers.contains_key("retry-after"));
    // Nothing of the node's own was written: no credential, no attestation.
    let store = node.node.state().store();
    assert!(
        store
            .credential_summaries(None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .credential("urn:msez:orchestration:entity_formation:form-down")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(requests(&node, Service::Organization), 1);
    sandbox
        .set_faults(Service::Treasury, FaultConfig::healthy())
        .unwrap();
    let answer = form(&node, "form-down", "Lahore Looms").await;
    // The organization Mass created on the first attempt is the one; it was not created again.
    assert_eq!(requests(&node, Service::Organization), 1);
    assert!(answer["mass"]["account"]["id"].as_str().is_some());
    assert_eq!(store.credential_summaries(None, 10).await.unwrap().len(), 1);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn repeated_mass_failures_open_the_circuit_and_the_answer_says_so() {
    let node = start_with_zone().await;
    node.node
        .sandbox()
        .unwrap()
        .set_faults(Service::Organization, down())
        .unwrap();
    let mut last = String::new();
    for attempt in 0..8 {
        let reply = flow(
            &node,
            FORMATIONS,
            Some("form-open"),
            &formation("Quetta Quilts"),
        )
        .await;
        reply.assert_error(503, "unavailable", None);
        last = reply.text;
        if last.contains("circuit open") {
            assert!(attempt >= 4, "opened after {attempt} failures");
            break;
        }
    }
    assert!(last.contains("circuit open"), "{last}");
    let ready = node.get("/health/readiness", None).await;
    assert_eq!(ready.status, 503);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn payment_withholds_records_the_tax_event_and_issues_the_credential() {
    let node = start_with_zone().await;
    let payer = form(&node, "payer", "Karachi Cotton Mills").await;
    let payee = form(&node, "payee", "Peshawar Transport Services").await;
    let payee_id = payee["subject"].as_str().unwrap().to_owned();
    let body = json!({
        "payer_entity_id": payer["subject"],
        "payee": {"entity_id": payee_id, "name": "Peshawar Transport Services", "ntn": "1234568"},
        "source_account_id": payer["mass"]["account"]["id"],
        "destination_account_id": payee["mass"]["account"]["id"],
        "amount_minor": 1_000_000,
        "currency": "PKR",
        "category": "services",
        "reference": "freight, invoice 17",
    });
    let reply = flow(&node, PAYMENTS, Some("pay-1"), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let answer = reply.json();
    // Services, filer (even NTN in the sandbox): 8% withheld, the net paid.
    assert_eq!(answer["mass"]["filer_status"]["filer_status"], "FILER");
    assert_eq!(
        answer["mass"]["withholding"]["withheld_amount_minor"],
        80_000
    );
    assert_eq!(answer["mass"]["payment"]["amount_minor"], 920_000);
    assert_eq!(
        answer["credential"]["type"][1],
        "MSEZTaxWithholdingCredential"
    );
    assert_eq!(
        answer["credential"]["credentialSubject"]["entity_id"],
        payee_id.as_str()
    );
    check_signed(&answer["credential"]);
    check_signed(&answer["attestation"]);
    let period = &answer["attestation"]["attested_at"].as_str().unwrap()[..7];
    let statement = node
        .get(
            &format!("/v1/regulator/tax/iris-report?jurisdiction=PK-RSEZ&period={period}"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(statement.json()["event_count"], 1, "{}", statement.text);
    assert_eq!(
        statement.json()["report"]["sections"][0]["withheld_total_minor"],
        80_000
    );
    let payments = requests(&node, Service::Treasury);
    let replay = flow(&node, PAYMENTS, Some("pay-1"), &body).await;
    assert_eq!(replay.json(), answer);
    assert_eq!(requests(&node, Service::Treasury), payments);
    let again = node
        .get(
            &format!("/v1/regulator/tax/iris-report?jurisdiction=PK-RSEZ&period={period}"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(again.json()["event_count"], 1);
    // A listed payee is blocked before any payment.
    let mut listed = body.clone();
    listed["payee"]["name"] = json!("Example Listed Trading Co");
    flow(&node, PAYMENTS, Some("pay-2"), &listed)
        .await
        .assert_error(422, "invalid_request", Some("/payee/name"));
    assert_eq!(requests(&node, Service::Treasury), payments);
    let mut untaxed = body;
    untaxed["payee"].as_object_mut().unwrap().remove("ntn");
    flow(&node, PAYMENTS, Some("pay-3"), &untaxed)
        .await
        .assert_error(422, "invalid_request", Some("/payee"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn identity_verification_issues_kyc_for_verified_numbers_only() {
    let node = start_with_zone().await;
    let entity = form(&node, "id-entity", "Multan Mangoes").await;
    let entity_id = entity["subject"].as_str().unwrap().to_owned();
    let body = json!({
        "entity_id": entity_id,
        "cnic": {"number": "35202-1234567-1", "full_name": "Sara Ahmed"},
        "ntn": "1234568",
        "level": "standard",
    });
    let reply = flow(
        &node,
        "/v1/orchestration/identity-verifications",
        Some("id-1"),
        &body,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let answer = reply.json();
    assert_eq!(answer["mass"]["cnic_verification"]["status"], "VERIFIED");
    assert_eq!(answer["mass"]["ntn_verification"]["filer_status"], "FILER");
    assert_eq!(
        answer["credential"]["type"][1],
        "MSEZKycVerificationCredential"
    );
    assert_eq!(
        answer["credential"]["credentialSubject"]["level"],
        "standard"
    );
    check_signed(&answer["credential"]);
    let kyc = node
        .get(
            &format!("/v1/compliance/tensors/{entity_id}/proof?jurisdiction=PK-RSEZ&domain=kyc"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(
        kyc.json()["proof"]["cell"]["state"],
        "compliant",
        "{}",
        kyc.text
    );
    // The sandbox rejects CNICs ending in 0000: no credential.
    let mut rejected = body.clone();
    rejected["cnic"]["number"] = json!("3520212340000");
    flow(
        &node,
        "/v1/orchestration/identity-verifications",
        Some("id-2"),
        &rejected,
    )
    .await
    .assert_error(422, "invalid_request", Some("/cnic/number"));
    let mut abroad = body;
    abroad["jurisdiction_id"] = json!("AE");
    flow(
        &node,
        "/v1/orchestration/identity-verifications",
        Some("id-3"),
        &abroad,
    )
    .await
    .assert_error(422, "invalid_request", Some("/jurisdiction_id"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn ownership_change_asks_mass_for_consent_after_screening_the_holder() {
    let node = start_with_zone().await;
    let entity = form(&node, "own-entity", "Sialkot Sports").await;
    let holder = form(&node, "own-holder", "Gujranwala Holdings").await;
    let body = json!({
        "entity_id": entity["subject"],
        "requested_by": "user-founder-1",
        "incoming_holder": {"entity_id": holder["subject"], "name": "Gujranwala Holdings"},
    });
    let path = "/v1/orchestration/ownership-changes";
    let reply = flow(&node, path, Some("own-1"), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let answer = reply.json();
    assert_eq!(answer["subject"], holder["subject"]);
    assert_eq!(answer["mass"]["consent"]["status"], "PENDING");
    assert_eq!(
        answer["attestation"]["mass"]["organization_id"],
        entity["subject"]
    );
    check_signed(&answer["attestation"]);
    let mut unknown = body.clone();
    unknown["entity_id"] = json!("no-such-organization");
    flow(&node, path, Some("own-2"), &unknown)
        .await
        .assert_error(422, "invalid_request", Some("/entity_id"));
    let mut listed = body;
    listed["incoming_holder"]["name"] = json!("Example Listed Person");
    flow(&node, path, Some("own-3"), &listed)
        .await
        .assert_error(422, "invalid_request", Some("/incoming_holder/name"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn racing_retries_of_one_key_write_mass_once() {
    let node = start_with_zone().await;
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let request = node
                .client
                .post(node.url(FORMATIONS))
                .bearer_auth(ADMIN)
                .header("content-type", "application/json")
                .header("idempotency-key", "form-race")
                .timeout(Duration::from_secs(30))
                .body(formation("Hyderabad Handlooms").to_string());
            tokio::spawn(async move { read(request.send().await.unwrap()).await })
        })
        .collect();
    let mut answers = Vec::new();
    for racer in racers {
        let reply = racer.await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.text);
        answers.push(reply.json());
    }
    assert!(answers.iter().all(|answer| answer == &answers[0]));
    assert_eq!(requests(&node, Service::Organization), 1);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_flow_interrupted_by_mass_resumes_after_a_node_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_with_zone_in(dir.path()).await;
    first
        .node
        .sandbox()
        .unwrap()
        .set_faults(Service::Consent, down())
        .unwrap();
    flow(
        &first,
        FORMATIONS,
        Some("form-restart"),
        &formation("Swat Silks"),
    )
    .await
    .assert_error(503, "unavailable", None);
    assert_eq!(requests(&first, Service::Organization), 1);
    first.node.shutdown().await.unwrap();
    // A new process over the same store: its sandbox is fresh, so any Mass write it makes is
    // counted from zero. The organization, treasury and account steps are read back.
    let second = start_with_zone_in(dir.path()).await;
    let answer = form(&second, "form-restart", "Swat Silks").await;
    assert_eq!(requests(&second, Service::Organization), 0);
    assert_eq!(requests(&second, Service::Consent), 1);
    assert!(answer["mass"]["account"]["id"].as_str().is_some());
    check_signed(&answer["attestation"]);
    second.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_mass_write_of_unknown_outcome_blocks_its_key_until_reconciled() {
    let node = start_with_zone().await;
    let sandbox = node.node.sandbox().unwrap();
    // Slower than the client's 10 s request timeout: the organization may be created after
    // the node gave up waiting.
    let slow = FaultConfig {
        latency_ms: 11_000,
        ..FaultConfig::healthy()
    };
    sandbox.set_faults(Service::Organization, slow).unwrap();
    flow(
        &node,
        FORMATIONS,
        Some("form-unknown"),
        &formation("Chitral Crafts"),
    )
    .await
    .assert_error(503, "unavailable", None);
    sandbox
        .set_faults(Service::Organization, FaultConfig::healthy())
        .unwrap();
    let blocked = flow(
        &node,
        FORMATIONS,
        Some("form-unknown"),
        &formation("Chitral Crafts"),
    )
    .await;
    blocked.assert_error(409, "conflict", None);
    assert!(blocked.text.contains("reconcile"), "{}", blocked.text);
    assert_eq!(requests(&node, Service::Organization), 1);
    assert!(
        node.node
            .state()
            .store()
            .credential_summaries(None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    node.node.shutdown().await.unwrap();
}
