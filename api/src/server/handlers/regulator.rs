//! The regulator console: read-only views for the `regulator` role, every request audited.
//!
//! Owns [`audit_access`] (the middleware the route table puts on every audited route: it
//! appends the access to the hash-chained trail [`REGULATOR_TRAIL_ID`] **before** the handler
//! runs, and refuses to serve with a 503 when the trail cannot be written) and the console's
//! handlers: attestations, credentials, a subject's tensor, corridors with their heads, the FBR
//! IRIS withholding statement of a month, the SLA view and the console's own audit trail.
//!
//! Never: writes anything but the audit entry, serves a request it could not audit, or
//! decides a rule (the statement is `msez_protocol::tax::iris_report_of_records`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use msez_persistence::audit::AUDIT_HASH_TAG;
use msez_persistence::listings::CREDENTIALS_PAGE_MAX;
use msez_persistence::watchers::ATTESTATIONS_PAGE_MAX;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{CorridorId, JurisdictionId};
use msez_protocol::tax::{
    REPORT_EVENTS_MAX, TaxError, TaxEventRecord, TaxPeriod, iris_report_of_records,
    tax_event_trail_id,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::auth::Principal;
use crate::server::error::{ApiError, RequestId};
use crate::server::handlers::corridors::{reject, summary_json};
use crate::server::handlers::{compliance, now};
use crate::server::metrics::RouteRecord;
use crate::server::query::{QueryParams, next_after, page_limit, parse_after};
use crate::server::state::AppState;

/// The trail every regulator request is recorded in.
pub const REGULATOR_TRAIL_ID: &str = "regulator-console";

/// The most corridors one console page shows. Each is read through its actor (activating it
/// from its snapshot when idle), so a page is bounded to what one request may wake.
pub const REGULATOR_CORRIDORS_PAGE_MAX: u64 = 100;

/// The most audit entries one page of the console's trail returns.
pub const REGULATOR_AUDIT_PAGE_MAX: u64 = 1_000;

/// Trail entries read per store call while assembling a statement.
const TAX_TRAIL_PAGE_COUNT: u64 = 1_000;

/// The route the SLA's append objectives are about.
pub const CORRIDOR_APPEND_ROUTE: &str = "/v1/corridors/{corridor_id}/receipts";

/// SLA objective: 99% of corridor appends answered within 50 ms (issue 8's target under load).
pub const APPEND_LATENCY_US_P99_OBJECTIVE: u64 = 50_000;

/// SLA objective: at least 99.90% of requests answered without a server error (5xx, overload
/// included), in basis points.
pub const AVAILABILITY_BPS_OBJECTIVE: u64 = 9_990;

/// How long a regulator waits before retrying when the audit trail cannot be written.
const AUDIT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Middleware on every audited route (after authentication): record who asked for what, then
/// serve; a request whose access cannot be recorded is not served.
pub(crate) async fn audit_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        // The route table puts authentication outside this layer; without a principal the
        // request did not pass it.
        return ApiError::Unauthenticated.into_response();
    };
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map_or_else(String::new, |id| id.0.clone());
    let at = match now() {
        Ok(at) => at,
        Err(error) => return error.into_response(),
    };
    let entry = json!({
        "type": "MSEZRegulatorAccess",
        "principal": principal.name,
        "role": principal.role.as_str(),
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.uri().query().unwrap_or(""),
        "request_id": request_id,
        "at": at.to_string(),
    });
    let refused = |cause: &dyn std::fmt::Display| {
        tracing::error!(%cause, "regulator access not audited; request refused");
        ApiError::Unavailable {
            message: "the regulator audit trail cannot be written; the request was not served"
                .to_owned(),
            retry_after: AUDIT_RETRY_AFTER,
        }
        .into_response()
    };
    let entry = match CanonicalBytes::new(&entry) {
        Ok(entry) => entry,
        Err(error) => return refused(&error),
    };
    if let Err(error) = state
        .store()
        .append_audit_entry(REGULATOR_TRAIL_ID, &entry)
        .await
    {
        return refused(&error);
    }
    next.run(request).await
}

/// A keyset page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    after: Option<String>,
    limit: Option<u64>,
}

/// A subject's attestations, paged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttestationsPage {
    subject: String,
    after: Option<String>,
    limit: Option<u64>,
}

