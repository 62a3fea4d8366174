//! Credentials: read, verify (a real issued credential), revoke, status list, and 404s.

use msez_persistence::records::CredentialRecord;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::keys::SigningKey;
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CredentialType;
use msez_protocol::vc::{Credential, CredentialTerms, issue};
use serde_json::{Value, json};

use super::support::{ADMIN, PARTY, REGULATOR, TestNode, WATCHER, start};

/// A KYC credential with an id, issued and signed through `msez-protocol`.
fn issued_credential() -> Value {
    let key = SigningKey::from_seed(&[7_u8; 32]);
    let issued_at = Timestamp::from_unix_seconds(1_767_225_600).unwrap();
    let terms = CredentialTerms {
        id: Some("urn:uuid:00000000-0000-4000-8000-000000000042".to_owned()),
        issuer: *key.did(),
        valid_from: issued_at,
        valid_until: None,
        status: None,
    };
    let subject = json!({
        "entity_id": "entity.acme-trading",
        "jurisdiction_id": "ae.dubai.difc",
        "level": "standard",
        "evidence_digest": "44".repeat(32),
        "verified_at": "2026-01-01T00:00:00Z",
    });
    let credential_type: CredentialType = "MSEZKycVerificationCredential".parse().unwrap();
    let credential = Credential::build_untyped(credential_type, subject, terms).unwrap();
    issue(&credential, &key, issued_at).unwrap()
}

async fn record(node: &TestNode, credential: &Value, index: u64) -> String {
    let credential_id = credential["id"]
        .as_str()
        .map_or_else(|| format!("urn:test:{index}"), str::to_owned);
    node.node
        .state()
        .store()
        .record_credential(&CredentialRecord {
            credential_id: credential_id.clone(),
            credential_type: "MSEZKycVerificationCredential".to_owned(),
            issuer: "did:key:z6Mk-test".to_owned(),
            credential: CanonicalBytes::new(credential).unwrap(),
            status_list_id: "list-1".to_owned(),
            status_list_index: index,
            issued_at_unix_ms: 1_700_000_000_000,
        })
        .await
        .unwrap();
    credential_id
}

#[tokio::test]
async fn credential_get_then_revoke_shows_in_the_status_list() {
    let node = start().await;
    let credential = issued_credential();
    let id = record(&node, &credential, 0).await;
    let path = format!("/v1/credentials/{}", urlencode(&id));
    let got = node.get(&path, Some(REGULATOR)).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json()["status"], "active");
    assert_eq!(got.json()["credential"], credential);
    node.post_json(&format!("{path}/revoke"), Some(PARTY), "")
        .await
        .assert_error(403, "forbidden", None);
    let revoked = node
        .post_json(&format!("{path}/revoke"), Some(ADMIN), "")
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(
        node.get(&path, Some(ADMIN)).await.json()["status"],
        "revoked"
    );
    let list = node
        .get("/v1/credentials/status-lists/list-1", Some(WATCHER))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        list.json()["entries"],
        json!([{"index": 0, "status": "revoked"}])
    );
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn credential_verify_reports_proofs_and_recorded_status() {
    let node = start().await;
    let credential = issued_credential();
    let unrecorded = node
        .post_json(
            "/v1/credentials/verify",
            Some(WATCHER),
            &credential.to_string(),
        )
        .await;
    assert_eq!(unrecorded.status, 200, "{}", unrecorded.text);
    assert_eq!(unrecorded.json()["verification"]["verified"], true);
    assert_eq!(unrecorded.json()["recorded_status"], "unknown");
    record(&node, &credential, 3).await;
    let recorded = node
        .post_json(
            "/v1/credentials/verify",
            Some(WATCHER),
            &credential.to_string(),
        )
        .await;
    assert_eq!(recorded.json()["recorded_status"], "active");
    let mut tampered = credential.clone();
    tampered["credentialSubject"]["level"] = json!("enhanced");
    let report = node
        .post_json(
            "/v1/credentials/verify",
            Some(WATCHER),
            &tampered.to_string(),
        )
        .await;
    assert_eq!(report.status, 200);
    assert_eq!(report.json()["verification"]["verified"], false);
    node.post_json("/v1/credentials/verify", Some(WATCHER), "[1]")
        .await
        .assert_error(422, "invalid_request", Some("body"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_credentials_and_lists_are_404() {
    let node = start().await;
    node.get("/v1/credentials/urn:nope", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.post_json("/v1/credentials/urn:nope/revoke", Some(ADMIN), "")
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/credentials/status-lists/none", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.node.shutdown().await.unwrap();
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
