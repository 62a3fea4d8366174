//! The corridor event stream over HTTP: a `summary` first, then a `head` event per durable
//! receipt and a `lifecycle` event per stored transition, only for that corridor; unknown
//! corridors are a 404 envelope; the stream ends when the node shuts down.
//!
//! Method: a real node, a streaming reqwest response read event by event (`EventReader`), and
//! appends and transitions made through the ordinary routes meanwhile.

use std::time::{Duration, Instant};

use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::ids::CorridorId;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use serde_json::{Value, json};

use super::corridors::{append, at, create, digest, key};
use super::support::{ADMIN, REGULATOR, TestNode, start};

/// Reads server-sent events from a streaming response.
pub(crate) struct EventReader {
    response: reqwest::Response,
    buffer: String,
}

impl EventReader {
    /// Opens `GET path` as `token`; asserts 200 and the event-stream media type.
    pub(crate) async fn open(node: &TestNode, path: &str, token: &str) -> Self {
        let response = node
            .client
            .get(node.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event's name and JSON data, skipping keep-alive comments; `None` once the
    /// stream ended. Fails the test if nothing arrives within ten seconds.
    pub(crate) async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = Some(value.trim().to_owned());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                match name {
                    Some(name) => return Some((name, serde_json::from_str(&data).unwrap())),
                    None => continue,
                }
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within ten seconds")
                .unwrap()?;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

#[tokio::test]
async fn corridor_events_stream_heads_and_lifecycle_until_shutdown() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.events").unwrap();
    let other_id = CorridorId::new("corridor.pk-ae.other").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let other = create(&node, &other_id, true).await;
    let mut events = EventReader::open(
        &node,
        &format!("/v1/corridors/{corridor_id}/events"),
        REGULATOR,
    )
    .await;
    let (name, summary) = events.next().await.unwrap();
    assert_eq!(name, "summary");
    assert_eq!(summary["height"], 0);
    assert_eq!(summary["lifecycle"], "active");

    // A receipt on another corridor is not this stream's business.
    append(&node, &other_id, 0, digest(&other["genesis_root"])).await;
    let mut head = digest(&created["genesis_root"]);
    for sequence in 0..2 {
        let next = append(&node, &corridor_id, sequence, head).await;
        let (name, event) = events.next().await.unwrap();
        assert_eq!(name, "head", "{event}");
        assert_eq!(event["corridor_id"], corridor_id.as_str());
        assert_eq!(event["sequence"], sequence);
        assert_eq!(digest(&event["prev_root"]), head);
        assert_eq!(digest(&event["next_root"]), next);
        head = next;
    }

    let order = transition_consent(
        &corridor_id,
        CorridorLifecycleState::Active,
        TransitionKind::Suspend,
        &key(21),
        at(10),
    )
    .unwrap();
    let reply = node
        .post_json(
            &format!("/v1/corridors/{corridor_id}/lifecycle"),
            Some(ADMIN),
            &json!({"transition": "suspend", "order": order}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (name, event) = events.next().await.unwrap();
    assert_eq!(name, "lifecycle", "{event}");
    assert_eq!(event["from"], "active");
    assert_eq!(event["to"], "suspended");

    node.get("/v1/corridors/corridor.nowhere/events", Some(REGULATOR))
        .await
        .assert_error(404, "not_found", None);

    // Shutdown ends the stream at once: the drain does not wait out its timeout for it.
    let stopping = Instant::now();
    node.node.shutdown().await.unwrap();
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopping.elapsed()
    );
    assert_eq!(events.next().await, None, "the stream ended");
}