/// `GET /v1/regulator/attestations?subject=&after=&limit=`: a subject's (corridor's or
/// entity's) signed attestations, oldest first.
pub(crate) async fn attestations(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<AttestationsPage>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, ATTESTATIONS_PAGE_MAX)?;
    let records = state
        .store()
        .attestations(&page.subject, page.after.as_deref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let mut listed = Vec::with_capacity(records.len());
    for record in &records {
        let attestation: Value =
            serde_json::from_slice(record.attestation.as_bytes()).map_err(ApiError::internal)?;
        listed.push(json!({
            "attestation_id": record.attestation_id,
            "created_at_unix_ms": record.created_at_unix_ms,
            "attestation": attestation,
        }));
    }
    Ok(Json(json!({
        "subject": page.subject,
        "attestations": listed,
        "next_after": next_after(&records, limit, |record| record.attestation_id.clone()),
    })))
}

/// `GET /v1/regulator/credentials?after=&limit=`: every credential this zone issued, in id
/// order, with its status (the documents are at `GET /v1/credentials/{credential_id}`).
pub(crate) async fn credentials(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<Page>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, CREDENTIALS_PAGE_MAX)?;
    let summaries = state
        .store()
        .credential_summaries(page.after.as_deref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let listed: Vec<Value> = summaries
        .iter()
        .map(|summary| {
            json!({
                "credential_id": summary.credential_id,
                "credential_type": summary.credential_type,
                "issuer": summary.issuer,
                "status": summary.status.as_str(),
                "status_list_id": summary.status_list_id,
                "status_list_index": summary.status_list_index,
                "issued_at_unix_ms": summary.issued_at_unix_ms,
            })
        })
        .collect();
    Ok(Json(json!({
        "credentials": listed,
        "next_after": next_after(&summaries, limit, |summary| summary.credential_id.clone()),
    })))
}

/// `GET /v1/regulator/tensors/{subject_id}`: the subject's recorded tensor (as
/// `GET /v1/compliance/tensors/{subject_id}`), audited.
pub(crate) async fn tensor(
    State(state): State<AppState>,
    Path(subject_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    compliance::tensor_of(&state, &subject_id).await.map(Json)
}

/// `GET /v1/regulator/corridors?after=&limit=`: corridors in id order, each with its lifecycle
/// state, height, head and MMR root as its actor holds them now.
pub(crate) async fn corridors(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<Page>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, REGULATOR_CORRIDORS_PAGE_MAX)?;
    let after = parse_after(page.after.as_deref(), |text| CorridorId::new(text))?;
    let corridor_ids = state
        .store()
        .corridor_ids(after.as_ref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let mut listed = Vec::with_capacity(corridor_ids.len());
    for corridor_id in &corridor_ids {
        let summary = state
            .corridors()
            .summary(corridor_id)
            .await
            .map_err(reject)?;
        listed.push(summary_json(&summary));
    }
    Ok(Json(json!({
        "corridors": listed,
        "next_after": next_after(&corridor_ids, limit, |id| id.as_str().to_owned()),
    })))
}

/// The statement asked for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatementQuery {
    jurisdiction: JurisdictionId,
    period: String,
}

/// `GET /v1/regulator/tax/iris-report?jurisdiction=&period=YYYY-MM`: the FBR IRIS withholding
/// statement of the tax events recorded for that jurisdiction and month, grouped by section
/// and currency, with the trail's head hash so the statement can be tied to the trail.
pub(crate) async fn iris_report(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<StatementQuery>,
) -> Result<Json<Value>, ApiError> {
    let period = TaxPeriod::parse(&query.period).map_err(|error| ApiError::BadRequest {
        message: error.to_string(),
        field: Some("period".to_owned()),
    })?;
    let trail_id = tax_event_trail_id(&query.jurisdiction, &period);
    let mut records = Vec::new();
    let mut head_hash = None;
    let records_max = u64::try_from(REPORT_EVENTS_MAX).unwrap_or(u64::MAX);
    loop {
        let from = u64::try_from(records.len()).unwrap_or(u64::MAX);
        let entries = state
            .store()
            .audit_trail(&trail_id, from, TAX_TRAIL_PAGE_COUNT)
            .await
            .map_err(ApiError::internal)?;
        let page_full = u64::try_from(entries.len()).is_ok_and(|n| n == TAX_TRAIL_PAGE_COUNT);
        for entry in &entries {
            head_hash = Some(entry.entry_hash);
            records.push(
                serde_json::from_slice::<TaxEventRecord>(entry.entry.as_bytes())
                    .map_err(ApiError::internal)?,
            );
        }
        // One past the limit is enough for the statement to refuse it.
        if !page_full || from > records_max {
            break;
        }
    }
    let report = iris_report_of_records(&records).map_err(|error| match error {
        TaxError::TooManyEvents { .. } => ApiError::Conflict {
            message: error.to_string(),
        },
        other => ApiError::internal(other),
    })?;
    Ok(Json(json!({
        "jurisdiction": query.jurisdiction.as_str(),
        "period": period.as_str(),
        "trail_id": trail_id,
        "trail_head_hash": head_hash.map(|hash| hash.to_hex()),
        "event_count": records.len(),
        "report": report,
    })))
}

