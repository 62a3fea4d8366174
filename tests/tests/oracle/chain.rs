//! Receipts, genesis and exported chains (SPEC §5–7) across implementations, through `msez`.
//!
//! Goal: `next_root` and `genesis_root` are what an auditor's own code computes; receipts that
//! `msez receipt sign` co-signs verify in the oracle; a chain the oracle built and signed passes
//! `msez chain verify` with the same height, head and MMR root the oracle replays; a tampered
//! receipt anywhere in it fails both verifiers at that line; and a chain Rust exports, checkpoint
//! included, replays in the oracle to the same state and checkpoint digest. Method: seeded random
//! receipts and genesis objects; `msez` in-process; key files from `msez keygen`.

use serde_json::{Value, json};

use super::harness::{Oracle, Rng, msez};

/// Random receipts for the `next_root` comparison.
const RECEIPT_COUNT: usize = 200;

fn digest_set(rng: &mut Rng) -> Vec<String> {
    let mut set: Vec<String> = (0..rng.below(4)).map(|_| rng.hex32()).collect();
    set.sort();
    set.dedup();
    set
}

fn genesis(rng: &mut Rng) -> Value {
    json!({
        "tag": "msez.corridor.state.genesis.v1",
        "corridor_id": format!("corridor.zone-{}.zone-{}", rng.below(100), rng.below(100)),
        "definition_payload_sha256": rng.hex32(),
        "agreement_set_sha256": rng.hex32(),
        "lawpack_digest_set": digest_set(rng),
        "ruleset_digest_set": digest_set(rng),
    })
}

fn receipt(rng: &mut Rng, with_next_root: bool) -> Value {
    let mut receipt = json!({
        "type": "MSEZCorridorStateReceipt",
        "corridor_id": format!("corridor.{}", rng.below(1000)),
        "sequence": rng.below(1 << 40),
        "timestamp": format!("20{:02}-0{}-1{}T0{}:3{}:5{}Z", rng.below(100), 1 + rng.below(9),
            rng.below(9), rng.below(10), rng.below(10), rng.below(10)),
        "prev_root": rng.hex32(),
        "lawpack_digest_set": digest_set(rng),
        "ruleset_digest_set": digest_set(rng),
    });
    if rng.chance(1, 2) {
        let payload = json!({ "amount_minor": rng.below(1 << 50), "memo": "zahlung für €😂" });
        receipt["transition"] =
            json!({ "kind": "transfer", "payload": payload, "payload_sha256": "" });
        let canonical = msez(&["digest"], payload.to_string().as_bytes()).success();
        receipt["transition"]["payload_sha256"] = json!(canonical.stdout_text().trim_end());
    }
    if with_next_root {
        receipt["next_root"] = json!(rng.hex32()); // Deliberately wrong: it must not matter.
    }
    receipt
}

#[test]
fn receipt_next_root_and_genesis_root_match_oracle() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0301);
    let receipts: Vec<Value> = (0..RECEIPT_COUNT)
        .map(|index| receipt(&mut rng, index % 2 == 0))
        .collect();
    let items = receipts
        .iter()
        .map(|receipt| json!({ "receipt": receipt }))
        .collect();
    for (receipt, expected) in receipts.iter().zip(oracle.run("receipt-next-root", items)) {
        let expected = expected.unwrap();
        let run = msez(&["receipt", "next-root"], receipt.to_string().as_bytes()).success();
        assert_eq!(
            json!(run.stdout_text().trim_end()),
            expected["next_root"],
            "{receipt}"
        );
    }
    let geneses: Vec<Value> = (0..RECEIPT_COUNT).map(|_| genesis(&mut rng)).collect();
    let items = geneses
        .iter()
        .map(|genesis| json!({ "genesis": genesis }))
        .collect();
    for (genesis, expected) in geneses.iter().zip(oracle.run("genesis-root", items)) {
        let expected = expected.unwrap();
        let run = msez(&["genesis"], genesis.to_string().as_bytes()).success();
        assert_eq!(
            json!(run.stdout_text().trim_end()),
            expected["genesis_root"],
            "{genesis}"
        );
    }
}

