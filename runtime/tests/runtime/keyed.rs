//! KeyedHost at its boundary: activation, restart and re-hydrate, restart policies, intensity
//! escalation, single flight, admission, passivation, introspection, and a racing stress test.
//! Method: the `Counter` behaviour of `support`, events awaited from the introspection stream
//! (never timed assertions; waits have generous ceilings only to turn a hang into a failure).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use msez_runtime::{HostError, Intensity, NodeStatus, RestartPolicy, SupervisionEvent};
use tokio::sync::oneshot;

use crate::support::{Counter, Msg, add, config, get, get_after_restart, start, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_rehydrates_after_handler_error() {
    let (counter, host, tree) = start(Counter::default(), config("restart")).await;
    let mut events = tree.subscribe();
    assert_eq!(add(&host, "k", 5).await, Ok(5));
    assert_eq!(add(&host, "k", 7).await, Ok(12));
    host.send(&"k".to_owned(), Msg::Fail).await.unwrap();
    let restarted = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Restarted { .. })
    })
    .await;
    assert!(matches!(
        restarted,
        SupervisionEvent::Restarted { attempt: 1, .. }
    ));
    assert_eq!(get_after_restart(&host, "k").await, 12);
    assert_eq!(counter.hydrations_of("k"), 2);
    let node = tree.find(&host.key_path(&"k".to_owned())).unwrap();
    assert_eq!(node.restart_count, 1);
    assert_eq!(node.last_failure.as_deref(), Some("k asked to fail"));
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_rehydrates_after_handler_panic() {
    let (counter, host, tree) = start(Counter::default(), config("panic")).await;
    let mut events = tree.subscribe();
    assert_eq!(add(&host, "p", 3).await, Ok(3));
    host.send(&"p".to_owned(), Msg::Panic).await.unwrap();
    wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Restarted { .. })
    })
    .await;
    assert_eq!(get_after_restart(&host, "p").await, 3);
    assert_eq!(counter.hydrations_of("p"), 2);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_failed_hydrate_retries_with_backoff() {
    let counter = Counter::default();
    counter.hydrate_failures_left.store(2, Ordering::SeqCst);
    let (counter, host, _tree) = start(counter, config("hydrate")).await;
    // The first calls die with their incarnations; the third incarnation hydrates.
    assert_eq!(get_after_restart(&host, "h").await, 0);
    assert_eq!(counter.hydrations_of("h"), 3);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_callers_get_actor_died_when_actor_crashes() {
    let (_counter, host, _tree) = start(Counter::default(), config("queued")).await;
    let key = "q".to_owned();
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    host.send(
        &key,
        Msg::Block {
            entered: entered_tx,
            release: release_rx,
        },
    )
    .await
    .unwrap();
    entered_rx.await.unwrap();
    let waiting: Vec<_> = (0..5)
        .map(|_| {
            let host = host.clone();
            tokio::spawn(async move { get(&host, "q").await })
        })
        .collect();
    // Let the calls reach the mailbox behind the blocked message.
    while host.active_count() == 0 {
        tokio::task::yield_now().await;
    }
    let admitted = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let depth = _tree_depth(&host, &_tree, "q");
            if depth == 5 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    admitted.await.unwrap();
    release_tx.send(true).unwrap();
    for call in waiting {
        assert_eq!(
            call.await.unwrap(),
            Err(HostError::ActorDied { key: key.clone() })
        );
    }
    host.shutdown().await.unwrap();
}

fn _tree_depth(
    host: &msez_runtime::KeyedHost<Counter>,
    tree: &msez_runtime::Introspection,
    key: &str,
) -> usize {
    tree.find(&host.key_path(&key.to_owned()))
        .map(|node| node.inbox_depth)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_actor_is_not_restarted_and_reactivates_on_demand() {
    let mut config = config("temporary");
    config.restart = RestartPolicy::Temporary;
    let (counter, host, tree) = start(Counter::default(), config).await;
    let mut events = tree.subscribe();
    assert_eq!(add(&host, "t", 4).await, Ok(4));
    host.send(&"t".to_owned(), Msg::Fail).await.unwrap();
    let stopped = wait_for(&mut events, |e| {
        matches!(
            e,
            SupervisionEvent::Stopped { .. } | SupervisionEvent::Restarted { .. }
        )
    })
    .await;
    assert!(
        matches!(stopped, SupervisionEvent::Stopped { .. }),
        "{stopped:?}"
    );
    assert_eq!(host.active_count(), 0);
    assert_eq!(counter.hydrations_of("t"), 1);
    // The next message activates a fresh actor from durable state.
    assert_eq!(get(&host, "t").await, Ok(4));
    assert_eq!(counter.hydrations_of("t"), 2);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intensity_exceeded_quarantines_key_and_escalates() {
    let mut config = config("intensity");
    config.intensity = Intensity {
        max_restarts: 2,
        period_ms: 60_000,
    };
    let (counter, host, tree) = start(Counter::default(), config).await;
    let mut events = tree.subscribe();
    let key = "bad".to_owned();
    assert_eq!(add(&host, "bad", 1).await, Ok(1));
    for attempt in 1..=2 {
        host.send(&key, Msg::Fail).await.unwrap();
        let event = wait_for(&mut events, |e| {
            matches!(e, SupervisionEvent::Restarted { .. })
        })
        .await;
        assert!(matches!(event, SupervisionEvent::Restarted { attempt: a, .. } if a == attempt));
        get_after_restart(&host, "bad").await;
    }
    host.send(&key, Msg::Fail).await.unwrap();
    let escalated = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Escalated { .. })
    })
    .await;
    assert_eq!(
        escalated,
        SupervisionEvent::Escalated {
            path: host.key_path(&key),
            reason: "bad asked to fail".to_owned()
        }
    );
    assert_eq!(
        get(&host, "bad").await,
        Err(HostError::Quarantined {
            key: key.clone(),
            last_failure: "bad asked to fail".to_owned()
        })
    );
    let node = tree.find(&host.key_path(&key)).unwrap();
    assert_eq!(node.status, NodeStatus::Failed);
    assert_eq!(node.restart_count, 2);
    // Other keys are unaffected; an operator reset lets the key run again from durable state.
    assert_eq!(add(&host, "good", 2).await, Ok(2));
    assert!(host.reset(&key));
    assert_eq!(get(&host, "bad").await, Ok(1));
    assert_eq!(counter.hydrations_of("bad"), 4);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_flight_hydrates_once_for_100_concurrent_first_calls() {
    let counter = Counter {
        hydrate_delay: Some(Duration::from_millis(20)),
        ..Counter::default()
    };
    let mut config = config("flight");
    config.admission_bound = 1_000;
    let (counter, host, _tree) = start(counter, config).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let host = host.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                add(&host, "one", 1).await
            })
        })
        .collect();
    let mut totals = HashSet::new();
    for call in calls {
        totals.insert(call.await.unwrap().unwrap());
    }
    assert_eq!(totals, (1..=100).collect::<HashSet<u64>>());
    assert_eq!(counter.hydrations_of("one"), 1);
    assert_eq!(host.active_count(), 1);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_bound_returns_overloaded_at_bound_plus_one() {
    let mut config = config("admission");
    config.admission_bound = 4;
    let (_counter, host, _tree) = start(Counter::default(), config).await;
    let key = "busy".to_owned();
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    host.send(
        &key,
        Msg::Block {
            entered: entered_tx,
            release: release_rx,
        },
    )
    .await
    .unwrap();
    entered_rx.await.unwrap();
    // The blocked message was dequeued: four more fit, the fifth is refused.
    let mut replies = Vec::new();
    for _ in 0..4 {
        let (reply, answer) = msez_runtime::Reply::channel();
        host.send(&key, Msg::Add(1, reply)).await.unwrap();
        replies.push(answer);
    }
    let (reply, _answer) = msez_runtime::Reply::channel();
    assert_eq!(
        host.send(&key, Msg::Add(1, reply)).await,
        Err(HostError::Overloaded {
            key: key.clone(),
            inbox_depth: 4,
            bound: 4
        })
    );
    release_tx.send(false).unwrap();
    let mut totals = Vec::new();
    for answer in replies {
        totals.push(answer.await.unwrap());
    }
    assert_eq!(totals, vec![1, 2, 3, 4]);
    // Drained: admitted again.
    assert_eq!(add(&host, "busy", 1).await, Ok(5));
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passivation_then_reactivation_hydrates_again() {
    let (counter, host, _tree) = start(Counter::default(), config("passivate")).await;
    let key = "idle".to_owned();
    assert_eq!(add(&host, "idle", 9).await, Ok(9));
    assert_eq!(host.passivate(&key).await, Ok(true));
    assert_eq!(counter.passivations.load(Ordering::SeqCst), 1);
    assert_eq!(host.active_count(), 0);
    assert_eq!(host.passivate(&key).await, Ok(false));
    assert_eq!(get(&host, "idle").await, Ok(9));
    assert_eq!(counter.hydrations_of("idle"), 2);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_actor_passivates_by_itself() {
    let mut config = config("sweep");
    config.idle_passivation = Some(Duration::from_millis(20));
    let (counter, host, tree) = start(Counter::default(), config).await;
    let mut events = tree.subscribe();
    assert_eq!(add(&host, "nap", 2).await, Ok(2));
    wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Passivated { .. })
    })
    .await;
    assert_eq!(counter.passivations.load(Ordering::SeqCst), 1);
    assert_eq!(get(&host, "nap").await, Ok(2));
    assert_eq!(counter.hydrations_of("nap"), 2);
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_passivates_every_actor_and_refuses_new_messages() {
    let (counter, host, tree) = start(Counter::default(), config("shutdown")).await;
    for index in 0..20 {
        add(&host, &format!("s{index}"), 1).await.unwrap();
    }
    host.shutdown().await.unwrap();
    assert_eq!(counter.passivations.load(Ordering::SeqCst), 20);
    assert_eq!(
        get(&host, "s0").await,
        Err(HostError::Stopped {
            host: "shutdown".to_owned()
        })
    );
    assert!(tree.find(host.path()).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_tree_find_and_kill_by_path() {
    let (counter, host, tree) = start(Counter::default(), config("tree")).await;
    let mut events = tree.subscribe();
    for index in 0..10 {
        add(&host, &format!("n{index}"), index).await.unwrap();
    }
    let root = tree.tree();
    assert_eq!(root.path, "/test");
    let host_node = root
        .children
        .iter()
        .find(|node| node.path == "/test/tree")
        .unwrap();
    assert_eq!(host_node.children.len(), 8);
    let actors: usize = host_node
        .children
        .iter()
        .map(|shard| shard.children.len())
        .sum();
    assert_eq!(actors, 10);
    let path = host.key_path(&"n3".to_owned());
    let node = tree.find(&path).unwrap();
    assert_eq!(
        (node.name.as_str(), node.status, node.restart_count),
        ("n3", NodeStatus::Running, 0)
    );
    assert!(tree.kill(&path).await.unwrap());
    let restarted = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Restarted { .. })
    })
    .await;
    assert!(matches!(restarted, SupervisionEvent::Restarted { path: p, .. } if p == path));
    assert_eq!(get_after_restart(&host, "n3").await, 3);
    assert_eq!(counter.hydrations_of("n3"), 2);
    assert!(!tree.kill("/test/tree/shard-00/absent").await.unwrap());
    assert!(tree.find("/test/nothing").is_none());
    host.shutdown().await.unwrap();
}

