//! The records added with schema version 2 and the standalone snapshot write: each round-trips,
//! refuses what it must with a typed error naming the value, detects tampering at read, and
//! survives dropping the store and reopening the database (the restart test writes every kind
//! of record, drops every handle without closing, reopens and reads them all back).

use msez_persistence::disputes::{DisputeRecord, EVIDENCE_PER_DISPUTE_MAX};
use msez_persistence::error::StoreError;
use msez_persistence::journal::{Appended, SnapshotRecord};
use msez_persistence::records::{AnchorRecord, RecordError};
use msez_persistence::snapshots::SnapshotWriteError;
use msez_persistence::store::Store;
use msez_persistence::watchers::{
    ATTESTATIONS_PAGE_MAX, AttestationRecord, BondMove, BondRecord, SlashingClaimRecord, StateMove,
    WATCHERS_PAGE_MAX, WatcherRecord,
};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::CorridorId;

use crate::support::{self, Kind, TestDb, backend_tests};

backend_tests!(
    write_snapshot_is_fenced_follows_journal_and_loads,
    watcher_bond_and_claim_states_are_compare_and_set,
    watcher_moves_spanning_rows_write_all_or_nothing,
    attestations_page_in_time_order_and_refuse_conflicts,
    dispute_evidence_is_indexed_bounded_and_verified,
    tensor_snapshots_and_policies_return_latest,
    anchors_round_trip_and_refuse_a_second_reference,
    corridor_ids_page_in_id_order,
    policy_versions_page_in_version_order,
    records_survive_drop_and_reopen,
);

fn document(value: serde_json::Value) -> CanonicalBytes {
    CanonicalBytes::new(&value).unwrap()
}

