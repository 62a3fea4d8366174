//! Watcher routes (SPEC §11): the registry (register, bond, activate, unbond, deactivate),
//! slashing claims with typed evidence (file, read, rebut, execute), and the watchers' signed
//! corridor attestations (submit, list).
//!
//! Owns the handlers and the lifting of their bodies into protocol types: a watcher's stored
//! row and bond become a one-watcher `WatcherRegistry`, evidence becomes `SlashingEvidence`
//! (checkpoints verified under the corridor's receipt-signing policy), an attestation a
//! `WatcherAttestation`. The protocol decides every move (`WatcherRegistry::{bond, activate,
//! begin_unbonding, deactivate}`, `SlashingEvidence::recheck`, `SlashingClaim::rebut`,
//! `execute_slash`) and the store writes it as one compare-and-set transaction.
//!
//! Ids: a watcher's id is its did:key; its bond is `bond:<did>` (the lifecycle bonds a watcher
//! once); a claim is `claim-<digest of {watcher, evidence}>`, so the same evidence against the
//! same watcher is one claim; a corridor attestation is the digest of its signed document.
//!
//! Never: decides a transition itself, writes anything for a refused request, records an
//! attestation that contradicts the corridor's durable journal, or slashes before the
//! protocol's challenge window closes.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_persistence::records::RecordError;
use msez_persistence::watchers::{
    ATTESTATIONS_PAGE_MAX, AttestationRecord, BOND_STATE_HELD, BondMove, BondRecord,
    SlashingClaimRecord, StateMove, WATCHERS_PAGE_MAX, WatcherRecord as StoredWatcher,
};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::checkpoint::{SignedCheckpoint, VerifiedCheckpoint, verify_checkpoint};
use msez_protocol::corridor::watcher::{
    AVAILABILITY_INCIDENTS_MAX, AvailabilityEvidence, CollusionEvidence, EquivocationEvidence,
    FalseAttestationEvidence, SlashingClaim, SlashingEvidence, WATCHERS_MAX, WatcherAttestation,
    WatcherError, WatcherRecord, WatcherRegistry, WatcherStatus, execute_slash,
};
use msez_protocol::currency::Currency;
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::DidKey;
use msez_protocol::time::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::handlers::corridors::{bad_parameter, corridor_id_of, reject};
use crate::server::handlers::{now, now_unix_ms};
use crate::server::query::{QueryParams, next_after, page_limit};
use crate::server::state::AppState;

/// The bond a watcher needs to serve: to have its attestations recorded, and to keep serving
/// after a partial slash. The node's registry is zone-wide, across corridors and currencies,
/// so it has no corridor's `bond_minor_min`; a corridor applies its own minimum when its fork
/// policy counts attestations. Here any stake will do.
const SERVING_BOND_MINOR_MIN: u64 = 1;

/// A bond that still stands behind its watcher.
const BOND_HELD: &str = BOND_STATE_HELD;
/// A bond returned to a watcher that left.
const BOND_RELEASED: &str = "released";
/// A bond slashed to nothing.
const BOND_FORFEITED: &str = "forfeited";

/// A claim inside or past its challenge window, not yet executed.
const CLAIM_PENDING: &str = "pending";
/// A claim whose slash was applied.
const CLAIM_EXECUTED: &str = "executed";
/// An availability claim whose every incident was rebutted: nothing to slash.
const CLAIM_DISMISSED: &str = "dismissed";

/// The `type` of a stored bond document.
const BOND_TYPE: &str = "MSEZWatcherBond";
/// The `type` of a stored claim document.
const CLAIM_TYPE: &str = "MSEZSlashingClaim";

/// A keyset page of watchers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WatchersPage {
    after: Option<String>,
    limit: Option<u64>,
}

/// A keyset page of a corridor's attestations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttestationsPage {
    after: Option<String>,
    limit: Option<u64>,
}

/// A watcher as stored: its row, its parsed status and its bond, if it posted one.
struct Loaded {
    did: DidKey,
    row: StoredWatcher,
    status: WatcherStatus,
    bond: Option<BondRecord>,
}

/// A stored claim, read back into protocol types with its rebuttals applied.
struct StoredClaim {
    record: SlashingClaimRecord,
    claim: SlashingClaim,
}

/// `POST /v1/watchers`: `{did}` in; the registered watcher out with 201 (409 when known).
pub(crate) async fn register(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    only_members(&body, &["did"])?;
    let did: DidKey = body
        .get("did")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| ApiError::invalid("/did", "did must be an Ed25519 did:key"))?;
    let watcher_id = did.to_string();
    if state
        .store()
        .watcher(&watcher_id)
        .await
        .map_err(ApiError::internal)?
        .is_some()
    {
        return Err(watcher_error(WatcherError::AlreadyRegistered {
            watcher: did,
        }));
    }
    let mut registry = WatcherRegistry::new();
    registry.register(did).map_err(watcher_error)?;
    let row = StoredWatcher {
        watcher_id: watcher_id.clone(),
        did: watcher_id.clone(),
        state: WatcherStatus::Registered.as_str().to_owned(),
        registered_at_unix_ms: now_unix_ms()?,
    };
    if let Err(error) = state.store().register_watcher(&row).await {
        // A concurrent registration of the same did wins the primary key.
        return match state.store().watcher(&watcher_id).await {
            Ok(Some(_)) => Err(watcher_error(WatcherError::AlreadyRegistered {
                watcher: did,
            })),
            _ => Err(ApiError::internal(error)),
        };
    }
    let loaded = load(&state, &watcher_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(watcher_json(&state, &loaded).await?),
    ))
}

