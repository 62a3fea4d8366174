//! Goal: the corridor host as the agentic actor's executor and the scheduler's lease sink —
//! it lists the open corridors with their parties (entity ids as created), halts through the
//! protocol lifecycle only where the zone's key is an authority, reports every other refusal
//! typed, and hands lease renewal to a scheduler all at once or not at all. Method: the real
//! host over both stores; the scheduler with explicit ticks only.

use std::sync::Arc;
use std::time::Duration;

use msez_actors::agentic::{ActionEvidence, ControlError, CorridorControl, CorridorParties};
use msez_actors::corridor::leases::LeaseBook;
use msez_actors::scheduler::{
    ScheduledTimer, SchedulerConfig, SchedulerError, SchedulerHandle, TimerId, TimerKind,
};
use msez_protocol::agentic::TriggerKind;
use msez_protocol::agentic::policy::PolicyId;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId};
use msez_protocol::vc::subjects::CorridorLifecycleState;

use crate::support::*;

backend_tests!(
    control_lists_open_corridors_and_halts_where_the_zone_is_an_authority,
    lease_renewal_is_handed_to_the_scheduler_whole_or_not_at_all,
    lease_book_renews_only_shards_it_holds,
);

fn evidence() -> ActionEvidence {
    ActionEvidence {
        policy_id: PolicyId::new("baseline.sanctions.halt_corridor").unwrap(),
        trigger: TriggerKind::SanctionsListUpdate,
        payload_digest: Digest::from_bytes([7; 32]),
        decision_sequence: 0,
        parameters: Default::default(),
    }
}

fn listed(corridor: &CorridorId) -> CorridorParties {
    CorridorParties {
        corridor_id: corridor.clone(),
        party_entity_ids: vec![
            EntityId::new(format!("{corridor}-pk")).unwrap(),
            EntityId::new(format!("{corridor}-ae")).unwrap(),
        ],
    }
}

async fn control_lists_open_corridors_and_halts_where_the_zone_is_an_authority(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let zone_authority = corridor_id("PK-AE.zone-authority");
    let other_authority = corridor_id("PK-AE.other-authority");
    let pending = corridor_id("PK-AE.pending");
    let mut request = create_request(&zone_authority, true);
    // The host's zone key (31) is an authority of this corridor only.
    request.authorities.insert(*key(31).did());
    corridors.create(request).await.unwrap();
    corridors
        .create(create_request(&other_authority, true))
        .await
        .unwrap();
    corridors
        .create(create_request(&pending, false))
        .await
        .unwrap();
    let parties = corridors.parties().await.unwrap();
    assert_eq!(
        parties,
        vec![
            listed(&other_authority),
            listed(&pending),
            listed(&zone_authority)
        ]
    );

    CorridorControl::halt(&corridors, zone_authority.clone(), evidence())
        .await
        .unwrap();
    assert_eq!(
        corridors.summary(&zone_authority).await.unwrap().lifecycle,
        CorridorLifecycleState::Halted
    );
    // A halted corridor is no longer listed: a second sanctions sweep leaves it alone.
    assert_eq!(
        corridors.parties().await.unwrap(),
        vec![listed(&other_authority), listed(&pending)]
    );
    // Refusals are typed outcomes, and the corridors stay as they were.
    let refused = |error: ControlError, needle: &str| match error {
        ControlError::Refused { reason, .. } => {
            assert!(reason.contains(needle), "{reason} lacks {needle}");
        }
        other => panic!("expected a refusal, got {other}"),
    };
    refused(
        CorridorControl::halt(&corridors, other_authority.clone(), evidence())
            .await
            .unwrap_err(),
        "no authority",
    );
    refused(
        CorridorControl::halt(&corridors, pending.clone(), evidence())
            .await
            .unwrap_err(),
        "not allowed",
    );
    assert!(matches!(
        CorridorControl::halt(&corridors, corridor_id("PK-AE.never"), evidence()).await,
        Err(ControlError::UnknownTarget { .. })
    ));
    assert_eq!(
        corridors.summary(&other_authority).await.unwrap().lifecycle,
        CorridorLifecycleState::Active
    );
    corridors.shutdown().await;
    db.cleanup().await;
}

fn scheduler(
    corridors: &msez_actors::corridor::handle::Corridors,
    timers_max: usize,
) -> SchedulerConfig {
    SchedulerConfig {
        clock: Arc::new(FixedClock),
        sink: corridors.lease_sink(),
        timers_max,
        tick_interval: None,
        call_timeout: Duration::from_secs(30),
    }
}

async fn lease_renewal_is_handed_to_the_scheduler_whole_or_not_at_all(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let shard_count = db.store.config().shard_count as usize;
    // One timer short of a timer per shard: refused, and nothing stays armed.
    let short = SchedulerHandle::start(scheduler(&corridors, shard_count - 1), None)
        .await
        .unwrap();
    assert!(matches!(
        corridors.hand_lease_renewal_to(&short),
        Err(SchedulerError::Full { .. })
    ));
    assert_eq!(short.timer_count(), 0);
    short.stop();
    // Exactly one per shard fits.
    let exact = SchedulerHandle::start(scheduler(&corridors, shard_count), None)
        .await
        .unwrap();
    corridors.hand_lease_renewal_to(&exact).unwrap();
    assert_eq!(exact.timer_count(), shard_count);
    exact.stop();
    // The sink renews only lease timers, off the caller's thread.
    let sink = corridors.lease_sink();
    let timer = |kind| ScheduledTimer {
        timer_id: TimerId(1),
        kind,
        due_unix_ms: 0,
        repeat_every_ms: None,
    };
    sink.fire(&timer(TimerKind::LeaseRenewal { shard: 0 }))
        .unwrap();
    assert!(matches!(
        sink.fire(&timer(TimerKind::SagaDeadline {
            saga_id: "s-1".to_owned()
        })),
        Err(SchedulerError::Undeliverable { .. })
    ));
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn lease_book_renews_only_shards_it_holds(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let config = corridors_config(&db.store, "node-a").lease;
    let book = LeaseBook::new(db.store.clone(), config);
    let held = db.store.shard_of(&corridor_id("PK-AE.held"));
    let other = (held + 1) % db.store.config().shard_count;
    book.epoch(held).await.unwrap();
    assert!(book.renew(held).await);
    assert!(!book.renew(other).await);
    assert_eq!(book.renew_all().await, 1);
    book.release_all().await;
    assert!(!book.renew(held).await);
    db.cleanup().await;
}
