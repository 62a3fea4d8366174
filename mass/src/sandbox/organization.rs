//! Sandbox routes of `organization-info`: organizations, members, board, supported
//! jurisdictions, licensing.
//!
//! Owns the handlers and [`CREATE_ORGANIZATION_REQUIRED`] (the spec's required fields).
//!
//! Never: models incorporation, valuation or invitations. The sandbox sets an organization's
//! `jurisdiction` to its address's `country` (Mass sets it at incorporation, which the sandbox
//! does not model).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post, put};

use crate::organization::{
    Board, CreateOrganization, LicensingRequest, LicensingResponse, LicensingStatus, Organization,
    OrganizationMember, OrganizationPage, Privacy, SearchRequest, SupportedJurisdiction,
    UpdateBoard, UpdateOrganization,
};
use crate::sandbox::state::{SandboxError, SandboxState, found, non_blank, parse_body};

/// Required fields of `CreateOrganization` in the spec (the contract test compares them).
pub(crate) const CREATE_ORGANIZATION_REQUIRED: &[&str] = &["name", "bio", "address"];

/// Largest search page the sandbox returns; Mass pages are similar in size.
const SEARCH_PAGE_SIZE_MAX: i32 = 100;

/// Page size when a search gives none.
const SEARCH_PAGE_SIZE_DEFAULT: i32 = 20;

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/organization/create", post(create))
        .route("/organization/search", post(search))
        .route(
            "/organization/supported-jurisdictions",
            get(supported_jurisdictions),
        )
        .route("/organization", get(list_by_ids))
        .route("/organization/{id}", get(fetch).put(update).delete(remove))
        .route("/membership/{id}/members", get(members))
        .route("/board/{id}", get(board))
        .route("/board/{id}/directors", put(update_board))
        .route("/licensing/create", post(create_license))
        .route("/licensing/update", put(update_license))
        .route("/licensing/all/{entity_id}", get(licenses_of))
        .route("/licensing/{id}", get(license))
}

async fn create(State(state): AppState, body: Bytes) -> Result<Json<Organization>, SandboxError> {
    let request: CreateOrganization = parse_body(&body, CREATE_ORGANIZATION_REQUIRED)?;
    non_blank("name", &request.name)?;
    let mut store = state.store();
    let id = store.next_id();
    let now = store.now();
    let owner = request
        .personal_details
        .as_ref()
        .map(|details| OrganizationMember {
            user_id: request.owner_id.clone(),
            name: Some(crate::organization::Name {
                first_name: Some(details.first_name.clone()),
                last_name: Some(details.last_name.clone()),
                ..Default::default()
            }),
            email_address: Some(crate::organization::EmailAddress {
                email_address: Some(details.email.clone()),
                kind: None,
            }),
            roles: vec!["OWNER".to_owned()],
            ..Default::default()
        });
    let organization = Organization {
        id: Some(id.clone()),
        name: Some(request.name),
        jurisdiction: request.address.country.clone(),
        address: Some(request.address),
        bio: Some(request.bio),
        profile_img_url: request.profile_img_url,
        background_img_url: request.background_img_url,
        branding: request.branding,
        privacy: Some(if request.is_private == Some(true) {
            Privacy::Private
        } else {
            Privacy::Public
        }),
        creator_id: request.owner_id,
        status: Some("ACTIVE".to_owned()),
        members: owner.iter().cloned().collect(),
        created_at: Some(now.clone()),
        updated_at: Some(now),
        ..Default::default()
    };
    store
        .members
        .insert(id.clone(), owner.into_iter().collect());
    store.organizations.insert(id, organization.clone());
    Ok(Json(organization))
}

