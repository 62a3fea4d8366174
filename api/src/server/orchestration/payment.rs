//! Payment with tax withholding: the payee's filer status from Mass → compliance with the
//! sanctions hard block on the payee → withholding computed from the zone regpack's rates →
//! the Mass payment of the net amount → the tax event in the month's trail → recorded tensor,
//! `MSEZTaxWithholdingCredential` and the signed attestation.
//!
//! The withholding agent pays the payee the net amount; the withheld amount is recorded as a
//! tax event (trail `tax:<jurisdiction>:<YYYY-MM>`, the regulator's IRIS statement) for
//! remittance. Mass has no tax-event service, so the event is MSEZ's own record of what it
//! computed, not a copy of a Mass record.
//!
//! Never: pays before the screening passed, or records a tax event twice for one key.

use std::collections::BTreeMap;

use msez_actors::mass_pool::{MassRequest, MassResponse};
use msez_mass::amount::{CurrencyCode, Money};
use msez_mass::treasury::PaymentRequest;
use msez_persistence::records::IdempotencyState;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::tax::{
    Cnic, Ntn, REPORT_EVENTS_MAX, TaxError, TaxEventRecord, TaxPeriod, TaxpayerId,
    WithholdingCategory, WithholdingEvent, compute_withholding, tax_event_trail_id,
};
use msez_protocol::tensor::evaluators::SubjectFacts;
use msez_protocol::tensor::sanctions::SanctionsIdentifier;
use msez_protocol::vc::subjects::TaxWithholdingSubject;
use serde::Deserialize;
use serde_json::{Value, json};

use super::formation::member;
use super::{
    Conclusion, LOCAL_SERVICE, Saga, conclude, evaluate_and_gate, filer_status_of, rates,
    unexpected, zone_jurisdiction,
};
use crate::server::error::ApiError;

/// Trail entries read per page while looking for an interrupted tax event.
const TAX_TRAIL_PAGE_COUNT: u64 = 1_000;

/// The body of `POST /v1/orchestration/payments` (schema `payment-request`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentBody {
    payer_entity_id: EntityId,
    payee: PayeeRequest,
    source_account_id: String,
    destination_account_id: String,
    amount_minor: u64,
    currency: String,
    category: WithholdingCategory,
    jurisdiction_id: Option<JurisdictionId>,
    reference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayeeRequest {
    entity_id: EntityId,
    name: String,
    ntn: Option<String>,
    cnic: Option<String>,
}

/// Runs the payment (module docs).
pub(super) async fn run(saga: &Saga<'_>, body: Value) -> Result<Value, ApiError> {
    let request: PaymentBody = serde_json::from_value(body)
        .map_err(|error| ApiError::invalid("body", format!("payment request: {error}")))?;
    let jurisdiction = zone_jurisdiction(saga, request.jurisdiction_id.as_ref())?;
    let (payee_id, identifier) = taxpayer(&request.payee)?;
    let filer = filer_status(saga, &request, identifier.as_ref()).await?;
    let filer_status = filer_status_of(filer["filer_status"].as_str());
    let facts = SubjectFacts {
        names: vec![request.payee.name.clone()],
        identifiers: identifier.into_iter().collect(),
        filer_status: Some(filer_status),
    };
    let payee = request.payee.entity_id.clone();
    let evaluation = evaluate_and_gate(
        saga,
        payee.clone(),
        jurisdiction.clone(),
        facts,
        Vec::new(),
        "/payee/name",
    )?;
    let event = WithholdingEvent {
        event_id: saga.key().to_string(),
        payer: request.payer_entity_id.clone(),
        payee: payee_id,
        payee_filer_status: filer_status,
        category: request.category,
        gross_amount_minor: request.amount_minor,
        currency: request.currency.clone(),
        jurisdiction: jurisdiction.clone(),
        occurred_at: saga.at(),
    };
    let withholding = compute_withholding(rates(saga)?, &event).map_err(withholding_error)?;
    let payment = pay(saga, &request, withholding.net_amount_minor).await?;
    let record = TaxEventRecord { event, withholding };
    let tax_event = record_tax_event(saga, &record).await?;
    let mass_ids = BTreeMap::from([
        ("transaction_id".to_owned(), member(&payment, "id")?),
        (
            "source_account_id".to_owned(),
            request.source_account_id.clone(),
        ),
        (
            "destination_account_id".to_owned(),
            request.destination_account_id.clone(),
        ),
    ]);
    let withholding = record.withholding;
    let credential = TaxWithholdingSubject {
        entity_id: payee.clone(),
        jurisdiction_id: jurisdiction.clone(),
        obligation_id: None,
        gross_amount_minor: withholding.gross_amount_minor,
        withheld_amount_minor: withholding.withheld_amount_minor,
        rate_basis_points: withholding.rate_bps,
        currency: withholding.currency.clone(),
        withheld_at: saga.at(),
    };
    let withholding_json = serde_json::to_value(&withholding).map_err(ApiError::internal)?;
    conclude(
        saga,
        Conclusion {
            subject: payee,
            jurisdiction,
            evaluation,
            mass_ids,
            mass: json!({
                "filer_status": filer,
                "payment": payment,
                "withholding": withholding_json,
                "tax_event": tax_event,
            }),
        },
        |_| credential,
    )
    .await
}

