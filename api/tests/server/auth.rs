//! Bearer tokens and roles, and rate limiting that only counts authenticated requests.

use super::support::{ADMIN, Knobs, PARTY, REGULATOR, WATCHER, start, start_with};

#[tokio::test]
async fn no_token_is_401_with_the_envelope_and_www_authenticate() {
    let node = start().await;
    let reply = node.get("/v1/packs/00", None).await;
    reply.assert_error(401, "unauthenticated", None);
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_token_and_malformed_header_are_401() {
    let node = start().await;
    node.get("/v1/packs/00", Some("admin-token-012345678"))
        .await
        .assert_error(401, "unauthenticated", None);
    let reply = node
        .client
        .get(node.url("/v1/packs/00"))
        .header("authorization", format!("Basic {ADMIN}"))
        .send()
        .await
        .unwrap();
    super::support::read(reply)
        .await
        .assert_error(401, "unauthenticated", None);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_role_is_403_and_the_right_role_passes() {
    let node = start().await;
    let body = r#"{"kind":"regpack","pack":{}}"#;
    for token in [PARTY, WATCHER, REGULATOR] {
        node.post_json("/v1/packs", Some(token), body)
            .await
            .assert_error(403, "forbidden", None);
    }
    // The admin gets past auth to the handler (which rejects the empty pack).
    let reply = node.post_json("/v1/packs", Some(ADMIN), body).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn rate_limit_applies_per_principal_after_authentication() {
    let node = start_with(Knobs {
        body_bytes_max: 64 * 1024,
        rate_limit_per_second: 1,
        rate_limit_burst: 2,
    })
    .await;
    // Unauthenticated requests never reach the limiter, so they cannot drain a bucket.
    for _ in 0..5 {
        node.get("/v1/packs/00", Some("not-a-token-at-all"))
            .await
            .assert_error(401, "unauthenticated", None);
    }
    for _ in 0..2 {
        assert_eq!(node.get("/v1/packs/00", Some(ADMIN)).await.status, 400);
    }
    let limited = node.get("/v1/packs/00", Some(ADMIN)).await;
    limited.assert_error(429, "rate_limited", None);
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&retry_after));
    // Another principal has its own bucket.
    assert_eq!(node.get("/v1/packs/00", Some(REGULATOR)).await.status, 400);
    node.node.shutdown().await.unwrap();
}