/// `GET /v1/watchers?after=&limit=`: watchers in id order with their status.
pub(crate) async fn list(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<WatchersPage>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, WATCHERS_PAGE_MAX)?;
    let rows = state
        .store()
        .watchers(page.after.as_deref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let listed: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "watcher_id": row.watcher_id,
                "status": row.state,
                "registered_at_unix_ms": row.registered_at_unix_ms,
            })
        })
        .collect();
    Ok(Json(json!({
        "watchers": listed,
        "next_after": next_after(&rows, limit, |row| row.watcher_id.clone()),
    })))
}

/// `GET /v1/watchers/{watcher_id}`: status, the moves it allows, its bond and the claims
/// against the bond.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(watcher_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let loaded = load(&state, &watcher_id).await?;
    Ok(Json(watcher_json(&state, &loaded).await?))
}

/// `POST /v1/watchers/{watcher_id}/bond`: `{amount_minor, currency}` in; registered → bonded,
/// the bond recorded in the same transaction.
pub(crate) async fn bond(
    State(state): State<AppState>,
    Path(watcher_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    only_members(&body, &["amount_minor", "currency"])?;
    let amount_minor = body
        .get("amount_minor")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ApiError::invalid(
                "/amount_minor",
                "amount_minor must be a non-negative integer of minor units",
            )
        })?;
    let currency = body
        .get("currency")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("/currency", "currency must be an ISO 4217 code"))
        .and_then(|text| {
            Currency::parse(text).map_err(|error| ApiError::invalid("/currency", error))
        })?;
    let loaded = load(&state, &watcher_id).await?;
    let mut registry = registry_of(&loaded)?;
    registry
        .bond(&loaded.did, amount_minor)
        .map_err(watcher_error)?;
    let bond_id = bond_id_of(&loaded.did);
    let document = json!({
        "type": BOND_TYPE,
        "bond_id": bond_id,
        "watcher": loaded.row.watcher_id,
        "currency": currency.code(),
        "amount_minor": amount_minor,
        "posted_at": now()?.to_string(),
    });
    let record = BondRecord {
        bond_id,
        watcher_id: loaded.row.watcher_id.clone(),
        currency: currency.code().to_owned(),
        amount_minor: i128::from(amount_minor),
        state: BOND_HELD.to_owned(),
        bond: CanonicalBytes::new(&document).map_err(ApiError::internal)?,
    };
    let watcher_move = status_move(&loaded, &registry)?;
    state
        .store()
        .bond_watcher(&watcher_move, &record)
        .await
        .map_err(record_error)?;
    let loaded = load(&state, &watcher_id).await?;
    Ok(Json(watcher_json(&state, &loaded).await?))
}