/// The payee's tax number and the identifier screened with its name.
fn taxpayer(payee: &PayeeRequest) -> Result<(TaxpayerId, Option<SanctionsIdentifier>), ApiError> {
    match (&payee.ntn, &payee.cnic) {
        (Some(ntn), _) => {
            let parsed =
                Ntn::parse(ntn).map_err(|error| ApiError::invalid("/payee/ntn", &error))?;
            let identifier = SanctionsIdentifier {
                kind: "ntn".to_owned(),
                value: parsed.as_str().to_owned(),
            };
            Ok((TaxpayerId::Ntn(parsed), Some(identifier)))
        }
        (None, Some(cnic)) => {
            let parsed =
                Cnic::parse(cnic).map_err(|error| ApiError::invalid("/payee/cnic", &error))?;
            let identifier = SanctionsIdentifier {
                kind: "cnic".to_owned(),
                value: parsed.as_str().to_owned(),
            };
            Ok((TaxpayerId::Cnic(parsed), Some(identifier)))
        }
        (None, None) => Err(ApiError::invalid(
            "/payee",
            "the payee needs an ntn or a cnic for withholding",
        )),
    }
}

/// The payee's filer status as Mass (FBR's active taxpayer list) knows it; a payee without
/// an NTN is not on the list.
async fn filer_status(
    saga: &Saga<'_>,
    request: &PaymentBody,
    identifier: Option<&SanctionsIdentifier>,
) -> Result<Value, ApiError> {
    let Some(ntn) = identifier.filter(|identifier| identifier.kind == "ntn") else {
        return Ok(json!({"source": "no ntn", "filer_status": null}));
    };
    let ntn = msez_mass::identity::Ntn::parse(&ntn.value)
        .map_err(|error| ApiError::invalid("/payee/ntn", &error))?;
    saga.mass(
        "filer_status",
        &request.payer_entity_id,
        MassRequest::FilerStatus { ntn },
        |response| match response {
            MassResponse::FilerStatus(record) => Ok(json!({
                "source": "mass",
                "filer_status": record
                    .and_then(|record| record.filer_status)
                    .map(|status| status.as_wire().to_owned()),
            })),
            other => Err(unexpected("filer_status", &other)),
        },
    )
    .await
}

