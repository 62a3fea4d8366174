//! Corridor benchmarks (docs/PERFORMANCE.md): netting at scale and fork resolution.
//!
//! Run: `cargo bench -p msez-protocol --bench corridor`.

// A bench is a test-like harness: a failed unwrap aborts the run with a backtrace.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use msez_protocol::corridor::fork::{ForkPolicy, ReceiptHeader, detect_fork, resolve_fork};
use msez_protocol::corridor::watcher::{AttestationStatement, WatcherAttestation, WatcherRegistry};
use msez_protocol::currency::Currency;
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::ids::{EntityId, ObligationId};
use msez_protocol::keys::SigningKey;
use msez_protocol::netting::{NettingMode, Obligation, net};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::ObservedHead;

/// 1,000,000 obligations across 10,000 parties in 3 currencies, from a fixed linear congruential
/// sequence so every run nets the same input.
fn obligations() -> Vec<Obligation> {
    let parties: Vec<EntityId> = (0..10_000)
        .map(|index| EntityId::new(format!("party-{index:05}")).unwrap())
        .collect();
    let currencies = ["USD", "EUR", "JPY"].map(|code| Currency::parse(code).unwrap());
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    (0..1_000_000u64)
        .map(|index| {
            let from = usize::try_from(next() % 10_000).unwrap();
            let offset = usize::try_from(1 + next() % 9_999).unwrap();
            Obligation::new(
                ObligationId::new(format!("o{index}")).unwrap(),
                parties[from].clone(),
                parties[(from + offset) % 10_000].clone(),
                1 + next() % 1_000_000,
                currencies[usize::try_from(index % 3).unwrap()],
            )
            .unwrap()
        })
        .collect()
}

/// Nanoseconds this process has spent on a CPU (Linux `/proc/self/schedstat`, first field).
/// The bench machine is shared, so wall time overstates the cost; on-CPU time is the honest
/// single-core figure, printed next to criterion's wall-clock estimate.
fn on_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `work` `runs` times, prints the mean on-CPU time per run and returns it in
/// nanoseconds (`None` where `/proc/self/schedstat` is unavailable).
fn report_on_cpu<T>(label: &str, runs: u32, mut work: impl FnMut() -> T) -> Option<f64> {
    let Some(start) = on_cpu_ns() else {
        println!("{label}: /proc/self/schedstat unavailable; see criterion's wall time");
        return None;
    };
    for _ in 0..runs {
        black_box(work());
    }
    let spent = on_cpu_ns().unwrap_or(start) - start;
    let per_run_ns = spent as f64 / f64::from(runs);
    println!(
        "{label}: {:.1} ms on-CPU per run (mean of {runs})",
        per_run_ns / 1e6
    );
    Some(per_run_ns)
}

fn netting(c: &mut Criterion) {
    let input = obligations();
    report_on_cpu("netting 1M obligations", 5, || {
        net(&input, NettingMode::Multilateral).unwrap()
    });
    let mut group = c.benchmark_group("netting");
    group.sample_size(10);
    group.bench_function(
        "multilateral_1m_obligations_10k_parties_3_currencies",
        |b| b.iter(|| net(black_box(&input), NettingMode::Multilateral).unwrap()),
    );
    group.finish();
}

/// Attestations per branch in the fork bench.
const ATTESTATIONS_PER_BRANCH: u16 = 100;

/// A fork with 100 attestations on each branch from 200 distinct active watchers (quorum 67).
fn fork_resolution(c: &mut Criterion) {
    let corridor_id = CorridorId::new("corridor:PK-AE").unwrap();
    let header = |next: u8| ReceiptHeader {
        corridor_id: corridor_id.clone(),
        sequence: 42,
        prev_root: Digest::from_bytes([1; 32]),
        next_root: Digest::from_bytes([next; 32]),
    };
    let fork = detect_fork(&header(0xAA), &header(0xBB)).unwrap();
    let created = Timestamp::from_unix_seconds(1_800_000_000).unwrap();
    let mut registry = WatcherRegistry::new();
    let mut attestations = Vec::new();
    for index in 0..2 * ATTESTATIONS_PER_BRANCH {
        let mut seed = [7u8; 32];
        seed[..2].copy_from_slice(&index.to_le_bytes());
        let key = SigningKey::from_seed(&seed);
        registry.register(*key.did()).unwrap();
        registry.bond(key.did(), 1_000).unwrap();
        registry.activate(key.did()).unwrap();
        let candidate = if index < ATTESTATIONS_PER_BRANCH {
            0xAA
        } else {
            0xBB
        };
        let statement = AttestationStatement {
            corridor_id: corridor_id.clone(),
            height: 42,
            parent_root: Digest::from_bytes([1; 32]),
            candidate_root: Digest::from_bytes([candidate; 32]),
            observed_head: ObservedHead {
                corridor_id: corridor_id.clone(),
                height: 43,
                next_root: Digest::from_bytes([candidate; 32]),
                mmr_root: Some(Digest::from_bytes([9; 32])),
            },
        };
        attestations.push(WatcherAttestation::sign(statement, &key, created).unwrap());
    }
    let policy = ForkPolicy {
        quorum_threshold: 67,
        bond_minor_min: 1_000,
        authorities: Default::default(),
        authority_threshold: 1,
    };
    let attestation_count = attestations.len() as f64;
    let resolution_ns = report_on_cpu("fork resolution, 200 attestations (batch)", 20, || {
        resolve_fork(&fork, &attestations, &registry, &policy, &[]).unwrap()
    });
    let ceiling_ns = report_on_cpu("single-verify ceiling, 200 attestations", 20, || {
        for attestation in &attestations {
            attestation.verify().unwrap();
        }
    });
    if let (Some(resolution_ns), Some(ceiling_ns)) = (resolution_ns, ceiling_ns) {
        let resolved_per_second = attestation_count / resolution_ns * 1e9;
        let ceiling_per_second = attestation_count / ceiling_ns * 1e9;
        println!(
            "fork resolution: {resolved_per_second:.0} attestations verified/s on-CPU; \
             single-verify ceiling {ceiling_per_second:.0}/s; ratio {:.2}",
            resolved_per_second / ceiling_per_second
        );
    }
    let mut group = c.benchmark_group("fork_resolution");
    group.throughput(criterion::Throughput::Elements(attestations.len() as u64));
    group.bench_function("resolve_100_attestations_per_branch_batch_verified", |b| {
        b.iter(|| resolve_fork(&fork, black_box(&attestations), &registry, &policy, &[]).unwrap())
    });
    group.bench_function("single_verify_ceiling_200_attestations", |b| {
        b.iter(|| {
            for attestation in black_box(&attestations) {
                attestation.verify().unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, netting, fork_resolution);
criterion_main!(benches);
