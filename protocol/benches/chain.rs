//! Receipt-path benchmarks: canonicalising a ~600-byte receipt, MMR append, producing a signed
//! receipt end to end (build the transition, seal next_root, sign with one key, MMR append)
//! next to the raw Ed25519 sign it is bounded by, and chain append with full verification.
//!
//! Run: `cargo bench -p msez-protocol --bench chain -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::chain::ReceiptChain;
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::SigningKey;
use msez_protocol::mmr::{Mmr, MmrPeaks};
use msez_protocol::policy::SigningPolicy;
use msez_protocol::receipt::{DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;

const T0_UNIX_SECONDS: i64 = 1_700_000_000;

fn digest(byte: u8) -> Digest {
    Digest::from_bytes([byte; 32])
}

fn genesis() -> Genesis {
    Genesis::new(
        CorridorId::new("PK-AE.trade.1").unwrap(),
        digest(0x11),
        digest(0x22),
        DigestSet::normalised([digest(0x33)]),
        DigestSet::normalised([digest(0x44)]),
    )
}

fn payload(index: u64) -> Value {
    json!({"amount_minor": 125_000 + index, "currency": "USD", "netting_round": index})
}

/// The next receipt on `chain` before sealing (next_root not yet computed).
fn unsealed_receipt(chain: &ReceiptChain, index: u64) -> Receipt {
    Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: chain.corridor_id().clone(),
        sequence: chain.height(),
        timestamp: Timestamp::from_unix_seconds(T0_UNIX_SECONDS + i64::try_from(index).unwrap())
            .unwrap(),
        prev_root: chain.head(),
        next_root: digest(0),
        lawpack_digest_set: chain.lawpack_digest_set().clone(),
        ruleset_digest_set: chain.ruleset_digest_set().clone(),
        transition: Some(Transition::new("netting.settled", payload(index)).unwrap()),
    }
}

/// The next receipt on `chain`, sealed: about 600 bytes of canonical JSON without its proof.
fn next_receipt(chain: &ReceiptChain, index: u64) -> Receipt {
    unsealed_receipt(chain, index)
        .with_computed_next_root()
        .unwrap()
}

fn fixture() -> (SigningKey, ReceiptChain) {
    let key = SigningKey::from_seed(&[7; 32]);
    let policy = SigningPolicy::new(1, vec![*key.did()]).unwrap();
    let chain = ReceiptChain::from_genesis(&genesis(), policy).unwrap();
    (key, chain)
}

fn created() -> Timestamp {
    Timestamp::from_unix_seconds(T0_UNIX_SECONDS).unwrap()
}

fn canonicalise(c: &mut Criterion) {
    let (_, chain) = fixture();
    let value = next_receipt(&chain, 0).to_value().unwrap();
    let length_bytes = CanonicalBytes::new(&value).unwrap().as_bytes().len();
    let mut group = c.benchmark_group("receipt");
    group.throughput(Throughput::Bytes(length_bytes as u64));
    group.bench_function(format!("canonicalise_{length_bytes}_bytes"), |b| {
        b.iter(|| CanonicalBytes::new(black_box(&value)).unwrap());
    });
    group.finish();
}

