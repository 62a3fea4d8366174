//! KeyedHost bench binary: activation rate, message throughput over 10,000 active keys, restart
//! latency (p50/p99), and RSS per actor.
//!
//! Run: `cargo bench -p msez-runtime --bench host` (release). `MSEZ_BENCH_SECS` sets the
//! throughput phase length (default 3). Numbers are noisy on a shared machine: report them with
//! the load average.

// A bench binary is a test tool: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use msez_runtime::{
    ActorFailure, Backoff, HostError, Intensity, Introspection, Keyed, KeyedHost, KeyedHostConfig,
    Reply, RestartPolicy,
};

const KEY_COUNT: u64 = 10_000;
const CALLER_COUNT: u64 = 256;
const RESTART_SAMPLES: usize = 1_000;

struct Bench;

enum Msg {
    Add(u64, Reply<u64>),
    Bump,
    Fail,
}

impl Keyed for Bench {
    type Key = u64;
    type Msg = Msg;
    type State = u64;

    async fn hydrate(&self, key: &u64) -> Result<u64, ActorFailure> {
        Ok(*key)
    }

    async fn handle(&self, _key: &u64, state: &mut u64, msg: Msg) -> Result<(), ActorFailure> {
        match msg {
            Msg::Add(amount, reply) => {
                *state += amount;
                let _ = reply.send(*state);
            }
            Msg::Bump => *state += 1,
            Msg::Fail => return Err(ActorFailure::new("bench failure")),
        }
        Ok(())
    }

    async fn passivate(&self, _key: &u64, _state: &mut u64) -> Result<(), ActorFailure> {
        Ok(())
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let phase = Duration::from_secs(
        std::env::var("MSEZ_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3),
    );
    let tree = Introspection::new("bench");
    let config = KeyedHostConfig {
        name: "keys".to_owned(),
        shard_count: 64,
        admission_bound: 1_024,
        idle_passivation: None,
        restart: RestartPolicy::Permanent,
        backoff: Backoff {
            initial_ms: 0,
            max_ms: 0,
        },
        intensity: Intensity {
            max_restarts: 1_000_000,
            period_ms: 1_000,
        },
        call_timeout: Duration::from_secs(30),
    };
    let host = KeyedHost::start(Arc::new(Bench), config, &tree)
        .await
        .unwrap();
    let rss_before_kib = rss_kib();

    // Activation: first call on each of 10,000 keys, from 256 concurrent callers.
    let started = Instant::now();
    let callers: Vec<_> = (0..CALLER_COUNT)
        .map(|caller| {
            let host = host.clone();
            tokio::spawn(async move {
                let mut key = caller;
                while key < KEY_COUNT {
                    host.call(&key, |reply| Msg::Add(0, reply)).await.unwrap();
                    key += CALLER_COUNT;
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    let activation_secs = started.elapsed().as_secs_f64();
    assert_eq!(host.active_count(), KEY_COUNT as usize);
    let rss_after_kib = rss_kib();
    println!(
        "activation: {KEY_COUNT} keys in {activation_secs:.3} s = {:.0} activations/s",
        KEY_COUNT as f64 / activation_secs
    );
    println!(
        "rss: {} MiB before, {} MiB with {KEY_COUNT} actors = {:.2} KiB/actor",
        rss_before_kib / 1024,
        rss_after_kib / 1024,
        rss_after_kib.saturating_sub(rss_before_kib) as f64 / KEY_COUNT as f64
    );

    // Request/reply throughput: 256 callers, each call to a pseudo-random key of 10,000.
    let calls = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + phase;
    let callers: Vec<_> = (0..CALLER_COUNT)
        .map(|caller| {
            let host = host.clone();
            let calls = calls.clone();
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(caller);
                while Instant::now() < deadline {
                    let key = rng.u64(0..KEY_COUNT);
                    host.call(&key, |reply| Msg::Add(1, reply)).await.unwrap();
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    let call_count = calls.load(Ordering::Relaxed);
    println!(
        "call throughput: {call_count} calls in {:.1} s = {:.0} calls/s",
        phase.as_secs_f64(),
        call_count as f64 / phase.as_secs_f64()
    );

    // Fire-and-forget throughput (send returns once admitted); overloads are counted, not retried.
    let sent = Arc::new(AtomicU64::new(0));
    let overloaded = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + phase;
    let started = Instant::now();
    let senders: Vec<_> = (0..CALLER_COUNT)
        .map(|caller| {
            let host = host.clone();
            let sent = sent.clone();
            let overloaded = overloaded.clone();
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(caller + 1_000);
                let mut batch = 0u32;
                while Instant::now() < deadline {
                    let key = rng.u64(0..KEY_COUNT);
                    match host.send(&key, Msg::Bump).await {
                        Ok(()) => sent.fetch_add(1, Ordering::Relaxed),
                        Err(HostError::Overloaded { .. }) => {
                            overloaded.fetch_add(1, Ordering::Relaxed)
                        }
                        Err(other) => panic!("{other}"),
                    };
                    batch += 1;
                    if batch.is_multiple_of(64) {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    // Drain: one call per key answers only after every earlier message to it.
    for key in 0..KEY_COUNT {
        host.call(&key, |reply| Msg::Add(0, reply)).await.unwrap();
    }
    let drained_secs = started.elapsed().as_secs_f64();
    let sent_count = sent.load(Ordering::Relaxed);
    println!(
        "send throughput: {sent_count} messages admitted and handled in {drained_secs:.1} s = {:.0} msg/s ({} overloaded)",
        sent_count as f64 / drained_secs,
        overloaded.load(Ordering::Relaxed)
    );

    // Restart latency: crash a key, then time until its next incarnation answers (backoff 0).
    let mut latencies_us = Vec::with_capacity(RESTART_SAMPLES);
    for sample in 0..RESTART_SAMPLES {
        let key = sample as u64;
        let started = Instant::now();
        host.send(&key, Msg::Fail).await.unwrap();
        loop {
            match host.call(&key, |reply| Msg::Add(0, reply)).await {
                Ok(_) => break,
                Err(HostError::ActorDied { .. }) => tokio::task::yield_now().await,
                Err(other) => panic!("{other}"),
            }
        }
        latencies_us.push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    latencies_us.sort_unstable();
    let percentile =
        |p: usize| latencies_us[(latencies_us.len() * p / 100).min(latencies_us.len() - 1)];
    println!(
        "restart latency (crash -> next reply, backoff 0): p50 {} us, p99 {} us, max {} us over {RESTART_SAMPLES}",
        percentile(50),
        percentile(99),
        latencies_us[latencies_us.len() - 1]
    );

    let started = Instant::now();
    host.shutdown().await.unwrap();
    println!(
        "shutdown (passivate {KEY_COUNT} actors): {:.3} s",
        started.elapsed().as_secs_f64()
    );
}
