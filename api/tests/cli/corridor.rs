//! `msez netting`, `msez pacs008` and `msez fork resolve` as a user runs them: the documented
//! output shapes, XSD-valid settlement XML, and bad input naming the field.

use serde_json::{Value, json};

use super::{Outcome, run};

const OBLIGATIONS: &str = r#"[
  {"obligation_id": "o1", "from_party": "A", "to_party": "B", "amount": 100, "currency": "USD"},
  {"obligation_id": "o2", "from_party": "B", "to_party": "C", "amount": 70, "currency": "USD"},
  {"obligation_id": "o3", "from_party": "C", "to_party": "A", "amount": 50, "currency": "USD"},
  {"obligation_id": "o4", "from_party": "A", "to_party": "B", "amount": 5, "currency": "JPY"}
]"#;

#[test]
fn netting_prints_legs_and_per_currency_totals() {
    let plan: Value =
        serde_json::from_str(&run(&["netting"], OBLIGATIONS.as_bytes()).ok()).unwrap();
    let usd = &plan["currencies"]["USD"];
    assert_eq!(usd["gross"], json!(220));
    assert_eq!(plan["currencies"]["JPY"]["gross"], json!(5));
    // Net positions: A -50, B +30, C +20 in USD; A -5, B +5 in JPY.
    let mut legs: Vec<(String, String, i64, String)> = plan["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|leg| {
            (
                leg["from_party"].as_str().unwrap().to_owned(),
                leg["to_party"].as_str().unwrap().to_owned(),
                leg["amount"].as_i64().unwrap(),
                leg["currency"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    legs.sort();
    assert_eq!(
        legs,
        vec![
            ("A".into(), "B".into(), 5, "JPY".into()),
            ("A".into(), "B".into(), 30, "USD".into()),
            ("A".into(), "C".into(), 20, "USD".into()),
        ]
    );
    assert_eq!(usd["net"], json!(50));
}

#[test]
fn netting_rejects_self_payment_naming_the_obligation() {
    let input = br#"[{"obligation_id": "o1", "from_party": "A", "to_party": "A", "amount": 1, "currency": "USD"}]"#;
    run(&["netting"], input).fails(2, &["obligations[0]", "o1"]);
}

#[test]
fn netting_rejects_fractional_amount_naming_the_field() {
    let input = br#"[{"obligation_id": "o1", "from_party": "A", "to_party": "B", "amount": 1.5, "currency": "USD"}]"#;
    run(&["netting"], input).fails(2, &["$[0].amount", "not an integer"]);
}

fn batch() -> Value {
    json!({
        "message_id": "MSG-2026-0001",
        "created_at": "2026-11-24T10:00:00Z",
        "settlement_date": "2026-11-25",
        "instructing_agent_bic": "HABBPKKA",
        "legs": [{
            "leg_id": "leg-1",
            "amount": 125050,
            "currency": "USD",
            "debtor": {"name": "Karachi <Textiles> & Sons \"Ltd\"", "bic": "HABBPKKA", "account": "PK36SCBL0000001123456702"},
            "creditor": {"name": "Dubaï Trading FZE", "bic": "EBILAEAD", "account": "AE070331234567890123456"},
            "remittance": "Invoice 42 — cotton"
        }]
    })
}

#[test]
fn pacs008_output_validates_against_the_official_xsd() {
    let xml = run(&["pacs008"], batch().to_string().as_bytes()).ok();
    assert!(
        xml.contains("<IntrBkSttlmAmt Ccy=\"USD\">1250.50</IntrBkSttlmAmt>"),
        "{xml}"
    );
    assert!(xml.contains("&lt;Textiles&gt; &amp; Sons"), "{xml}");
    super::pacs008::assert_valid_pacs008(&xml);
}

#[test]
fn pacs008_rejects_a_bad_bic_with_the_reason() {
    let mut input = batch();
    input["legs"][0]["creditor"]["bic"] = json!("EBIL");
    run(&["pacs008"], input.to_string().as_bytes()).fails(2, &["legs[0].creditor.bic", "EBIL"]);
}

#[test]
fn fork_resolve_rejects_evidence_without_branches() {
    run(&["fork", "resolve"], b"{}").fails(2, &["branches"]);
}

/// Watcher `seed`'s attestation of candidate `candidate` at height 7 (parent 0x01), claiming to
/// have observed `head_root` at height 8, signed as a secured document.
fn attestation(seed: u8, candidate: u8, head_root: u8) -> Value {
    use msez_protocol::keys::SigningKey;
    use msez_protocol::proof::{ProofPurpose, add_proof, create_proof};
    use msez_protocol::time::Timestamp;
    let key = SigningKey::from_seed(&[seed; 32]);
    let hex = |byte: u8| format!("{byte:02x}").repeat(32);
    let mut document = json!({
        "type": "MSEZWatcherAttestation", "corridor_id": "corridor:PK-AE", "height": 7,
        "parent_root": hex(1), "candidate_root": hex(candidate),
        "observed_head": {"corridor_id": "corridor:PK-AE", "height": 8,
                          "next_root": hex(head_root), "mmr_root": hex(9)},
        "watcher": key.did().to_string(),
    });
    let created = Timestamp::from_unix_seconds(1_700_000_000).unwrap();
    let proof = create_proof(&document, &key, created, ProofPurpose::AssertionMethod).unwrap();
    add_proof(&mut document, &proof).unwrap();
    document
}

#[test]
fn fork_resolve_reports_an_attestation_whose_observed_head_contradicts_its_branch() {
    let did = |seed: u8| {
        msez_protocol::keys::SigningKey::from_seed(&[seed; 32])
            .did()
            .to_string()
    };
    let branch = |next: u8| {
        json!({"corridor_id": "corridor:PK-AE", "sequence": 7,
               "prev_root": "01".repeat(32), "next_root": format!("{next:02x}").repeat(32)})
    };
    // Watcher 2 attests 0xbb while claiming it saw 0xaa as the next head: read, not counted.
    let input = json!({
        "branches": [branch(0xaa), branch(0xbb)],
        "attestations": [attestation(1, 0xbb, 0xbb), attestation(2, 0xbb, 0xaa)],
        "watchers": [{"did": did(1), "status": "active", "bond": 10},
                     {"did": did(2), "status": "active", "bond": 10}],
        "policy": {"quorum_threshold": 2, "bond_minor_min": 10, "authorities": [],
                   "authority_threshold": 1},
    });
    let decision: Value =
        serde_json::from_str(&run(&["fork", "resolve"], input.to_string().as_bytes()).ok())
            .unwrap();
    assert_eq!(decision["outcome"], "halted");
    assert_eq!(decision["branches"][1]["attesters"], json!([did(1)]));
    assert_eq!(
        decision["rejected"],
        json!([{"watcher": did(2), "candidate_root": "bb".repeat(32),
                "reason": "observed_head_inconsistent",
                "rule": "an observed head one past the attested sequence is the attested next_root"}])
    );
}