/// Writes a fresh key file with `msez keygen --out` and returns its path.
fn keygen(dir: &tempfile::TempDir, name: &str) -> String {
    let path = dir.path().join(name);
    let path = path.to_str().unwrap().to_owned();
    msez(&["keygen", "--out", &path], b"").success();
    path
}

#[test]
fn receipts_cosigned_by_msez_verify_in_oracle() {
    let oracle = Oracle::get();
    let dir = tempfile::tempdir().unwrap();
    let keys = [keygen(&dir, "a.key"), keygen(&dir, "b.key")];
    let mut rng = Rng::new(0x6d73_657a_0302);
    let mut items = Vec::new();
    for _ in 0..20 {
        let mut draft = receipt(&mut rng, false);
        let next_root = msez(&["receipt", "next-root"], draft.to_string().as_bytes()).success();
        draft["next_root"] = json!(next_root.stdout_text().trim_end());
        let once = msez(
            &["receipt", "sign", "--key", &keys[0]],
            draft.to_string().as_bytes(),
        )
        .success();
        let twice = msez(&["receipt", "sign", "--key", &keys[1]], &once.stdout).success();
        items.push(json!({ "document": twice.stdout_json() }));
    }
    for result in oracle.run("verify", items) {
        let checks = result.unwrap();
        assert_eq!(checks.as_array().unwrap().len(), 2, "{checks}");
        for check in checks.as_array().unwrap() {
            assert_eq!(check["valid"], json!(true), "{check}");
        }
    }
}

fn oracle_chain(
    oracle: &Oracle,
    rng: &mut Rng,
    receipt_count: usize,
    with_checkpoint: bool,
) -> Vec<String> {
    let seeds: Vec<String> = (0..3).map(|_| rng.hex32()).collect();
    let built = oracle.one(
        "chain-build",
        json!({
            "genesis": genesis(rng), "signer_seeds": seeds, "threshold": 2,
            "receipt_count": receipt_count, "start": "2026-01-01T00:00:00Z",
            "with_checkpoint": with_checkpoint,
        }),
    );
    built["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().to_owned())
        .collect()
}

/// The export text of `lines`: each line ends with a newline.
fn jsonl(lines: &[String]) -> Vec<u8> {
    format!("{}\n", lines.join("\n")).into_bytes()
}

#[test]
fn chains_built_by_oracle_verify_with_msez() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0303);
    for (receipt_count, with_checkpoint) in
        [(0, false), (1, false), (5, true), (17, true), (32, false)]
    {
        let lines = oracle_chain(&oracle, &mut rng, receipt_count, with_checkpoint);
        let expected = oracle.one("chain-verify", json!({ "lines": lines }));
        let run = msez(&["chain", "verify"], &jsonl(&lines));
        assert_eq!(run.code, 0, "{receipt_count} receipts: {}", run.stderr);
        let summary = run.stdout_json();
        for field in ["height", "head", "mmr_root"] {
            assert_eq!(
                summary[field], expected[field],
                "{receipt_count} receipts: {field}"
            );
        }
    }
}

#[test]
fn tampered_receipt_fails_both_verifiers_at_its_line() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0304);
    let lines = oracle_chain(&oracle, &mut rng, 8, true);
    for sequence in 0..8usize {
        let line = sequence + 2;
        let mut receipt: Value = serde_json::from_str(&lines[line - 1]).unwrap();
        receipt["transition"]["payload"]["amount_minor"] = json!(1);
        let mut tampered = lines.clone();
        tampered[line - 1] = receipt.to_string();
        let oracle_verdict = oracle.run("chain-verify", vec![json!({ "lines": tampered })]);
        let reason = oracle_verdict[0].as_ref().unwrap_err();
        assert!(
            reason.starts_with(&format!("line {line}:")),
            "oracle: {reason}"
        );
        let run = msez(&["chain", "verify"], &jsonl(&tampered));
        assert_eq!(run.code, 1, "sequence {sequence}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("line {line}")),
            "sequence {sequence}: {}",
            run.stderr
        );
    }
}