/// Races activations, passivations, kills, failures and messages over many keys; every call
/// must end in a reply or a typed error, and the whole run must finish (no hang, no lost reply).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_racing_activation_passivation_kill_never_loses_a_reply() {
    let mut config = config("stress");
    config.idle_passivation = Some(Duration::from_millis(5));
    config.admission_bound = 16;
    config.call_timeout = Duration::from_secs(20);
    let (_counter, host, _tree) = start(Counter::default(), config).await;
    let key_count = 256;
    let tasks: Vec<_> = (0..32u64)
        .map(|task| {
            let host = host.clone();
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(task);
                let mut outcomes = [0u32; 6];
                for _ in 0..500 {
                    let key = format!("k{}", rng.u32(0..key_count));
                    let outcome = match rng.u8(0..10) {
                        0 => {
                            host.passivate(&key).await.unwrap();
                            continue;
                        }
                        1 => {
                            host.kill(&key).await.unwrap();
                            continue;
                        }
                        2 => host.send(&key, Msg::Fail).await.map(|()| 0),
                        _ => add(&host, &key, 1).await,
                    };
                    let slot = match outcome {
                        Ok(_) => 0,
                        Err(HostError::ActorDied { .. }) => 1,
                        Err(HostError::Overloaded { .. }) => 2,
                        Err(HostError::Quarantined { .. }) => 3,
                        Err(HostError::Timeout { .. }) => 4,
                        Err(_) => 5,
                    };
                    outcomes[slot] += 1;
                }
                outcomes
            })
        })
        .collect();
    let run = async {
        let mut totals = [0u32; 6];
        for task in tasks {
            for (total, count) in totals.iter_mut().zip(task.await.unwrap()) {
                *total += count;
            }
        }
        totals
    };
    let totals = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("stress run hung");
    assert_eq!(totals[4], 0, "calls timed out: {totals:?}");
    assert_eq!(totals[5], 0, "unexpected errors: {totals:?}");
    assert!(totals[0] > 0, "{totals:?}");
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_to_busy_actor_times_out_with_typed_error() {
    let mut config = config("timeout");
    config.call_timeout = Duration::from_millis(50);
    let (_counter, host, _tree) = start(Counter::default(), config).await;
    let key = "slow".to_owned();
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    host.send(
        &key,
        Msg::Block {
            entered: entered_tx,
            release: release_rx,
        },
    )
    .await
    .unwrap();
    entered_rx.await.unwrap();
    assert_eq!(
        get(&host, "slow").await,
        Err(HostError::Timeout {
            key: key.clone(),
            timeout_ms: 50
        })
    );
    release_tx.send(false).unwrap();
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_rejects_out_of_range_config() {
    let tree = msez_runtime::Introspection::new("test");
    type Mutation = fn(&mut msez_runtime::KeyedHostConfig);
    let cases: [(&str, Mutation); 5] = [
        ("shard_count", |c| c.shard_count = 0),
        ("shard_count", |c| {
            c.shard_count = msez_runtime::SHARD_COUNT_MAX + 1
        }),
        ("admission_bound", |c| c.admission_bound = 0),
        ("call_timeout", |c| c.call_timeout = Duration::ZERO),
        ("name", |c| c.name = "a/b".to_owned()),
    ];
    for (expected_field, mutate) in cases {
        let mut config = config("invalid");
        mutate(&mut config);
        let result =
            msez_runtime::KeyedHost::start(Arc::new(Counter::default()), config, &tree).await;
        match result {
            Err(msez_runtime::RuntimeError::InvalidConfig { field, .. }) => {
                assert_eq!(field, expected_field)
            }
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => panic!("config accepted: {expected_field}"),
        }
    }
    let mut at_limit = config("limit");
    at_limit.shard_count = msez_runtime::SHARD_COUNT_MAX;
    let host = msez_runtime::KeyedHost::start(Arc::new(Counter::default()), at_limit, &tree)
        .await
        .unwrap();
    assert_eq!(add(&host, "x", 1).await, Ok(1));
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_and_events_serialize_to_json_shape() {
    let (_counter, host, tree) = start(Counter::default(), config("json")).await;
    add(&host, "j", 1).await.unwrap();
    let node = tree.find(&host.key_path(&"j".to_owned())).unwrap();
    let json = serde_json::to_value(&node).unwrap();
    assert_eq!(json["status"], "running");
    assert_eq!(json["name"], "j");
    let event = SupervisionEvent::Restarted {
        path: "/a".to_owned(),
        attempt: 2,
        backoff_ms: 7,
    };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::json!({"event": "restarted", "path": "/a", "attempt": 2, "backoff_ms": 7})
    );
    host.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successor_hydrates_only_after_predecessor_passivate_hook_finished() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let counter = Counter {
        passivate_gate: Some(gate.clone()),
        ..Counter::default()
    };
    let (counter, host, tree) = start(counter, config("barrier")).await;
    let key = "b".to_owned();
    let path = host.key_path(&key);
    assert_eq!(add(&host, "b", 1).await, Ok(1));
    let passivation = {
        let host = host.clone();
        let key = key.clone();
        tokio::spawn(async move { host.passivate(&key).await })
    };
    let status_of = |tree: &msez_runtime::Introspection| tree.find(&path).map(|node| node.status);
    while status_of(&tree) != Some(NodeStatus::Passivating) {
        tokio::task::yield_now().await;
    }
    // The next message activates a successor while the hook is still running.
    let successor_call = {
        let host = host.clone();
        tokio::spawn(async move { get(&host, "b").await })
    };
    // The successor's slot replaces the passivating one; it must wait (status `starting`).
    while status_of(&tree) == Some(NodeStatus::Passivating) {
        tokio::task::yield_now().await;
    }
    assert_eq!(status_of(&tree), Some(NodeStatus::Starting));
    assert_eq!(counter.hydrations_of("b"), 1);
    gate.add_permits(1);
    assert_eq!(passivation.await.unwrap(), Ok(true));
    assert_eq!(successor_call.await.unwrap(), Ok(1));
    assert_eq!(
        *counter.log.lock().unwrap(),
        vec!["hydrate", "passivated", "hydrate"]
    );
    gate.add_permits(1);
    host.shutdown().await.unwrap();
}
