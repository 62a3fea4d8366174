//! Test behaviour and helpers: a counter actor per key whose value is "durable" (kept in the
//! behaviour, as a journal would be), with hooks to fail, panic, block and count hydrations.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use msez_runtime::{
    ActorFailure, Backoff, HostError, Intensity, Introspection, Keyed, KeyedHost, KeyedHostConfig,
    Reply, RestartPolicy, SupervisionEvent,
};
use tokio::sync::{broadcast, oneshot};

/// Messages of the counter actor.
pub enum Msg {
    Add(u64, Reply<u64>),
    Get(Reply<u64>),
    /// `handle` returns Err.
    Fail,
    /// `handle` panics.
    Panic,
    /// Signals `entered`, waits for `release`; then fails if the release says so.
    Block {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<bool>,
    },
}

#[derive(Default)]
pub struct Counter {
    pub durable: Mutex<HashMap<String, u64>>,
    pub hydrations: Mutex<HashMap<String, u32>>,
    pub passivations: AtomicU32,
    /// Hydrate fails while this is above zero (decremented per failure).
    pub hydrate_failures_left: AtomicU32,
    pub hydrate_delay: Option<Duration>,
    /// The passivate hook waits for a permit of this semaphore when set.
    pub passivate_gate: Option<Arc<tokio::sync::Semaphore>>,
    /// Hook calls in order: `hydrate` and `passivated`.
    pub log: Mutex<Vec<&'static str>>,
}

impl Counter {
    pub fn hydrations_of(&self, key: &str) -> u32 {
        self.hydrations
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

impl Keyed for Counter {
    type Key = String;
    type Msg = Msg;
    type State = u64;

    async fn hydrate(&self, key: &String) -> Result<u64, ActorFailure> {
        if let Some(delay) = self.hydrate_delay {
            tokio::time::sleep(delay).await;
        }
        *self
            .hydrations
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default() += 1;
        self.log.lock().unwrap().push("hydrate");
        let failures_left = self.hydrate_failures_left.load(Ordering::SeqCst);
        if failures_left > 0 {
            self.hydrate_failures_left
                .store(failures_left - 1, Ordering::SeqCst);
            return Err(ActorFailure::new(format!("hydrate of {key} failed")));
        }
        Ok(self.durable.lock().unwrap().get(key).copied().unwrap_or(0))
    }

    async fn handle(&self, key: &String, state: &mut u64, msg: Msg) -> Result<(), ActorFailure> {
        match msg {
            Msg::Add(amount, reply) => {
                *state += amount;
                self.durable.lock().unwrap().insert(key.clone(), *state);
                let _ = reply.send(*state);
            }
            Msg::Get(reply) => {
                let _ = reply.send(*state);
            }
            Msg::Fail => return Err(ActorFailure::new(format!("{key} asked to fail"))),
            Msg::Panic => panic!("{key} asked to panic"),
            Msg::Block { entered, release } => {
                let _ = entered.send(());
                if release.await.unwrap_or(false) {
                    return Err(ActorFailure::new("released with failure"));
                }
            }
        }
        Ok(())
    }

    async fn passivate(&self, _key: &String, _state: &mut u64) -> Result<(), ActorFailure> {
        if let Some(gate) = &self.passivate_gate {
            gate.acquire().await.unwrap().forget();
        }
        self.passivations.fetch_add(1, Ordering::SeqCst);
        self.log.lock().unwrap().push("passivated");
        Ok(())
    }
}

pub fn config(name: &str) -> KeyedHostConfig {
    KeyedHostConfig {
        name: name.to_owned(),
        shard_count: 8,
        admission_bound: 64,
        idle_passivation: None,
        restart: RestartPolicy::Permanent,
        backoff: Backoff {
            initial_ms: 1,
            max_ms: 5,
        },
        intensity: Intensity {
            max_restarts: 100,
            period_ms: 60_000,
        },
        call_timeout: Duration::from_secs(10),
    }
}

pub async fn start(
    counter: Counter,
    config: KeyedHostConfig,
) -> (Arc<Counter>, KeyedHost<Counter>, Introspection) {
    let tree = Introspection::new("test");
    let counter = Arc::new(counter);
    let host = KeyedHost::start(counter.clone(), config, &tree)
        .await
        .unwrap();
    (counter, host, tree)
}

pub async fn add(host: &KeyedHost<Counter>, key: &str, amount: u64) -> Result<u64, HostError> {
    host.call(&key.to_owned(), |reply| Msg::Add(amount, reply))
        .await
}

pub async fn get(host: &KeyedHost<Counter>, key: &str) -> Result<u64, HostError> {
    host.call(&key.to_owned(), Msg::Get).await
}

/// Calls `Get` until the actor answers (a call racing a restart may get `ActorDied`).
pub async fn get_after_restart(host: &KeyedHost<Counter>, key: &str) -> u64 {
    for _ in 0..200 {
        match get(host, key).await {
            Ok(value) => return value,
            Err(HostError::ActorDied { .. }) => tokio::time::sleep(Duration::from_millis(5)).await,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    panic!("actor {key} never answered after its restart");
}

/// Waits (at most 10 s) for the first event matching `matches`.
pub async fn wait_for(
    events: &mut broadcast::Receiver<SupervisionEvent>,
    matches: impl Fn(&SupervisionEvent) -> bool,
) -> SupervisionEvent {
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) if matches(&event) => return event,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => panic!("event stream closed"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("event did not arrive")
}
