//! Packs: upload (schema-checked, filed by digest), fetch by digest, and every rejection.

use serde_json::{Value, json};

use super::support::{ADMIN, REGULATOR, start};

fn regpack() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/examples/regpack.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn pack_upload_then_get_by_digest_round_trips() {
    let node = start().await;
    let body = json!({"kind": "regpack", "pack": regpack()}).to_string();
    let created = node.post_json("/v1/packs", Some(ADMIN), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let digest = created.json()["digest"].as_str().unwrap().to_owned();
    assert_eq!(digest.len(), 64);
    // Idempotent: the same pack gets the same digest.
    let again = node.post_json("/v1/packs", Some(ADMIN), &body).await;
    assert_eq!(again.json()["digest"], digest.as_str());
    let fetched = node
        .get(&format!("/v1/packs/{digest}"), Some(REGULATOR))
        .await;
    assert_eq!(fetched.status, 200, "{}", fetched.text);
    assert_eq!(fetched.json()["kind"], "regpack");
    assert_eq!(fetched.json()["pack"], regpack());
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn pack_rejections_name_the_field() {
    let node = start().await;
    node.post_json("/v1/packs", Some(ADMIN), r#"{"kind":"tarpack","pack":{}}"#)
        .await
        .assert_error(422, "invalid_request", Some("/kind"));
    node.post_json("/v1/packs", Some(ADMIN), r#"{"kind":"regpack"}"#)
        .await
        .assert_error(422, "invalid_request", Some("/pack"));
    let mut broken = regpack();
    broken["regpack_id"] = json!(7);
    let reply = node
        .post_json(
            "/v1/packs",
            Some(ADMIN),
            &json!({"kind":"regpack","pack":broken}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply.json()["error"]["field"]
            .as_str()
            .unwrap()
            .starts_with("/pack")
    );
    node.get("/v1/packs/not-hex", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("digest"));
    node.get(&format!("/v1/packs/{}", "ab".repeat(32)), Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn pack_list_pages_in_digest_order() {
    let node = start().await;
    let mut digests = Vec::new();
    for index in 0..3 {
        let mut pack = regpack();
        pack["regpack_id"] = json!(format!("pk-fbr-{index}"));
        let body = json!({"kind": "regpack", "pack": pack}).to_string();
        let created = node.post_json("/v1/packs", Some(ADMIN), &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        digests.push(created.json()["digest"].as_str().unwrap().to_owned());
    }
    digests.sort();
    let first = node.get("/v1/packs?limit=2", Some(REGULATOR)).await.json();
    assert_eq!(first["packs"][0]["digest"], digests[0].as_str());
    assert_eq!(first["packs"][0]["kind"], "regpack");
    assert_eq!(first["next_after"], digests[1].as_str());
    let rest = node
        .get(&format!("/v1/packs?after={}", digests[1]), Some(REGULATOR))
        .await
        .json();
    assert_eq!(rest["packs"].as_array().unwrap().len(), 1);
    assert_eq!(rest["packs"][0]["digest"], digests[2].as_str());
    assert_eq!(rest["next_after"], Value::Null);
    node.get("/v1/packs?after=zz", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("after"));
    node.get("/v1/packs?limit=0", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    node.get("/v1/packs?limit=1000", Some(ADMIN)).await;
    node.get("/v1/packs?limit=1001", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    node.get("/v1/packs?colour=red", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("query"));
    node.node.shutdown().await.unwrap();
}
