//! `msez vc issue|verify`: a KYC credential issued and verified, the report, and every failure.

use serde_json::{Value, json};

use super::{Outcome, run};

fn kyc_subject() -> Value {
    json!({
        "entity_id": "entity.acme-trading",
        "jurisdiction_id": "ae.dubai.difc",
        "level": "standard",
        "evidence_digest": "44".repeat(32),
        "verified_at": "2026-01-01T00:00:00Z",
    })
}

/// A key file in `dir` and its did.
fn key(dir: &tempfile::TempDir) -> (String, String) {
    let path = dir.path().join("issuer.key");
    let path = path.to_str().unwrap().to_owned();
    let did = run(&["keygen", "--out", &path], b"")
        .ok()
        .trim_end()
        .to_owned();
    (path, did)
}

/// Runs `msez vc issue --key KEY --type TYPE` over `subject`.
fn run_issue(key_path: &str, credential_type: &str, subject: &[u8]) -> std::process::Output {
    run(
        &["vc", "issue", "--key", key_path, "--type", credential_type],
        subject,
    )
}

fn issue(key_path: &str) -> Value {
    let subject = kyc_subject().to_string();
    let out = run_issue(
        key_path,
        "MSEZKycVerificationCredential",
        subject.as_bytes(),
    )
    .ok();
    serde_json::from_str(&out).unwrap()
}

#[test]
fn vc_issue_then_verify_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, did) = key(&dir);
    let credential = issue(&key_path);
    assert_eq!(credential["issuer"], json!(did));
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "MSEZKycVerificationCredential"])
    );
    assert_eq!(credential["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let report: Value =
        serde_json::from_str(&run(&["vc", "verify"], credential.to_string().as_bytes()).ok())
            .unwrap();
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["proofs"][0]["signer"], json!(did));
    assert_eq!(report["revocation"]["checked"], false);
}

#[test]
fn vc_verify_fails_with_exit_1_and_prints_report_on_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, _) = key(&dir);
    let mut credential = issue(&key_path);
    credential["credentialSubject"]["level"] = json!("enhanced");
    let run = run(&["vc", "verify"], credential.to_string().as_bytes());
    run.fails(1, &["credential does not verify", "proofs[0].signature"]);
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert_eq!(report["proofs"][0]["signature"]["passed"], false);
}

#[test]
fn vc_issue_rejects_unknown_type_listing_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, _) = key(&dir);
    let run = run_issue(&key_path, "MSEZNoSuchCredential", b"{}");
    // A usage error from the argument parser: exit 2, naming the value and the valid ones.
    assert_eq!(run.status.code(), Some(2));
    let stderr = run.stderr_text();
    assert!(stderr.contains("MSEZNoSuchCredential"), "{stderr}");
    assert!(stderr.contains("MSEZKycVerificationCredential"), "{stderr}");
}

#[test]
fn vc_issue_rejects_subject_naming_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, _) = key(&dir);
    let mut subject = kyc_subject();
    subject["level"] = json!("superb");
    run_issue(
        &key_path,
        "MSEZKycVerificationCredential",
        subject.to_string().as_bytes(),
    )
    .fails(2, &["superb"]);
}

#[test]
fn vc_verify_rejects_non_json_with_exit_2() {
    run(&["vc", "verify"], b"{\"proof\": ").fails(2, &["not valid JSON"]);
}
