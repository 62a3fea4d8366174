//! Scheduler: deadlines fire in order when the (manual) clock passes them, and a licence
//! expiry reaches the agentic actor and suspends the entity.
//!
//! Method: a `ManualClock` and explicit ticks; no test waits for a deadline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::ManualClock;
use msez_actors::agentic::{AgenticHandle, baseline_policy_set};
use msez_actors::scheduler::{
    AgenticTimerSink, ScheduledTimer, SchedulerConfig, SchedulerError, SchedulerHandle, TimerKind,
    TimerSink,
};
use msez_protocol::ids::CorridorId;

use crate::agentic::{RecordingCorridors, RecordingEntities, config as agentic_config};
use crate::support::{self, entity, eventually};

const T0_MS: u64 = 1_767_225_600_000;

#[derive(Default)]
struct RecordingSink {
    fired: Mutex<Vec<ScheduledTimer>>,
}

impl TimerSink for RecordingSink {
    fn fire(&self, timer: &ScheduledTimer) -> Result<(), SchedulerError> {
        self.fired.lock().unwrap().push(timer.clone());
        Ok(())
    }
}

fn config(
    clock: &Arc<ManualClock>,
    sink: Arc<dyn TimerSink>,
    timers_max: usize,
) -> SchedulerConfig {
    SchedulerConfig {
        clock: clock.clone(),
        sink,
        timers_max,
        tick_interval: None,
        call_timeout: Duration::from_secs(30),
    }
}

fn checkpoint(name: &str) -> TimerKind {
    TimerKind::CheckpointDue {
        corridor_id: CorridorId::new(name).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_fires_due_timers_in_deadline_order_and_not_before() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let sink = Arc::new(RecordingSink::default());
    let scheduler = SchedulerHandle::start(config(&clock, sink.clone(), 100), None)
        .await
        .unwrap();
    scheduler
        .schedule(checkpoint("c-late"), T0_MS + 3000, None)
        .unwrap();
    scheduler
        .schedule(checkpoint("c-early"), T0_MS + 1000, None)
        .unwrap();
    let cancelled = scheduler
        .schedule(checkpoint("c-cancelled"), T0_MS + 1500, None)
        .unwrap();
    scheduler
        .schedule(checkpoint("c-tie"), T0_MS + 1000, None)
        .unwrap();
    assert!(scheduler.cancel(cancelled));
    assert!(!scheduler.cancel(cancelled));
    assert!(scheduler.tick().await.unwrap().is_empty());
    clock.advance_ms(999);
    assert!(
        scheduler.tick().await.unwrap().is_empty(),
        "fired before its deadline"
    );
    clock.advance_ms(1);
    let fired: Vec<TimerKind> = scheduler
        .tick()
        .await
        .unwrap()
        .into_iter()
        .map(|(timer, delivered)| {
            delivered.unwrap();
            timer.kind
        })
        .collect();
    assert_eq!(fired, vec![checkpoint("c-early"), checkpoint("c-tie")]);
    clock.advance_ms(10_000);
    let fired = scheduler.tick().await.unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].0.kind, checkpoint("c-late"));
    assert_eq!(scheduler.timer_count(), 0);
    assert_eq!(sink.fired.lock().unwrap().len(), 3);
    scheduler.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_rearms_repeating_timers_and_keeps_them_across_a_restart() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let sink = Arc::new(RecordingSink::default());
    let scheduler = SchedulerHandle::start(config(&clock, sink.clone(), 100), None)
        .await
        .unwrap();
    scheduler
        .schedule(
            TimerKind::LeaseRenewal { shard: 3 },
            T0_MS + 1000,
            Some(1000),
        )
        .unwrap();
    clock.advance_ms(1000);
    assert_eq!(scheduler.tick().await.unwrap().len(), 1);
    assert_eq!(scheduler.timer_count(), 1);
    // Kill the actor and start a new one behind the same handle: the wheel survives.
    scheduler.cell().unwrap().kill();
    scheduler.spawn(None).await.unwrap();
    clock.advance_ms(1000);
    let fired = scheduler.tick().await.unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].0.due_unix_ms, T0_MS + 2000);
    assert_eq!(sink.fired.lock().unwrap().len(), 2);
    scheduler.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_refuses_a_timer_past_its_bound() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let scheduler =
        SchedulerHandle::start(config(&clock, Arc::new(RecordingSink::default()), 2), None)
            .await
            .unwrap();
    scheduler.schedule(checkpoint("a"), T0_MS, None).unwrap();
    scheduler.schedule(checkpoint("b"), T0_MS, None).unwrap();
    match scheduler.schedule(checkpoint("c"), T0_MS, None) {
        Err(SchedulerError::Full {
            timer_count: 2,
            timers_max: 2,
        }) => {}
        other => panic!("expected Full, got {other:?}"),
    }
    assert!(matches!(
        scheduler.schedule(checkpoint("d"), T0_MS, Some(0)),
        Err(SchedulerError::ZeroPeriod { .. })
    ));
    scheduler.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licence_expiry_timer_suspends_the_entity_through_agentic() {
    let (store, _dir) = support::store().await;
    let entities = Arc::new(RecordingEntities::default());
    let agentic = AgenticHandle::start(
        agentic_config(
            &store,
            Arc::new(RecordingCorridors::default()),
            entities.clone(),
        ),
        baseline_policy_set().unwrap(),
        None,
    )
    .await
    .unwrap();
    let clock = Arc::new(ManualClock::new(T0_MS));
    let sink = Arc::new(AgenticTimerSink {
        agentic: agentic.clone(),
        lease_sink: None,
    });
    let scheduler = SchedulerHandle::start(config(&clock, sink, 100), None)
        .await
        .unwrap();
    scheduler
        .schedule(
            TimerKind::LicenceExpiry {
                entity_id: entity("entity-expiring"),
                license_id: "lic-9".to_owned(),
            },
            T0_MS + 86_400_000,
            None,
        )
        .unwrap();
    assert!(scheduler.tick().await.unwrap().is_empty());
    assert!(entities.suspended.lock().unwrap().is_empty());
    clock.advance_ms(86_400_000);
    let fired = scheduler.tick().await.unwrap();
    assert_eq!(fired.len(), 1);
    assert!(fired[0].1.is_ok());
    // Delivery is a cast; the agentic actor acts on its own schedule.
    eventually("entity suspended", || {
        entities.suspended.lock().unwrap().as_slice() == [entity("entity-expiring")]
    })
    .await;
    // A lease renewal with no lease sink wired is reported, not silently dropped.
    scheduler
        .schedule(TimerKind::LeaseRenewal { shard: 1 }, T0_MS, None)
        .unwrap();
    let fired = scheduler.tick().await.unwrap();
    assert!(fired[0].1.is_err());
    scheduler.stop();
    agentic.stop();
}