/// `POST /v1/watchers/{watcher_id}/activate`: bonded → active.
pub(crate) async fn activate(
    State(state): State<AppState>,
    Path(watcher_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step_status(&state, &watcher_id, WatcherRegistry::activate).await
}

/// `POST /v1/watchers/{watcher_id}/unbond`: active → unbonding (the bond stays held for
/// claims still in their window).
pub(crate) async fn unbond(
    State(state): State<AppState>,
    Path(watcher_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step_status(&state, &watcher_id, WatcherRegistry::begin_unbonding).await
}

/// `POST /v1/watchers/{watcher_id}/deactivate`: unbonding → deactivated and the bond
/// released, refused while a claim against the bond is pending.
pub(crate) async fn deactivate(
    State(state): State<AppState>,
    Path(watcher_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let loaded = load(&state, &watcher_id).await?;
    let mut registry = registry_of(&loaded)?;
    registry.deactivate(&loaded.did).map_err(watcher_error)?;
    let bond = loaded.bond.as_ref().ok_or_else(|| {
        ApiError::internal(format!("watcher {watcher_id} is unbonding without a bond"))
    })?;
    let claims = state
        .store()
        .slashing_claims(&bond.bond_id)
        .await
        .map_err(ApiError::internal)?;
    if let Some(pending) = claims.iter().find(|claim| claim.state == CLAIM_PENDING) {
        return Err(ApiError::Conflict {
            message: format!(
                "watcher {watcher_id} cannot leave while claim {} against its bond is pending; \
                 execute it first",
                pending.claim_id
            ),
        });
    }
    let bond_move = BondMove {
        bond_id: bond.bond_id.clone(),
        from_state: bond.state.clone(),
        to_state: BOND_RELEASED.to_owned(),
        from_amount_minor: bond.amount_minor,
        to_amount_minor: bond.amount_minor,
    };
    state
        .store()
        .move_watcher_and_bond(&status_move(&loaded, &registry)?, &bond_move)
        .await
        .map_err(record_error)?;
    let loaded = load(&state, &watcher_id).await?;
    Ok(Json(watcher_json(&state, &loaded).await?))
}

/// `POST /v1/watchers/slashing-claims`: `{watcher_id, evidence}` in, where `evidence` is
/// `{kind: "equivocation", attestations: [a, b]}`, `{kind: "collusion", equivocations:
/// [{attestations: [a, b]}, …]}`, `{kind: "false_attestation", attestation, checkpoint}` or
/// `{kind: "availability_failure", checkpoint, missed_heights, due_at}`. The evidence is
/// checked (422 naming the member, nothing written); the claim is recorded against the
/// watcher's bond with the offence's challenge window, and answered with 201.
pub(crate) async fn file_claim(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    only_members(&body, &["watcher_id", "evidence"])?;
    let did: DidKey = body
        .get("watcher_id")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid("/watcher_id", "watcher_id must be a watcher's did:key")
        })?;
    let evidence_value = body
        .get("evidence")
        .ok_or_else(|| ApiError::invalid("/evidence", "evidence is required"))?;
    let (evidence, evidence_value) = lift_evidence(&state, did, evidence_value).await?;
    let (offence, accused) = evidence
        .recheck()
        .map_err(|error| ApiError::invalid("/evidence", error))?;
    if !accused.contains(&did) {
        return Err(ApiError::invalid(
            "/watcher_id",
            WatcherError::EvidenceAboutAnother {
                claimed: did,
                accused,
            },
        ));
    }
    let watcher_id = did.to_string();
    let Some(loaded) = load_optional(&state, &watcher_id).await? else {
        return Err(ApiError::invalid(
            "/watcher_id",
            WatcherError::Unknown { watcher: did },
        ));
    };
    let bond = loaded.bond.as_ref().ok_or_else(|| ApiError::Conflict {
        message: format!("watcher {watcher_id} has posted no bond to slash"),
    })?;
    let claim_key = CanonicalBytes::new(&json!({
        "watcher": watcher_id,
        "evidence": evidence_value,
    }))
    .map_err(ApiError::internal)?;
    let claim_id = format!("claim-{}", claim_key.digest().to_hex());
    let claim = SlashingClaim {
        watcher: did,
        evidence,
        filed_at: now()?,
        challenge_window_seconds: offence.challenge_window_seconds(),
    };
    // A claim the lifecycle could never execute (a watcher that left, or was already slashed
    // for anything but collusion) is refused now rather than left pending forever.
    let mut trial = registry_of(&loaded)?;
    execute_slash(
        &mut trial,
        &claim,
        SERVING_BOND_MINOR_MIN,
        claim.executable_at(),
    )
    .map_err(watcher_error)?;
    let document = json!({
        "type": CLAIM_TYPE,
        "claim_id": claim_id,
        "bond_id": bond.bond_id,
        "watcher": watcher_id,
        "offence": offence.as_str(),
        "slash_bps": offence.slash_bps(),
        "evidence": evidence_value,
        "filed_at": claim.filed_at.to_string(),
        "challenge_window_seconds": claim.challenge_window_seconds,
        "executable_at": claim.executable_at().to_string(),
    });
    let record = SlashingClaimRecord {
        claim_id: claim_id.clone(),
        bond_id: bond.bond_id.clone(),
        state: CLAIM_PENDING.to_owned(),
        claim: CanonicalBytes::new(&document).map_err(ApiError::internal)?,
    };
    let already = || ApiError::Conflict {
        message: format!("this evidence against {watcher_id} is already claim {claim_id}"),
    };
    let store = state.store();
    if store
        .slashing_claim(&claim_id)
        .await
        .map_err(ApiError::internal)?
        .is_some()
    {
        return Err(already());
    }
    if let Err(error) = store.put_slashing_claim(&record).await {
        // A concurrent filing of the same evidence wins the primary key.
        return match store.slashing_claim(&claim_id).await {
            Ok(Some(_)) => Err(already()),
            _ => Err(ApiError::internal(error)),
        };
    }
    Ok((StatusCode::CREATED, Json(claim_json(&record, &document))))
}

/// `GET /v1/watchers/slashing-claims/{claim_id}`: the claim, its state and its evidence.
pub(crate) async fn get_claim(
    State(state): State<AppState>,
    Path(claim_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (record, document) = read_claim(&state, &claim_id).await?;
    Ok(Json(claim_json(&record, &document)))
}

/// `POST /v1/watchers/slashing-claims/{claim_id}/rebuttals`: the accused watcher's own signed
/// attestation of a missed height, created no later than the claim's `due_at`, while the
/// window is open; the height leaves the claim (`SlashingClaim::rebut`). 201 with the heights
/// that remain.
pub(crate) async fn rebut(
    State(state): State<AppState>,
    Path(claim_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut stored = stored_claim(&state, &claim_id).await?;
    let executable_at = stored.claim.executable_at();
    if now()? >= executable_at {
        return Err(ApiError::Conflict {
            message: format!("claim {claim_id}'s challenge window closed at {executable_at}"),
        });
    }
    let attestation = WatcherAttestation::from_json(&body).map_err(attestation_error)?;
    stored
        .claim
        .rebut(&attestation)
        .map_err(|error| match error {
            WatcherError::AttestationProof { .. } => ApiError::invalid("/proof", error),
            other => ApiError::invalid("body", other),
        })?;
    let mut record = attestation_record(&attestation, rebuttal_subject(&claim_id))?;
    // Attestation ids are one namespace: the same attestation may also be a corridor's.
    record.attestation_id = format!("{}:{}", record.subject_id, record.attestation_id);
    state
        .store()
        .put_attestation(&record)
        .await
        .map_err(record_error)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "claim_id": claim_id,
            "missed_heights": missed_heights(&stored.claim),
        })),
    ))
}

