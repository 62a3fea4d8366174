//! Identity verification (Pakistan: CNIC and NTN): Mass verifies the CNIC and the NTN (with
//! the NTN's filer status) → compliance with the sanctions hard block on the holder's name and
//! numbers, the verifications as KYC evidence and the filer status as the tax fact → recorded
//! tensor, `MSEZKycVerificationCredential` and the signed attestation.
//!
//! Never: issues the KYC credential for a number Mass did not verify.

use std::collections::BTreeMap;

use msez_actors::mass_pool::{MassRequest, MassResponse};
use msez_mass::identity::{Cnic, Ntn, VerificationStatus};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::tax::rules_country;
use msez_protocol::tensor::Domain;
use msez_protocol::tensor::cell::Attestation;
use msez_protocol::tensor::evaluators::SubjectFacts;
use msez_protocol::tensor::lattice::ComplianceState;
use msez_protocol::tensor::sanctions::SanctionsIdentifier;
use msez_protocol::vc::subjects::{KycLevel, KycVerificationSubject};
use serde::Deserialize;
use serde_json::{Value, json};

use super::formation::member;
use super::{
    Conclusion, Saga, conclude, evaluate_and_gate, filer_status_of, unexpected, zone_jurisdiction,
};
use crate::server::error::ApiError;

/// The body of `POST /v1/orchestration/identity-verifications` (schema
/// `identity-verification-request`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityRequest {
    entity_id: EntityId,
    jurisdiction_id: Option<JurisdictionId>,
    cnic: Option<CnicRequest>,
    ntn: Option<String>,
    level: Option<KycLevel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CnicRequest {
    number: String,
    full_name: String,
}

/// Runs the verification (module docs).
pub(super) async fn run(saga: &Saga<'_>, body: Value) -> Result<Value, ApiError> {
    let request: IdentityRequest = serde_json::from_value(body)
        .map_err(|error| ApiError::invalid("body", format!("identity verification: {error}")))?;
    let jurisdiction = zone_jurisdiction(saga, request.jurisdiction_id.as_ref())?;
    if rules_country(&jurisdiction) != "PK" {
        return Err(ApiError::invalid(
            "/jurisdiction_id",
            format!("CNIC and NTN verification is Pakistan's; {jurisdiction} is not"),
        ));
    }
    if request.cnic.is_none() && request.ntn.is_none() {
        return Err(ApiError::invalid("body", "give a cnic, an ntn, or both"));
    }
    let mut facts = SubjectFacts::default();
    let mut mass = serde_json::Map::new();
    let mut mass_ids = BTreeMap::new();
    if let Some(cnic) = &request.cnic {
        let number =
            Cnic::parse(&cnic.number).map_err(|error| ApiError::invalid("/cnic/number", &error))?;
        facts.identifiers.push(SanctionsIdentifier {
            kind: "cnic".to_owned(),
            value: number.as_str().to_owned(),
        });
        facts.names.push(cnic.full_name.clone());
        let verification = verify(
            saga,
            "cnic",
            &request.entity_id,
            MassRequest::VerifyCnic {
                cnic: number,
                full_name: cnic.full_name.clone(),
            },
            "/cnic/number",
        )
        .await?;
        mass_ids.insert(
            "cnic_verification_id".to_owned(),
            member(&verification, "id")?,
        );
        mass.insert("cnic_verification".to_owned(), verification);
    }
    if let Some(ntn) = &request.ntn {
        let number = Ntn::parse(ntn).map_err(|error| ApiError::invalid("/ntn", &error))?;
        facts.identifiers.push(SanctionsIdentifier {
            kind: "ntn".to_owned(),
            value: number.as_str().to_owned(),
        });
        let verification = verify(
            saga,
            "ntn",
            &request.entity_id,
            MassRequest::VerifyNtn { ntn: number },
            "/ntn",
        )
        .await?;
        facts.filer_status = Some(filer_status_of(verification["filer_status"].as_str()));
        mass_ids.insert(
            "ntn_verification_id".to_owned(),
            member(&verification, "id")?,
        );
        mass.insert("ntn_verification".to_owned(), verification);
    }
    let mass = Value::Object(mass);
    let evidence_digest = CanonicalBytes::new(&mass)
        .map_err(ApiError::internal)?
        .digest();
    let kyc = Attestation {
        digest: evidence_digest,
        domain: Domain::Kyc,
        jurisdiction: Some(jurisdiction.clone()),
        state: ComplianceState::Compliant,
        issued_at: saga.at(),
        expires_at: None,
    };
    let evaluation = evaluate_and_gate(
        saga,
        request.entity_id.clone(),
        jurisdiction.clone(),
        facts,
        vec![kyc],
        if request.cnic.is_some() {
            "/cnic/full_name"
        } else {
            "/ntn"
        },
    )?;
    let credential = KycVerificationSubject {
        entity_id: request.entity_id.clone(),
        jurisdiction_id: jurisdiction.clone(),
        level: request.level.unwrap_or(KycLevel::Basic),
        evidence_digest,
        verified_at: saga.at(),
    };
    conclude(
        saga,
        Conclusion {
            subject: request.entity_id,
            jurisdiction,
            evaluation,
            mass_ids,
            mass,
        },
        |_| credential,
    )
    .await
}

/// One Mass verification; a number Mass did not verify is the caller's 422 at `field` (the
/// refusal is kept, so a retry with the same key gets the same answer).
async fn verify(
    saga: &Saga<'_>,
    step: &str,
    entity_id: &EntityId,
    request: MassRequest,
    field: &str,
) -> Result<Value, ApiError> {
    let verification = saga
        .mass(step, entity_id, request, |response| match response {
            MassResponse::Verification(verification) => Ok(json!({
                "id": verification.id,
                "status": verification.status.as_ref().map(|status| status.as_wire().to_owned()),
                "filer_status": verification
                    .filer_status
                    .as_ref()
                    .map(|status| status.as_wire().to_owned()),
                "reason": verification.reason,
            })),
            other => Err(unexpected(step, &other)),
        })
        .await?;
    let verified = verification["status"]
        .as_str()
        .map(VerificationStatus::from_wire)
        .is_some_and(|status| status == VerificationStatus::Verified);
    if !verified {
        return Err(ApiError::invalid(
            field,
            format!(
                "Mass did not verify it: {} ({})",
                verification["status"], verification["reason"]
            ),
        ));
    }
    Ok(verification)
}
