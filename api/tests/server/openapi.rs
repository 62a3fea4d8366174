//! The OpenAPI document is generated from the route table that registers the routes: every
//! registered route is documented, every documented route is served, and no primitive CRUD
//! route exists.

use msez_api::server::routes::{Method, route_table};

use super::support::{OPERATOR, read, start};

#[tokio::test]
async fn openapi_documents_every_registered_route_and_every_one_is_served() {
    let node = start().await;
    let reply = node.get("/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");
    let table = route_table();
    let mut documented = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        documented += item.as_object().unwrap().len();
        for forbidden in [
            "/v1/entities",
            "/v1/ownership",
            "/v1/fiscal",
            "/v1/identity",
            "/v1/consent",
        ] {
            assert!(!path.starts_with(forbidden), "{path} is primitive CRUD");
        }
    }
    assert_eq!(documented, table.len());
    for (spec, _) in &table {
        let operation = &document["paths"][spec.document_path()][spec.method.as_lower()];
        assert_eq!(operation["operationId"], spec.operation_id, "{}", spec.path);
        // Probe the route: whatever the answer, it must not be the unknown-route 404.
        let path = spec.document_path().replace('{', "x").replace('}', "");
        let reply = if spec.response_media_type == "text/event-stream" {
            let response = node
                .client
                .get(node.url(&path))
                .bearer_auth(OPERATOR)
                .send()
                .await
                .unwrap();
            if response.status().as_u16() == 200 {
                continue; // A stream: it is served, and its body never ends.
            }
            read(response).await
        } else {
            match spec.method {
                Method::Get => node.get(&path, Some(OPERATOR)).await,
                Method::Post => node.post_json(&path, Some(OPERATOR), "{}").await,
                Method::Put => node.put_json(&path, Some(OPERATOR), "{}").await,
                Method::Delete => node.delete(&path, Some(OPERATOR)).await,
            }
        };
        let unknown_route =
            reply.status == 404 && reply.json()["error"]["message"] == "no such route";
        assert!(
            !unknown_route,
            "{} {} is documented but not served",
            spec.method.as_lower(),
            spec.path
        );
    }
    node.node.shutdown().await.unwrap();
}