/// `POST /v1/watchers/slashing-claims/{claim_id}/execute`: once the window is closed, the
/// evidence is checked again and the slash applied (`execute_slash`): its integer basis points
/// leave the bond and the watcher moves (slashed, banned, or unchanged while stake remains),
/// with the claim, in one transaction. An availability claim whose every incident was rebutted
/// is dismissed instead. 409 while the window is open, naming when it closes.
pub(crate) async fn execute_claim(
    State(state): State<AppState>,
    Path(claim_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let stored = stored_claim(&state, &claim_id).await?;
    let claim_move = |to_state: &str| StateMove {
        key: claim_id.clone(),
        from_state: CLAIM_PENDING.to_owned(),
        to_state: to_state.to_owned(),
    };
    if missed_heights(&stored.claim).is_some_and(|heights| heights.is_empty()) {
        let dismiss = claim_move(CLAIM_DISMISSED);
        state
            .store()
            .set_slashing_claim_state(&dismiss.key, &dismiss.from_state, &dismiss.to_state)
            .await
            .map_err(record_error)?;
        return Ok(Json(
            json!({"claim_id": claim_id, "state": CLAIM_DISMISSED}),
        ));
    }
    let watcher_id = stored.claim.watcher.to_string();
    let loaded = load(&state, &watcher_id).await?;
    let bond = loaded
        .bond
        .as_ref()
        .filter(|bond| bond.bond_id == stored.record.bond_id)
        .ok_or_else(|| ApiError::internal(format!("claim {claim_id}'s bond is not stored")))?;
    let mut registry = registry_of(&loaded)?;
    let outcome = execute_slash(&mut registry, &stored.claim, SERVING_BOND_MINOR_MIN, now()?)
        .map_err(|error| match error {
            WatcherError::ChallengeWindowOpen { .. } | WatcherError::Transition { .. } => {
                ApiError::Conflict {
                    message: error.to_string(),
                }
            }
            other => ApiError::Conflict {
                message: format!("claim {claim_id}'s evidence no longer holds: {other}"),
            },
        })?;
    let bond_move = BondMove {
        bond_id: bond.bond_id.clone(),
        from_state: bond.state.clone(),
        to_state: if outcome.remaining_bond_minor == 0 {
            BOND_FORFEITED.to_owned()
        } else {
            bond.state.clone()
        },
        from_amount_minor: bond.amount_minor,
        to_amount_minor: i128::from(outcome.remaining_bond_minor),
    };
    state
        .store()
        .execute_slashing_claim(
            &claim_move(CLAIM_EXECUTED),
            &status_move(&loaded, &registry)?,
            &bond_move,
        )
        .await
        .map_err(record_error)?;
    Ok(Json(json!({
        "claim_id": claim_id,
        "state": CLAIM_EXECUTED,
        "watcher_id": watcher_id,
        "slash_bps": outcome.slash_bps,
        "slashed_minor": outcome.slashed_minor,
        "remaining_bond_minor": outcome.remaining_bond_minor,
        "status": outcome.status.as_str(),
    })))
}

/// `POST /v1/corridors/{corridor_id}/attestations`: a watcher's signed SPEC §11 attestation.
/// Recorded (201) when its signature verifies, its watcher is registered, bonded and active,
/// and the corridor's durable journal holds the attested receipt (same parent, same root) and
/// the observed head. A root the journal contradicts is false-attestation evidence: 409, not
/// recorded.
pub(crate) async fn submit_attestation(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let attestation = WatcherAttestation::from_json(&body).map_err(attestation_error)?;
    let statement = attestation.statement();
    if statement.corridor_id != corridor_id {
        return Err(ApiError::invalid(
            "/corridor_id",
            format!(
                "the attestation is of corridor {}, not {corridor_id}",
                statement.corridor_id
            ),
        ));
    }
    let record = record_attestation(&state, &corridor_id, &attestation).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "attestation_id": record.attestation_id,
            "corridor_id": corridor_id.as_str(),
            "watcher_id": attestation.watcher().to_string(),
            "height": statement.height,
            "candidate_root": statement.candidate_root.to_hex(),
            "created_at_unix_ms": record.created_at_unix_ms,
        })),
    ))
}

/// Records a watcher's attestation of `corridor_id` once every check of
/// [`submit_attestation`] passes: the observed head is consistent, the signature verifies,
/// the watcher is registered, bonded and active, and the journal holds the attested receipt.
/// The node's hosted watchers record through this too, so theirs meet the same rules.
pub(crate) async fn record_attestation(
    state: &AppState,
    corridor_id: &CorridorId,
    attestation: &WatcherAttestation,
) -> Result<AttestationRecord, ApiError> {
    attestation
        .statement()
        .check_observed_head()
        .map_err(|error| ApiError::invalid("/observed_head", error))?;
    attestation.verify().map_err(attestation_error)?;
    let watcher_id = attestation.watcher().to_string();
    let Some(loaded) = load_optional(state, &watcher_id).await? else {
        return Err(ApiError::invalid(
            "/watcher",
            WatcherError::Unknown {
                watcher: attestation.watcher(),
            },
        ));
    };
    let registry = registry_of(&loaded)?;
    if !registry.counts(&loaded.did, SERVING_BOND_MINOR_MIN) {
        return Err(ApiError::Conflict {
            message: format!(
                "watcher {watcher_id} is {}; only a bonded, active watcher's attestation is \
                 recorded",
                loaded.status.as_str()
            ),
        });
    }
    check_against_journal(state, corridor_id, attestation).await?;
    let record = attestation_record(attestation, corridor_id.to_string())?;
    state
        .store()
        .put_attestation(&record)
        .await
        .map_err(record_error)?;
    Ok(record)
}

/// `GET /v1/corridors/{corridor_id}/attestations?after=&limit=`: the corridor's recorded
/// attestations, oldest first, and the `next_after` to ask for next (absent on the last page).
pub(crate) async fn attestations(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    QueryParams(page): QueryParams<AttestationsPage>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let limit = page_limit(page.limit, ATTESTATIONS_PAGE_MAX)?;
    // 404 for a corridor that does not exist, like every other corridor read.
    state
        .corridors()
        .summary(&corridor_id)
        .await
        .map_err(reject)?;
    let records = state
        .store()
        .attestations(corridor_id.as_str(), page.after.as_deref(), limit)
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
        "corridor_id": corridor_id.as_str(),
        "attestations": listed,
        "next_after": next_after(&records, limit, |record| record.attestation_id.clone()),
    })))
}

