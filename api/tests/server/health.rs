//! Probes and metrics: liveness, readiness that really asks the store, Prometheus text.

use super::support::{ADMIN, start};

#[tokio::test]
async fn liveness_answers_ok_without_a_token() {
    let node = start().await;
    let reply = node.get("/health/liveness", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn readiness_is_ready_then_503_naming_the_store_once_it_is_closed() {
    let node = start().await;
    let ready = node.get("/health/readiness", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.json()["checks"]["store"], "ok");
    assert_eq!(
        ready.json()["checks"]["mass_breakers"]["organization"],
        "closed"
    );
    node.node.state().store().close().await;
    let down = node.get("/health/readiness", None).await;
    assert_eq!(down.status, 503, "{}", down.text);
    let body = down.json();
    assert_eq!(body["status"], "not_ready");
    assert!(body["reasons"][0].as_str().unwrap().starts_with("store"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let node = start().await;
    node.get("/v1/packs/00", Some(ADMIN)).await;
    node.get("/no/such/route", None).await;
    let reply = node.get("/metrics", None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(reply.text.contains(
        "msez_http_requests_total{method=\"GET\",route=\"/v1/packs/{digest}\",status=\"400\"} 1"
    ));
    assert!(reply.text.contains("route=\"unmatched\",status=\"404\"} 1"));
    assert!(reply.text.contains(
        "msez_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/packs/{digest}\"} 1"
    ));
    node.node.shutdown().await.unwrap();
}
