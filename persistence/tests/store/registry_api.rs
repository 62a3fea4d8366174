//! What the zone node's registry routes read and write: paged pack and credential listings
//! (limits at the edge), issuance into the next status-list slot (dense, raced by concurrent
//! issuers, refused when the builder lies about its slot), the audit trail's
//! compare-and-append (raced by concurrent writers), and abandoning a Mass call that was not
//! applied. Every case runs on both backends.

use msez_persistence::audit::AuditAppendError;
use msez_persistence::error::StoreError;
use msez_persistence::issuance::{STATUS_LIST_SLOTS_MAX, SlotError};
use msez_persistence::listings::{CREDENTIALS_PAGE_MAX, PACKS_PAGE_MAX};
use msez_persistence::records::{CredentialRecord, CredentialStatus, IdempotencyState};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use serde_json::json;

use crate::support::{self, Kind, TestDb, backend_tests};

backend_tests!(
    pack_summaries_page_in_digest_order_within_the_limit,
    credential_summaries_page_in_id_order_with_status,
    next_slot_issuance_is_dense_under_concurrent_issuers,
    next_slot_issuance_refuses_a_record_for_another_slot,
    next_slot_issuance_fills_the_last_slot_and_refuses_one_more,
    compare_and_append_admits_one_writer_per_sequence,
    abandoned_mass_call_starts_afresh_and_a_completed_one_stays,
);

fn document(value: serde_json::Value) -> CanonicalBytes {
    CanonicalBytes::new(&value).unwrap()
}

fn credential(credential_id: &str, list: &str, index: u64) -> CredentialRecord {
    CredentialRecord {
        credential_id: credential_id.to_owned(),
        credential_type: "MSEZSmartAssetRegistryCredential".to_owned(),
        issuer: "did:key:z6Mk".to_owned(),
        credential: document(json!({"id": credential_id, "slot": index})),
        status_list_id: list.to_owned(),
        status_list_index: index,
        issued_at_unix_ms: 1_700_000_000_000,
    }
}

async fn pack_summaries_page_in_digest_order_within_the_limit(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let mut digests = Vec::new();
    for index in 0..5 {
        let pack = document(json!({"regpack": index}));
        let digest = db.store.put_pack("regpack", &pack).await.unwrap();
        digests.push((digest, pack.as_bytes().len() as u64));
    }
    digests.sort();
    let first = db.store.pack_summaries(None, 3).await.unwrap();
    let second = db
        .store
        .pack_summaries(Some(&first[2].digest), 3)
        .await
        .unwrap();
    let listed: Vec<(Digest, u64)> = first
        .iter()
        .chain(&second)
        .map(|summary| (summary.digest, summary.size_bytes))
        .collect();
    assert_eq!(listed, digests);
    assert!(second.iter().all(|summary| summary.pack_kind == "regpack"));
    db.store.pack_summaries(None, PACKS_PAGE_MAX).await.unwrap();
    assert!(matches!(
        db.store.pack_summaries(None, PACKS_PAGE_MAX + 1).await,
        Err(StoreError::PageTooLarge { .. })
    ));
    db.cleanup().await;
}

