//! Agentic routes: triggers, the policies in force and their immutable versions, and the audit
//! trail with a verification report; plus the agentic actor's answers in HTTP terms (a sweep,
//! a decision) and the one mapping from `AgenticError` to a status.
//!
//! A trigger goes to the agentic actor, which evaluates the policies, records the decision in
//! the hash-chained trail and executes it; a `sanctions_list_update` trigger carries a sanctions
//! snapshot and is a sweep over every open corridor's parties. A policy write is a new version
//! through the zone's `PolicyBook` (stored first, then in force). The audit page is read from the
//! store, which recomputes every hash and link; the report says how, so a verifier can redo it.
//!
//! Never: decides anything (the agentic actor and its policies do), edits a stored policy
//! version or audit entry, or shows an internal cause.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use msez_actors::agentic::{
    AgenticError, Decision, SanctionsSweep, SanctionsUpdate, UnscreenedParty,
    decisions_without_outcome,
};
use msez_actors::policies::{PolicyInForce, PolicyWriteError, PolicyWritten};
use msez_persistence::audit::{AUDIT_HASH_TAG, AuditEntry, AuditError};
use msez_protocol::agentic::policy::{PolicyId, parse_policy};
use msez_protocol::agentic::versions::PolicyVersion;
use msez_protocol::agentic::{Trigger, TriggerKind};
use msez_protocol::ids::JurisdictionId;
use msez_protocol::tensor::sanctions::parse_sanctions_list;
use msez_protocol::time::Timestamp;
use msez_schemas::SchemaId;
use serde::Deserialize;
use serde_json::{Value, json};

use super::now;
use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// The most audit entries one page returns: a page of decisions with their payloads stays
/// within a few megabytes, and a verifier pages on with `from`.
pub const AUDIT_PAGE_MAX: u64 = 1_000;

/// The most versions of one policy one page returns (the store's page bound).
pub const POLICY_VERSIONS_PAGE_MAX: u64 = msez_persistence::compliance::POLICY_VERSIONS_PAGE_MAX;

/// How the report tells a verifier to recompute each entry's hash.
const AUDIT_HASH_RECIPE: &str = "entry_hash = SHA-256(tag || 0x00 || prev_hash || JCS(entry)), \
     tag = the ASCII bytes of hash_tag, hashes as 32 raw bytes; entry 0's prev_hash is 32 zero \
     bytes; each entry's prev_hash is the entry_hash before it";

/// How long a caller should wait before retrying when the agentic actor is busy or restarting.
pub const AGENTIC_RETRY_AFTER: Duration = Duration::from_secs(1);

/// `POST /v1/agentic/triggers`: `{trigger, jurisdiction?, occurred_at?, payload}` in (schema
/// `agentic-trigger-request`); `{decision}` out, or `{sanctions_sweep}` for a
/// `sanctions_list_update` whose payload is a sanctions snapshot.
pub(crate) async fn trigger(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    check_schema(&state, SchemaId::AgenticTriggerRequest, &body, "")?;
    let kind = TriggerKind::parse_word(&body["trigger"], "$.trigger")
        .map_err(|error| ApiError::invalid("/trigger", &error))?;
    let jurisdiction = match body.get("jurisdiction").and_then(Value::as_str) {
        Some(text) => Some(
            JurisdictionId::new(text)
                .map_err(|error| ApiError::invalid("/jurisdiction", &error))?,
        ),
        None => None,
    };
    let occurred_at = match body.get("occurred_at").and_then(Value::as_str) {
        Some(text) => {
            Timestamp::parse(text).map_err(|error| ApiError::invalid("/occurred_at", &error))?
        }
        None => now()?,
    };
    let payload = body.get("payload").cloned().unwrap_or(Value::Null);
    let agentic = &state.zone_actors().agentic;
    if kind == TriggerKind::SanctionsListUpdate {
        let list = parse_sanctions_list(&payload, "$.payload")
            .map_err(|error| ApiError::invalid("/payload", &error))?;
        let update = SanctionsUpdate {
            list,
            jurisdiction,
            occurred_at,
        };
        let sweep = agentic
            .sanctions_update(update)
            .await
            .map_err(|error| agentic_error(error, "", "/payload"))?;
        return Ok(Json(json!({ "sanctions_sweep": sweep_json(&sweep) })));
    }
    let trigger = Trigger::new(kind, jurisdiction, payload, occurred_at)
        .map_err(|error| ApiError::invalid("/payload", &error))?;
    let decision = agentic
        .decide(trigger)
        .await
        .map_err(|error| agentic_error(error, "", "/payload"))?;
    Ok(Json(json!({ "decision": decision_json(&decision) })))
}

/// `GET /v1/agentic/policies`: every policy in force, with the stored version it comes from
/// (`null` for an unchanged baseline policy).
pub(crate) async fn policies(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let in_force = state
        .zone_actors()
        .policies
        .in_force()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({
        "policies": in_force.iter().map(policy_in_force_json).collect::<Vec<_>>(),
    })))
}

