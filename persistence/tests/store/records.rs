//! The other tables: packs by digest (corruption detected), the credential audit log with
//! revocation and status lists, idempotency records, checkpoints, the Mass fact cache, corridor
//! records and their forks.

use std::time::Duration;

use msez_persistence::audit::AuditError;
use msez_persistence::corridors::{
    CORRIDOR_IDS_PAGE_MAX, CorridorError, CorridorPartiesRecord, CorridorRecord,
};
use msez_persistence::error::StoreError;
use msez_persistence::forks::{ForkDecisionRecord, ForkRecord, StateChange};
use msez_persistence::records::{
    CredentialRecord, CredentialStatus, IdempotencyState, MASS_FACT_TTL_MAX, RecordError,
};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::EntityId;

use crate::support::{self, Kind, TestDb, backend_tests};

backend_tests!(
    pack_round_trips_and_corruption_is_detected,
    credential_revocation_shows_in_status_list,
    mass_call_idempotency_records_outcome,
    checkpoint_latest_round_trips,
    mass_fact_cache_honours_ttl_limits,
    audit_trail_chains_and_detects_tampering,
    corridor_transitions_are_conditional_and_recorded,
    corridor_parties_are_stored_with_the_corridor_and_paged,
    corridor_forks_are_written_with_their_transition_or_not_at_all,
);

fn document(value: serde_json::Value) -> CanonicalBytes {
    CanonicalBytes::new(&value).unwrap()
}

async fn pack_round_trips_and_corruption_is_detected(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let pack = document(serde_json::json!({"lawpack": "pk", "version": 3}));
    let digest = db.store.put_pack("lawpack", &pack).await.unwrap();
    assert_eq!(db.store.put_pack("lawpack", &pack).await.unwrap(), digest);
    let (kind_read, read) = db.store.pack(&digest).await.unwrap().unwrap();
    assert_eq!((kind_read.as_str(), read), ("lawpack", pack));
    db.execute("UPDATE packs SET pack = digest").await;
    assert!(matches!(
        db.store.pack(&digest).await,
        Err(StoreError::DocumentDigestMismatch { table: "packs", .. })
    ));
    db.cleanup().await;
}

async fn credential_revocation_shows_in_status_list(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    for index in 0..3u64 {
        let record = CredentialRecord {
            credential_id: format!("urn:cred:{index}"),
            credential_type: "MSEZKycVerificationCredential".to_owned(),
            issuer: "did:key:z6Mk".to_owned(),
            credential: document(serde_json::json!({"id": format!("urn:cred:{index}")})),
            status_list_id: "list-1".to_owned(),
            status_list_index: index,
            issued_at_unix_ms: 1_700_000_000_000,
        };
        db.store.record_credential(&record).await.unwrap();
    }
    db.store
        .set_credential_status("urn:cred:1", CredentialStatus::Revoked, 1_700_000_100_000)
        .await
        .unwrap();
    let list = db.store.status_list("list-1").await.unwrap();
    assert_eq!(
        list,
        vec![
            (0, CredentialStatus::Active),
            (1, CredentialStatus::Revoked),
            (2, CredentialStatus::Active)
        ]
    );
    let stored = db.store.credential("urn:cred:1").await.unwrap().unwrap();
    assert_eq!(stored.status, CredentialStatus::Revoked);
    assert_eq!(stored.record.status_list_index, 1);
    assert!(matches!(
        db.store
            .set_credential_status("urn:cred:9", CredentialStatus::Revoked, 0)
            .await,
        Err(RecordError::NotFound {
            table: "credentials",
            ..
        })
    ));
    db.cleanup().await;
}

async fn mass_call_idempotency_records_outcome(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let request = document(serde_json::json!({"entity": "e-1"})).digest();
    let other = document(serde_json::json!({"entity": "e-2"})).digest();
    let begin = |digest| {
        let store = db.store.clone();
        async move { store.begin_mass_call("key-1", "treasury", &digest, 1).await }
    };
    assert_eq!(begin(request).await.unwrap(), IdempotencyState::New);
    assert_eq!(begin(request).await.unwrap(), IdempotencyState::Pending);
    assert!(matches!(
        begin(other).await,
        Err(RecordError::IdempotencyKeyReused { .. })
    ));
    db.store
        .complete_mass_call("key-1", b"{\"ok\":true}", 2)
        .await
        .unwrap();
    assert_eq!(
        begin(request).await.unwrap(),
        IdempotencyState::Completed(b"{\"ok\":true}".to_vec())
    );
    db.cleanup().await;
}

async fn checkpoint_latest_round_trips(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-checkpoint");
    assert!(
        db.store
            .latest_checkpoint(&corridor)
            .await
            .unwrap()
            .is_none()
    );
    for count in [10u64, 20] {
        let checkpoint = document(serde_json::json!({"receipt_count": count}));
        db.store
            .put_checkpoint(&corridor, count, &checkpoint)
            .await
            .unwrap();
    }
    let (count, checkpoint) = db
        .store
        .latest_checkpoint(&corridor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count, 20);
    assert_eq!(
        checkpoint,
        document(serde_json::json!({"receipt_count": 20}))
    );
    db.cleanup().await;
}