/// Checks the attestation against the corridor's durable journal: the attested receipt
/// exists with the attested parent and root, and the observed head is a head the corridor had.
async fn check_against_journal(
    state: &AppState,
    corridor_id: &CorridorId,
    attestation: &WatcherAttestation,
) -> Result<(), ApiError> {
    let statement = attestation.statement();
    let summary = state
        .corridors()
        .summary(corridor_id)
        .await
        .map_err(reject)?;
    if statement.height >= summary.height {
        return Err(ApiError::invalid(
            "/height",
            format!(
                "corridor {corridor_id} has no receipt at height {} (its height is {})",
                statement.height, summary.height
            ),
        ));
    }
    if statement.observed_head.height > summary.height {
        return Err(ApiError::invalid(
            "/observed_head/height",
            format!(
                "corridor {corridor_id} has not reached observed height {} (its height is {})",
                statement.observed_head.height, summary.height
            ),
        ));
    }
    let parent_root = root_at(state, corridor_id, statement.height, summary.genesis_root).await?;
    let candidate_root = root_at(
        state,
        corridor_id,
        statement.height + 1,
        summary.genesis_root,
    )
    .await?;
    let observed_root = root_at(
        state,
        corridor_id,
        statement.observed_head.height,
        summary.genesis_root,
    )
    .await?;
    let contradicted = [
        ("parent_root", statement.parent_root, parent_root),
        ("candidate_root", statement.candidate_root, candidate_root),
        (
            "observed_head.next_root",
            statement.observed_head.next_root,
            observed_root,
        ),
    ]
    .into_iter()
    .find(|(_, attested, durable)| attested != durable);
    match contradicted {
        None => Ok(()),
        Some((member, attested, durable)) => Err(ApiError::Conflict {
            message: format!(
                "the attestation's {member} {attested} contradicts corridor {corridor_id}'s \
                 durable journal ({durable}): this is false-attestation evidence against \
                 watcher {} (SPEC §11), not a valid attestation, and it was not recorded",
                attestation.watcher()
            ),
        }),
    }
}

/// The corridor's head after `height` receipts: the genesis root at 0, else the durable
/// `next_root` of receipt `height - 1`.
async fn root_at(
    state: &AppState,
    corridor_id: &CorridorId,
    height: u64,
    genesis_root: Digest,
) -> Result<Digest, ApiError> {
    let Some(sequence) = height.checked_sub(1) else {
        return Ok(genesis_root);
    };
    let receipts = state
        .corridors()
        .receipts(corridor_id, sequence, 1)
        .await
        .map_err(reject)?;
    receipts
        .first()
        .filter(|receipt| receipt.sequence == sequence)
        .map(|receipt| receipt.next_root)
        .ok_or_else(|| {
            ApiError::internal(format!(
                "corridor {corridor_id} has height above {sequence} but no receipt {sequence}"
            ))
        })
}

/// Reads `evidence` into `SlashingEvidence` against `watcher`, and the evidence's normalised
/// JSON (attestations re-serialised, evidence sorted the protocol's way) that the claim stores.
async fn lift_evidence(
    state: &AppState,
    watcher: DidKey,
    evidence: &Value,
) -> Result<(SlashingEvidence, Value), ApiError> {
    let kind = evidence
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::invalid(
                "/evidence/kind",
                "kind must be equivocation, collusion, false_attestation or availability_failure",
            )
        })?;
    match kind {
        "equivocation" => {
            only_members_at(evidence, "/evidence", &["kind", "attestations"])?;
            let equivocation = lift_equivocation(evidence, "/evidence")?;
            let normalised = json!({
                "kind": kind,
                "attestations": equivocation_json(&equivocation)?,
            });
            Ok((
                SlashingEvidence::Equivocation(Box::new(equivocation)),
                normalised,
            ))
        }
        "collusion" => {
            only_members_at(evidence, "/evidence", &["kind", "equivocations"])?;
            let items = evidence
                .get("equivocations")
                .and_then(Value::as_array)
                .filter(|items| items.len() <= WATCHERS_MAX)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "/evidence/equivocations",
                        format!("equivocations must be an array of at most {WATCHERS_MAX}"),
                    )
                })?;
            let equivocations = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    lift_equivocation(item, &format!("/evidence/equivocations/{index}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let collusion = CollusionEvidence::new(equivocations)
                .map_err(|error| ApiError::invalid("/evidence/equivocations", error))?;
            let normalised_items = collusion
                .equivocations()
                .iter()
                .map(|equivocation| {
                    equivocation_json(equivocation).map(|pair| json!({"attestations": pair}))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                SlashingEvidence::Collusion(Box::new(collusion)),
                json!({"kind": kind, "equivocations": normalised_items}),
            ))
        }
        "false_attestation" => {
            only_members_at(
                evidence,
                "/evidence",
                &["kind", "attestation", "checkpoint"],
            )?;
            let attestation = evidence
                .get("attestation")
                .ok_or_else(|| {
                    ApiError::invalid("/evidence/attestation", "attestation is required")
                })
                .and_then(|value| {
                    WatcherAttestation::from_json(value)
                        .map_err(|error| ApiError::invalid("/evidence/attestation", error))
                })?;
            let (checkpoint, checkpoint_value) = lift_checkpoint(state, evidence).await?;
            let normalised = json!({
                "kind": kind,
                "attestation": attestation.to_json().map_err(ApiError::internal)?,
                "checkpoint": checkpoint_value,
            });
            let evidence = FalseAttestationEvidence::new(attestation, checkpoint)
                .map_err(|error| ApiError::invalid("/evidence", error))?;
            Ok((
                SlashingEvidence::FalseAttestation(Box::new(evidence)),
                normalised,
            ))
        }
        "availability_failure" => {
            only_members_at(
                evidence,
                "/evidence",
                &["kind", "checkpoint", "missed_heights", "due_at"],
            )?;
            let missed_heights = evidence
                .get("missed_heights")
                .and_then(Value::as_array)
                .filter(|items| items.len() <= AVAILABILITY_INCIDENTS_MAX)
                .and_then(|items| {
                    items
                        .iter()
                        .map(Value::as_u64)
                        .collect::<Option<BTreeSet<u64>>>()
                })
                .ok_or_else(|| {
                    ApiError::invalid(
                        "/evidence/missed_heights",
                        format!(
                            "missed_heights must be an array of at most \
                             {AVAILABILITY_INCIDENTS_MAX} heights"
                        ),
                    )
                })?;
            let due_at = evidence
                .get("due_at")
                .and_then(Value::as_str)
                .and_then(|text| Timestamp::parse(text).ok())
                .ok_or_else(|| {
                    ApiError::invalid("/evidence/due_at", "due_at must be YYYY-MM-DDTHH:MM:SSZ")
                })?;
            let (checkpoint, checkpoint_value) = lift_checkpoint(state, evidence).await?;
            let normalised = json!({
                "kind": kind,
                "checkpoint": checkpoint_value,
                "missed_heights": missed_heights,
                "due_at": due_at.to_string(),
            });
            let evidence = AvailabilityEvidence {
                watcher,
                checkpoint,
                missed_heights,
                due_at,
            };
            evidence
                .check()
                .map_err(|error| ApiError::invalid("/evidence/missed_heights", error))?;
            Ok((
                SlashingEvidence::AvailabilityFailure(Box::new(evidence)),
                normalised,
            ))
        }
        other => Err(ApiError::invalid(
            "/evidence/kind",
            format!(
                "unknown evidence kind {other:?}; expected equivocation, collusion, \
                 false_attestation or availability_failure"
            ),
        )),
    }
}

