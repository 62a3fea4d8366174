//! Entity formation: compliance (sanctions hard block on the applicant's names) → Mass
//! organization → treasury and account → the founders' consent → the entity's application in
//! its actor → recorded tensor, `MSEZComplianceAttestationCredential` (the formation
//! credential, committing to the tensor) and the signed attestation.
//!
//! Never: creates the organization before the screening passed, or names the entity itself
//! (Mass mints the id; until then the provisional subject `entity_formation:<key>` keys the
//! pool and the screening).

use std::collections::BTreeMap;

use msez_actors::entity::EntityReject;
use msez_actors::mass_pool::{MassRequest, MassResponse};
use msez_mass::consent::ConsentOperationType;
use msez_mass::organization::{Address, CreateOrganization};
use msez_mass::treasury::{CreateAccount, CreateTreasury};
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::orchestration::{FlowKind, provisional_subject};
use msez_protocol::tensor::cell::Attestation;
use msez_protocol::tensor::evaluators::SubjectFacts;
use msez_protocol::tensor::sanctions::SanctionsIdentifier;
use msez_protocol::vc::subjects::ComplianceAttestationSubject;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Conclusion, Saga, ask_consent, conclude, evaluate_and_gate, unexpected};
use crate::server::error::ApiError;

/// The body of `POST /v1/orchestration/entity-formations` (schema `entity-formation-request`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormationRequest {
    name: String,
    bio: String,
    jurisdiction_id: JurisdictionId,
    address: AddressRequest,
    requested_by: String,
    account: AccountRequest,
    #[serde(default)]
    screening: ScreeningRequest,
    #[serde(default)]
    attestations: Vec<Attestation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressRequest {
    line1: String,
    line2: Option<String>,
    city: String,
    state: Option<String>,
    country: String,
    postal_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountRequest {
    name: String,
    currency: String,
}

/// Further names and identifiers screened with the organization's name (founders, owners).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScreeningRequest {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    identifiers: Vec<SanctionsIdentifier>,
}

