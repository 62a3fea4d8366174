//! The corridor event stream over real broadcast channels: it keeps one corridor's heads and
//! lifecycle changes, reports a lag instead of blocking the sender, and ends when both channels
//! close. Method: one `check` publishes a script of events, then reads the stream to its end.

use futures_util::StreamExt;
use msez_protocol::digest::Digest;
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use tokio::sync::broadcast;

use super::*;

fn corridor(name: &str) -> CorridorId {
    name.parse().unwrap()
}

fn head(name: &str, sequence: u64) -> CorridorEvent {
    CorridorEvent {
        corridor_id: corridor(name),
        sequence,
        prev_root: Digest::from_bytes([0; 32]),
        next_root: Digest::from_bytes([1; 32]),
        mmr_root: Digest::from_bytes([2; 32]),
        timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(),
    }
}

fn halt(name: &str) -> LifecycleEvent {
    LifecycleEvent {
        corridor_id: corridor(name),
        from: CorridorLifecycleState::Active,
        to: CorridorLifecycleState::Halted,
        at: Timestamp::from_unix_seconds(1_700_000_001).unwrap(),
    }
}

/// Publishes `heads` then `lifecycle` on channels of `capacity`, closes them, and returns what
/// the stream of corridor `a` yields.
async fn check(
    capacity: usize,
    heads: Vec<CorridorEvent>,
    lifecycle: Vec<LifecycleEvent>,
) -> Vec<CorridorStreamItem> {
    let (heads_sender, heads_receiver) = broadcast::channel(capacity);
    let (lifecycle_sender, lifecycle_receiver) = broadcast::channel(capacity);
    let stream = corridor_stream(corridor("a"), heads_receiver, lifecycle_receiver);
    for event in heads {
        // A send never waits for the reader: this is what keeps the actor unblocked.
        heads_sender.send(event).unwrap();
    }
    for event in lifecycle {
        lifecycle_sender.send(event).unwrap();
    }
    drop((heads_sender, lifecycle_sender));
    stream.collect().await
}

#[tokio::test]
async fn corridor_stream_keeps_only_its_corridor_and_ends_when_closed() {
    let items = check(
        16,
        vec![head("a", 0), head("b", 0), head("a", 1)],
        vec![halt("b"), halt("a")],
    )
    .await;
    let heads: Vec<&CorridorStreamItem> = items
        .iter()
        .filter(|item| matches!(item, CorridorStreamItem::Head(_)))
        .collect();
    assert_eq!(
        heads,
        [
            &CorridorStreamItem::Head(head("a", 0)),
            &CorridorStreamItem::Head(head("a", 1))
        ]
    );
    assert!(items.contains(&CorridorStreamItem::Lifecycle(halt("a"))));
    assert_eq!(items.len(), 3, "{items:?}");
}

#[tokio::test]
async fn corridor_stream_reports_a_lag_instead_of_blocking_the_sender() {
    let heads = (0..10).map(|sequence| head("a", sequence)).collect();
    let items = check(4, heads, Vec::new()).await;
    assert_eq!(
        items.first(),
        Some(&CorridorStreamItem::Lagged(6)),
        "{items:?}"
    );
    let sequences: Vec<u64> = items
        .iter()
        .filter_map(|item| match item {
            CorridorStreamItem::Head(event) => Some(event.sequence),
            _ => None,
        })
        .collect();
    assert_eq!(sequences, [6, 7, 8, 9]);
}