async fn write_snapshot_is_fenced_follows_journal_and_loads(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-passivate");
    let epoch = support::lease_one(&db.store, &corridor).await;
    let batch: Vec<_> = (0..3)
        .map(|s| support::append(&corridor, s, epoch))
        .collect();
    let outcomes = db.store.append_batch(&batch).await.unwrap();
    assert!(outcomes.iter().all(|o| *o == Ok(Appended::Inserted)));
    let head = support::receipt(&corridor, 2, 0);
    let snapshot = support::snapshot_after(b"state-after-3", &head);

    // A newer grant of the shard (a successor node) fences the old epoch.
    let shard = db.store.shard_of(&corridor);
    let newer = db
        .store
        .acquire_lease(shard, "node-a", std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let stale = db.store.write_snapshot(&corridor, epoch, &snapshot).await;
    assert!(matches!(
        stale,
        Err(SnapshotWriteError::Fenced { writer_epoch, current_epoch: Some(current), .. })
            if writer_epoch == epoch && current == newer.epoch && newer.epoch > epoch
    ));
    let epoch = newer.epoch;
    let ahead = SnapshotRecord {
        receipt_count: 4,
        ..snapshot.clone()
    };
    assert!(matches!(
        db.store.write_snapshot(&corridor, epoch, &ahead).await,
        Err(SnapshotWriteError::HeadMismatch {
            receipt_count: 4,
            journal_next_root: None,
            ..
        })
    ));
    let empty = SnapshotRecord {
        receipt_count: 0,
        ..snapshot.clone()
    };
    assert!(matches!(
        db.store.write_snapshot(&corridor, epoch, &empty).await,
        Err(SnapshotWriteError::Empty { .. })
    ));

    db.store
        .write_snapshot(&corridor, epoch, &snapshot)
        .await
        .unwrap();
    db.store
        .write_snapshot(&corridor, epoch, &snapshot)
        .await
        .unwrap();
    let other = SnapshotRecord {
        state: b"another-state".to_vec(),
        ..snapshot.clone()
    };
    assert!(matches!(
        db.store.write_snapshot(&corridor, epoch, &other).await,
        Err(SnapshotWriteError::Conflict {
            receipt_count: 3,
            ..
        })
    ));
    let loaded = db.store.load(&corridor).await.unwrap();
    let loaded_snapshot = loaded.snapshot.unwrap();
    assert_eq!(loaded_snapshot.receipt_count, 3);
    assert_eq!(loaded_snapshot.state, b"state-after-3");
    assert!(loaded.tail.is_empty());
    db.cleanup().await;
}

fn watcher(id: &str) -> WatcherRecord {
    WatcherRecord {
        watcher_id: id.to_owned(),
        did: format!("did:key:z6Mk{id}"),
        state: "registered".to_owned(),
        registered_at_unix_ms: 1_700_000_000_000,
    }
}

fn bond(bond_id: &str, watcher_id: &str) -> BondRecord {
    BondRecord {
        bond_id: bond_id.to_owned(),
        watcher_id: watcher_id.to_owned(),
        currency: "PKR".to_owned(),
        amount_minor: i128::from(i64::MAX) * 4,
        state: "posted".to_owned(),
        bond: document(serde_json::json!({"bond": bond_id})),
    }
}

async fn watcher_bond_and_claim_states_are_compare_and_set(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    db.store.register_watcher(&watcher("w-1")).await.unwrap();
    assert!(db.store.register_watcher(&watcher("w-1")).await.is_err());
    db.store
        .set_watcher_state("w-1", "registered", "active")
        .await
        .unwrap();
    match db
        .store
        .set_watcher_state("w-1", "registered", "exited")
        .await
    {
        Err(RecordError::StateChanged {
            table: "watchers",
            key,
            expected_state,
            current_state,
        }) => assert_eq!(
            (
                key.as_str(),
                expected_state.as_str(),
                current_state.as_str()
            ),
            ("w-1", "registered", "active")
        ),
        other => panic!("expected StateChanged, got {other:?}"),
    }
    assert!(matches!(
        db.store
            .set_watcher_state("w-9", "registered", "active")
            .await,
        Err(RecordError::NotFound {
            table: "watchers",
            ..
        })
    ));
    assert_eq!(
        db.store.watcher("w-1").await.unwrap().unwrap().state,
        "active"
    );

    assert!(db.store.put_bond(&bond("b-1", "w-unknown")).await.is_err());
    db.store.put_bond(&bond("b-2", "w-1")).await.unwrap();
    db.store.put_bond(&bond("b-1", "w-1")).await.unwrap();
    let bonds = db.store.bonds("w-1").await.unwrap();
    assert_eq!(bonds, vec![bond("b-1", "w-1"), bond("b-2", "w-1")]);
    db.store
        .set_bond_state("b-1", "posted", "slashed")
        .await
        .unwrap();

    let claim = SlashingClaimRecord {
        claim_id: "claim-1".to_owned(),
        bond_id: "b-1".to_owned(),
        state: "filed".to_owned(),
        claim: document(serde_json::json!({"equivocation": ["r1", "r2"]})),
    };
    db.store.put_slashing_claim(&claim).await.unwrap();
    db.store
        .set_slashing_claim_state("claim-1", "filed", "upheld")
        .await
        .unwrap();
    let claims = db.store.slashing_claims("b-1").await.unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].state, "upheld");
    assert_eq!(claims[0].claim, claim.claim);

    db.execute("UPDATE slashing_claims SET claim = digest")
        .await;
    assert!(matches!(
        db.store.slashing_claims("b-1").await,
        Err(StoreError::DocumentDigestMismatch { table: "slashing_claims", key }) if key == "claim-1"
    ));
    db.execute("UPDATE watcher_bonds SET amount_minor = '12x' WHERE bond_id = 'b-2'")
        .await;
    assert!(matches!(
        db.store.bonds("w-1").await,
        Err(StoreError::AmountNotInteger { bond_id, amount_text }) if bond_id == "b-2" && amount_text == "12x"
    ));
    db.cleanup().await;
}

fn state_move(key: &str, from_state: &str, to_state: &str) -> StateMove {
    StateMove {
        key: key.to_owned(),
        from_state: from_state.to_owned(),
        to_state: to_state.to_owned(),
    }
}

fn bond_move(from_amount_minor: i128, to_amount_minor: i128, to_state: &str) -> BondMove {
    BondMove {
        bond_id: "b-1".to_owned(),
        from_state: "posted".to_owned(),
        to_state: to_state.to_owned(),
        from_amount_minor,
        to_amount_minor,
    }
}

