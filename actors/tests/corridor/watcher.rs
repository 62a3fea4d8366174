//! Goal: a watcher attests every durable head the corridor actors publish, and reports (without
//! signing) a second, different head at the same corridor and sequence. Method: real
//! `Corridors` on SQLite and Postgres, a watcher subscribed to its events, one injected fork.

use std::sync::Arc;

use msez_actors::corridor::core::CorridorEvent;
use msez_actors::watcher::{WatcherReport, spawn_watcher};
use msez_protocol::digest::Digest;
use tokio::sync::mpsc;

use crate::support::*;

async fn watcher_attests_durable_heads_and_reports_a_fork(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let (reports_in, mut reports) = mpsc::channel(64);
    let watcher_key = Arc::new(key(41));
    let watcher = spawn_watcher(
        Arc::clone(&watcher_key),
        Arc::new(FixedClock),
        corridors.subscribe(),
        reports_in,
    );
    let id = corridor_id("PK-AE.watch.1");
    let created = corridors.create(create_request(&id, true)).await.unwrap();
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    let mut heads = Vec::new();
    for _ in 0..3 {
        let receipt = builder.next();
        corridors.append(&id, receipt.clone()).await.unwrap();
        heads.push((receipt.document.prev_root, receipt.document.next_root));
    }
    for (sequence, (parent, head)) in heads.iter().enumerate() {
        let WatcherReport::Attested(attestation) = reports.recv().await.unwrap() else {
            panic!("expected an attestation")
        };
        attestation.verify().unwrap();
        let statement = attestation.statement();
        assert_eq!(
            (
                statement.height,
                statement.parent_root,
                statement.candidate_root
            ),
            (sequence as u64, *parent, *head)
        );
        assert_eq!(attestation.watcher(), *watcher_key.did());
    }
    // A peer shows a different head at sequence 1: reported, not attested.
    let (parent, first) = heads[1];
    let other = Digest::from_bytes([9; 32]);
    assert!(
        watcher
            .observe(CorridorEvent {
                corridor_id: id.clone(),
                sequence: 1,
                prev_root: parent,
                next_root: other,
                mmr_root: other,
                timestamp: at(1)
            })
            .await
    );
    match reports.recv().await.unwrap() {
        WatcherReport::ForkObserved {
            sequence,
            first_next_root,
            second_next_root,
            ..
        } => {
            assert_eq!(
                (sequence, first_next_root, second_next_root),
                (1, first, other)
            );
        }
        other => panic!("expected a fork report, got {other:?}"),
    }
    // The same head again is neither attested twice nor a fork.
    assert!(
        watcher
            .observe(CorridorEvent {
                corridor_id: id.clone(),
                sequence: 1,
                prev_root: parent,
                next_root: first,
                mmr_root: first,
                timestamp: at(1)
            })
            .await
    );
    corridors.append(&id, builder.next()).await.unwrap();
    let WatcherReport::Attested(attestation) = reports.recv().await.unwrap() else {
        panic!("expected an attestation")
    };
    assert_eq!(attestation.statement().height, 3);
    corridors.shutdown().await;
    db.cleanup().await;
}

backend_tests!(watcher_attests_durable_heads_and_reports_a_fork);