/// `{attestations: [a, b]}` at `pointer` as an equivocation.
fn lift_equivocation(value: &Value, pointer: &str) -> Result<EquivocationEvidence, ApiError> {
    let field = format!("{pointer}/attestations");
    let [first, second] = value
        .get("attestations")
        .and_then(Value::as_array)
        .and_then(|items| <&[Value; 2]>::try_from(items.as_slice()).ok())
        .ok_or_else(|| ApiError::invalid(&field, "attestations must be two signed attestations"))?;
    let read = |index: usize, value: &Value| {
        WatcherAttestation::from_json(value)
            .map_err(|error| ApiError::invalid(format!("{field}/{index}"), error))
    };
    EquivocationEvidence::new(read(0, first)?, read(1, second)?)
        .map_err(|error| ApiError::invalid(&field, error))
}

/// The two attestations of an equivocation as their signed documents, in the protocol's order.
fn equivocation_json(evidence: &EquivocationEvidence) -> Result<Value, ApiError> {
    Ok(json!([
        evidence.first.to_json().map_err(ApiError::internal)?,
        evidence.second.to_json().map_err(ApiError::internal)?,
    ]))
}

/// The evidence's `checkpoint`, verified under its corridor's receipt-signing policy.
async fn lift_checkpoint(
    state: &AppState,
    evidence: &Value,
) -> Result<(VerifiedCheckpoint, Value), ApiError> {
    let field = "/evidence/checkpoint";
    let value = evidence
        .get("checkpoint")
        .ok_or_else(|| ApiError::invalid(field, "checkpoint is required"))?;
    let signed =
        SignedCheckpoint::from_value(value).map_err(|error| ApiError::invalid(field, error))?;
    let corridor_id = signed.document.corridor_id.clone();
    let ledger = state
        .corridors()
        .ledger(&corridor_id)
        .await
        .map_err(|rejection| match reject(rejection) {
            ApiError::NotFound { message } => ApiError::invalid(field, message),
            other => other,
        })?;
    let verified = verify_checkpoint(&signed, ledger.chain().policy())
        .map_err(|error| ApiError::invalid(field, error))?;
    Ok((verified, value.clone()))
}

/// A stored claim read back: its record and the protocol claim with every recorded rebuttal
/// applied. Only a pending claim is returned (409 otherwise).
async fn stored_claim(state: &AppState, claim_id: &str) -> Result<StoredClaim, ApiError> {
    let (record, document) = read_claim(state, claim_id).await?;
    if record.state != CLAIM_PENDING {
        return Err(ApiError::Conflict {
            message: format!("claim {claim_id} is {}, not pending", record.state),
        });
    }
    let stored_field = |name: &str| {
        ApiError::internal(format!(
            "stored claim {claim_id} has no valid member {name}"
        ))
    };
    let watcher: DidKey = document
        .get("watcher")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| stored_field("watcher"))?;
    let filed_at = document
        .get("filed_at")
        .and_then(Value::as_str)
        .and_then(|text| Timestamp::parse(text).ok())
        .ok_or_else(|| stored_field("filed_at"))?;
    let challenge_window_seconds = document
        .get("challenge_window_seconds")
        .and_then(Value::as_u64)
        .and_then(|seconds| u32::try_from(seconds).ok())
        .ok_or_else(|| stored_field("challenge_window_seconds"))?;
    let evidence_value = document
        .get("evidence")
        .ok_or_else(|| stored_field("evidence"))?;
    let (evidence, _) = lift_evidence(state, watcher, evidence_value)
        .await
        .map_err(|error| ApiError::Conflict {
            message: format!("claim {claim_id}'s evidence no longer verifies: {error}"),
        })?;
    let mut claim = SlashingClaim {
        watcher,
        evidence,
        filed_at,
        challenge_window_seconds,
    };
    let rebuttals = state
        .store()
        .attestations(&rebuttal_subject(claim_id), None, ATTESTATIONS_PAGE_MAX)
        .await
        .map_err(ApiError::internal)?;
    for rebuttal in &rebuttals {
        let value = msez_protocol::canonical::parse(rebuttal.attestation.as_bytes())
            .map_err(ApiError::internal)?;
        let attestation = WatcherAttestation::from_json(&value).map_err(ApiError::internal)?;
        claim.rebut(&attestation).map_err(ApiError::internal)?;
    }
    Ok(StoredClaim { record, claim })
}