async fn watcher_moves_spanning_rows_write_all_or_nothing(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let store = &db.store;
    for id in ["w-2", "w-1", "w-3"] {
        store.register_watcher(&watcher(id)).await.unwrap();
    }
    // Watchers page in id order.
    let ids = |page: Vec<WatcherRecord>| -> Vec<String> {
        page.into_iter().map(|record| record.watcher_id).collect()
    };
    assert_eq!(ids(store.watchers(None, 2).await.unwrap()), ["w-1", "w-2"]);
    assert_eq!(ids(store.watchers(Some("w-2"), 2).await.unwrap()), ["w-3"]);
    assert!(matches!(
        store.watchers(None, WATCHERS_PAGE_MAX + 1).await,
        Err(StoreError::PageTooLarge { .. })
    ));
    assert_eq!(
        store.watchers(None, WATCHERS_PAGE_MAX).await.unwrap().len(),
        3
    );

    // Bonding moves the watcher and records the bond together; a stale move records nothing.
    store
        .bond_watcher(
            &state_move("w-1", "registered", "bonded"),
            &bond("b-1", "w-1"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .bond_watcher(
                &state_move("w-1", "registered", "bonded"),
                &bond("b-2", "w-1")
            )
            .await,
        Err(RecordError::StateChanged {
            table: "watchers",
            ..
        })
    ));
    assert_eq!(store.bonds("w-1").await.unwrap(), vec![bond("b-1", "w-1")]);
    assert_eq!(store.watcher("w-1").await.unwrap().unwrap().state, "bonded");

    let claim = SlashingClaimRecord {
        claim_id: "claim-1".to_owned(),
        bond_id: "b-1".to_owned(),
        state: "pending".to_owned(),
        claim: document(serde_json::json!({"claim": 1})),
    };
    store.put_slashing_claim(&claim).await.unwrap();
    assert_eq!(
        store.slashing_claim("claim-1").await.unwrap(),
        Some(claim.clone())
    );
    assert_eq!(store.slashing_claim("claim-9").await.unwrap(), None);
    let amount = bond("b-1", "w-1").amount_minor;

    // A bond that moved on (another amount) refuses the whole execution: the claim moved first
    // inside the transaction, and is still pending after it.
    match store
        .execute_slashing_claim(
            &state_move("claim-1", "pending", "executed"),
            &state_move("w-1", "bonded", "slashed"),
            &bond_move(amount - 1, 0, "forfeited"),
        )
        .await
    {
        Err(RecordError::StateChanged {
            table: "watcher_bonds",
            current_state,
            ..
        }) => assert_eq!(current_state, format!("posted holding {amount}")),
        other => panic!("expected StateChanged, got {other:?}"),
    }
    // So does a watcher that moved on, after the claim and the bond moved inside it.
    assert!(matches!(
        store
            .execute_slashing_claim(
                &state_move("claim-1", "pending", "executed"),
                &state_move("w-1", "active", "slashed"),
                &bond_move(amount, 0, "forfeited"),
            )
            .await,
        Err(RecordError::StateChanged {
            table: "watchers",
            ..
        })
    ));
    assert_eq!(
        store
            .slashing_claim("claim-1")
            .await
            .unwrap()
            .unwrap()
            .state,
        "pending"
    );
    assert_eq!(store.bonds("w-1").await.unwrap(), vec![bond("b-1", "w-1")]);
    assert_eq!(store.watcher("w-1").await.unwrap().unwrap().state, "bonded");

    store
        .execute_slashing_claim(
            &state_move("claim-1", "pending", "executed"),
            &state_move("w-1", "bonded", "bonded"),
            &bond_move(amount, amount / 2, "posted"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .slashing_claim("claim-1")
            .await
            .unwrap()
            .unwrap()
            .state,
        "executed"
    );
    assert_eq!(
        store.bonds("w-1").await.unwrap()[0].amount_minor,
        amount / 2
    );
    assert_eq!(store.watcher("w-1").await.unwrap().unwrap().state, "bonded");

    // Leaving moves the watcher and releases the bond together.
    let release = BondMove {
        from_amount_minor: amount / 2,
        to_amount_minor: amount / 2,
        ..bond_move(0, 0, "released")
    };
    assert!(matches!(
        store
            .move_watcher_and_bond(&state_move("w-1", "unbonding", "deactivated"), &release)
            .await,
        Err(RecordError::StateChanged {
            table: "watchers",
            ..
        })
    ));
    store
        .move_watcher_and_bond(&state_move("w-1", "bonded", "deactivated"), &release)
        .await
        .unwrap();
    assert_eq!(store.bonds("w-1").await.unwrap()[0].state, "released");
    assert_eq!(
        store.watcher("w-1").await.unwrap().unwrap().state,
        "deactivated"
    );
    db.cleanup().await;
}

fn attestation(id: &str, created_at_unix_ms: i64) -> AttestationRecord {
    AttestationRecord {
        attestation_id: id.to_owned(),
        subject_id: "c-watched".to_owned(),
        attestation: document(serde_json::json!({"id": id, "head": "abc"})),
        created_at_unix_ms,
    }
}

async fn attestations_page_in_time_order_and_refuse_conflicts(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    for (id, at) in [("a-3", 30), ("a-1", 10), ("a-2", 20), ("a-0", 20)] {
        db.store
            .put_attestation(&attestation(id, at))
            .await
            .unwrap();
    }
    db.store
        .put_attestation(&attestation("a-1", 10))
        .await
        .unwrap();
    assert!(matches!(
        db.store.put_attestation(&attestation("a-1", 11)).await,
        Err(RecordError::Conflict { table: "attestations", key }) if key == "a-1"
    ));
    let ids = |page: Vec<AttestationRecord>| -> Vec<String> {
        page.into_iter().map(|a| a.attestation_id).collect()
    };
    let first = db.store.attestations("c-watched", None, 2).await.unwrap();
    assert_eq!(ids(first), ["a-1", "a-0"]);
    let second = db
        .store
        .attestations("c-watched", Some("a-0"), 2)
        .await
        .unwrap();
    assert_eq!(ids(second), ["a-2", "a-3"]);
    assert!(
        db.store
            .attestations("c-other", None, 2)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.store
            .attestations("c-watched", None, ATTESTATIONS_PAGE_MAX)
            .await
            .is_ok()
    );
    assert!(matches!(
        db.store.attestations("c-watched", None, ATTESTATIONS_PAGE_MAX + 1).await,
        Err(StoreError::PageTooLarge { count_max, .. }) if count_max == ATTESTATIONS_PAGE_MAX + 1
    ));
    db.cleanup().await;
}

fn dispute(id: &str) -> DisputeRecord {
    DisputeRecord {
        dispute_id: id.to_owned(),
        corridor_id: support::corridor("c-disputed"),
        state: "opened".to_owned(),
        opened_at_unix_ms: 1_700_000_000_000,
        claim: document(serde_json::json!({"claim": id})),
    }
}

async fn dispute_evidence_is_indexed_bounded_and_verified(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    db.store.open_dispute(&dispute("d-1")).await.unwrap();
    assert_eq!(db.store.dispute("d-1").await.unwrap(), Some(dispute("d-1")));
    assert_eq!(db.store.dispute("d-9").await.unwrap(), None);
    db.store
        .set_dispute_state("d-1", "opened", "in_arbitration")
        .await
        .unwrap();
    assert!(matches!(
        db.store.add_evidence("d-9", &document(serde_json::json!(1))).await,
        Err(RecordError::NotFound { table: "disputes", key }) if key == "d-9"
    ));
    for index in 0..2u64 {
        let piece = document(serde_json::json!({"piece": index}));
        assert_eq!(db.store.add_evidence("d-1", &piece).await.unwrap(), index);
    }
    // Fill another dispute to one below the limit with a raw row, then check that the last
    // allowed piece is accepted and the one past the limit refused.
    db.store.open_dispute(&dispute("d-2")).await.unwrap();
    db.execute(&format!(
        "INSERT INTO dispute_evidence (dispute_id, evidence_index, digest, evidence) \
         VALUES ('d-2', {}, 'junk', 'junk')",
        EVIDENCE_PER_DISPUTE_MAX - 2
    ))
    .await;
    let piece = document(serde_json::json!("late"));
    assert_eq!(
        db.store.add_evidence("d-2", &piece).await.unwrap(),
        EVIDENCE_PER_DISPUTE_MAX - 1
    );
    assert!(matches!(
        db.store.add_evidence("d-2", &piece).await,
        Err(RecordError::EvidenceFull { dispute_id }) if dispute_id == "d-2"
    ));
    let evidence = db.store.evidence("d-1").await.unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(
        evidence[1].evidence,
        document(serde_json::json!({"piece": 1}))
    );
    db.execute("UPDATE dispute_evidence SET evidence = digest WHERE dispute_id = 'd-1'")
        .await;
    assert!(matches!(
        db.store.evidence("d-1").await,
        Err(StoreError::DocumentDigestMismatch { table: "dispute_evidence", key }) if key == "d-1#0"
    ));
    db.cleanup().await;
}

async fn tensor_snapshots_and_policies_return_latest(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    assert!(
        db.store
            .latest_tensor_snapshot("e-1")
            .await
            .unwrap()
            .is_none()
    );
    for at in [100i64, 300, 200] {
        let tensor = document(serde_json::json!({"taken": at}));
        db.store
            .put_tensor_snapshot("e-1", at, &tensor)
            .await
            .unwrap();
        db.store
            .put_tensor_snapshot("e-1", at, &tensor)
            .await
            .unwrap();
    }
    let latest = db
        .store
        .latest_tensor_snapshot("e-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.taken_at_unix_ms, 300);
    assert_eq!(latest.tensor, document(serde_json::json!({"taken": 300})));

    for (id, version) in [("p-a", 1u64), ("p-a", 2), ("p-b", 1)] {
        let policy = document(serde_json::json!({"policy": id, "version": version}));
        db.store.put_policy(id, version, &policy).await.unwrap();
        db.store.put_policy(id, version, &policy).await.unwrap();
    }
    assert!(matches!(
        db.store.put_policy("p-a", 2, &document(serde_json::json!("changed"))).await,
        Err(RecordError::Conflict { table: "policies", key }) if key == "p-a@2"
    ));
    let latest: Vec<(String, u64)> = db
        .store
        .latest_policies()
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.policy_id, p.version))
        .collect();
    assert_eq!(latest, [("p-a".to_owned(), 2), ("p-b".to_owned(), 1)]);
    db.cleanup().await;
}

