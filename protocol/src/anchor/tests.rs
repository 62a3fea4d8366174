//! Notary log: entries chain to the head, inclusion verifies against a trusted head and fails
//! on any tampering, a wrong checkpoint or a stale head.

use super::*;

fn corridor() -> CorridorId {
    CorridorId::new("corridor:PK-AE").unwrap()
}

fn checkpoint(n: u8) -> Digest {
    Digest::from_bytes([n; 32])
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_700_000_000 + seconds).unwrap()
}

fn log_of(count: u8) -> NotaryLog {
    let mut log = NotaryLog::new("notary:test");
    for n in 0..count {
        log.anchor(&corridor(), checkpoint(n), at(i64::from(n)))
            .unwrap();
    }
    log
}

#[test]
fn notary_entries_commit_to_the_previous_entry() {
    let log = log_of(3);
    assert_eq!(
        log.entries()[0].prev_entry_digest(),
        notary_genesis("notary:test")
    );
    for pair in log.entries().windows(2) {
        assert_eq!(pair[1].prev_entry_digest(), pair[0].digest().unwrap());
    }
    assert_eq!(log.head(), log.entries()[2].digest().unwrap());
}

#[test]
fn notary_inclusion_verifies_against_the_trusted_head() {
    let log = log_of(5);
    for index in 0..5u8 {
        let proof = log.inclusion_proof(u64::from(index)).unwrap();
        verify_notary_inclusion(&proof, checkpoint(index), log.head()).unwrap();
    }
    assert!(log.inclusion_proof(5).is_none());
}

#[test]
fn notary_inclusion_rejects_tampering_and_stale_heads() {
    let log = log_of(4);
    let proof = log.inclusion_proof(1).unwrap();
    assert!(matches!(
        verify_notary_inclusion(&proof, checkpoint(9), log.head()),
        Err(AnchorError::WrongCheckpoint { index: 1, .. })
    ));
    let mut tampered = proof.clone();
    tampered.entries[1].checkpoint_digest = checkpoint(7);
    assert!(matches!(
        verify_notary_inclusion(&tampered, checkpoint(1), log.head()),
        Err(AnchorError::BrokenLink { index: 3 })
    ));
    let stale_head = log_of(3).head();
    assert!(matches!(
        verify_notary_inclusion(&proof, checkpoint(1), stale_head),
        Err(AnchorError::HeadMismatch { .. })
    ));
    assert_eq!(
        verify_notary_inclusion(
            &NotaryInclusionProof { entries: vec![] },
            checkpoint(1),
            log.head()
        ),
        Err(AnchorError::EmptyProof)
    );
}

#[test]
fn notary_anchor_rejects_time_going_backwards() {
    let mut log = log_of(2);
    assert_eq!(
        log.anchor(&corridor(), checkpoint(9), at(0)),
        Err(AnchorError::TimeRegression {
            anchored_at: at(0),
            head_anchored_at: at(1)
        })
    );
    assert_eq!(log.entries().len(), 2);
}