#[test]
fn chains_exported_by_rust_with_checkpoint_verify_in_oracle() {
    use msez_protocol::chain::ReceiptChain;
    use msez_protocol::checkpoint::{Checkpoint, SignedCheckpoint};
    use msez_protocol::digest::Digest;
    use msez_protocol::export::{ExportHeader, export_chain, verify_export};
    use msez_protocol::ids::CorridorId;
    use msez_protocol::keys::SigningKey;
    use msez_protocol::policy::SigningPolicy;
    use msez_protocol::receipt::{
        DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition,
    };
    use msez_protocol::time::Timestamp;

    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0305);
    let keys: Vec<SigningKey> = (0..3)
        .map(|_| SigningKey::from_seed(&rng.bytes(32).try_into().unwrap()))
        .collect();
    let digest = |rng: &mut Rng| Digest::from_hex(&rng.hex32()).unwrap();
    let corridor_id = CorridorId::new("corridor.rust-export").unwrap();
    let lawpacks = DigestSet::normalised([digest(&mut rng), digest(&mut rng)]);
    let genesis = Genesis::new(
        corridor_id.clone(),
        digest(&mut rng),
        digest(&mut rng),
        lawpacks.clone(),
        DigestSet::normalised([]),
    );
    let policy = SigningPolicy::new(2, keys.iter().map(|key| *key.did()).collect()).unwrap();
    let header = ExportHeader::new(genesis.clone(), policy.clone()).unwrap();
    let mut chain = ReceiptChain::from_genesis(&genesis, policy).unwrap();
    let mut head = genesis.genesis_root().unwrap();
    let mut receipts = Vec::new();
    for sequence in 0..12u64 {
        let timestamp =
            Timestamp::from_unix_seconds(1_767_225_600 + 90 * i64::try_from(sequence).unwrap())
                .unwrap();
        let payload = json!({ "sequence": sequence, "amount_minor": rng.below(1 << 40) });
        let receipt = Receipt {
            receipt_type: ReceiptType::CorridorStateReceipt,
            corridor_id: corridor_id.clone(),
            sequence,
            timestamp,
            prev_root: head,
            next_root: head, // Replaced by the computed value below.
            lawpack_digest_set: lawpacks.clone(),
            ruleset_digest_set: DigestSet::normalised([]),
            transition: Some(Transition::new("transfer", payload).unwrap()),
        }
        .with_computed_next_root()
        .unwrap();
        head = receipt.next_root;
        let signers: Vec<&SigningKey> = keys.iter().take(2 + rng.index(2)).collect();
        let signed = SignedReceipt::sign(receipt, &signers, timestamp).unwrap();
        chain.append(&signed, timestamp).unwrap();
        receipts.push(signed);
    }
    let checkpoint_time = Timestamp::from_unix_seconds(1_767_312_000).unwrap();
    let checkpoint = Checkpoint::of_chain(&chain, checkpoint_time);
    let signed_checkpoint =
        SignedCheckpoint::sign(checkpoint.clone(), &[&keys[0], &keys[2]], checkpoint_time).unwrap();
    let text = export_chain(&header, &receipts, Some(&signed_checkpoint)).unwrap();
    let now = Timestamp::from_unix_seconds(1_800_000_000).unwrap();
    let summary = verify_export(&text, now).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let expected = oracle.one("chain-verify", json!({ "lines": lines }));
    assert_eq!(expected["height"], json!(summary.height));
    assert_eq!(expected["head"], json!(summary.head));
    assert_eq!(expected["mmr_root"], json!(summary.mmr_root));
    let checkpoint_value = signed_checkpoint.to_value().unwrap();
    let oracle_digest = oracle.one(
        "checkpoint-digest",
        json!({ "checkpoint": checkpoint_value }),
    );
    assert_eq!(oracle_digest["digest"], json!(checkpoint.digest().unwrap()));
    assert_eq!(json!(summary.checkpoint_digest), oracle_digest["digest"]);
}