/// A claim's record and its stored document (404 when unknown).
async fn read_claim(
    state: &AppState,
    claim_id: &str,
) -> Result<(SlashingClaimRecord, Value), ApiError> {
    let record = state
        .store()
        .slashing_claim(claim_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("slashing claim", claim_id))?;
    let document =
        msez_protocol::canonical::parse(record.claim.as_bytes()).map_err(ApiError::internal)?;
    Ok((record, document))
}

/// The attestations store's subject under which a claim's rebuttals are kept.
fn rebuttal_subject(claim_id: &str) -> String {
    format!("rebuttals:{claim_id}")
}

/// The heights an availability claim still lists (`None` for other claims).
fn missed_heights(claim: &SlashingClaim) -> Option<Vec<u64>> {
    match &claim.evidence {
        SlashingEvidence::AvailabilityFailure(evidence) => {
            Some(evidence.missed_heights.iter().copied().collect())
        }
        SlashingEvidence::Equivocation(_)
        | SlashingEvidence::FalseAttestation(_)
        | SlashingEvidence::Collusion(_) => None,
    }
}

/// The store record of a verified attestation: its signed document, id'd by its digest, kept
/// under `subject_id`, dated by its proof (the watcher's clock).
fn attestation_record(
    attestation: &WatcherAttestation,
    subject_id: String,
) -> Result<AttestationRecord, ApiError> {
    let document = attestation.to_json().map_err(ApiError::internal)?;
    let canonical = CanonicalBytes::new(&document).map_err(ApiError::internal)?;
    let (_, proof) = attestation.signed_parts();
    // Timestamps end in year 9999, so whole milliseconds always fit an i64.
    let created_at_unix_ms = proof.created().unix_seconds().saturating_mul(1_000);
    Ok(AttestationRecord {
        attestation_id: canonical.digest().to_hex(),
        subject_id,
        attestation: canonical,
        created_at_unix_ms,
    })
}

/// The watcher `watcher_id` (a did:key; 400 otherwise), 404 when not registered.
async fn load(state: &AppState, watcher_id: &str) -> Result<Loaded, ApiError> {
    load_optional(state, watcher_id)
        .await?
        .ok_or_else(|| ApiError::not_found("watcher", watcher_id))
}

/// The watcher `watcher_id` (a did:key; 400 otherwise), if registered.
async fn load_optional(state: &AppState, watcher_id: &str) -> Result<Option<Loaded>, ApiError> {
    let did: DidKey = watcher_id.parse().map_err(|error| {
        bad_parameter(
            "watcher_id",
            format!("watcher id must be a did:key: {error}"),
        )
    })?;
    let store = state.store();
    let Some(row) = store
        .watcher(&did.to_string())
        .await
        .map_err(ApiError::internal)?
    else {
        return Ok(None);
    };
    let status = WatcherStatus::parse(&row.state).ok_or_else(|| {
        ApiError::internal(format!(
            "watcher {watcher_id} has unknown stored state {}",
            row.state
        ))
    })?;
    let bond_id = bond_id_of(&did);
    let bond = store
        .bonds(&row.watcher_id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|bond| bond.bond_id == bond_id);
    Ok(Some(Loaded {
        did,
        row,
        status,
        bond,
    }))
}

/// A one-watcher registry holding the stored watcher: its status, and its bond while held.
fn registry_of(loaded: &Loaded) -> Result<WatcherRegistry, ApiError> {
    let bond_minor = match &loaded.bond {
        Some(bond) if bond.state == BOND_HELD => u64::try_from(bond.amount_minor)
            .map_err(|_| ApiError::internal(format!("bond {} is negative", bond.bond_id)))?,
        _ => 0,
    };
    let record = WatcherRecord {
        status: loaded.status,
        bond_minor,
    };
    WatcherRegistry::from_records(BTreeMap::from([(loaded.did, record)]))
        .map_err(ApiError::internal)
}

/// The store move from the loaded status to the registry's status after a protocol step.
fn status_move(loaded: &Loaded, registry: &WatcherRegistry) -> Result<StateMove, ApiError> {
    let to = registry
        .get(&loaded.did)
        .ok_or_else(|| ApiError::internal("the watcher left its registry"))?
        .status;
    Ok(StateMove {
        key: loaded.row.watcher_id.clone(),
        from_state: loaded.status.as_str().to_owned(),
        to_state: to.as_str().to_owned(),
    })
}

/// Loads the watcher, applies one registry rule that moves only its status, and stores the move.
async fn step_status(
    state: &AppState,
    watcher_id: &str,
    rule: fn(&mut WatcherRegistry, &DidKey) -> Result<(), WatcherError>,
) -> Result<Json<Value>, ApiError> {
    let loaded = load(state, watcher_id).await?;
    let mut registry = registry_of(&loaded)?;
    rule(&mut registry, &loaded.did).map_err(watcher_error)?;
    move_status(state, &loaded, &registry).await
}

