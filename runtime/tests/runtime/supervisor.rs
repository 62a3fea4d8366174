//! The singleton supervisor at its boundary: restart policies (permanent, transient, temporary),
//! intensity escalation to the parent, kill by path, and a failing child start.
//! Method: a small ractor `Worker` that counts its starts; events awaited from the stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use msez_runtime::{
    ActorFailure, Backoff, ChildSpec, Intensity, Introspection, NodeStatus, RestartPolicy,
    RuntimeError, SupervisionEvent, SupervisorHandle, start_supervisor,
};
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::support::wait_for;

struct Worker {
    starts: Arc<AtomicU32>,
}

enum WorkerMsg {
    Fail,
    Panic,
    Stop,
}

impl Actor for Worker {
    type Msg = WorkerMsg;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<WorkerMsg>, _: ()) -> Result<(), ActorProcessingErr> {
        self.starts.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<WorkerMsg>,
        message: WorkerMsg,
        _: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        match message {
            WorkerMsg::Fail => Err("worker failed".into()),
            WorkerMsg::Panic => panic!("worker panicked"),
            WorkerMsg::Stop => {
                myself.stop(None);
                Ok(())
            }
        }
    }
}

fn worker(name: &str, restart: RestartPolicy, starts: &Arc<AtomicU32>) -> ChildSpec {
    let starts = starts.clone();
    ChildSpec {
        name: name.to_owned(),
        kind: "worker".to_owned(),
        restart,
        start: Arc::new(move |supervisor| {
            let starts = starts.clone();
            Box::pin(async move {
                let (actor, _) = Actor::spawn_linked(None, Worker { starts }, (), supervisor)
                    .await
                    .map_err(|error| ActorFailure::new(error.to_string()))?;
                Ok(actor.get_cell())
            })
        }),
    }
}

fn failing_start(name: &str) -> ChildSpec {
    ChildSpec {
        name: name.to_owned(),
        kind: "worker".to_owned(),
        restart: RestartPolicy::Permanent,
        start: Arc::new(|_| Box::pin(async { Err(ActorFailure::new("no database")) })),
    }
}

const BACKOFF: Backoff = Backoff {
    initial_ms: 1,
    max_ms: 5,
};
const LENIENT: Intensity = Intensity {
    max_restarts: 50,
    period_ms: 60_000,
};

fn tell(handle: &SupervisorHandle, child: &str, message: WorkerMsg) {
    handle.child(child).unwrap().send_message(message).unwrap();
}

