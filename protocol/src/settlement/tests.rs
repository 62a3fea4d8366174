//! Settlement instructions from a netting plan: every leg becomes one transaction with the
//! directory's party details, the bytes are the same for the same plan and request, and every
//! refusal names the member (request) or says the plan is the cause.
//!
//! Method: one `check` renders a plan and request through `settlement_batch` and
//! `render_pacs008`, then parses the document back, so each case states only its input and what
//! must come out.

use serde_json::{Value, json};

use super::*;
use crate::iso20022::{parse_pacs008, render_pacs008};
use crate::netting::netting_plan_from_json;

fn now() -> Timestamp {
    Timestamp::parse("2026-11-24T10:00:00Z").unwrap()
}

/// Three parties in a cycle: nets to two legs (PK pays AE 30000 and CN 20000).
fn obligations() -> Value {
    json!([
        {"obligation_id": "o1", "from_party": "pk-bank", "to_party": "ae-bank", "amount": 100000, "currency": "USD"},
        {"obligation_id": "o2", "from_party": "ae-bank", "to_party": "cn-bank", "amount": 70000, "currency": "USD"},
        {"obligation_id": "o3", "from_party": "cn-bank", "to_party": "pk-bank", "amount": 50000, "currency": "USD"}
    ])
}

fn request() -> Value {
    json!({
        "message_id": "MSEZ-PKAE-0001",
        "settlement_date": "2026-11-25",
        "instructing_agent_bic": "HABBPKKA",
        "remittance": "Net settlement & fees",
        "parties": {
            "pk-bank": {"name": "PK Textiles & Sons", "bic": "HABBPKKA", "account": "PK36SCBL0000001123456702"},
            "ae-bank": {"name": "AE Traders FZE", "bic": "EBILAEAD", "account": "AE070331234567890123456"},
            "cn-bank": {"name": "CN Machinery", "bic": "BKCHCNBJ", "account": "CN-7781"},
            "unused": {"name": "Nobody", "bic": "NOBDPKKA", "account": "PK-0"}
        }
    })
}

/// Renders `obligations` under `request` at [`now`] and returns the document, or the error.
#[track_caller]
fn check(obligations: &Value, request: &Value) -> Result<String, SettlementError> {
    let plan = netting_plan_from_json(obligations).unwrap();
    let request = settlement_request_from_json(request)?;
    let batch = settlement_batch(&plan, &request, now())?;
    Ok(render_pacs008(&batch).unwrap())
}

#[track_caller]
fn check_refused(request: &Value, expected_field: Option<&str>, expected_text: &str) {
    let error = check(&obligations(), request).unwrap_err();
    assert_eq!(error.field().as_deref(), expected_field, "{error}");
    assert!(
        error.to_string().contains(expected_text),
        "{error} lacks {expected_text:?}"
    );
}

#[test]
fn settlement_batch_settles_every_leg_with_the_directory_details() {
    let xml = check(&obligations(), &request()).unwrap();
    let parsed = parse_pacs008(&xml).unwrap();
    let legs = &parsed.batch.legs;
    assert_eq!(legs.len(), 2);
    assert_eq!(legs[0].leg_id.as_str(), "LEG-00001");
    assert_eq!(legs[1].leg_id.as_str(), "LEG-00002");
    assert_eq!(legs[0].debtor.name.as_str(), "PK Textiles & Sons");
    let amounts: Vec<u64> = legs.iter().map(|leg| leg.amount_minor).collect();
    assert_eq!(amounts, [30000, 20000]);
    let creditors: Vec<&str> = legs.iter().map(|leg| leg.creditor.bic.as_str()).collect();
    assert_eq!(creditors, ["EBILAEAD", "BKCHCNBJ"]);
    assert_eq!(
        legs[0].remittance.as_ref().map(|text| text.as_str()),
        Some("Net settlement & fees")
    );
    assert_eq!(
        parsed.batch.created_at,
        now(),
        "no created_at: the caller's now"
    );
    assert!(
        !xml.contains("Nobody"),
        "unused directory entries are ignored"
    );
}

#[test]
fn settlement_batch_is_the_same_bytes_for_any_obligation_order() {
    let mut reversed = obligations();
    reversed.as_array_mut().unwrap().reverse();
    assert_eq!(
        check(&obligations(), &request()).unwrap(),
        check(&reversed, &request()).unwrap()
    );
    let mut dated = request();
    dated["created_at"] = json!("2026-11-24T09:00:00Z");
    let xml = check(&obligations(), &dated).unwrap();
    assert!(
        xml.contains("<CreDtTm>2026-11-24T09:00:00Z</CreDtTm>"),
        "{xml}"
    );
}

#[test]
fn settlement_request_rejections_name_the_member() {
    let mut bad_bic = request();
    bad_bic["parties"]["ae-bank"]["bic"] = json!("EBIL");
    check_refused(&bad_bic, Some("/parties/ae-bank/bic"), "EBIL");
    let mut bad_name = request();
    bad_name["parties"]["cn-bank"]["name"] = json!("");
    check_refused(&bad_name, Some("/parties/cn-bank/name"), "empty");
    let mut bad_id = request();
    bad_id["parties"]["bad id"] = request()["parties"]["pk-bank"].clone();
    check_refused(&bad_id, Some("/parties/bad id"), "entity_id");
    let mut bad_date = request();
    bad_date["settlement_date"] = json!("2026-02-30");
    check_refused(&bad_date, Some("/settlement_date"), "2026-02-30");
    let mut bad_created = request();
    bad_created["created_at"] = json!("yesterday");
    check_refused(&bad_created, Some("/created_at"), "created_at");
    let mut long_message_id = request();
    long_message_id["message_id"] = json!("M".repeat(36));
    check_refused(&long_message_id, Some("/message_id"), "at most 35");
    let mut unknown_member = request();
    unknown_member["fee_bps"] = json!(5);
    check_refused(&unknown_member, Some("body"), "fee_bps");
    let mut missing_party = request();
    missing_party["parties"]
        .as_object_mut()
        .unwrap()
        .remove("cn-bank");
    check_refused(&missing_party, Some("/parties"), "cn-bank");
}

#[test]
fn settlement_batch_refuses_an_empty_plan_as_the_plan_state() {
    let balanced = json!([
        {"obligation_id": "o1", "from_party": "pk-bank", "to_party": "ae-bank", "amount": 5, "currency": "USD"},
        {"obligation_id": "o2", "from_party": "ae-bank", "to_party": "pk-bank", "amount": 5, "currency": "USD"}
    ]);
    let error = check(&balanced, &request()).unwrap_err();
    assert!(matches!(error, SettlementError::NothingToSettle), "{error}");
    assert!(error.is_plan_state());
    assert_eq!(error.field(), None);
}

#[test]
fn settlement_request_holds_up_to_the_party_limit() {
    let directory = |party_count: usize| {
        let mut request = request();
        let parties = request["parties"].as_object_mut().unwrap();
        let template = parties["pk-bank"].clone();
        for index in parties.len()..party_count {
            parties.insert(format!("party-{index}"), template.clone());
        }
        request
    };
    let at_limit = directory(SETTLEMENT_PARTIES_MAX);
    assert_eq!(
        at_limit["parties"].as_object().unwrap().len(),
        SETTLEMENT_PARTIES_MAX
    );
    check(&obligations(), &at_limit).unwrap();
    let error = check(&obligations(), &directory(SETTLEMENT_PARTIES_MAX + 1)).unwrap_err();
    assert!(
        matches!(error, SettlementError::TooManyParties { party_count } if party_count == SETTLEMENT_PARTIES_MAX + 1),
        "{error}"
    );
}
