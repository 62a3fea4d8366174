//! Corridor benchmarks (docs/PERFORMANCE.md): netting at scale and fork resolution.
//!
//! Run: `cargo bench -p msez-protocol --bench corridor`.

// A bench is a test-like harness: a failed unwrap aborts the run with a backtrace.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use msez_protocol::currency::Currency;
use msez_protocol::ids::{EntityId, ObligationId};
use msez_protocol::netting::{NettingMode, Obligation, net};

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

fn netting(c: &mut Criterion) {
    let input = obligations();
    let mut group = c.benchmark_group("netting");
    group.sample_size(10);
    group.bench_function(
        "multilateral_1m_obligations_10k_parties_3_currencies",
        |b| b.iter(|| net(black_box(&input), NettingMode::Multilateral).unwrap()),
    );
    group.finish();
}

criterion_group!(benches, netting);
criterion_main!(benches);
