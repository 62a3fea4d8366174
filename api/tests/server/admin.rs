//! Admin supervision routes over HTTP, with a small keyed host registered in the node's tree:
//! the tree, one actor, the operator-only kill drill, and the SSE stream reporting the restart.

use std::sync::Arc;
use std::time::Duration;

use msez_runtime::{
    ActorFailure, Backoff, Intensity, Keyed, KeyedHost, KeyedHostConfig, Reply, RestartPolicy,
};

use super::support::{ADMIN, OPERATOR, REGULATOR, TestNode, read, start};

/// An actor that only answers pings.
struct Pinger;

impl Keyed for Pinger {
    type Key = String;
    type Msg = Reply<()>;
    type State = ();

    async fn hydrate(&self, _key: &String) -> Result<(), ActorFailure> {
        Ok(())
    }

    async fn handle(
        &self,
        _key: &String,
        _state: &mut (),
        reply: Reply<()>,
    ) -> Result<(), ActorFailure> {
        // The caller may have given up; nothing to undo.
        let _ = reply.send(());
        Ok(())
    }

    async fn passivate(&self, _key: &String, _state: &mut ()) -> Result<(), ActorFailure> {
        Ok(())
    }
}

async fn pinger_host(node: &TestNode) -> KeyedHost<Pinger> {
    let config = KeyedHostConfig {
        name: "pingers".to_owned(),
        shard_count: 2,
        admission_bound: 8,
        idle_passivation: None,
        restart: RestartPolicy::Permanent,
        backoff: Backoff {
            initial_ms: 1,
            max_ms: 5,
        },
        intensity: Intensity {
            max_restarts: 100,
            period_ms: 60_000,
        },
        call_timeout: Duration::from_secs(10),
    };
    let host = KeyedHost::start(Arc::new(Pinger), config, node.node.state().introspection())
        .await
        .unwrap();
    host.call(&"p1".to_owned(), |reply| reply).await.unwrap();
    host
}

