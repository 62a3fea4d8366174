//! Sandbox routes of `identity-info`: KYC, KYB, CNIC and NTN verification, identity records,
//! filer status.
//!
//! Owns the handlers and the sandbox's deterministic verification rules:
//! - KYC, KYB: VERIFIED when the required fields are present.
//! - CNIC: 13 digits required (400 otherwise); VERIFIED, except CNICs ending in `0000` which are
//!   REJECTED ("not found in the sandbox registry") so a test can exercise rejection.
//! - NTN: 7 digits required; filer status from the last digit: even → FILER, odd → NON_FILER,
//!   and NTNs starting with `9` are unknown (filer-status 404, verification REJECTED).
//!
//! Never: contacts NADRA or FBR; these rules are a sandbox fiction.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};

use crate::identity::{
    CNIC_DIGITS, CnicRequestWire, FilerStatus, FilerStatusRecord, KybRequest, KycRequest,
    NTN_DIGITS, NtnRequestWire, Verification, VerificationKind, VerificationStatus,
};
use crate::sandbox::state::{SandboxError, SandboxState, Store, found, non_blank, parse_body};

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/verification/kyc", post(kyc))
        .route("/verification/kyb", post(kyb))
        .route("/verification/cnic", post(cnic))
        .route("/verification/ntn", post(ntn))
        .route("/verification/{id}", get(verification))
        .route("/identity/entity/{entity_id}", get(records_of))
        .route("/ntn/{ntn}/filer-status", get(filer_status))
}

struct Outcome {
    entity_id: Option<String>,
    subject_id: String,
    kind: VerificationKind,
    status: VerificationStatus,
    filer_status: Option<FilerStatus>,
    reason: Option<String>,
}

fn record(store: &mut Store, outcome: Outcome) -> Verification {
    let verification = Verification {
        id: Some(store.next_id()),
        entity_id: outcome.entity_id,
        subject_id: Some(outcome.subject_id),
        kind: Some(outcome.kind),
        status: Some(outcome.status),
        filer_status: outcome.filer_status,
        reason: outcome.reason,
        created_at: Some(store.now()),
    };
    if let Some(id) = &verification.id {
        store.verifications.insert(id.clone(), verification.clone());
    }
    verification
}

async fn kyc(State(state): AppState, body: Bytes) -> Result<Json<Verification>, SandboxError> {
    let request: KycRequest = parse_body(&body, &["entityId", "userId", "fullName"])?;
    non_blank("fullName", &request.full_name)?;
    let outcome = Outcome {
        entity_id: Some(request.entity_id),
        subject_id: request.user_id,
        kind: VerificationKind::Kyc,
        status: VerificationStatus::Verified,
        filer_status: None,
        reason: None,
    };
    Ok(Json(record(&mut state.store(), outcome)))
}

async fn kyb(State(state): AppState, body: Bytes) -> Result<Json<Verification>, SandboxError> {
    let request: KybRequest = parse_body(
        &body,
        &[
            "entityId",
            "registeredName",
            "registrationNumber",
            "jurisdiction",
        ],
    )?;
    non_blank("registrationNumber", &request.registration_number)?;
    let outcome = Outcome {
        entity_id: Some(request.entity_id),
        subject_id: request.registration_number,
        kind: VerificationKind::Kyb,
        status: VerificationStatus::Verified,
        filer_status: None,
        reason: None,
    };
    Ok(Json(record(&mut state.store(), outcome)))
}

fn digits(field: &str, text: &str, count: usize) -> Result<(), SandboxError> {
    if text.len() != count || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(SandboxError::InvalidField {
            field: field.to_owned(),
            reason: format!("is not {count} digits"),
        });
    }
    Ok(())
}

async fn cnic(State(state): AppState, body: Bytes) -> Result<Json<Verification>, SandboxError> {
    let request: CnicRequestWire = parse_body(&body, &["cnic", "fullName"])?;
    digits("cnic", &request.cnic, CNIC_DIGITS)?;
    let rejected = request.cnic.ends_with("0000");
    let outcome = Outcome {
        entity_id: request.entity_id,
        subject_id: request.cnic,
        kind: VerificationKind::Cnic,
        status: if rejected {
            VerificationStatus::Rejected
        } else {
            VerificationStatus::Verified
        },
        filer_status: None,
        reason: rejected.then(|| "not found in the sandbox registry".to_owned()),
    };
    Ok(Json(record(&mut state.store(), outcome)))
}

/// The sandbox's filer status of a well-formed NTN; `None` is an unknown NTN.
fn sandbox_filer_status(ntn: &str) -> Option<FilerStatus> {
    if ntn.starts_with('9') {
        return None;
    }
    let last = ntn.bytes().last().unwrap_or(b'0');
    Some(if (last - b'0').is_multiple_of(2) {
        FilerStatus::Filer
    } else {
        FilerStatus::NonFiler
    })
}

async fn ntn(State(state): AppState, body: Bytes) -> Result<Json<Verification>, SandboxError> {
    let request: NtnRequestWire = parse_body(&body, &["ntn"])?;
    digits("ntn", &request.ntn, NTN_DIGITS)?;
    let filer_status = sandbox_filer_status(&request.ntn);
    let outcome = Outcome {
        entity_id: request.entity_id,
        status: if filer_status.is_some() {
            VerificationStatus::Verified
        } else {
            VerificationStatus::Rejected
        },
        reason: filer_status
            .is_none()
            .then(|| "not found in the sandbox taxpayer list".to_owned()),
        subject_id: request.ntn,
        kind: VerificationKind::Ntn,
        filer_status,
    };
    Ok(Json(record(&mut state.store(), outcome)))
}

async fn verification(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Verification>, SandboxError> {
    let store = state.store();
    found(&store.verifications, "verification", &id)
        .cloned()
        .map(Json)
}

async fn records_of(
    State(state): AppState,
    Path(entity_id): Path<String>,
) -> Json<Vec<Verification>> {
    let store = state.store();
    let owned = store
        .verifications
        .values()
        .filter(|v| v.entity_id.as_deref() == Some(entity_id.as_str()));
    Json(owned.cloned().collect())
}

async fn filer_status(
    State(state): AppState,
    Path(ntn): Path<String>,
) -> Result<Json<FilerStatusRecord>, SandboxError> {
    digits("ntn", &ntn, NTN_DIGITS)?;
    let status = sandbox_filer_status(&ntn).ok_or_else(|| SandboxError::NotFound {
        kind: "ntn",
        id: ntn.clone(),
    })?;
    let checked_at = state.store().now();
    Ok(Json(FilerStatusRecord {
        ntn: Some(ntn),
        filer_status: Some(status),
        checked_at: Some(checked_at),
    }))
}
