//! Sandbox routes of `consent-info`: consents and cap tables.
//!
//! Owns the handlers. A consent is APPROVED once `approvalsRequired` (default 1) distinct users
//! approve, REJECTED on the first rejection; a vote or cancel on a closed consent is 409. Issuing
//! a security adds to the share class, the cap table totals and the holder's shareholder row.
//!
//! Never: checks that a voter is a director (Mass's board rules are not simulated).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use crate::consent::{
    CapTable, Consent, ConsentDecision, ConsentStatus, ConsentVote, CreateCapTable, CreateConsent,
    IssueSecurity, Security, SecurityKind, SecurityStatus, ShareClass, Shareholder, VoteDecision,
};
use crate::error::Service;
use crate::sandbox::state::{SandboxError, SandboxState, Store, found, non_blank, parse_body};

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/consent/create", post(create))
        .route("/consent/organization/{organization_id}", get(list_for))
        .route("/consent/{id}", get(fetch))
        .route("/consent/{id}/approve", post(approve))
        .route("/consent/{id}/reject", post(reject))
        .route("/consent/{id}/cancel", post(cancel))
        .route("/capTable/create", post(create_cap_table))
        .route(
            "/capTable/organization/{organization_id}",
            get(cap_table_of),
        )
        .route("/capTable/{id}", get(cap_table))
        .route("/capTable/{id}/shareClasses", get(share_classes))
        .route("/capTable/{id}/shareholders", get(shareholders))
        .route("/capTable/{id}/securities", get(securities))
        .route("/capTable/{id}/securities/issue", post(issue_security))
}

async fn create(State(state): AppState, body: Bytes) -> Result<Json<Consent>, SandboxError> {
    let request: CreateConsent =
        parse_body(&body, &["organizationId", "operationType", "requestedBy"])?;
    non_blank("organizationId", &request.organization_id)?;
    let approvals_required = request.approvals_required.unwrap_or(1);
    if approvals_required < 1 {
        return Err(SandboxError::InvalidField {
            field: "approvalsRequired".to_owned(),
            reason: "is below 1".to_owned(),
        });
    }
    let mut store = state.store();
    let id = store.next_id();
    let now = store.now();
    let consent = Consent {
        id: Some(id.clone()),
        organization_id: Some(request.organization_id),
        operation_type: Some(request.operation_type),
        operation_id: request.operation_id,
        description: request.description,
        requested_by: Some(request.requested_by),
        status: Some(ConsentStatus::Pending),
        approvals_required: Some(approvals_required),
        votes: Vec::new(),
        created_at: Some(now.clone()),
        updated_at: Some(now),
    };
    store.consents.insert(id, consent.clone());
    Ok(Json(consent))
}

