//! Goal: the corridor actor behind `Corridors` — crash in the middle of concurrent appends
//! loses no acknowledged receipt, a second node cannot write a corridor the first holds,
//! passivation and restart reproduce the state exactly, and many corridors run at once.
//! Method: real stores, the real keyed host, kills through the host (the drill API).

use std::collections::BTreeMap;
use std::sync::Arc;

use msez_actors::clock::Clock;
use msez_actors::corridor::error::CorridorReject;
use msez_actors::corridor::handle::Corridors;
use msez_protocol::export::verify_export;
use msez_protocol::ids::CorridorId;
use msez_protocol::netting::NettingMode;
use msez_protocol::receipt::SignedReceipt;

use crate::support::*;

/// Appends `receipt`, retrying while the actor is restarting; `true` once acknowledged.
async fn append_with_retry(
    corridors: &Corridors,
    id: &CorridorId,
    receipt: &SignedReceipt,
) -> bool {
    for _ in 0..200 {
        match corridors.append(id, receipt.clone()).await {
            Ok(ack) => {
                assert_eq!(ack.sequence, receipt.document.sequence);
                return true;
            }
            Err(CorridorReject::Unavailable { .. }) | Err(CorridorReject::Overloaded { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Err(other) => panic!("unexpected rejection: {other}"),
        }
    }
    false
}

/// Waits until a killed actor answers again (a call racing the kill gets `Unavailable`).
async fn settle(corridors: &Corridors, id: &CorridorId) {
    for _ in 0..200 {
        match corridors.summary(id).await {
            Ok(_) => return,
            Err(CorridorReject::Unavailable { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Err(other) => panic!("unexpected rejection: {other}"),
        }
    }
    panic!("corridor {id} never came back");
}

async fn create_all(corridors: &Corridors, ids: &[CorridorId]) -> Vec<ChainBuilder> {
    let mut builders = Vec::new();
    for id in ids {
        let created = corridors.create(create_request(id, true)).await.unwrap();
        builders.push(ChainBuilder::new(id, created.genesis_root));
    }
    builders
}

async fn kill_during_concurrent_appends_loses_no_acknowledged_receipt(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, tree) = start(&db.store, "node-a").await;
    let ids: Vec<CorridorId> = (0..4)
        .map(|i| corridor_id(&format!("PK-AE.kill.{i}")))
        .collect();
    let builders = create_all(&corridors, &ids).await;
    let receipts_per_corridor = 24;
    let mut writers = Vec::new();
    for (id, mut builder) in ids.iter().cloned().zip(builders) {
        let corridors = corridors.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for _ in 0..receipts_per_corridor {
                let receipt = builder.next();
                assert!(
                    append_with_retry(&corridors, &id, &receipt).await,
                    "never acknowledged"
                );
                acknowledged.push(receipt.document.next_root);
            }
            acknowledged
        }));
    }
    // Kill every corridor's actor repeatedly while the appends run.
    let killer = {
        let corridors = corridors.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            let mut kills = 0u32;
            for round in 0..12 {
                tokio::time::sleep(std::time::Duration::from_millis(3)).await;
                if corridors
                    .kill(&ids[round % ids.len()])
                    .await
                    .unwrap_or(false)
                {
                    kills += 1;
                }
            }
            kills
        })
    };
    let kills = killer.await.unwrap();
    for (id, writer) in ids.iter().zip(writers) {
        let acknowledged = writer.await.unwrap();
        let stored = db.store.receipts(id, 0, 1_000).await.unwrap();
        let stored_roots: Vec<_> = stored.iter().map(|r| r.next_root).collect();
        assert_eq!(
            stored_roots, acknowledged,
            "journal holds exactly the acknowledged receipts, in order"
        );
        let export = corridors.export(id).await.unwrap();
        let summary = verify_export(&export, FixedClock.now()).unwrap();
        assert_eq!(summary.height, receipts_per_corridor);
    }
    assert!(kills > 0, "the drill killed at least one live actor");
    let restarts: u32 = ids
        .iter()
        .map(|id| {
            tree.find(&corridors.actor_path(id))
                .map_or(0, |node| node.restart_count)
        })
        .sum();
    assert!(
        restarts > 0,
        "restarts are visible in the introspection tree"
    );
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn second_node_cannot_write_a_corridor_the_first_holds(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (node_a, _tree_a) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.lease.1");
    let created = node_a.create(create_request(&id, true)).await.unwrap();
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    node_a.append(&id, builder.next()).await.unwrap();
    let other_store = db.reopen().await;
    let (node_b, _tree_b) = start(&other_store, "node-b").await;
    let receipt = builder.next();
    assert!(
        matches!(node_b.append(&id, receipt.clone()).await, Err(CorridorReject::LeaseHeld { owner, .. }) if owner == "node-a")
    );
    assert!(matches!(
        node_b.summary(&id).await,
        Err(CorridorReject::LeaseHeld { .. })
    ));
    // Node A is unaffected.
    node_a.append(&id, receipt).await.unwrap();
    assert_eq!(node_a.summary(&id).await.unwrap().height, 2);
    // After A shuts down (releasing its leases), B takes over with a higher epoch and continues.
    node_a.shutdown().await;
    node_b.append(&id, builder.next()).await.unwrap();
    assert_eq!(node_b.summary(&id).await.unwrap().height, 3);
    node_b.shutdown().await;
    other_store.close().await;
    db.cleanup().await;
}