fn is_started(path: &str) -> impl Fn(&SupervisionEvent) -> bool + '_ {
    move |event| matches!(event, SupervisionEvent::Started { path: p } if p == path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_restarts_permanent_child_after_failure_panic_and_normal_stop() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let children = vec![worker("w", RestartPolicy::Permanent, &starts)];
    let handle = start_supervisor("sup", children, BACKOFF, LENIENT, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    for (round, message) in [WorkerMsg::Fail, WorkerMsg::Panic, WorkerMsg::Stop]
        .into_iter()
        .enumerate()
    {
        tell(&handle, "w", message);
        wait_for(&mut events, is_started("/zone/sup/w")).await;
        assert_eq!(starts.load(Ordering::SeqCst), round as u32 + 2);
    }
    let node = tree.find("/zone/sup/w").unwrap();
    assert_eq!((node.status, node.restart_count), (NodeStatus::Running, 3));
    assert_eq!(handle.status(), Some(NodeStatus::Running));
    handle.shutdown().await.unwrap();
    assert!(tree.find("/zone/sup").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_child_is_not_restarted_after_normal_stop_but_is_after_failure() {
    let tree = Introspection::new("zone");
    let stop_starts = Arc::new(AtomicU32::new(0));
    let fail_starts = Arc::new(AtomicU32::new(0));
    let children = vec![
        worker("stops", RestartPolicy::Transient, &stop_starts),
        worker("fails", RestartPolicy::Transient, &fail_starts),
    ];
    let handle = start_supervisor("sup", children, BACKOFF, LENIENT, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    tell(&handle, "stops", WorkerMsg::Stop);
    let event = wait_for(&mut events, |e| {
        matches!(
            e,
            SupervisionEvent::Stopped { .. } | SupervisionEvent::Restarted { .. }
        )
    })
    .await;
    assert_eq!(
        event,
        SupervisionEvent::Stopped {
            path: "/zone/sup/stops".to_owned()
        }
    );
    assert!(handle.child("stops").is_none());
    assert_eq!(stop_starts.load(Ordering::SeqCst), 1);
    tell(&handle, "fails", WorkerMsg::Fail);
    wait_for(&mut events, is_started("/zone/sup/fails")).await;
    assert_eq!(fail_starts.load(Ordering::SeqCst), 2);
    handle.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_child_is_never_restarted() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let children = vec![worker("once", RestartPolicy::Temporary, &starts)];
    let handle = start_supervisor("sup", children, BACKOFF, LENIENT, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    tell(&handle, "once", WorkerMsg::Fail);
    let event = wait_for(&mut events, |e| {
        matches!(
            e,
            SupervisionEvent::Stopped { .. } | SupervisionEvent::Restarted { .. }
        )
    })
    .await;
    assert_eq!(
        event,
        SupervisionEvent::Stopped {
            path: "/zone/sup/once".to_owned()
        }
    );
    let node = tree.find("/zone/sup/once").unwrap();
    assert_eq!(node.last_failure.as_deref(), Some("worker failed"));
    assert_eq!(node.status, NodeStatus::Stopped);
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    handle.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intensity_exceeded_escalates_and_fails_the_supervisor() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let children = vec![worker("w", RestartPolicy::Permanent, &starts)];
    let strict = Intensity {
        max_restarts: 2,
        period_ms: 60_000,
    };
    let handle = start_supervisor("sup", children, BACKOFF, strict, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    for _ in 0..2 {
        tell(&handle, "w", WorkerMsg::Fail);
        wait_for(&mut events, is_started("/zone/sup/w")).await;
    }
    tell(&handle, "w", WorkerMsg::Fail);
    let escalated = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Escalated { .. })
    })
    .await;
    assert_eq!(
        escalated,
        SupervisionEvent::Escalated {
            path: "/zone/sup".to_owned(),
            reason: "worker failed".to_owned()
        }
    );
    assert_eq!(handle.status(), Some(NodeStatus::Failed));
    assert_eq!(starts.load(Ordering::SeqCst), 3);
    handle
        .cell()
        .wait(Some(std::time::Duration::from_secs(10)))
        .await
        .unwrap();
    handle.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_supervisor_escalation_is_restarted_by_its_parent() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let strict = Intensity {
        max_restarts: 1,
        period_ms: 60_000,
    };
    let inner = ChildSpec::supervisor(
        "inner",
        RestartPolicy::Permanent,
        vec![worker("w", RestartPolicy::Permanent, &starts)],
        BACKOFF,
        strict,
        &tree,
    );
    let outer = start_supervisor("outer", vec![inner], BACKOFF, LENIENT, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    let worker_cell = || {
        tree.find("/zone/outer/inner/w").unwrap();
        let inner_cell = outer.child("inner").unwrap();
        inner_cell.get_children().into_iter().next().unwrap()
    };
    worker_cell().send_message(WorkerMsg::Fail).unwrap();
    wait_for(&mut events, is_started("/zone/outer/inner/w")).await;
    worker_cell().send_message(WorkerMsg::Fail).unwrap();
    let escalated = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Escalated { .. })
    })
    .await;
    assert!(
        matches!(escalated, SupervisionEvent::Escalated { path, .. } if path == "/zone/outer/inner")
    );
    let restarted = wait_for(&mut events, |e| {
        matches!(e, SupervisionEvent::Restarted { .. })
    })
    .await;
    assert!(
        matches!(restarted, SupervisionEvent::Restarted { path, .. } if path == "/zone/outer/inner")
    );
    wait_for(&mut events, is_started("/zone/outer/inner")).await;
    assert_eq!(starts.load(Ordering::SeqCst), 3);
    let inner_node = tree.find("/zone/outer/inner").unwrap();
    assert_eq!(
        (inner_node.status, inner_node.restart_count),
        (NodeStatus::Running, 1)
    );
    assert_eq!(outer.status(), Some(NodeStatus::Running));
    outer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_by_path_restarts_the_child() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let children = vec![worker("w", RestartPolicy::Transient, &starts)];
    let handle = start_supervisor("sup", children, BACKOFF, LENIENT, &tree)
        .await
        .unwrap();
    let mut events = tree.subscribe();
    assert!(tree.kill("/zone/sup/w").await.unwrap());
    wait_for(&mut events, is_started("/zone/sup/w")).await;
    assert_eq!(starts.load(Ordering::SeqCst), 2);
    assert_eq!(
        tree.find("/zone/sup/w").unwrap().last_failure.as_deref(),
        Some("killed")
    );
    handle.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_child_start_stops_started_siblings_and_names_the_child() {
    let tree = Introspection::new("zone");
    let starts = Arc::new(AtomicU32::new(0));
    let children = vec![
        worker("first", RestartPolicy::Permanent, &starts),
        failing_start("second"),
    ];
    let result = start_supervisor("sup", children, BACKOFF, LENIENT, &tree).await;
    let Err(RuntimeError::ChildStartFailed { path, reason }) = result else {
        panic!("expected ChildStartFailed");
    };
    assert_eq!(path, "/zone/sup");
    assert!(
        reason.contains("/zone/sup/second") && reason.contains("no database"),
        "{reason}"
    );
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    assert!(tree.find("/zone/sup").is_none());
}