/// `GET /v1/regulator/sla`: the objectives and what this node measured since it started
/// (see docs/OPERATIONS.md, "SLA view").
pub(crate) async fn sla(State(state): State<AppState>) -> Json<Value> {
    let metrics = state.metrics();
    let append =
        metrics.route_record(|method, route| method == "POST" && route == CORRIDOR_APPEND_ROUTE);
    let api = metrics.route_record(|_, route| route.starts_with("/v1/"));
    Json(json!({
        "window": "since node start",
        "corridor_append": sla_json(&append, Some(APPEND_LATENCY_US_P99_OBJECTIVE)),
        "api": sla_json(&api, None),
    }))
}

/// A page of the console's audit trail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditPage {
    from: Option<u64>,
    limit: Option<u64>,
}

/// `GET /v1/regulator/audit?from=&limit=`: the console's own trail, every hash and link
/// checked by the store; each entry carries what a verifier needs to recompute its hash.
pub(crate) async fn audit(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<AuditPage>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, REGULATOR_AUDIT_PAGE_MAX)?;
    let from = page.from.unwrap_or(0);
    let entries = state
        .store()
        .audit_trail(REGULATOR_TRAIL_ID, from, limit)
        .await
        .map_err(ApiError::internal)?;
    let mut listed = Vec::with_capacity(entries.len());
    for entry in &entries {
        let document: Value =
            serde_json::from_slice(entry.entry.as_bytes()).map_err(ApiError::internal)?;
        listed.push(json!({
            "sequence": entry.sequence,
            "prev_hash": entry.prev_hash.to_hex(),
            "entry_hash": entry.entry_hash.to_hex(),
            "entry": document,
        }));
    }
    let next_from = next_after(&entries, limit, |entry| (entry.sequence + 1).to_string());
    Ok(Json(json!({
        "trail_id": REGULATOR_TRAIL_ID,
        "hash_rule": format!(
            "entry_hash = SHA-256(\"{}\" || 0x00 || prev_hash || JCS(entry)); entry 0 has prev_hash 00…00",
            AUDIT_HASH_TAG.as_str()
        ),
        "entries": listed,
        "next_from": next_from,
    })))
}

/// One SLA line: counts, availability in basis points, latency bounds, and whether each
/// objective is met (`null` with no requests yet).
fn sla_json(record: &RouteRecord, latency_us_p99_objective: Option<u64>) -> Value {
    let answered_ok = record
        .request_count
        .saturating_sub(record.server_error_count);
    let availability_bps = (record.request_count > 0)
        .then(|| answered_ok.saturating_mul(10_000) / record.request_count);
    let latency_met = latency_us_p99_objective.map(|objective| {
        (record.request_count > 0).then(|| {
            record
                .latency_us_p99_max
                .is_some_and(|bound| bound <= objective)
        })
    });
    json!({
        "request_count": record.request_count,
        "server_error_count": record.server_error_count,
        "availability_bps": availability_bps,
        "availability_bps_objective": AVAILABILITY_BPS_OBJECTIVE,
        "availability_met": availability_bps.map(|bps| bps >= AVAILABILITY_BPS_OBJECTIVE),
        "latency_us_p50_max": record.latency_us_p50_max,
        "latency_us_p99_max": record.latency_us_p99_max,
        "latency_us_p99_objective": latency_us_p99_objective,
        "latency_met": latency_met.flatten(),
    })
}
