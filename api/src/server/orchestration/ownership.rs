//! Ownership change via consent: the organization from Mass → compliance with the sanctions
//! hard block on the incoming holder → the Mass consent to transfer shares → recorded tensor of
//! the incoming holder, `MSEZComplianceAttestationCredential` and the signed attestation.
//!
//! The transfer itself happens in Mass once the consent is approved (Mass decides whether a
//! consent is satisfied); MSEZ records no cap table.
//!
//! Never: asks for the consent before the incoming holder's screening passed.

use std::collections::BTreeMap;

use msez_actors::mass_pool::{MassRequest, MassResponse};
use msez_mass::consent::ConsentOperationType;
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::tensor::evaluators::SubjectFacts;
use msez_protocol::tensor::sanctions::SanctionsIdentifier;
use msez_protocol::vc::subjects::ComplianceAttestationSubject;
use serde::Deserialize;
use serde_json::{Value, json};

use super::formation::member;
use super::{
    Conclusion, Saga, ask_consent, conclude, evaluate_and_gate, unexpected, zone_jurisdiction,
};
use crate::server::error::ApiError;

/// The body of `POST /v1/orchestration/ownership-changes` (schema `ownership-change-request`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnershipRequest {
    entity_id: EntityId,
    requested_by: String,
    incoming_holder: HolderRequest,
    description: Option<String>,
    jurisdiction_id: Option<JurisdictionId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolderRequest {
    entity_id: EntityId,
    name: String,
    #[serde(default)]
    identifiers: Vec<SanctionsIdentifier>,
}

/// Runs the ownership change (module docs).
pub(super) async fn run(saga: &Saga<'_>, body: Value) -> Result<Value, ApiError> {
    let request: OwnershipRequest = serde_json::from_value(body)
        .map_err(|error| ApiError::invalid("body", format!("ownership change: {error}")))?;
    let jurisdiction = zone_jurisdiction(saga, request.jurisdiction_id.as_ref())?;
    let organization = saga
        .mass(
            "organization",
            &request.entity_id,
            MassRequest::GetOrganization,
            |response| match response {
                MassResponse::Organization(Some(organization)) => Ok(json!({
                    "id": organization.id,
                    "name": organization.name,
                })),
                MassResponse::Organization(None) => Err(ApiError::invalid(
                    "/entity_id",
                    format!("Mass has no organization {}", request.entity_id),
                )),
                other => Err(unexpected("organization", &other)),
            },
        )
        .await?;
    let holder = request.incoming_holder.entity_id.clone();
    let evaluation = evaluate_and_gate(
        saga,
        holder.clone(),
        jurisdiction.clone(),
        SubjectFacts {
            names: vec![request.incoming_holder.name.clone()],
            identifiers: request.incoming_holder.identifiers.clone(),
            filer_status: None,
        },
        Vec::new(),
        "/incoming_holder/name",
    )?;
    let description = request.description.clone().unwrap_or_else(|| {
        format!(
            "Transfer of shares of {} to {}",
            request.entity_id, request.incoming_holder.name
        )
    });
    let consent = ask_consent(
        saga,
        &request.entity_id,
        ConsentOperationType::TransferShares,
        &request.requested_by,
        description,
    )
    .await?;
    let mass_ids = BTreeMap::from([
        ("organization_id".to_owned(), request.entity_id.to_string()),
        ("consent_id".to_owned(), member(&consent, "id")?),
    ]);
    let determined_at = saga.at();
    let credential_holder = holder.clone();
    let credential_jurisdiction = jurisdiction.clone();
    conclude(
        saga,
        Conclusion {
            subject: holder,
            jurisdiction,
            evaluation,
            mass_ids,
            mass: json!({"organization": organization, "consent": consent}),
        },
        |tensor| ComplianceAttestationSubject {
            entity_id: credential_holder,
            jurisdiction_id: credential_jurisdiction,
            tensor_commitment: tensor.commitment_root,
            cell_count: tensor.leaf_count,
            determined_at,
        },
    )
    .await
}