async fn fetch(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Consent>, SandboxError> {
    let store = state.store();
    found(&store.consents, "consent", &id).cloned().map(Json)
}

async fn list_for(
    State(state): AppState,
    Path(organization_id): Path<String>,
) -> Json<Vec<Consent>> {
    let store = state.store();
    let owned = store
        .consents
        .values()
        .filter(|c| c.organization_id.as_deref() == Some(organization_id.as_str()));
    Json(owned.cloned().collect())
}

async fn approve(
    state: AppState,
    id: Path<String>,
    body: Bytes,
) -> Result<Json<Consent>, SandboxError> {
    vote(state, id, body, VoteDecision::Approve)
}

async fn reject(
    state: AppState,
    id: Path<String>,
    body: Bytes,
) -> Result<Json<Consent>, SandboxError> {
    vote(state, id, body, VoteDecision::Reject)
}

fn vote(
    State(state): AppState,
    Path(id): Path<String>,
    body: Bytes,
    decision: VoteDecision,
) -> Result<Json<Consent>, SandboxError> {
    let request: ConsentDecision = parse_body(&body, &["userId"])?;
    non_blank("userId", &request.user_id)?;
    let mut store = state.store();
    let now = store.now();
    let consent = open_consent(&mut store, &id)?;
    if consent
        .votes
        .iter()
        .any(|vote| vote.user_id.as_deref() == Some(request.user_id.as_str()))
    {
        return Err(SandboxError::Conflict {
            reason: "user already voted on this consent",
        });
    }
    consent.votes.push(ConsentVote {
        user_id: Some(request.user_id),
        decision: Some(decision.clone()),
        reason: request.reason,
        voted_at: Some(now.clone()),
    });
    let approvals = consent
        .votes
        .iter()
        .filter(|vote| vote.decision == Some(VoteDecision::Approve))
        .count();
    let required = usize::try_from(consent.approvals_required.unwrap_or(1)).unwrap_or(1);
    if decision == VoteDecision::Reject {
        consent.status = Some(ConsentStatus::Rejected);
    } else if approvals >= required {
        consent.status = Some(ConsentStatus::Approved);
    }
    consent.updated_at = Some(now);
    Ok(Json(consent.clone()))
}

async fn cancel(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Consent>, SandboxError> {
    let mut store = state.store();
    let now = store.now();
    let consent = open_consent(&mut store, &id)?;
    consent.status = Some(ConsentStatus::Cancelled);
    consent.updated_at = Some(now);
    Ok(Json(consent.clone()))
}

fn open_consent<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut Consent, SandboxError> {
    let consent = store
        .consents
        .get_mut(id)
        .ok_or_else(|| SandboxError::NotFound {
            kind: "consent",
            id: id.to_owned(),
        })?;
    if consent.status != Some(ConsentStatus::Pending) {
        return Err(SandboxError::Conflict {
            reason: "consent is no longer pending",
        });
    }
    Ok(consent)
}

async fn create_cap_table(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<CapTable>, SandboxError> {
    let request: CreateCapTable = parse_body(&body, &["organizationId", "authorizedShares"])?;
    non_blank("organizationId", &request.organization_id)?;
    if request.authorized_shares < 0 {
        return Err(SandboxError::InvalidField {
            field: "authorizedShares".to_owned(),
            reason: "is negative".to_owned(),
        });
    }
    let mut store = state.store();
    if store
        .cap_tables
        .values()
        .any(|t| t.organization_id.as_deref() == Some(request.organization_id.as_str()))
    {
        return Err(SandboxError::Conflict {
            reason: "organization already has a cap table",
        });
    }
    let id = store.next_id();
    let now = store.now();
    let share_classes = request
        .share_classes
        .into_iter()
        .map(|class| ShareClass {
            id: Some(store.next_id()),
            issued_shares: Some(0),
            ..class
        })
        .collect();
    let table = CapTable {
        id: Some(id.clone()),
        organization_id: Some(request.organization_id),
        authorized_shares: Some(request.authorized_shares),
        issued_shares: Some(0),
        share_classes,
        shareholders: Vec::new(),
        securities: Vec::new(),
        created_at: Some(now.clone()),
        updated_at: Some(now),
    };
    store.cap_tables.insert(id, table.clone());
    Ok(Json(table))
}

async fn cap_table(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<CapTable>, SandboxError> {
    let store = state.store();
    found(&store.cap_tables, "capTable", &id).cloned().map(Json)
}

async fn cap_table_of(
    State(state): AppState,
    Path(organization_id): Path<String>,
) -> Result<Json<CapTable>, SandboxError> {
    let store = state.store();
    let table = store
        .cap_tables
        .values()
        .find(|t| t.organization_id.as_deref() == Some(organization_id.as_str()));
    table.cloned().map(Json).ok_or(SandboxError::NotFound {
        kind: "capTable",
        id: organization_id,
    })
}

async fn share_classes(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Vec<ShareClass>>, SandboxError> {
    let store = state.store();
    Ok(Json(
        found(&store.cap_tables, "capTable", &id)?
            .share_classes
            .clone(),
    ))
}

async fn shareholders(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Vec<Shareholder>>, SandboxError> {
    let store = state.store();
    Ok(Json(
        found(&store.cap_tables, "capTable", &id)?
            .shareholders
            .clone(),
    ))
}

async fn securities(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Vec<Security>>, SandboxError> {
    let store = state.store();
    Ok(Json(
        found(&store.cap_tables, "capTable", &id)?
            .securities
            .clone(),
    ))
}

async fn issue_security(
    State(state): AppState,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let request: IssueSecurity =
        parse_body(&body, &["shareClassId", "holderEntityId", "quantity"])?;
    if request.quantity <= 0 {
        return Err(SandboxError::InvalidField {
            field: "quantity".to_owned(),
            reason: "is not positive".to_owned(),
        });
    }
    state.idempotent(Service::Consent, &headers, &body, true, |store| {
        let security_id = store.next_id();
        let shareholder_id = store.next_id();
        let now = store.now();
        let table = store
            .cap_tables
            .get_mut(&id)
            .ok_or_else(|| SandboxError::NotFound {
                kind: "capTable",
                id: id.clone(),
            })?;
        apply_issue(table, &request, security_id, shareholder_id, now)
    })
}

fn apply_issue(
    table: &mut CapTable,
    request: &IssueSecurity,
    security_id: String,
    shareholder_id: String,
    now: String,
) -> Result<Security, SandboxError> {
    let issued = table
        .issued_shares
        .unwrap_or(0)
        .saturating_add(request.quantity);
    if issued > table.authorized_shares.unwrap_or(0) {
        return Err(SandboxError::Conflict {
            reason: "issue exceeds authorized shares",
        });
    }
    let class = table
        .share_classes
        .iter_mut()
        .find(|class| class.id.as_deref() == Some(request.share_class_id.as_str()))
        .ok_or_else(|| SandboxError::NotFound {
            kind: "shareClass",
            id: request.share_class_id.clone(),
        })?;
    class.issued_shares = Some(
        class
            .issued_shares
            .unwrap_or(0)
            .saturating_add(request.quantity),
    );
    table.issued_shares = Some(issued);
    let security = Security {
        id: Some(security_id),
        share_class_id: Some(request.share_class_id.clone()),
        holder_entity_id: Some(request.holder_entity_id.clone()),
        quantity: Some(request.quantity),
        kind: Some(request.kind.clone().unwrap_or(SecurityKind::Shares)),
        status: Some(SecurityStatus::Issued),
        issued_at: Some(now.clone()),
    };
    table.securities.push(security.clone());
    let holder = request.holder_entity_id.as_str();
    match table
        .shareholders
        .iter_mut()
        .find(|row| row.entity_id.as_deref() == Some(holder))
    {
        Some(row) => row.shares = Some(row.shares.unwrap_or(0).saturating_add(request.quantity)),
        None => table.shareholders.push(Shareholder {
            id: Some(shareholder_id),
            entity_id: Some(holder.to_owned()),
            name: request.holder_name.clone(),
            shares: Some(request.quantity),
            ownership_percentage: None,
        }),
    }
    for row in &mut table.shareholders {
        // Basis points of issued shares, printed as a percentage with two decimals.
        let basis_points = row.shares.unwrap_or(0).saturating_mul(10_000) / issued.max(1);
        row.ownership_percentage =
            Some(format!("{}.{:02}", basis_points / 100, basis_points % 100));
    }
    table.updated_at = Some(now);
    Ok(security)
}