/// A page of `GET /v1/agentic/policies/{policy_id}` or `GET /v1/agentic/audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    /// First version or sequence (default: the first).
    from: Option<u64>,
    /// Items per page (default and maximum: the route's page bound).
    limit: Option<u64>,
}

/// `GET /v1/agentic/policies/{policy_id}?from=&limit=`: the policy's stored versions, oldest
/// first, and whether it is in force and a baseline policy. 404 for an id with neither.
pub(crate) async fn policy(
    State(state): State<AppState>,
    Path(policy_id): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<Value>, ApiError> {
    let policy_id = policy_id_of(&policy_id)?;
    let (from, limit) = page_of(&page, 1, POLICY_VERSIONS_PAGE_MAX)?;
    let book = &state.zone_actors().policies;
    let versions = state
        .store()
        .policy_versions(policy_id.as_str(), from, limit)
        .await
        .map_err(ApiError::internal)?;
    let baseline = book.is_baseline(&policy_id);
    if versions.is_empty() && from <= 1 && !baseline {
        return Err(ApiError::not_found("policy", policy_id.as_str()));
    }
    let in_force = state
        .zone_actors()
        .agentic
        .policies()
        .policies()
        .iter()
        .any(|policy| policy.policy_id == policy_id);
    let mut listed = Vec::with_capacity(versions.len());
    for record in &versions {
        let document = msez_protocol::canonical::parse(record.policy.as_bytes())
            .map_err(ApiError::internal)?;
        listed.push(json!({
            "version": record.version,
            "digest": record.policy.digest().to_hex(),
            "document": document,
        }));
    }
    let next_from = (versions.len() as u64 == limit)
        .then(|| versions.last().map(|last| last.version + 1))
        .flatten();
    Ok(Json(json!({
        "policy_id": policy_id.as_str(),
        "in_force": in_force,
        "baseline": baseline,
        "versions": listed,
        "next_from": next_from,
    })))
}

/// `PUT /v1/agentic/policies/{policy_id}`: a policy (schema `policy`, its `policy_id` the
/// path's) becomes the policy's next version and is in force when this answers.
pub(crate) async fn put_policy(
    State(state): State<AppState>,
    Path(policy_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let policy_id = policy_id_of(&policy_id)?;
    check_schema(&state, SchemaId::Policy, &body, "")?;
    let policy = parse_policy(&body, "$").map_err(|error| ApiError::invalid("body", &error))?;
    if policy.policy_id != policy_id {
        return Err(ApiError::invalid(
            "/policy_id",
            format!(
                "policy_id {} does not match the path's {}",
                policy.policy_id, policy_id
            ),
        ));
    }
    let written = state
        .zone_actors()
        .policies
        .write(PolicyVersion::Active(policy))
        .await
        .map_err(policy_write_error)?;
    Ok(Json(written_json(&written, false)))
}

/// `DELETE /v1/agentic/policies/{policy_id}`: retires the policy (a new version that switches
/// it off); 404 when it is not in force.
pub(crate) async fn delete_policy(
    State(state): State<AppState>,
    Path(policy_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let policy_id = policy_id_of(&policy_id)?;
    let written = state
        .zone_actors()
        .policies
        .write(PolicyVersion::Retired { policy_id })
        .await
        .map_err(policy_write_error)?;
    Ok(Json(written_json(&written, true)))
}

/// `GET /v1/agentic/audit?from=&limit=`: a page of the zone's agentic audit trail with a
/// verification report. The store recomputes every hash and link before answering; on a broken
/// chain the page holds the verified entries before the break and the report names it.
pub(crate) async fn audit(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Result<Json<Value>, ApiError> {
    let (from, limit) = page_of(&page, 0, AUDIT_PAGE_MAX)?;
    let trail_id = state.zone_actors().agentic.trail_id().to_owned();
    let store = state.store();
    let (entries, broken_at) = match store.audit_trail(&trail_id, from, limit).await {
        Ok(entries) => (entries, None),
        Err(AuditError::ChainBroken { sequence, .. }) => {
            let verified = store
                .audit_trail(&trail_id, from, sequence.saturating_sub(from))
                .await
                .map_err(ApiError::internal)?;
            tracing::error!(%trail_id, sequence, "agentic audit trail is broken");
            (verified, Some(sequence))
        }
        Err(AuditError::Store(error)) => return Err(ApiError::internal(error)),
    };
    let mut listed = Vec::with_capacity(entries.len());
    for entry in &entries {
        listed.push(audit_entry_json(entry)?);
    }
    let next_from = (broken_at.is_none() && entries.len() as u64 == limit)
        .then(|| entries.last().map(|last| last.sequence + 1))
        .flatten();
    Ok(Json(json!({
        "trail_id": trail_id,
        "entries": listed,
        "next_from": next_from,
        "verification": {
            "verified": broken_at.is_none(),
            "broken_at_sequence": broken_at,
            "checked_from": from,
            "checked_count": entries.len(),
            "head_hash": entries.last().map(|entry| entry.entry_hash.to_hex()),
            "hash_tag": AUDIT_HASH_TAG.as_str(),
            "hash": AUDIT_HASH_RECIPE,
            "decisions_without_outcome": decisions_without_outcome(&entries),
        },
    })))
}
/// A sanctions sweep: what was screened, each match's decision, each party not screened.
pub(crate) fn sweep_json(sweep: &SanctionsSweep) -> Value {
    json!({
        "list_digest": sweep.list_digest.to_hex(),
        "parties_screened": sweep.parties_screened,
        "decisions": sweep.decisions.iter().map(decision_json).collect::<Vec<_>>(),
        "unscreened": sweep.unscreened.iter().map(unscreened_json).collect::<Vec<_>>(),
    })
}

/// One decision: the trigger, the policies that matched, and what each action came to.
pub(crate) fn decision_json(decision: &Decision) -> Value {
    let outcomes: Vec<Value> = decision
        .outcomes
        .iter()
        .map(|outcome| {
            json!({
                "action": outcome.action.kind.as_str(),
                "target": outcome.action.target,
                "policy_id": outcome.action.policy_id.as_str(),
                "result": outcome.result.as_word(),
                "reason": outcome.result.failure_reason(),
            })
        })
        .collect();
    json!({
        "trigger": decision.trigger.as_str(),
        "matched_policy_ids": decision
            .evaluation
            .matched_policy_ids
            .iter()
            .map(|policy_id| policy_id.as_str())
            .collect::<Vec<_>>(),
        "decision_sequence": decision.decision_sequence,
        "outcome_sequence": decision.outcome_sequence,
        "outcomes": outcomes,
    })
}

fn unscreened_json(party: &UnscreenedParty) -> Value {
    json!({
        "corridor_id": party.corridor_id.as_str(),
        "entity_id": party.entity_id.as_str(),
        "reason": party.reason.to_string(),
    })
}

/// The HTTP meaning of the agentic actor's refusal. `context` says what was already done (a
/// filed regpack), so the caller knows a retry is safe; `list_field` is where the request
/// carried the sanctions list.
pub(crate) fn agentic_error(error: AgenticError, context: &str, list_field: &str) -> ApiError {
    match error {
        AgenticError::Sanctions(reason) => {
            ApiError::invalid(list_field, format!("{context}{reason}"))
        }
        AgenticError::Timeout { .. }
        | AgenticError::Unavailable
        | AgenticError::Corridors(_)
        | AgenticError::TooManyParties { .. } => {
            tracing::warn!(%error, "agentic actor could not answer");
            ApiError::Unavailable {
                message: format!("{context}the agentic engine could not answer: {error}"),
                retry_after: AGENTIC_RETRY_AFTER,
            }
        }
        AgenticError::Payload { .. } | AgenticError::RulingId { .. } => ApiError::internal(error),
    }
}

fn audit_entry_json(entry: &AuditEntry) -> Result<Value, ApiError> {
    Ok(json!({
        "sequence": entry.sequence,
        "prev_hash": entry.prev_hash.to_hex(),
        "entry_hash": entry.entry_hash.to_hex(),
        "entry": msez_protocol::canonical::parse(entry.entry.as_bytes())
            .map_err(ApiError::internal)?,
    }))
}

fn policy_in_force_json(in_force: &PolicyInForce) -> Value {
    json!({
        "policy_id": in_force.policy.policy_id.as_str(),
        "version": in_force.version,
        "policy": in_force.policy.to_value(),
    })
}

fn written_json(written: &PolicyWritten, retired: bool) -> Value {
    json!({
        "policy_id": written.policy_id.as_str(),
        "version": written.version,
        "digest": written.digest.to_hex(),
        "retired": retired,
    })
}

fn policy_id_of(text: &str) -> Result<PolicyId, ApiError> {
    PolicyId::new(text).map_err(|error| ApiError::BadRequest {
        message: format!("policy id: {error}"),
        field: Some("policy_id".to_owned()),
    })
}

/// `(from, limit)` of a page: `from` defaults to `from_default`, `limit` to `limit_max`; a limit
/// of 0 or above `limit_max` is a 400 naming `limit`.
fn page_of(page: &Page, from_default: u64, limit_max: u64) -> Result<(u64, u64), ApiError> {
    let limit = page.limit.unwrap_or(limit_max);
    if limit == 0 || limit > limit_max {
        return Err(ApiError::BadRequest {
            message: format!("limit must be between 1 and {limit_max}"),
            field: Some("limit".to_owned()),
        });
    }
    Ok((page.from.unwrap_or(from_default), limit))
}

/// The HTTP meaning of a refused policy write.
fn policy_write_error(error: PolicyWriteError) -> ApiError {
    let message = error.to_string();
    match error {
        PolicyWriteError::Invalid { .. } => ApiError::invalid("body", message),
        PolicyWriteError::NotInForce { .. } => ApiError::NotFound { message },
        PolicyWriteError::Conflict { .. } => ApiError::Conflict { message },
        PolicyWriteError::Load(_) | PolicyWriteError::Store(_) => ApiError::internal(message),
    }
}