/// Writes a status-only move and answers with the watcher as it now stands.
async fn move_status(
    state: &AppState,
    loaded: &Loaded,
    registry: &WatcherRegistry,
) -> Result<Json<Value>, ApiError> {
    let watcher_move = status_move(loaded, registry)?;
    state
        .store()
        .set_watcher_state(
            &watcher_move.key,
            &watcher_move.from_state,
            &watcher_move.to_state,
        )
        .await
        .map_err(record_error)?;
    let loaded = load(state, &loaded.row.watcher_id).await?;
    Ok(Json(watcher_json(state, &loaded).await?))
}

/// The watcher's answer: id, status, the moves it allows, its bond and its claims.
async fn watcher_json(state: &AppState, loaded: &Loaded) -> Result<Value, ApiError> {
    let mut claims = Vec::new();
    if let Some(bond) = &loaded.bond {
        for record in state
            .store()
            .slashing_claims(&bond.bond_id)
            .await
            .map_err(ApiError::internal)?
        {
            let document = msez_protocol::canonical::parse(record.claim.as_bytes())
                .map_err(ApiError::internal)?;
            claims.push(claim_json(&record, &document));
        }
    }
    let bond = loaded.bond.as_ref().map(|bond| {
        json!({
            "bond_id": bond.bond_id,
            "currency": bond.currency,
            "amount_minor": bond.amount_minor.to_string(),
            "state": bond.state,
        })
    });
    let successors: Vec<&str> = loaded
        .status
        .successors()
        .iter()
        .map(|status| status.as_str())
        .collect();
    Ok(json!({
        "watcher_id": loaded.row.watcher_id,
        "did": loaded.row.did,
        "status": loaded.status.as_str(),
        "next_statuses": successors,
        "registered_at_unix_ms": loaded.row.registered_at_unix_ms,
        "bond": bond,
        "slashing_claims": claims,
    }))
}

/// A claim's answer: its stored document's members and its state.
fn claim_json(record: &SlashingClaimRecord, document: &Value) -> Value {
    let member = |name: &str| document.get(name).cloned().unwrap_or(Value::Null);
    json!({
        "claim_id": record.claim_id,
        "bond_id": record.bond_id,
        "state": record.state,
        "watcher_id": member("watcher"),
        "offence": member("offence"),
        "slash_bps": member("slash_bps"),
        "filed_at": member("filed_at"),
        "challenge_window_seconds": member("challenge_window_seconds"),
        "executable_at": member("executable_at"),
        "evidence": member("evidence"),
    })
}

/// A watcher's bond id.
fn bond_id_of(did: &DidKey) -> String {
    format!("bond:{did}")
}

/// Refuses members other than `allowed` (422 naming the first unknown one).
fn only_members(body: &Value, allowed: &[&str]) -> Result<(), ApiError> {
    only_members_at(body, "", allowed)
}

/// Refuses members of the object at `pointer` other than `allowed`; a non-object is a 422
/// naming `pointer` (or `body`).
fn only_members_at(value: &Value, pointer: &str, allowed: &[&str]) -> Result<(), ApiError> {
    let object = value.as_object().ok_or_else(|| {
        let field = if pointer.is_empty() { "body" } else { pointer };
        ApiError::invalid(field, "must be a JSON object")
    })?;
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        None => Ok(()),
        Some(unknown) => Err(ApiError::invalid(
            format!("{pointer}/{unknown}"),
            format!("unknown member {unknown:?}"),
        )),
    }
}

/// The HTTP meaning of a protocol refusal of a watcher operation: an illegal move is a 409
/// naming the moves the lifecycle allows from where the watcher is.
fn watcher_error(error: WatcherError) -> ApiError {
    match error {
        WatcherError::Transition { watcher, from, to } => {
            let allowed: Vec<&str> = from
                .successors()
                .iter()
                .map(|status| status.as_str())
                .collect();
            let allowed = if allowed.is_empty() {
                "none (terminal)".to_owned()
            } else {
                allowed.join(", ")
            };
            ApiError::Conflict {
                message: format!(
                    "watcher {watcher} is {} and cannot become {}; legal next statuses: {allowed}",
                    from.as_str(),
                    to.as_str()
                ),
            }
        }
        WatcherError::AlreadyRegistered { .. } => ApiError::Conflict {
            message: error.to_string(),
        },
        WatcherError::EmptyBond { .. } => ApiError::invalid("/amount_minor", error),
        WatcherError::Unknown { watcher } => ApiError::not_found("watcher", &watcher.to_string()),
        other => ApiError::internal(other),
    }
}

/// A signed attestation that does not read or verify: 422 naming its member.
fn attestation_error(error: WatcherError) -> ApiError {
    let field = match &error {
        WatcherError::AttestationField { field } => format!("/{field}"),
        WatcherError::SignerMismatch { .. } => "/watcher".to_owned(),
        WatcherError::ObservedHead { .. } => "/observed_head".to_owned(),
        _ => "/proof".to_owned(),
    };
    ApiError::invalid(field, error)
}

/// A store refusal of a move: the row moved on meanwhile (409) or is gone (404).
fn record_error(error: RecordError) -> ApiError {
    match error {
        RecordError::StateChanged { .. } | RecordError::Conflict { .. } => ApiError::Conflict {
            message: format!("changed concurrently, nothing written: {error}"),
        },
        RecordError::NotFound { table, key } => ApiError::NotFound {
            message: format!("{table} {key} not found"),
        },
        other => ApiError::internal(other),
    }
}