#[tokio::test]
async fn supervision_tree_and_actor_lookup_show_the_live_actor() {
    let node = start().await;
    let host = pinger_host(&node).await;
    let actor_path = host.key_path(&"p1".to_owned());
    let tree = node.get("/v1/admin/supervision", Some(OPERATOR)).await;
    assert_eq!(tree.status, 200, "{}", tree.text);
    assert_eq!(tree.json()["path"], "/zone");
    assert!(tree.text.contains(&actor_path));
    let actor = node
        .get(&format!("/v1/admin/actors{actor_path}"), Some(ADMIN))
        .await;
    assert_eq!(actor.status, 200, "{}", actor.text);
    assert_eq!(actor.json()["path"], actor_path.as_str());
    assert_eq!(actor.json()["status"], "running");
    node.get("/v1/admin/actors/zone/nope", Some(OPERATOR))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/admin/supervision", Some(REGULATOR))
        .await
        .assert_error(403, "forbidden", None);
    host.shutdown().await.unwrap();
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn kill_is_operator_only_and_the_stream_reports_the_failure() {
    let node = start().await;
    let host = pinger_host(&node).await;
    let actor_path = host.key_path(&"p1".to_owned());
    let kill_path = format!("/v1/admin/actors{actor_path}/kill");
    node.post_json(&kill_path, Some(ADMIN), "")
        .await
        .assert_error(403, "forbidden", None);
    let mut stream = node
        .client
        .get(node.url("/v1/admin/supervision/stream"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let killed = node.post_json(&kill_path, Some(OPERATOR), "").await;
    assert_eq!(killed.status, 200, "{}", killed.text);
    assert_eq!(killed.json()["killed"], true);
    let mut seen = String::new();
    while !seen.contains("event: failed") {
        let chunk = stream.chunk().await.unwrap().expect("stream ended");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains(&actor_path), "{seen}");
    // The supervisor restarts it; calls succeed again.
    host.call(&"p1".to_owned(), |reply| reply).await.unwrap();
    let missing = node
        .post_json(
            "/v1/admin/actors/zone/pingers/nope/kill",
            Some(OPERATOR),
            "",
        )
        .await;
    missing.assert_error(404, "not_found", None);
    let not_kill = read(
        node.client
            .post(node.url("/v1/admin/actors/zone/pingers"))
            .bearer_auth(OPERATOR)
            .send()
            .await
            .unwrap(),
    )
    .await;
    not_kill.assert_error(404, "not_found", None);
    host.shutdown().await.unwrap();
    node.node.shutdown().await.unwrap();
}

/// The Mass fault drill: operators set a service's faults in the node's in-process sandbox,
/// which then really fails that service's requests; bad input names the field.
#[tokio::test]
async fn mass_fault_drill_makes_the_sandbox_fail_for_operators_only() {
    let node = start().await;
    let faults = node
        .get("/v1/admin/mass-sandbox/faults", Some(OPERATOR))
        .await;
    assert_eq!(faults.status, 200, "{}", faults.text);
    assert_eq!(faults.json()["faults"]["treasury-info"]["down"], false);
    assert_eq!(faults.json()["requests"].as_object().unwrap().len(), 6);
    let path = "/v1/admin/mass-sandbox/faults/treasury-info";
    node.post_json(path, Some(ADMIN), r#"{"down": true}"#)
        .await
        .assert_error(403, "forbidden", None);
    node.get("/v1/admin/mass-sandbox/faults", Some(REGULATOR))
        .await
        .assert_error(403, "forbidden", None);

    let set = node
        .post_json(path, Some(OPERATOR), r#"{"down": true}"#)
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["faults"]["treasury-info"]["down"], true);
    assert_eq!(set.json()["faults"]["organization-info"]["down"], false);
    // The sandbox decides faults before it authenticates: a faulted service answers 503, a
    // healthy one 401 to this tokenless probe.
    let sandbox_url = node.node.sandbox().unwrap().base_url();
    let probe = |context: &'static str| {
        let client = node.client.clone();
        let record = match context {
            "treasury-info" => "treasury/probe",
            _ => "organization",
        };
        let url = format!("{sandbox_url}/{context}/api/v1/{record}");
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(probe("treasury-info").await, 503);
    assert_eq!(probe("organization-info").await, 401);
    let healed = node.post_json(path, Some(OPERATOR), "{}").await;
    assert_eq!(healed.status, 200, "{}", healed.text);
    assert_eq!(probe("treasury-info").await, 401);

    node.post_json(
        "/v1/admin/mass-sandbox/faults/payroll-info",
        Some(OPERATOR),
        "{}",
    )
    .await
    .assert_error(400, "bad_request", Some("service"));
    node.post_json(path, Some(OPERATOR), r#"{"errorRate": 2.0}"#)
        .await
        .assert_error(422, "invalid_request", Some("/errorRate"));
    node.post_json(path, Some(OPERATOR), r#"{"explode": true}"#)
        .await
        .assert_error(422, "invalid_request", Some("body"));
    node.node.shutdown().await.unwrap();
}

/// A node on real Mass refuses the drill: faults are never sent to Mass.
#[tokio::test]
async fn mass_fault_drill_is_refused_on_real_mass() {
    use msez_api::server::node::{MassLocation, StoreLocation};
    use msez_api::server::{Node, NodeConfig};
    use msez_mass::sandbox::SandboxConfig;

    let token = zeroize::Zeroizing::new("stand-in-for-real-mass-token".to_owned());
    // A separate sandbox plays "real Mass": the node only knows its URL and token.
    let remote = msez_mass::sandbox::start(SandboxConfig {
        seed: Some(1),
        bearer_token: Some(token.clone()),
        oauth_client: None,
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(NodeConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        store: StoreLocation::Sqlite(dir.path().join("msez.sqlite")),
        mass: MassLocation::Remote {
            base_url: remote.base_url(),
            token,
        },
        tokens: super::support::tokens(),
        body_bytes_max: 64 * 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
        zone: None,
        zone_key: Arc::new(msez_protocol::keys::SigningKey::from_seed(&[0x5a; 32])),
        node_name: "real-mass-node".to_owned(),
        hosted_watchers: Vec::new(),
    })
    .await
    .unwrap();
    let node = TestNode::wrap(node);
    let refused = node
        .post_json(
            "/v1/admin/mass-sandbox/faults/treasury-info",
            Some(OPERATOR),
            r#"{"down": true}"#,
        )
        .await;
    refused.assert_error(409, "conflict", None);
    assert!(refused.text.contains("real Mass"), "{}", refused.text);
    node.get("/v1/admin/mass-sandbox/faults", Some(OPERATOR))
        .await
        .assert_error(409, "conflict", None);
    node.node.shutdown().await.unwrap();
    remote.shutdown().await.unwrap();
}
