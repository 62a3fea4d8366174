//! Verifiable credentials (SPEC §4) across implementations, through `msez vc`.
//!
//! Goal: credentials `msez vc issue` makes pass an independent verifier's checks, credentials an
//! independent signer makes pass `msez vc verify`, a proof by a key other than the issuer's fails
//! both, and the W3C eddsa-jcs-2022 signed credential verifies end to end. Method: key files
//! from `msez keygen`, seeded subjects, one oracle batch per direction.

use msez_protocol::keys::SigningKey;
use serde_json::{Value, json};

use super::harness::{Oracle, Rng, msez, vectors_dir};

/// Credentials per direction.
const CREDENTIAL_COUNT: usize = 20;

fn kyc_subject(rng: &mut Rng) -> Value {
    json!({
        "entity_id": format!("entity.{}", rng.below(1 << 30)),
        "jurisdiction_id": *rng.pick(&["ae.dubai.difc", "de.frankfurt", "kz.astana.aifc"]),
        "level": *rng.pick(&["basic", "standard", "enhanced"]),
        "evidence_digest": rng.hex32(),
        "verified_at": "2026-01-01T00:00:00Z",
    })
}

fn now_text() -> String {
    // The oracle compares with the credential's validFrom, which `msez vc issue` takes from the
    // same clock; a day ahead leaves room for a slow run.
    let unix_seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tomorrow = i64::try_from(unix_seconds + 86_400).unwrap();
    msez_protocol::time::Timestamp::from_unix_seconds(tomorrow)
        .unwrap()
        .to_string()
}

#[test]
fn credentials_issued_by_msez_verify_in_oracle() {
    let oracle = Oracle::get();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0x6d73_657a_0401);
    let mut items = Vec::new();
    for index in 0..CREDENTIAL_COUNT {
        let key = dir.path().join(format!("issuer-{index}.key"));
        let key = key.to_str().unwrap();
        msez(&["keygen", "--out", key], b"").success();
        let subject = kyc_subject(&mut rng).to_string();
        let args = [
            "vc",
            "issue",
            "--key",
            key,
            "--type",
            "MSEZKycVerificationCredential",
        ];
        let credential = msez(&args, subject.as_bytes()).success().stdout_json();
        items.push(json!({ "credential": credential, "now": now_text() }));
    }
    for result in oracle.run("vc-verify", items) {
        let report = result.unwrap();
        assert_eq!(report["valid"], json!(true), "{report}");
    }
}

/// An unsigned KYC credential issued by the did of `seed_hex` (`signing::did_key_matches_oracle`
/// shows both sides derive the same did).
fn unsigned_credential(rng: &mut Rng, seed_hex: &str) -> Value {
    let seed: [u8; 32] = hex::decode(seed_hex).unwrap().try_into().unwrap();
    let did = SigningKey::from_seed(&seed).did().to_string();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "MSEZKycVerificationCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": kyc_subject(rng),
    })
}

#[test]
fn credentials_signed_by_oracle_verify_with_msez() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0402);
    let mut items = Vec::new();
    let mut by_issuer = Vec::new();
    for index in 0..CREDENTIAL_COUNT {
        let issuer_seed = rng.hex32();
        let credential = unsigned_credential(&mut rng, &issuer_seed);
        // Every fourth credential is signed by a stranger, not by its issuer.
        let signed_by_issuer = index % 4 != 0;
        let seed = if signed_by_issuer {
            issuer_seed
        } else {
            rng.hex32()
        };
        items.push(
            json!({ "document": credential, "seed_hex": seed, "created": "2026-01-02T00:00:00Z" }),
        );
        by_issuer.push(signed_by_issuer);
    }
    let signed = oracle.run("sign", items);
    let mut verify_items = Vec::new();
    for (credential, signed_by_issuer) in signed.into_iter().zip(&by_issuer) {
        let credential = credential.unwrap();
        let run = msez(&["vc", "verify"], credential.to_string().as_bytes());
        let report = run.stdout_json();
        assert_eq!(
            report["proofs"][0]["signature"]["passed"],
            json!(true),
            "{report}"
        );
        if *signed_by_issuer {
            assert_eq!(run.code, 0, "{}: {report}", run.stderr);
        } else {
            assert_eq!(run.code, 1, "a stranger's proof must fail: {report}");
            assert_eq!(
                report["proofs"][0]["issuer_controls_method"]["passed"],
                json!(false)
            );
        }
        verify_items.push(json!({ "credential": credential, "now": now_text() }));
    }
    for (result, signed_by_issuer) in oracle
        .run("vc-verify", verify_items)
        .into_iter()
        .zip(by_issuer)
    {
        assert_eq!(result.unwrap()["valid"], json!(signed_by_issuer));
    }
}

#[test]
fn w3c_signed_credential_verifies_end_to_end() {
    let path = vectors_dir().join("w3c-eddsa-jcs-2022/signedJCS.json");
    let run = msez(&["vc", "verify", path.to_str().unwrap()], b"");
    let report = run.stdout_json();
    // The signature is the W3C one and must verify. The credential itself is not an MSEZ one (an
    // https issuer, an AlumniCredential), so the envelope and issuer-control checks fail: exit 1.
    assert_eq!(
        report["proofs"][0]["signature"]["passed"],
        json!(true),
        "{report}"
    );
    assert_eq!(report["envelope"]["passed"], json!(false), "{report}");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let oracle = Oracle::get();
    let document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let checks = oracle.one("verify", json!({ "document": document }));
    assert_eq!(checks[0]["valid"], json!(true), "{checks}");
}