/// Runs the formation (module docs).
pub(super) async fn run(saga: &Saga<'_>, body: Value) -> Result<Value, ApiError> {
    let request: FormationRequest = serde_json::from_value(body)
        .map_err(|error| ApiError::invalid("body", format!("formation request: {error}")))?;
    if let Some(zone) = saga.state().zone()
        && zone.config.jurisdiction != request.jurisdiction_id
    {
        return Err(ApiError::invalid(
            "/jurisdiction_id",
            format!(
                "this zone forms entities in {}, not {}",
                zone.config.jurisdiction, request.jurisdiction_id
            ),
        ));
    }
    let jurisdiction = request.jurisdiction_id.clone();
    let mut names = vec![request.name.clone()];
    names.extend(request.screening.names.iter().cloned());
    let facts = SubjectFacts {
        names,
        identifiers: request.screening.identifiers.clone(),
        filer_status: None,
    };
    let provisional =
        provisional_subject(FlowKind::EntityFormation, saga.key()).map_err(ApiError::internal)?;
    evaluate_and_gate(
        saga,
        provisional.clone(),
        jurisdiction.clone(),
        facts.clone(),
        request.attestations.clone(),
        "/name",
    )?;
    let organization = saga
        .mass(
            "organization",
            &provisional,
            MassRequest::CreateOrganization(Box::new(create_organization(&request))),
            |response| match response {
                MassResponse::OrganizationCreated(organization) => Ok(json!({
                    "id": organization.id,
                    "name": organization.name,
                    "jurisdiction": organization.jurisdiction,
                })),
                other => Err(unexpected("organization", &other)),
            },
        )
        .await?;
    let entity_id = organization["id"]
        .as_str()
        .and_then(|id| EntityId::new(id).ok())
        .ok_or_else(|| ApiError::internal("Mass organization without a usable id"))?;
    let treasury = saga
        .mass(
            "treasury",
            &entity_id,
            MassRequest::CreateTreasury(CreateTreasury {
                entity_id: entity_id.to_string(),
                name: format!("{} treasury", request.name),
            }),
            |response| match response {
                MassResponse::Treasury(treasury) => Ok(json!({"id": treasury.id})),
                other => Err(unexpected("treasury", &other)),
            },
        )
        .await?;
    let treasury_id = member(&treasury, "id")?;
    let account = saga
        .mass(
            "account",
            &entity_id,
            MassRequest::CreateAccount {
                request: CreateAccount {
                    treasury_id: treasury_id.clone(),
                    name: request.account.name.clone(),
                    currency: request.account.currency.clone(),
                },
                idempotency_key: saga.mass_key("account")?,
            },
            |response| match response {
                MassResponse::Account(account) => Ok(json!({
                    "id": account.id,
                    "currency": account.balance.currency.as_str(),
                    "balance_minor": i64::try_from(account.balance.amount_minor)
                        .map_err(ApiError::internal)?,
                })),
                other => Err(unexpected("account", &other)),
            },
        )
        .await?;
    let consent = ask_consent(
        saga,
        &entity_id,
        ConsentOperationType::IssueNewShares,
        &request.requested_by,
        format!(
            "Initial issuance of {} at its formation in {jurisdiction}",
            request.name
        ),
    )
    .await?;
    let application = apply(saga, &entity_id).await?;
    let evaluation = evaluate_and_gate(
        saga,
        entity_id.clone(),
        jurisdiction.clone(),
        facts,
        request.attestations,
        "/name",
    )?;
    let mass_ids = BTreeMap::from([
        ("organization_id".to_owned(), entity_id.to_string()),
        ("treasury_id".to_owned(), treasury_id),
        ("account_id".to_owned(), member(&account, "id")?),
        ("consent_id".to_owned(), member(&consent, "id")?),
    ]);
    let determined_at = saga.at();
    let credential_entity = entity_id.clone();
    let credential_jurisdiction = jurisdiction.clone();
    conclude(
        saga,
        Conclusion {
            subject: entity_id,
            jurisdiction,
            evaluation,
            mass_ids,
            mass: json!({
                "organization": organization,
                "treasury": treasury,
                "account": account,
                "consent": consent,
                "entity_application": application,
            }),
        },
        |tensor| ComplianceAttestationSubject {
            entity_id: credential_entity,
            jurisdiction_id: credential_jurisdiction,
            tensor_commitment: tensor.commitment_root,
            cell_count: tensor.leaf_count,
            determined_at,
        },
    )
    .await
}

fn create_organization(request: &FormationRequest) -> CreateOrganization {
    let address = &request.address;
    CreateOrganization {
        name: request.name.clone(),
        bio: request.bio.clone(),
        address: Address {
            line1: Some(address.line1.clone()),
            line2: address.line2.clone(),
            city: Some(address.city.clone()),
            state: address.state.clone(),
            country: Some(address.country.clone()),
            postal_code: address.postal_code.clone(),
            ..Address::default()
        },
        profile_img_url: None,
        background_img_url: None,
        owner_id: None,
        is_private: None,
        open: None,
        webhooks_enabled: None,
        branding: None,
        personal_details: None,
    }
}

/// The entity's application, recorded by its actor once (a retry finds it applied).
async fn apply(saga: &Saga<'_>, entity_id: &EntityId) -> Result<Value, ApiError> {
    let entities = &saga.state().zone_actors().entities;
    saga.remember("application", async {
        let summary = match entities.apply(entity_id).await {
            Err(EntityReject::AlreadyApplied { .. }) => entities.summary(entity_id).await,
            applied => applied,
        };
        match summary {
            Ok(summary) => Ok(json!({"lifecycle": summary.state, "version": summary.version})),
            Err(EntityReject::Host(error)) => Err(ApiError::Unavailable {
                message: format!("entity {entity_id} is unavailable: {error}"),
                retry_after: std::time::Duration::from_secs(1),
            }),
            Err(error) => Err(ApiError::internal(error)),
        }
    })
    .await
}

/// A string member of a step's stored outcome.
pub(super) fn member(outcome: &Value, name: &str) -> Result<String, ApiError> {
    outcome[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal(format!("Mass answered without {name}")))
}
