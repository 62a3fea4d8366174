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
