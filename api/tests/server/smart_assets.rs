//! Smart assets over HTTP: a genesis names one asset (a resubmission finds it), the registry
//! binding issues one verifiable, revocable credential signed by the zone key even under
//! racing requests, and every caller mistake is a 4xx naming the member. Method: one `genesis`
//! body varied member by member.

use msez_protocol::time::Timestamp;
use serde_json::{Value, json};

use super::support::{
    ADMIN, PARTY, REGULATOR, TestNode, WATCHER, read, start, start_with_zone, zone_key,
};

fn genesis(jurisdiction_id: &str) -> Value {
    json!({
        "type": "MSEZSmartAssetGenesis",
        "asset_class": "warehouse_receipt",
        "name": "Cotton bales, lot 17",
        "owner_entity_id": "entity-42",
        "jurisdiction_id": jurisdiction_id,
        "created_at": "2026-01-01T00:00:00Z",
        "terms": {"bales": 400, "grade": "A"},
    })
}

async fn create(node: &TestNode, body: &Value) -> String {
    let reply = node
        .post_json("/v1/smart-assets", Some(ADMIN), &body.to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["asset_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn asset_genesis_then_binding_issues_one_verifiable_revocable_credential() {
    let node = start_with_zone().await;
    let asset_id = create(&node, &genesis("PK-RSEZ")).await;
    assert!(asset_id.starts_with("asset:"));
    let again = node
        .post_json(
            "/v1/smart-assets",
            Some(ADMIN),
            &genesis("PK-RSEZ").to_string(),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["asset_id"], asset_id.as_str());
    let path = format!("/v1/smart-assets/{asset_id}");
    let fresh = node.get(&path, Some(REGULATOR)).await;
    assert_eq!(fresh.json()["state"], "genesis");
    assert_eq!(fresh.json()["genesis"], genesis("PK-RSEZ"));
    assert_eq!(fresh.json()["registry"], Value::Null);
    let bound = node
        .post_json(&format!("{path}/registry-binding"), Some(ADMIN), "")
        .await;
    assert_eq!(bound.status, 201, "{}", bound.text);
    let credential = bound.json()["credential"].clone();
    assert_eq!(credential["issuer"], zone_key().did().to_string());
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "MSEZSmartAssetRegistryCredential"])
    );
    assert_eq!(
        credential["credentialSubject"]["asset_id"],
        asset_id.as_str()
    );
    assert_eq!(
        credential["credentialSubject"]["asset_definition_digest"],
        fresh.json()["genesis_digest"]
    );
    let verified = node
        .post_json(
            "/v1/credentials/verify",
            Some(WATCHER),
            &credential.to_string(),
        )
        .await;
    assert_eq!(
        verified.json()["verification"]["verified"],
        true,
        "{}",
        verified.text
    );
    assert_eq!(verified.json()["recorded_status"], "active");
    let registered = node.get(&path, Some(PARTY)).await.json();
    assert_eq!(registered["state"], "registered");
    assert_eq!(registered["registry"]["credential_status"], "active");
    node.post_json(&format!("{path}/registry-binding"), Some(ADMIN), "")
        .await
        .assert_error(409, "conflict", None);
    let credential_id = credential["id"].as_str().unwrap();
    let revoke = node
        .post_json(
            &format!("/v1/credentials/{credential_id}/revoke"),
            Some(ADMIN),
            "",
        )
        .await;
    assert_eq!(revoke.status, 200, "{}", revoke.text);
    let revoked = node.get(&path, Some(ADMIN)).await.json();
    assert_eq!(revoked["registry"]["credential_status"], "revoked");
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn racing_bindings_record_one_credential() {
    let node = start().await;
    let asset_id = create(&node, &genesis("AE")).await;
    let path = format!("/v1/smart-assets/{asset_id}/registry-binding");
    let racers: Vec<_> = (0..6)
        .map(|_| {
            let request = node
                .client
                .post(node.url(&path))
                .bearer_auth(ADMIN)
                .header("content-type", "application/json");
            tokio::spawn(async move { read(request.send().await.unwrap()).await })
        })
        .collect();
    let mut replies = Vec::new();
    for racer in racers {
        replies.push(racer.await.unwrap());
    }
    let mut credentials = Vec::new();
    for reply in &replies {
        match reply.status {
            201 => credentials.push(reply.json()["credential"].clone()),
            409 => reply.assert_error(409, "conflict", None),
            other => panic!("status {other}: {}", reply.text),
        }
    }
    assert!(!credentials.is_empty());
    assert!(
        credentials
            .iter()
            .all(|credential| credential == &credentials[0])
    );
    let list = node
        .get(
            "/v1/credentials/status-lists/smart-asset-registry",
            Some(ADMIN),
        )
        .await;
    assert_eq!(
        list.json()["entries"],
        json!([{"index": 0, "status": "active"}])
    );
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn asset_rejections_name_the_member() {
    let node = start_with_zone().await;
    let post = |body: Value, token| {
        let node = &node;
        async move {
            node.post_json("/v1/smart-assets", Some(token), &body.to_string())
                .await
        }
    };
    post(genesis("PK-RSEZ"), PARTY)
        .await
        .assert_error(403, "forbidden", None);
    let mut class = genesis("PK-RSEZ");
    class["asset_class"] = json!("Real Estate");
    post(class, ADMIN)
        .await
        .assert_error(422, "invalid_request", Some("/asset_class"));
    let mut future = genesis("PK-RSEZ");
    let tomorrow = Timestamp::from_unix_seconds(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + 86_400,
    )
    .unwrap();
    future["created_at"] = json!(tomorrow.to_string());
    post(future, ADMIN)
        .await
        .assert_error(422, "invalid_request", Some("/created_at"));
    let mut fraction = genesis("PK-RSEZ");
    fraction["terms"] = json!({"price": 1.5});
    post(fraction, ADMIN)
        .await
        .assert_error(422, "invalid_request", Some("/terms"));
    let mut extra = genesis("PK-RSEZ");
    extra["colour"] = json!("red");
    post(extra, ADMIN)
        .await
        .assert_error(422, "invalid_request", Some("body"));
    node.get(
        &format!("/v1/smart-assets/asset:{}", "ab".repeat(32)),
        Some(ADMIN),
    )
    .await
    .assert_error(404, "not_found", None);
    node.get("/v1/smart-assets/not%20an%20id", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("asset_id"));
    node.post_json(
        &format!(
            "/v1/smart-assets/asset:{}/registry-binding",
            "ab".repeat(32)
        ),
        Some(ADMIN),
        "",
    )
    .await
    .assert_error(404, "not_found", None);
    // This zone's registry is PK-RSEZ: an asset registered elsewhere is not bound here.
    let foreign = create(&node, &genesis("AE")).await;
    node.post_json(
        &format!("/v1/smart-assets/{foreign}/registry-binding"),
        Some(ADMIN),
        "",
    )
    .await
    .assert_error(409, "conflict", None);
    node.node.shutdown().await.unwrap();
}