async fn passivation_and_restart_reproduce_identical_state(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.passivate.1");
    let created = corridors.create(create_request(&id, true)).await.unwrap();
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    // 10 receipts: snapshots after 4 and 8, so reload = snapshot + a tail of 2.
    for _ in 0..10 {
        corridors.append(&id, builder.next()).await.unwrap();
    }
    let observe = |corridors: Corridors, id: CorridorId| async move {
        (
            corridors.summary(&id).await.unwrap(),
            corridors.ledger(&id).await.unwrap(),
            corridors
                .netting_plan(&id, NettingMode::Multilateral)
                .await
                .unwrap(),
        )
    };
    let before = observe(corridors.clone(), id.clone()).await;
    assert!(corridors.passivate(&id).await.unwrap());
    assert_eq!(
        observe(corridors.clone(), id.clone()).await,
        before,
        "passivate + reactivate"
    );
    assert!(corridors.kill(&id).await.unwrap());
    settle(&corridors, &id).await;
    assert_eq!(
        observe(corridors.clone(), id.clone()).await,
        before,
        "crash + restart"
    );
    // A whole new node on the same database (a process restart).
    corridors.shutdown().await;
    let (fresh, _tree) = start(&db.store, "node-a").await;
    assert_eq!(
        observe(fresh.clone(), id.clone()).await,
        before,
        "new process"
    );
    // And it answers the next receipt exactly as the original would have.
    let ack = fresh.append(&id, builder.next()).await.unwrap();
    assert_eq!(ack.sequence, 10);
    fresh.shutdown().await;
    db.cleanup().await;
}

/// How many corridors the concurrency test activates. Defaults to 1,000 so the suite stays
/// quick on a shared 2-core machine; the bench (`cargo bench -p msez-actors`) runs 10,000.
fn corridor_count() -> usize {
    std::env::var("MSEZ_TEST_CORRIDORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

async fn many_corridors_activate_concurrently_and_all_chains_verify(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let count = corridor_count();
    let receipts_per_corridor = 3;
    let mut tasks = tokio::task::JoinSet::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(512));
    for index in 0..count {
        let corridors = corridors.clone();
        let gate = Arc::clone(&gate);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let id = corridor_id(&format!("PK-AE.many.{index}"));
            let created = corridors.create(create_request(&id, true)).await.unwrap();
            let mut builder = ChainBuilder::new(&id, created.genesis_root);
            for _ in 0..receipts_per_corridor {
                corridors.append(&id, builder.next()).await.unwrap();
            }
            (id, builder.head)
        });
    }
    let mut heads = BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        let (id, head) = done.unwrap();
        heads.insert(id, head);
    }
    assert_eq!(heads.len(), count);
    assert_eq!(corridors.active_count(), count);
    for (id, head) in &heads {
        let export = corridors.export(id).await.unwrap();
        let summary = verify_export(&export, FixedClock.now()).unwrap();
        assert_eq!(
            (summary.height, summary.head),
            (receipts_per_corridor, *head)
        );
    }
    corridors.shutdown().await;
    db.cleanup().await;
}

backend_tests!(
    kill_during_concurrent_appends_loses_no_acknowledged_receipt,
    second_node_cannot_write_a_corridor_the_first_holds,
    passivation_and_restart_reproduce_identical_state,
    many_corridors_activate_concurrently_and_all_chains_verify,
);