async fn credential_summaries_page_in_id_order_with_status(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    for index in [2_u64, 0, 1] {
        let record = credential(&format!("urn:c:{index}"), "list-a", index);
        db.store.record_credential(&record).await.unwrap();
    }
    db.store
        .set_credential_status("urn:c:1", CredentialStatus::Revoked, 1_700_000_000_001)
        .await
        .unwrap();
    let first = db.store.credential_summaries(None, 2).await.unwrap();
    let second = db
        .store
        .credential_summaries(Some(&first[1].credential_id), 2)
        .await
        .unwrap();
    let listed: Vec<(&str, CredentialStatus, u64)> = first
        .iter()
        .chain(&second)
        .map(|summary| {
            (
                summary.credential_id.as_str(),
                summary.status,
                summary.status_list_index,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("urn:c:0", CredentialStatus::Active, 0),
            ("urn:c:1", CredentialStatus::Revoked, 1),
            ("urn:c:2", CredentialStatus::Active, 2),
        ]
    );
    db.store
        .credential_summaries(None, CREDENTIALS_PAGE_MAX)
        .await
        .unwrap();
    assert!(
        db.store
            .credential_summaries(None, CREDENTIALS_PAGE_MAX + 1)
            .await
            .is_err()
    );
    db.cleanup().await;
}

async fn next_slot_issuance_is_dense_under_concurrent_issuers(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    // A second handle on the same database races the first, as a second node would.
    let other = db.reopen(support::config()).await.unwrap();
    let issuers = (0..16).map(|issuer| {
        let store = if issuer % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tokio::spawn(async move {
            store
                .record_credential_in_next_slot("list-b", |index| {
                    Ok::<_, std::convert::Infallible>(credential(
                        &format!("urn:issuer:{issuer}"),
                        "list-b",
                        index,
                    ))
                })
                .await
                .unwrap()
                .status_list_index
        })
    });
    let mut slots = Vec::new();
    for issuer in issuers {
        slots.push(issuer.await.unwrap());
    }
    slots.sort_unstable();
    assert_eq!(slots, (0..16).collect::<Vec<u64>>());
    let list = db.store.status_list("list-b").await.unwrap();
    assert_eq!(list.len(), 16);
    // Another list starts at 0.
    let first = db
        .store
        .record_credential_in_next_slot("list-c", |index| {
            Ok::<_, std::convert::Infallible>(credential("urn:other-list", "list-c", index))
        })
        .await
        .unwrap();
    assert_eq!(first.status_list_index, 0);
    other.close().await;
    db.cleanup().await;
}

async fn next_slot_issuance_refuses_a_record_for_another_slot(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let lying = db
        .store
        .record_credential_in_next_slot("list-d", |index| {
            Ok::<_, std::convert::Infallible>(credential("urn:liar", "list-d", index + 1))
        })
        .await;
    assert!(matches!(lying, Err(SlotError::SlotMismatch { .. })));
    let failing = db
        .store
        .record_credential_in_next_slot("list-d", |_| Err("no key"))
        .await;
    assert!(matches!(failing, Err(SlotError::Build("no key"))));
    assert!(db.store.credential("urn:liar").await.unwrap().is_none());
    assert!(db.store.status_list("list-d").await.unwrap().is_empty());
    db.cleanup().await;
}

async fn compare_and_append_admits_one_writer_per_sequence(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let entry = |writer: u64| document(json!({"writer": writer}));
    let writers = (0..8).map(|writer| {
        let store = db.store.clone();
        let entry = entry(writer);
        tokio::spawn(async move { store.append_audit_entry_at("asset:x", 0, &entry).await })
    });
    let mut won = 0;
    for writer in writers {
        match writer.await.unwrap() {
            Ok(appended) => {
                assert_eq!(appended.sequence, 0);
                won += 1;
            }
            Err(AuditAppendError::SequenceTaken {
                expected_sequence: 0,
                next_sequence: 1,
                ..
            }) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(won, 1);
    assert!(matches!(
        db.store
            .append_audit_entry_at("asset:x", 5, &entry(9))
            .await,
        Err(AuditAppendError::SequenceTaken {
            next_sequence: 1,
            ..
        })
    ));
    let next = db
        .store
        .append_audit_entry_at("asset:x", 1, &entry(9))
        .await
        .unwrap();
    let trail = db.store.audit_trail("asset:x", 0, 10).await.unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[1], next);
    assert_eq!(trail[1].prev_hash, trail[0].entry_hash);
    db.cleanup().await;
}

async fn abandoned_mass_call_starts_afresh_and_a_completed_one_stays(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let request = document(json!({"step": "treasury"})).digest();
    let begin = || {
        db.store
            .begin_mass_call("flow:k:treasury", "treasury-info", &request, 1)
    };
    assert_eq!(begin().await.unwrap(), IdempotencyState::New);
    assert_eq!(begin().await.unwrap(), IdempotencyState::Pending);
    assert!(db.store.abandon_mass_call("flow:k:treasury").await.unwrap());
    assert!(!db.store.abandon_mass_call("flow:k:treasury").await.unwrap());
    assert_eq!(begin().await.unwrap(), IdempotencyState::New);
    db.store
        .complete_mass_call("flow:k:treasury", b"{}", 2)
        .await
        .unwrap();
    assert!(!db.store.abandon_mass_call("flow:k:treasury").await.unwrap());
    assert_eq!(
        begin().await.unwrap(),
        IdempotencyState::Completed(b"{}".to_vec())
    );
    db.cleanup().await;
}

async fn next_slot_issuance_fills_the_last_slot_and_refuses_one_more(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    // A list whose highest taken slot is two below the limit: one slot is left.
    db.store
        .record_credential(&credential("urn:high", "list-e", STATUS_LIST_SLOTS_MAX - 2))
        .await
        .unwrap();
    let build = |id: &'static str| {
        move |index| Ok::<_, std::convert::Infallible>(credential(id, "list-e", index))
    };
    let last = db
        .store
        .record_credential_in_next_slot("list-e", build("urn:last"))
        .await
        .unwrap();
    assert_eq!(last.status_list_index, STATUS_LIST_SLOTS_MAX - 1);
    assert!(matches!(
        db.store
            .record_credential_in_next_slot("list-e", build("urn:one-more"))
            .await,
        Err(SlotError::ListFull { .. })
    ));
    assert!(db.store.credential("urn:one-more").await.unwrap().is_none());
    db.cleanup().await;
}