async fn mass_fact_cache_honours_ttl_limits(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    db.store
        .put_mass_fact("jurisdiction:e-1", b"PK", MASS_FACT_TTL_MAX)
        .await
        .unwrap();
    assert_eq!(
        db.store.mass_fact("jurisdiction:e-1").await.unwrap(),
        Some(b"PK".to_vec())
    );
    assert!(matches!(
        db.store
            .put_mass_fact(
                "jurisdiction:e-1",
                b"AE",
                MASS_FACT_TTL_MAX + Duration::from_millis(1)
            )
            .await,
        Err(RecordError::TtlOutOfRange { .. })
    ));
    db.store
        .put_mass_fact("filer:e-2", b"active", Duration::from_millis(50))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(db.store.mass_fact("filer:e-2").await.unwrap(), None);
    db.cleanup().await;
}

async fn audit_trail_chains_and_detects_tampering(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    for step in 0..3 {
        let entry = document(serde_json::json!({"decision": "allow", "step": step}));
        let appended = db
            .store
            .append_audit_entry("agent-1", &entry)
            .await
            .unwrap();
        assert_eq!(appended.sequence, step);
    }
    let trail = db.store.audit_trail("agent-1", 0, 10).await.unwrap();
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[1].prev_hash, trail[0].entry_hash);
    assert_eq!(trail[2].prev_hash, trail[1].entry_hash);
    let tail = db.store.audit_trail("agent-1", 1, 10).await.unwrap();
    assert_eq!(tail, trail[1..].to_vec());

    db.execute(
        "UPDATE agentic_audit_trail SET entry = (SELECT a.entry FROM agentic_audit_trail a \
         WHERE a.trail_id = 'agent-1' AND a.sequence = 0) \
         WHERE trail_id = 'agent-1' AND sequence = 1",
    )
    .await;
    assert!(matches!(
        db.store.audit_trail("agent-1", 0, 10).await,
        Err(AuditError::ChainBroken { sequence: 1, .. })
    ));
    db.cleanup().await;
}

async fn corridor_transitions_are_conditional_and_recorded(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-life");
    let record = CorridorRecord {
        corridor_id: corridor.clone(),
        definition: document(serde_json::json!({"jurisdictions": ["PK", "AE"]})),
        agreement_set: document(serde_json::json!({"signers": 2})),
        party_entity_ids: vec![entity("org-pk"), entity("org-ae")],
        lifecycle_state: "draft".to_owned(),
        updated_at_unix_ms: 1,
    };
    db.store.create_corridor(&record).await.unwrap();
    assert_eq!(db.store.corridor(&corridor).await.unwrap(), Some(record));
    let first = db
        .store
        .transition_corridor(&corridor, "draft", "active", 2)
        .await
        .unwrap();
    assert_eq!(first.transition_index, 0);
    assert!(matches!(
        db.store.transition_corridor(&corridor, "draft", "halted", 3).await,
        Err(CorridorError::StateChanged { ref current_state, .. }) if current_state == "active"
    ));
    let second = db
        .store
        .transition_corridor(&corridor, "active", "halted", 4)
        .await
        .unwrap();
    assert_eq!(second.transition_index, 1);
    assert_eq!(
        db.store.corridor_history(&corridor).await.unwrap(),
        vec![first, second]
    );
    assert_eq!(
        db.store
            .corridor(&corridor)
            .await
            .unwrap()
            .map(|c| c.lifecycle_state),
        Some("halted".to_owned())
    );
    db.cleanup().await;
}

fn entity(name: &str) -> EntityId {
    EntityId::new(name).unwrap()
}

fn corridor_with_parties(name: &str, parties: &[&str], state: &str) -> CorridorRecord {
    CorridorRecord {
        corridor_id: support::corridor(name),
        definition: document(serde_json::json!({"id": name})),
        agreement_set: document(serde_json::json!([])),
        party_entity_ids: parties.iter().map(|party| entity(party)).collect(),
        lifecycle_state: state.to_owned(),
        updated_at_unix_ms: 1,
    }
}

