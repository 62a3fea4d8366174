//! Crypto benchmarks: the raw Ed25519 ceiling, eddsa-jcs-2022 proofs on a receipt-sized
//! document, credential issue and verify, and batch against single proof verification.
//!
//! Run: `cargo bench -p msez-protocol --bench crypto -- --warm-up-time 1 --measurement-time 3`.

// A bench is test code: a broken fixture should stop it loudly.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::keys::{self, SigningKey, verify_batch_strict};
use msez_protocol::proof::{self, Proof, ProofPurpose};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::{ObservedHead, WatcherAttestationSubject};
use msez_protocol::vc::{self, Credential, CredentialTerms};

/// Rounds and operations per round of the interleaved ratio measurement.
const RATIO_ROUND_COUNT: u32 = 200;
const RATIO_OPS_PER_ROUND: u32 = 10;

/// Proofs per batch in the batch comparison: a fork resolution weighs a few dozen to a few
/// hundred watcher attestations.
const BATCH_PROOF_COUNT: usize = 64;

fn created() -> Timestamp {
    Timestamp::from_unix_seconds(1_767_225_600).expect("time")
}

/// A receipt-like document of about 600 canonical bytes (SPEC §5 fields).
fn receipt(sequence: u64) -> Value {
    json!({
        "type": "MSEZCorridorStateReceipt",
        "corridor_id": "corridor.pk-ae.0001",
        "sequence": sequence,
        "timestamp": "2026-01-02T03:04:05Z",
        "prev_root": "2d3f8d2c6e0f43bd56ab9f1ad7d7e2e0c59b4a3a1d0b8c7e6f5a4b3c2d1e0f9a",
        "next_root": "9a0f1e2d3c4b5a6f7e8c0b1d3a4b9c5e0e2d7d7a1f9ba56bd3430f6e2c8d3f2d",
        "lawpack_digest_set": ["11aa22bb33cc44dd55ee66ff77008899aabbccddeeff00112233445566778899"],
        "ruleset_digest_set": ["33cc44dd55ee66ff77008899aabbccddeeff0011223344556677889911aa22bb"],
        "transition": {"kind": "transfer", "payload": {"amount_minor": 125000, "currency": "USD",
            "from": "ent-0001", "to": "ent-0002"},
            "payload_sha256": "a3b1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}
    })
}

fn attestation_credential(issuer: &SigningKey) -> Credential {
    let subject = WatcherAttestationSubject {
        watcher: *issuer.did(),
        corridor_id: "corridor.pk-ae.0001".parse().expect("id"),
        sequence: 41,
        prev_root: "2d3f8d2c6e0f43bd56ab9f1ad7d7e2e0c59b4a3a1d0b8c7e6f5a4b3c2d1e0f9a"
            .parse()
            .expect("digest"),
        next_root: "9a0f1e2d3c4b5a6f7e8c0b1d3a4b9c5e0e2d7d7a1f9ba56bd3430f6e2c8d3f2d"
            .parse()
            .expect("digest"),
        observed_head: ObservedHead {
            corridor_id: "corridor.pk-ae.0001".parse().expect("id"),
            height: 41,
            next_root: "2d3f8d2c6e0f43bd56ab9f1ad7d7e2e0c59b4a3a1d0b8c7e6f5a4b3c2d1e0f9a"
                .parse()
                .expect("digest"),
            mmr_root: Some(
                "5b0f1e2d3c4b5a6f7e8c0b1d3a4b9c5e0e2d7d7a1f9ba56bd3430f6e2c8d3f2d"
                    .parse()
                    .expect("digest"),
            ),
        },
        observed_at: created(),
    };
    let terms = CredentialTerms {
        id: Some("urn:uuid:0b6d1f7e-8e0a-4c9b-9d3e-1f2a3b4c5d6e".to_owned()),
        issuer: *issuer.did(),
        valid_from: created(),
        valid_until: None,
        status: None,
    };
    Credential::build(&subject, terms).expect("credential")
}

/// The fastest per-operation time of `operation` over many short rounds, interleaved with the
/// other operations measured: on a shared machine the minimum is the run least disturbed by
/// other processes, and interleaving exposes every operation to the same load.
fn interleaved_minimums(operations: &mut [(&str, &mut dyn FnMut())]) {
    let mut minimums_ns = vec![u128::MAX; operations.len()];
    for _ in 0..RATIO_ROUND_COUNT {
        for ((_, operation), minimum_ns) in operations.iter_mut().zip(&mut minimums_ns) {
            let start = Instant::now();
            for _ in 0..RATIO_OPS_PER_ROUND {
                operation();
            }
            let per_op_ns = start.elapsed().as_nanos() / u128::from(RATIO_OPS_PER_ROUND);
            *minimum_ns = (*minimum_ns).min(per_op_ns);
        }
    }
    let baseline_ns = minimums_ns.first().copied().unwrap_or(1).max(1);
    for ((name, _), minimum_ns) in operations.iter().zip(&minimums_ns) {
        eprintln!(
            "interleaved minimum {name}: {:.1} µs ({:.0}/s, {:.2}x {})",
            *minimum_ns as f64 / 1000.0,
            1e9 / *minimum_ns as f64,
            *minimum_ns as f64 / baseline_ns as f64,
            operations.first().map_or("", |(first, _)| *first),
        );
    }
}

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_seed(&[7u8; 32]);
    let verifying = key.verifying_key();
    let message = [0x5au8; 64];
    let signature = key.sign(&message);

    c.bench_function("ed25519_sign_64B", |b| {
        b.iter(|| key.sign(black_box(&message)))
    });
    c.bench_function("ed25519_verify_strict_64B", |b| {
        b.iter(|| verifying.verify(black_box(&message), black_box(&signature)))
    });

    let document = receipt(41);
    let canonical_length = CanonicalBytes::new(&document)
        .expect("canonical")
        .as_bytes()
        .len();
    eprintln!("receipt document: {canonical_length} canonical bytes");
    c.bench_function("proof_create_receipt", |b| {
        b.iter(|| {
            proof::create_proof(
                black_box(&document),
                &key,
                created(),
                ProofPurpose::AssertionMethod,
            )
        })
    });
    let receipt_proof =
        proof::create_proof(&document, &key, created(), ProofPurpose::AssertionMethod)
            .expect("sign");
    c.bench_function("proof_verify_receipt", |b| {
        b.iter(|| proof::verify_proof(black_box(&document), black_box(&receipt_proof)))
    });
    let mut secured = document.clone();
    proof::add_proof(&mut secured, &receipt_proof).expect("add");
    c.bench_function("proof_verify_document_receipt", |b| {
        b.iter(|| proof::verify_document(black_box(&secured)))
    });

    let credential = attestation_credential(&key);
    c.bench_function("vc_issue_watcher_attestation", |b| {
        b.iter(|| vc::issue(black_box(&credential), &key, created()))
    });
    let issued = vc::issue(&credential, &key, created()).expect("issue");
    let report = vc::verify_credential(&issued, created());
    assert!(report.verified, "{report:?}");
    c.bench_function("vc_verify_watcher_attestation", |b| {
        b.iter(|| vc::verify_credential(black_box(&issued), created()))
    });

    interleaved_minimums(&mut [
        ("ed25519_verify_strict", &mut || {
            black_box(
                verifying
                    .verify(black_box(&message), black_box(&signature))
                    .is_ok(),
            );
        }),
        ("ed25519_sign", &mut || {
            black_box(key.sign(black_box(&message)));
        }),
        ("proof_verify_receipt", &mut || {
            black_box(proof::verify_proof(black_box(&document), &receipt_proof).is_ok());
        }),
        ("vc_issue", &mut || {
            black_box(vc::issue(black_box(&credential), &key, created()).is_ok());
        }),
        ("vc_verify", &mut || {
            black_box(vc::verify_credential(black_box(&issued), created()).verified);
        }),
    ]);

    let signers: Vec<SigningKey> = (0..BATCH_PROOF_COUNT)
        .map(|index| SigningKey::from_seed(&[u8::try_from(index % 251).unwrap_or(0); 32]))
        .collect();
    let documents: Vec<Value> = (0..BATCH_PROOF_COUNT)
        .map(|index| receipt(index as u64))
        .collect();
    let proofs: Vec<Proof> = documents
        .iter()
        .zip(&signers)
        .map(|(document, signer)| {
            proof::create_proof(document, signer, created(), ProofPurpose::AssertionMethod)
                .expect("sign")
        })
        .collect();
    let items: Vec<(&Value, &Proof)> = documents.iter().zip(&proofs).collect();
    let mut group = c.benchmark_group("proofs_x64");
    group.bench_function("single", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|(document, proof)| proof::verify_proof(document, proof))
                .collect::<Result<Vec<_>, _>>()
        })
    });
    group.bench_function("batch_strict", |b| {
        b.iter(|| proof::verify_proofs_batch(black_box(&items)))
    });
    // The raw dalek batch on the same signing inputs, without the strictness pre-checks: the
    // cost of those checks is the difference to raw signatures below.
    let raw_messages: Vec<Vec<u8>> = (0..BATCH_PROOF_COUNT)
        .map(|index| vec![index as u8; 64])
        .collect();
    let raw_keys: Vec<ed25519_dalek::SigningKey> = (0..BATCH_PROOF_COUNT)
        .map(|index| ed25519_dalek::SigningKey::from_bytes(&[index as u8; 32]))
        .collect();
    let raw_signatures: Vec<ed25519_dalek::Signature> = raw_keys
        .iter()
        .zip(&raw_messages)
        .map(|(signer, message)| ed25519_dalek::Signer::sign(signer, message))
        .collect();
    let raw_verifying: Vec<ed25519_dalek::VerifyingKey> = raw_keys
        .iter()
        .map(ed25519_dalek::SigningKey::verifying_key)
        .collect();
    let raw_slices: Vec<&[u8]> = raw_messages.iter().map(Vec::as_slice).collect();
    group.bench_function("raw_dalek_verify_batch", |b| {
        b.iter(|| ed25519_dalek::verify_batch(&raw_slices, &raw_signatures, &raw_verifying))
    });
    let strict_signatures: Vec<keys::Signature> = raw_signatures
        .iter()
        .map(|signature| keys::Signature::from_bytes(signature.to_bytes()))
        .collect();
    let strict_keys: Vec<keys::VerifyingKey> = raw_verifying
        .iter()
        .map(|key| keys::VerifyingKey::from_bytes(key.as_bytes()).expect("key"))
        .collect();
    group.bench_function("raw_verify_batch_strict", |b| {
        b.iter(|| verify_batch_strict(&raw_slices, &strict_signatures, &strict_keys))
    });
    group.finish();
}

criterion_group!(crypto, benches);
criterion_main!(crypto);
