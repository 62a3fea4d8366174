//! `msez tensor evaluate`, `msez tensor verify-proof` and `msez sanctions check`: a subject's
//! cells and proofs round-trip through the binary; a tampered proof exits 1.

use serde_json::{Value, json};

use super::{Outcome, run};

fn subject() -> Value {
    json!({
        "subject": "entity-42",
        "jurisdiction": "PK-RSEZ",
        "attestations": [{
            "digest": "1111111111111111111111111111111111111111111111111111111111111111",
            "domain": "kyc", "state": "compliant", "issued_at": "2026-01-01T00:00:00Z",
            "expires_at": "2099-01-01T00:00:00Z"
        }],
        "facts": {"names": ["Sara Ahmed"], "filer_status": "filer"},
        "sanctions": sanctions_list()
    })
}

/// A regpack's sanctions section, in the one list shape of `tensor::sanctions`.
fn sanctions_list() -> Value {
    json!({"snapshot_id": "sdn-2026-01-01", "as_of": "2026-01-01T00:00:00Z",
           "entries": [{"entry_id": "SDN-1", "kind": "individual", "names": ["Ali Hassan Khan"]}]})
}

/// A minimal regpack carrying [`sanctions_list`].
fn regpack() -> Value {
    json!({
        "type": "MSEZRegpack", "regpack_id": "pk-fbr", "jurisdiction": "PK", "sequence": 0,
        "issued_at": "2026-01-01T00:00:00Z", "sanctions": sanctions_list(), "regulators": [],
        "reporting_requirements": [], "compliance_deadlines": [], "withholding_rates": []
    })
}

#[test]
fn tensor_evaluate_then_verify_each_proof() {
    let output: Value =
        serde_json::from_str(&run(&["tensor", "evaluate"], subject().to_string().as_bytes()).ok())
            .unwrap();
    assert_eq!(output["cells"].as_array().unwrap().len(), 20);
    // Missing evidence for most domains: the aggregate fails closed.
    assert_eq!(output["aggregate"], json!("pending"));
    let root = output["commitment_root"].clone();
    let proof = output["proofs"][1].clone();
    let verified = run(
        &["tensor", "verify-proof"],
        json!({"root": root, "proof": proof}).to_string().as_bytes(),
    )
    .ok();
    let cell: Value = serde_json::from_str(&verified).unwrap();
    assert_eq!(cell["address"]["domain"], json!("kyc"));
    assert_eq!(cell["state"], json!("compliant"));

    let mut forged = proof;
    forged["cell"]["state"] = json!("non_compliant");
    run(
        &["tensor", "verify-proof"],
        json!({"root": root, "proof": forged})
            .to_string()
            .as_bytes(),
    )
    .fails(1, &["proof does not verify"]);
}

#[test]
fn sanctions_check_reports_an_exact_match() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("regpack.json");
    std::fs::write(&list, regpack().to_string()).unwrap();
    let report: Value = serde_json::from_str(
        &run(
            &[
                "sanctions",
                "check",
                "ALI hassan khan",
                "--regpack",
                list.to_str().unwrap(),
            ],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(report["matches"][0]["entry_id"], json!("SDN-1"));
    let clear: Value = serde_json::from_str(
        &run(
            &[
                "sanctions",
                "check",
                "Sara Ahmed",
                "--regpack",
                list.to_str().unwrap(),
            ],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(clear["matches"], json!([]));
}

#[test]
fn sanctions_check_refuses_a_bare_list_naming_the_regpack() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.json");
    std::fs::write(&list, sanctions_list().to_string()).unwrap();
    let path = list.to_str().unwrap();
    run(&["sanctions", "check", "x", "--regpack", path], b"").fails(2, &["regpack"]);
}

#[test]
fn tensor_evaluate_rejects_an_unknown_domain_naming_it() {
    let mut input = subject();
    input["attestations"][0]["domain"] = json!("astrology");
    run(&["tensor", "evaluate"], input.to_string().as_bytes()).fails(2, &["astrology"]);
}