fn mmr_append(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmr");
    group.throughput(Throughput::Elements(1));
    group.bench_function("append_frontier", |b| {
        let mut peaks = MmrPeaks::new();
        let next_root = digest(9);
        b.iter(|| peaks.append(black_box(&next_root)).unwrap());
    });
    group.throughput(Throughput::Elements(256));
    group.bench_function("append_full_256_leaves", |b| {
        b.iter_batched_ref(
            Mmr::new,
            |mmr| {
                for byte in 0..=255u8 {
                    mmr.append(black_box(&digest(byte))).unwrap();
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn produce(c: &mut Criterion) {
    let (key, chain) = fixture();
    let mut group = c.benchmark_group("receipt");
    group.throughput(Throughput::Elements(1));
    let message = [0x5a_u8; 64];
    group.bench_function("raw_ed25519_sign_64_bytes", |b| {
        b.iter(|| key.sign(black_box(&message)));
    });
    group.bench_function("produce_signed_receipt", |b| {
        let mut mmr = MmrPeaks::new();
        let mut index = 0u64;
        b.iter(|| {
            index += 1;
            let receipt = unsealed_receipt(&chain, index);
            let signed = SignedReceipt::seal_and_sign(receipt, &[&key], created()).unwrap();
            mmr.append(&signed.document.next_root).unwrap();
            signed
        });
    });
    group.finish();
    interleaved_ratios(&key, &chain);
}

/// Rounds and operations per round of the interleaved measurement.
const RATIO_ROUND_COUNT: u32 = 200;
const RATIO_OPS_PER_ROUND: u32 = 10;

/// Fastest per-operation time over many short rounds of raw signing, the physical ceiling of a
/// receipt (canonicalise one receipt value, SHA-256 it, sign 64 bytes, append to the MMR
/// frontier) and receipt production as in `produce_signed_receipt`, interleaved so every
/// operation meets the same load; the minimum is the least disturbed run on a shared machine.
fn interleaved_ratios(key: &SigningKey, chain: &ReceiptChain) {
    let message = [0x5a_u8; 64];
    let value = next_receipt(chain, 0).to_value().unwrap();
    let mut ceiling_mmr = MmrPeaks::new();
    let mut produce_mmr = MmrPeaks::new();
    let mut index = 0u64;
    let mut operations: [(&str, &mut dyn FnMut()); 3] = [
        ("raw_ed25519_sign", &mut || {
            black_box(key.sign(black_box(&message)));
        }),
        ("ceiling_canonicalise_sha256_sign_mmr_append", &mut || {
            let digest = CanonicalBytes::new(black_box(&value)).unwrap().digest();
            let mut input = [0u8; 64];
            input[..32].copy_from_slice(digest.as_bytes());
            black_box(key.sign(&input));
            ceiling_mmr.append(&digest).unwrap();
        }),
        ("produce_signed_receipt", &mut || {
            index += 1;
            let receipt = unsealed_receipt(chain, index);
            let signed = SignedReceipt::seal_and_sign(receipt, &[key], created()).unwrap();
            produce_mmr.append(&signed.document.next_root).unwrap();
            black_box(signed);
        }),
    ];
    let mut minimums_ns = [u128::MAX; 3];
    for _ in 0..RATIO_ROUND_COUNT {
        for ((_, operation), minimum_ns) in operations.iter_mut().zip(&mut minimums_ns) {
            let start = std::time::Instant::now();
            for _ in 0..RATIO_OPS_PER_ROUND {
                operation();
            }
            let per_op_ns = start.elapsed().as_nanos() / u128::from(RATIO_OPS_PER_ROUND);
            *minimum_ns = (*minimum_ns).min(per_op_ns);
        }
    }
    for ((name, _), minimum_ns) in operations.iter().zip(&minimums_ns) {
        eprintln!(
            "interleaved minimum {name}: {:.2} µs ({:.0}/s)",
            *minimum_ns as f64 / 1000.0,
            1e9 / *minimum_ns as f64
        );
    }
    let [sign_ns, ceiling_ns, produce_ns] = minimums_ns.map(|ns| ns.max(1) as f64);
    eprintln!(
        "receipt production / raw sign: {:.2}; / physical ceiling: {:.2}",
        sign_ns / produce_ns,
        ceiling_ns / produce_ns
    );
}

fn chain_append(c: &mut Criterion) {
    const RECEIPT_COUNT: u64 = 1024;
    let (key, start) = fixture();
    let mut builder = start.clone();
    let now = Timestamp::from_unix_seconds(T0_UNIX_SECONDS + 10_000).unwrap();
    let receipts: Vec<SignedReceipt> = (0..RECEIPT_COUNT)
        .map(|index| {
            let receipt = unsealed_receipt(&builder, index);
            let signed = SignedReceipt::seal_and_sign(receipt, &[&key], created()).unwrap();
            builder.append(&signed, now).unwrap();
            signed
        })
        .collect();
    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(1));
    group.bench_function("append_verified", |b| {
        b.iter_custom(|iterations| {
            let mut elapsed = std::time::Duration::ZERO;
            let mut remaining = iterations;
            while remaining > 0 {
                let mut chain = start.clone();
                let take = remaining.min(RECEIPT_COUNT);
                let began = std::time::Instant::now();
                for signed in receipts.iter().take(usize::try_from(take).unwrap()) {
                    chain.append(black_box(signed), now).unwrap();
                }
                elapsed += began.elapsed();
                remaining -= take;
            }
            elapsed
        });
    });
    group.finish();
}

criterion_group!(benches, canonicalise, mmr_append, produce, chain_append);
criterion_main!(benches);