async fn anchors_round_trip_and_refuse_a_second_reference(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let checkpoint = document(serde_json::json!({"receipt_count": 10})).digest();
    let anchor = |chain: &str, reference: &str| AnchorRecord {
        checkpoint_digest: checkpoint,
        anchor_chain: chain.to_owned(),
        anchor_reference: reference.to_owned(),
        anchored_at_unix_ms: 1_700_000_000_000,
    };
    db.store
        .put_anchor(&anchor("ethereum", "0xabc"))
        .await
        .unwrap();
    db.store
        .put_anchor(&anchor("ethereum", "0xabc"))
        .await
        .unwrap();
    db.store
        .put_anchor(&anchor("bitcoin", "txid"))
        .await
        .unwrap();
    assert!(matches!(
        db.store.put_anchor(&anchor("ethereum", "0xdef")).await,
        Err(RecordError::Conflict {
            table: "anchors",
            ..
        })
    ));
    assert_eq!(
        db.store.anchors(&checkpoint).await.unwrap(),
        vec![anchor("bitcoin", "txid"), anchor("ethereum", "0xabc")]
    );
    db.cleanup().await;
}

async fn policy_versions_page_in_version_order(kind: Kind) {
    use msez_persistence::compliance::POLICY_VERSIONS_PAGE_MAX;
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    assert!(
        db.store
            .policy_version_latest("p-a")
            .await
            .unwrap()
            .is_none()
    );
    for version in [2u64, 1, 3] {
        let policy = document(serde_json::json!({"policy": "p-a", "version": version}));
        db.store.put_policy("p-a", version, &policy).await.unwrap();
    }
    db.store
        .put_policy("p-b", 9, &document(serde_json::json!({"policy": "p-b"})))
        .await
        .unwrap();
    let versions = |records: Vec<msez_persistence::compliance::PolicyRecord>| -> Vec<u64> {
        records.iter().map(|record| record.version).collect()
    };
    let first = db.store.policy_versions("p-a", 0, 2).await.unwrap();
    assert_eq!(versions(first), [1, 2]);
    let rest = db.store.policy_versions("p-a", 3, 2).await.unwrap();
    assert_eq!(versions(rest), [3]);
    let latest = db
        .store
        .policy_version_latest("p-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.version, 3);
    assert_eq!(
        latest.policy,
        document(serde_json::json!({"policy": "p-a", "version": 3}))
    );
    assert_eq!(
        db.store
            .policy_versions("p-a", 0, POLICY_VERSIONS_PAGE_MAX)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(matches!(
        db.store
            .policy_versions("p-a", 0, POLICY_VERSIONS_PAGE_MAX + 1)
            .await,
        Err(StoreError::PageTooLarge { count_max, page_max })
            if count_max == POLICY_VERSIONS_PAGE_MAX + 1 && page_max == POLICY_VERSIONS_PAGE_MAX
    ));
    db.cleanup().await;
}

async fn create_corridor(store: &Store, corridor_id: &CorridorId) {
    let record = msez_persistence::corridors::CorridorRecord {
        corridor_id: corridor_id.clone(),
        definition: document(serde_json::json!({"id": corridor_id.as_str()})),
        agreement_set: document(serde_json::json!([])),
        party_entity_ids: Vec::new(),
        lifecycle_state: "draft".to_owned(),
        updated_at_unix_ms: 1,
    };
    store.create_corridor(&record).await.unwrap();
}

async fn corridor_ids_page_in_id_order(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    for name in ["c-b", "c-d", "c-a", "c-c"] {
        create_corridor(&db.store, &support::corridor(name)).await;
    }
    let page = |after: Option<&'static str>| {
        let store = db.store.clone();
        async move {
            let after = after.map(support::corridor);
            store.corridor_ids(after.as_ref(), 3).await.unwrap()
        }
    };
    let names = |ids: Vec<CorridorId>| -> Vec<String> {
        ids.into_iter().map(|c| c.as_str().to_owned()).collect()
    };
    assert_eq!(names(page(None).await), ["c-a", "c-b", "c-c"]);
    assert_eq!(names(page(Some("c-c")).await), ["c-d"]);
    let page_max = msez_persistence::corridors::CORRIDOR_IDS_PAGE_MAX;
    assert_eq!(
        db.store.corridor_ids(None, page_max).await.unwrap().len(),
        4
    );
    assert!(matches!(
        db.store
            .corridor_ids(None, msez_persistence::corridors::CORRIDOR_IDS_PAGE_MAX + 1)
            .await,
        Err(StoreError::PageTooLarge { .. })
    ));
    db.cleanup().await;
}

async fn records_survive_drop_and_reopen(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    // Write everything through a second handle and drop it without `close`, as a crashed
    // process would leave the database; then read it all through a third.
    let writer = db.reopen(support::config()).await.unwrap();
    let corridor = support::corridor("c-restart");
    let epoch = support::lease_one(&writer, &corridor).await;
    let first = support::append(&corridor, 0, epoch);
    writer
        .append_batch(std::slice::from_ref(&first))
        .await
        .unwrap();
    let snapshot = support::snapshot_after(b"s1", &first.receipt);
    writer
        .write_snapshot(&corridor, epoch, &snapshot)
        .await
        .unwrap();
    create_corridor(&writer, &corridor).await;
    writer.register_watcher(&watcher("w-r")).await.unwrap();
    writer.put_bond(&bond("b-r", "w-r")).await.unwrap();
    writer
        .put_attestation(&attestation("a-r", 5))
        .await
        .unwrap();
    writer.open_dispute(&dispute("d-r")).await.unwrap();
    writer
        .add_evidence("d-r", &document(serde_json::json!("e")))
        .await
        .unwrap();
    let tensor = document(serde_json::json!({"t": 1}));
    writer.put_tensor_snapshot("e-r", 7, &tensor).await.unwrap();
    let policy = document(serde_json::json!({"p": 1}));
    writer.put_policy("p-r", 1, &policy).await.unwrap();
    drop(writer);

    let reopened = db.reopen(support::config()).await.unwrap();
    let loaded = reopened.load(&corridor).await.unwrap();
    assert_eq!(loaded.snapshot.unwrap().state, b"s1");
    assert_eq!(
        reopened.corridor_ids(None, 10).await.unwrap(),
        vec![corridor]
    );
    assert_eq!(reopened.watcher("w-r").await.unwrap(), Some(watcher("w-r")));
    assert_eq!(
        reopened.bonds("w-r").await.unwrap(),
        vec![bond("b-r", "w-r")]
    );
    assert_eq!(
        reopened.attestations("c-watched", None, 10).await.unwrap(),
        vec![attestation("a-r", 5)]
    );
    assert_eq!(reopened.dispute("d-r").await.unwrap(), Some(dispute("d-r")));
    assert_eq!(reopened.evidence("d-r").await.unwrap().len(), 1);
    let latest_tensor = reopened
        .latest_tensor_snapshot("e-r")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest_tensor.tensor, tensor);
    assert_eq!(reopened.latest_policies().await.unwrap()[0].policy, policy);
    reopened.close().await;
    db.cleanup().await;
}