async fn corridor_parties_are_stored_with_the_corridor_and_paged(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let records = [
        corridor_with_parties("c-b", &["org-2", "org-1"], "active"),
        corridor_with_parties("c-a", &["org-1"], "halted"),
        corridor_with_parties("c-c", &[], "pending"),
    ];
    for record in &records {
        db.store.create_corridor(record).await.unwrap();
    }
    // Order as given, read back with the corridor.
    assert_eq!(
        db.store.corridor(&support::corridor("c-b")).await.unwrap(),
        Some(records[0].clone())
    );
    // A party named twice refuses the whole corridor: nothing half-written.
    let twice = corridor_with_parties("c-d", &["org-1", "org-1"], "active");
    assert!(db.store.create_corridor(&twice).await.is_err());
    assert_eq!(db.store.corridor(&twice.corridor_id).await.unwrap(), None);
    let listed = |record: &CorridorRecord| CorridorPartiesRecord {
        corridor_id: record.corridor_id.clone(),
        lifecycle_state: record.lifecycle_state.clone(),
        party_entity_ids: record.party_entity_ids.clone(),
    };
    let first = db.store.corridor_parties(None, 2).await.unwrap();
    assert_eq!(first, vec![listed(&records[1]), listed(&records[0])]);
    let second = db
        .store
        .corridor_parties(Some(&first[1].corridor_id), 2)
        .await
        .unwrap();
    assert_eq!(second, vec![listed(&records[2])]);
    assert_eq!(
        db.store
            .corridor_parties(None, CORRIDOR_IDS_PAGE_MAX)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(matches!(
        db.store
            .corridor_parties(None, CORRIDOR_IDS_PAGE_MAX + 1)
            .await,
        Err(StoreError::PageTooLarge { count_max, page_max })
            if count_max == CORRIDOR_IDS_PAGE_MAX + 1 && page_max == CORRIDOR_IDS_PAGE_MAX
    ));
    db.cleanup().await;
}

async fn corridor_forks_are_written_with_their_transition_or_not_at_all(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-fork");
    db.store
        .create_corridor(&CorridorRecord {
            corridor_id: corridor.clone(),
            definition: document(serde_json::json!({"d": 1})),
            agreement_set: document(serde_json::json!({"a": 1})),
            party_entity_ids: vec![entity("org-fork")],
            lifecycle_state: "active".to_owned(),
            updated_at_unix_ms: 1,
        })
        .await
        .unwrap();
    let fork = |fork_id: &str, sequence: u64| ForkRecord {
        fork_id: fork_id.to_owned(),
        corridor_id: corridor.clone(),
        sequence,
        stored_receipt: document(serde_json::json!({"receipt": "stored"})),
        competing_receipt: document(serde_json::json!({"receipt": fork_id})),
        alarm: document(serde_json::json!({"alarm": fork_id})),
        detected_at_unix_ms: 10,
        status: "open".to_owned(),
        decision: None,
    };
    let halt = StateChange {
        from_state: "active",
        to_state: "halted",
    };
    // A halt from a state the corridor is not in writes neither the fork nor the transition.
    let stale = StateChange {
        from_state: "suspended",
        to_state: "halted",
    };
    assert!(matches!(
        db.store.record_fork(&fork("f-1", 2), Some(stale)).await,
        Err(CorridorError::StateChanged { .. })
    ));
    assert!(db.store.corridor_forks(&corridor).await.unwrap().is_empty());
    let halted = db
        .store
        .record_fork(&fork("f-1", 2), Some(halt))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (halted.from_state.as_str(), halted.to_state.as_str()),
        ("active", "halted")
    );
    // The same fork id twice is refused; a second fork needs no transition.
    assert!(db.store.record_fork(&fork("f-1", 2), None).await.is_err());
    assert!(
        db.store
            .record_fork(&fork("f-0", 1), None)
            .await
            .unwrap()
            .is_none()
    );
    let decision = ForkDecisionRecord {
        decision: document(serde_json::json!({"outcome": "quorum"})),
        evidence: document(serde_json::json!({"attestations": []})),
        resolution: Some(document(serde_json::json!({"credential": 1}))),
        decided_at_unix_ms: 20,
    };
    let resume = StateChange {
        from_state: "halted",
        to_state: "active",
    };
    db.store
        .decide_fork(&corridor, "f-1", "open", "stored_branch_won", &decision)
        .await
        .unwrap();
    // Deciding from a status the fork left is refused and changes nothing.
    assert!(matches!(
        db.store
            .decide_fork(&corridor, "f-1", "open", "competing_branch_won", &decision)
            .await,
        Err(CorridorError::ForkStatusChanged { ref fork_id, .. }) if fork_id == "f-1"
    ));
    // A resume from a state the corridor is not in spends nothing; from HALTED it spends the
    // stored branch's decisions with the transition.
    let stale_resume = StateChange {
        from_state: "active",
        to_state: "active",
    };
    assert!(matches!(
        db.store
            .resume_after_forks(&corridor, stale_resume, 30, "stored_branch_won", "resumed")
            .await,
        Err(CorridorError::StateChanged { .. })
    ));
    let forks = db.store.corridor_forks(&corridor).await.unwrap();
    assert_eq!(forks[1].status, "stored_branch_won");
    let resumed = db
        .store
        .resume_after_forks(&corridor, resume, 30, "stored_branch_won", "resumed")
        .await
        .unwrap();
    assert_eq!(resumed.to_state, "active");
    let forks = db.store.corridor_forks(&corridor).await.unwrap();
    assert_eq!(forks.len(), 2);
    assert_eq!((forks[0].fork_id.as_str(), forks[0].sequence), ("f-0", 1));
    assert_eq!(forks[0].status, "open");
    assert_eq!(forks[0].decision, None);
    assert_eq!(forks[1].status, "resumed");
    assert_eq!(forks[1].decision, Some(decision));
    assert_eq!(forks[1].competing_receipt, fork("f-1", 2).competing_receipt);
    db.cleanup().await;
}