async fn fetch(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Organization>, SandboxError> {
    let store = state.store();
    found(&store.organizations, "organization", &id)
        .cloned()
        .map(Json)
}

async fn list_by_ids(
    State(state): AppState,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<Organization>>, SandboxError> {
    let pairs = super::form_decode(query.unwrap_or_default().as_bytes());
    let ids: Vec<String> = pairs
        .into_iter()
        .filter(|(key, _)| key == "ids")
        .map(|(_, id)| id.to_string())
        .collect();
    if ids.is_empty() {
        return Err(SandboxError::MissingField {
            field: "ids".to_owned(),
        });
    }
    let store = state.store();
    Ok(Json(
        ids.iter()
            .filter_map(|id| store.organizations.get(id).cloned())
            .collect(),
    ))
}

async fn search(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<OrganizationPage>, SandboxError> {
    let request: SearchRequest = parse_body(&body, &[])?;
    let page_size = request.page_size.unwrap_or(SEARCH_PAGE_SIZE_DEFAULT);
    let page = request.page.unwrap_or(0);
    if !(1..=SEARCH_PAGE_SIZE_MAX).contains(&page_size) {
        return Err(SandboxError::InvalidField {
            field: "pageSize".to_owned(),
            reason: "must be 1 to 100".to_owned(),
        });
    }
    if page < 0 {
        return Err(SandboxError::InvalidField {
            field: "page".to_owned(),
            reason: "is negative".to_owned(),
        });
    }
    let term = request.search_term.unwrap_or_default().to_lowercase();
    let store = state.store();
    let matches: Vec<&Organization> = store
        .organizations
        .values()
        .filter(|org| {
            org.name
                .as_deref()
                .unwrap_or_default()
                .to_lowercase()
                .contains(&term)
        })
        .collect();
    let size = usize::try_from(page_size).unwrap_or(1);
    let items: Vec<Organization> = matches
        .iter()
        .skip(usize::try_from(page).unwrap_or(0).saturating_mul(size))
        .take(size)
        .map(|org| (*org).clone())
        .collect();
    let total = i64::try_from(matches.len()).unwrap_or(i64::MAX);
    Ok(Json(OrganizationPage {
        page_number: Some(page),
        total_items: Some(total),
        total_pages: Some((total + i64::from(page_size) - 1) / i64::from(page_size)),
        page_size: Some(i64::from(page_size)),
        num_items: Some(i64::try_from(items.len()).unwrap_or(i64::MAX)),
        items,
    }))
}

async fn update(
    State(state): AppState,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Organization>, SandboxError> {
    let request: UpdateOrganization = parse_body(&body, &[])?;
    let mut store = state.store();
    let now = store.now();
    let organization = store
        .organizations
        .get_mut(&id)
        .ok_or_else(|| SandboxError::NotFound {
            kind: "organization",
            id: id.clone(),
        })?;
    apply_update(organization, request);
    organization.updated_at = Some(now);
    Ok(Json(organization.clone()))
}

fn apply_update(organization: &mut Organization, request: UpdateOrganization) {
    let UpdateOrganization {
        branding,
        privacy,
        bio,
        profile_img_url,
        background_img_url,
        name,
        address,
        legal_council,
        state_of_arbitration,
        management_company_name,
        tax_state,
        sub_type,
        identifier,
    } = request;
    macro_rules! set {
        ($($field:ident),+) => { $(if $field.is_some() { organization.$field = $field; })+ };
    }
    set!(
        branding,
        privacy,
        bio,
        profile_img_url,
        background_img_url,
        name,
        legal_council
    );
    set!(
        state_of_arbitration,
        management_company_name,
        tax_state,
        sub_type,
        identifier
    );
    if let Some(address) = address {
        organization.jurisdiction = address.country.clone().or(organization.jurisdiction.take());
        organization.address = Some(address);
    }
}

async fn remove(State(state): AppState, Path(id): Path<String>) -> Result<(), SandboxError> {
    let mut store = state.store();
    store
        .organizations
        .remove(&id)
        .ok_or_else(|| SandboxError::NotFound {
            kind: "organization",
            id: id.clone(),
        })?;
    store.members.remove(&id);
    store.boards.remove(&id);
    Ok(())
}

async fn supported_jurisdictions() -> Json<Vec<SupportedJurisdiction>> {
    let entry = |key: &str, name: &str, authority: &str, document: &str| SupportedJurisdiction {
        key: Some(key.to_owned()),
        name: Some(name.to_owned()),
        label: Some(format!("{name} (sandbox)")),
        filing_authority: Some(authority.to_owned()),
        document_type: Some(document.to_owned()),
        processing_entity: Some("Mass sandbox".to_owned()),
    };
    Json(vec![
        entry("PK", "Pakistan", "SECP", "Certificate of Incorporation"),
        entry(
            "DELAWARE",
            "Delaware",
            "Delaware Division of Corporations",
            "Certificate of Incorporation",
        ),
        entry(
            "BVI",
            "British Virgin Islands",
            "BVI Registry of Corporate Affairs",
            "Certificate of Incorporation",
        ),
    ])
}

async fn members(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Vec<OrganizationMember>>, SandboxError> {
    let store = state.store();
    found(&store.organizations, "organization", &id)?;
    Ok(Json(store.members.get(&id).cloned().unwrap_or_default()))
}

async fn board(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Board>, SandboxError> {
    let store = state.store();
    found(&store.organizations, "organization", &id)?;
    found(&store.boards, "board", &id).cloned().map(Json)
}

async fn update_board(
    State(state): AppState,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(), SandboxError> {
    let request: UpdateBoard = parse_body(&body, &["board"])?;
    let mut store = state.store();
    found(&store.organizations, "organization", &id)?;
    if let Some(organization) = store.organizations.get_mut(&id) {
        organization.board = Some(request.board.clone());
    }
    store.boards.insert(id, request.board);
    Ok(())
}

async fn create_license(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<LicensingResponse>, SandboxError> {
    let request: LicensingRequest = parse_body(&body, &[])?;
    let mut store = state.store();
    let id = store.next_id();
    let now = store.now();
    let license = LicensingResponse {
        id: Some(id.clone()),
        entity_id: request.entity_id,
        jurisdiction: request.jurisdiction,
        application_type: request.application_type,
        application: request.application,
        status: Some(request.status.unwrap_or(LicensingStatus::Draft)),
        risk_assessment_status: request.risk_assessment_status,
        assigned_reviewer_id: request.assigned_reviewer_id,
        created_at: Some(now.clone()),
        updated_at: Some(now),
        ..Default::default()
    };
    store.licenses.insert(id, license.clone());
    Ok(Json(license))
}

async fn update_license(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<LicensingResponse>, SandboxError> {
    let request: LicensingRequest = parse_body(&body, &["id"])?;
    let id = request.id.clone().unwrap_or_default();
    let mut store = state.store();
    let now = store.now();
    let license = store
        .licenses
        .get_mut(&id)
        .ok_or_else(|| SandboxError::NotFound {
            kind: "license",
            id: id.clone(),
        })?;
    if request.status.is_some() {
        license.status = request.status;
    }
    if request.application.is_some() {
        license.application = request.application;
    }
    if request.risk_assessment_status.is_some() {
        license.risk_assessment_status = request.risk_assessment_status;
    }
    license.updated_at = Some(now);
    Ok(Json(license.clone()))
}

async fn license(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<LicensingResponse>, SandboxError> {
    let store = state.store();
    found(&store.licenses, "license", &id).cloned().map(Json)
}

async fn licenses_of(
    State(state): AppState,
    Path(entity_id): Path<String>,
) -> Json<Vec<LicensingResponse>> {
    let store = state.store();
    let licenses = store
        .licenses
        .values()
        .filter(|license| license.entity_id.as_deref() == Some(entity_id.as_str()));
    Json(licenses.cloned().collect())
}