async fn pay(saga: &Saga<'_>, request: &PaymentBody, net_minor: u64) -> Result<Value, ApiError> {
    let currency = CurrencyCode::parse(&request.currency)
        .map_err(|error| ApiError::invalid("/currency", &error))?;
    let amount = Money::new(i128::from(net_minor), currency)
        .map_err(|error| ApiError::invalid("/amount_minor", &error))?;
    saga.mass(
        "payment",
        &request.payer_entity_id,
        MassRequest::CreatePayment {
            request: PaymentRequest {
                source_account_id: request.source_account_id.clone(),
                destination_account_id: request.destination_account_id.clone(),
                amount,
                reference: request.reference.clone(),
            },
            idempotency_key: saga.mass_key("payment")?,
        },
        |response| match response {
            MassResponse::Payment(transaction) => Ok(json!({
                "id": transaction.id,
                "status": transaction.status.as_ref().map(|status| status.as_wire().to_owned()),
                "amount_minor": i64::try_from(transaction.amount.amount_minor)
                    .map_err(ApiError::internal)?,
                "currency": transaction.amount.currency.as_str(),
            })),
            other => Err(unexpected("payment", &other)),
        },
    )
    .await
}

/// Appends the tax event to its month's trail once: an attempt interrupted between the append
/// and its step record looks for the event before appending again.
async fn record_tax_event(saga: &Saga<'_>, record: &TaxEventRecord) -> Result<Value, ApiError> {
    let state = saga.state();
    let trail_id = tax_event_trail_id(
        &record.event.jurisdiction,
        &TaxPeriod::of(record.event.occurred_at),
    );
    let begun = saga.open_step("tax_event", LOCAL_SERVICE).await?;
    let outcome = match begun {
        IdempotencyState::Completed(stored) => {
            return serde_json::from_slice(&stored).map_err(ApiError::internal);
        }
        IdempotencyState::Pending
            if trail_holds(saga, &trail_id, &record.event.event_id).await? =>
        {
            json!({"trail_id": trail_id, "event_id": record.event.event_id})
        }
        IdempotencyState::New | IdempotencyState::Pending => {
            let entry = CanonicalBytes::of(record).map_err(ApiError::internal)?;
            let appended = state
                .store()
                .append_audit_entry(&trail_id, &entry)
                .await
                .map_err(ApiError::internal)?;
            json!({
                "trail_id": trail_id,
                "event_id": record.event.event_id,
                "sequence": appended.sequence,
                "entry_hash": appended.entry_hash,
            })
        }
    };
    saga.close_step("tax_event", &outcome).await?;
    Ok(outcome)
}

/// Whether the month's trail already holds the event (bounded by one statement's size).
async fn trail_holds(saga: &Saga<'_>, trail_id: &str, event_id: &str) -> Result<bool, ApiError> {
    let events_max = u64::try_from(REPORT_EVENTS_MAX).unwrap_or(u64::MAX);
    let mut from = 0_u64;
    while from <= events_max {
        let entries = saga
            .state()
            .store()
            .audit_trail(trail_id, from, TAX_TRAIL_PAGE_COUNT)
            .await
            .map_err(ApiError::internal)?;
        for entry in &entries {
            let stored: TaxEventRecord =
                serde_json::from_slice(entry.entry.as_bytes()).map_err(ApiError::internal)?;
            if stored.event.event_id == event_id {
                return Ok(true);
            }
        }
        if u64::try_from(entries.len()).is_ok_and(|count| count < TAX_TRAIL_PAGE_COUNT) {
            return Ok(false);
        }
        from += TAX_TRAIL_PAGE_COUNT;
    }
    Ok(false)
}

/// A refused withholding, naming the member at fault.
fn withholding_error(error: TaxError) -> ApiError {
    let field = match &error {
        TaxError::AmountZero { .. } | TaxError::AmountOutOfRange { .. } => "/amount_minor",
        TaxError::Currency { .. } => "/currency",
        TaxError::UnknownJurisdiction { .. } => "/jurisdiction_id",
        TaxError::NoRule { .. } => "/category",
        TaxError::RateOutOfRange { .. }
        | TaxError::DuplicateRule { .. }
        | TaxError::EmptySection { .. }
        | TaxError::DuplicateTable { .. }
        | TaxError::EmptyEventId { .. }
        | TaxError::DuplicateEvent { .. }
        | TaxError::TotalOverflow { .. }
        | TaxError::TooManyEvents { .. }
        | TaxError::Ntn { .. }
        | TaxError::Cnic { .. }
        | TaxError::RecordMismatch { .. }
        | TaxError::Period { .. } => "body",
    };
    ApiError::invalid(field, &error)
}
