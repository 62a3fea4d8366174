//! Fixed-iteration driver for instruction counts under `valgrind --tool=callgrind`.
//!
//! On the shared bench machine wall-clock ratios move with the load; instruction counts do not.
//! This binary runs one named operation a given number of times and nothing else, so the cost
//! of one operation is the difference between two runs divided by the difference in counts
//! (setup cancels out):
//!
//! ```text
//! cargo bench -p msez-protocol --bench instructions --no-run   # prints the binary path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null BINARY OPERATION COUNT
//! ```
//!
//! docs/PERFORMANCE.md gives the numbers and the counts used. Without arguments (as under
//! `cargo test --benches`) it prints its usage and exits successfully.
//! Operations: `sign`, `verify`, `produce_receipt`, `receipt_ceiling`, `vc_verify`,
//! `vc_verify_cold` (a different issuer each time, so no key is remembered), `netting_1m`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use serde_json::json;

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::currency::Currency;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, ObligationId};
use msez_protocol::keys::SigningKey;
use msez_protocol::mmr::MmrPeaks;
use msez_protocol::netting::{NettingMode, Obligation, net};
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::{ObservedHead, WatcherAttestationSubject};
use msez_protocol::vc::{self, Credential, CredentialTerms};

const T0_UNIX_SECONDS: i64 = 1_700_000_000;

fn digest(byte: u8) -> Digest {
    Digest::from_bytes([byte; 32])
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0_UNIX_SECONDS + seconds).unwrap()
}

/// The same unsealed receipt as the `chain` bench's `produce_signed_receipt`.
fn unsealed_receipt(index: u64) -> Receipt {
    Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: CorridorId::new("PK-AE.trade.1").unwrap(),
        sequence: index,
        timestamp: at(i64::try_from(index).unwrap()),
        prev_root: digest(0x55),
        next_root: digest(0),
        lawpack_digest_set: DigestSet::normalised([digest(0x33)]),
        ruleset_digest_set: DigestSet::normalised([digest(0x44)]),
        transition: Some(
            Transition::new(
                "netting.settled",
                json!({"amount_minor": 125_000 + index, "currency": "USD", "netting_round": index}),
            )
            .unwrap(),
        ),
    }
}

/// The same watcher-attestation credential as the `crypto` bench's `vc_verify`.
fn issued_credential(key: &SigningKey) -> serde_json::Value {
    let subject = WatcherAttestationSubject {
        watcher: *key.did(),
        corridor_id: "corridor.pk-ae.0001".parse().unwrap(),
        sequence: 41,
        prev_root: digest(0x2d),
        next_root: digest(0x9a),
        observed_head: ObservedHead {
            corridor_id: "corridor.pk-ae.0001".parse().unwrap(),
            height: 41,
            next_root: digest(0x2d),
            mmr_root: Some(digest(0x5b)),
        },
        observed_at: at(0),
    };
    let terms = CredentialTerms {
        id: Some("urn:uuid:0b6d1f7e-8e0a-4c9b-9d3e-1f2a3b4c5d6e".to_owned()),
        issuer: *key.did(),
        valid_from: at(0),
        valid_until: None,
        status: None,
    };
    vc::issue(&Credential::build(&subject, terms).unwrap(), key, at(0)).unwrap()
}

/// The `corridor` bench's input: 1,000,000 obligations, 10,000 parties, 3 currencies.
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

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; ignore flags.
    let arguments: Vec<&str> = arguments
        .iter()
        .map(String::as_str)
        .filter(|argument| !argument.starts_with("--"))
        .collect();
    let (Some(operation), Some(count)) = (arguments.first(), arguments.get(1)) else {
        eprintln!("usage: instructions OPERATION COUNT (see the module doc for operations)");
        return;
    };
    let count: u64 = count.parse().expect("COUNT is an integer");
    let key = SigningKey::from_seed(&[7; 32]);
    match *operation {
        "sign" => {
            let message = [0x5a_u8; 64];
            for _ in 0..count {
                black_box(key.sign(black_box(&message)));
            }
        }
        "verify" => {
            let message = [0x5a_u8; 64];
            let signature = key.sign(&message);
            let verifying = key.verifying_key();
            for _ in 0..count {
                verifying
                    .verify(black_box(&message), black_box(&signature))
                    .unwrap();
            }
        }
        "produce_receipt" => {
            let mut mmr = MmrPeaks::new();
            for index in 0..count {
                let receipt = unsealed_receipt(index);
                let signed = SignedReceipt::seal_and_sign(receipt, &[&key], at(0)).unwrap();
                mmr.append(&signed.document.next_root).unwrap();
                black_box(signed);
            }
        }
        "receipt_ceiling" => {
            // The physical ceiling of one receipt: canonicalise a sealed receipt's value once,
            // SHA-256 it, sign 64 bytes, append to the MMR frontier.
            let value = unsealed_receipt(0)
                .with_computed_next_root()
                .unwrap()
                .to_value()
                .unwrap();
            let mut mmr = MmrPeaks::new();
            for _ in 0..count {
                let digest = CanonicalBytes::new(black_box(&value)).unwrap().digest();
                let mut input = [0u8; 64];
                input[..32].copy_from_slice(digest.as_bytes());
                black_box(key.sign(&input));
                mmr.append(&digest).unwrap();
            }
        }
        "vc_verify" => {
            let issued = issued_credential(&key);
            for _ in 0..count {
                let report = vc::verify_credential(black_box(&issued), at(10));
                assert!(report.verified);
            }
        }
        "vc_verify_cold" => {
            // Sixteen issuers in turn: more than the eight keys `keys` remembers per thread, so
            // every verification decodes its issuer's key from scratch.
            let issuers: Vec<SigningKey> = (0..16u8)
                .map(|index| SigningKey::from_seed(&[index; 32]))
                .collect();
            let issued: Vec<serde_json::Value> = issuers.iter().map(issued_credential).collect();
            for index in 0..count {
                let credential = &issued[usize::try_from(index % 16).unwrap()];
                let report = vc::verify_credential(black_box(credential), at(10));
                assert!(report.verified);
            }
        }
        "netting_1m" => {
            let input = obligations();
            for _ in 0..count {
                black_box(net(black_box(&input), NettingMode::Multilateral).unwrap());
            }
        }
        other => eprintln!("unknown operation {other}"),
    }
}
