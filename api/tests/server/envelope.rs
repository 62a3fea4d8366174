//! The error envelope and request ids for every kind of caller mistake: never a 500.

use super::support::{ADMIN, Knobs, start, start_with};

#[tokio::test]
async fn request_id_is_echoed_when_valid_and_generated_otherwise() {
    let node = start().await;
    let reply = node
        .client
        .get(node.url("/health/liveness"))
        .header("x-request-id", "req-123")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.headers()["x-request-id"], "req-123");
    let generated = node.get("/health/liveness", None).await;
    let id = generated.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 32);
    // An error carries the same id in its envelope.
    let error = node.get("/v1/packs/00", None).await;
    assert_eq!(
        error.json()["error"]["request_id"],
        error.headers["x-request-id"].to_str().unwrap()
    );
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_body() {
    let node = start().await;
    let reply = node
        .post_json("/v1/netting/plan", Some(ADMIN), "[{\"obligation_id\": ")
        .await;
    reply.assert_error(400, "bad_request", Some("body"));
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1")
    );
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let node = start().await;
    node.post_raw(
        "/v1/netting/plan",
        Some(ADMIN),
        Some("text/plain"),
        "[]".to_owned(),
    )
    .await
    .assert_error(415, "unsupported_media_type", Some("body"));
    node.post_raw("/v1/netting/plan", Some(ADMIN), None, "[]".to_owned())
        .await
        .assert_error(415, "unsupported_media_type", Some("body"));
    let with_charset = node
        .post_raw(
            "/v1/netting/plan",
            Some(ADMIN),
            Some("application/json; charset=utf-8"),
            "[]".to_owned(),
        )
        .await;
    assert_eq!(with_charset.status, 200, "{}", with_charset.text);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn body_over_the_limit_is_413_and_at_the_limit_is_accepted() {
    let node = start_with(Knobs {
        body_bytes_max: 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
    })
    .await;
    let at_limit = format!("[{}]", " ".repeat(1022));
    assert_eq!(at_limit.len(), 1024);
    let reply = node
        .post_json("/v1/netting/plan", Some(ADMIN), &at_limit)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let over = format!("[{}]", " ".repeat(1023));
    node.post_json("/v1/netting/plan", Some(ADMIN), &over)
        .await
        .assert_error(413, "payload_too_large", Some("body"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_is_405_with_the_envelope() {
    let node = start().await;
    node.get("/v1/entities", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/netting/plan", Some(ADMIN))
        .await
        .assert_error(405, "method_not_allowed", None);
    node.node.shutdown().await.unwrap();
}
