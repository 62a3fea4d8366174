//! JSON Schemas (draft 2020-12) for the MSEZ artifacts, embedded in the binary, and a validator
//! over them.
//!
//! Owns the schema files in `schemas/json/` (one per artifact, plus `common.schema.json` for
//! shared definitions), [`SchemaId`], [`Schemas`] and [`SchemaError`].
//!
//! Never: holds a domain rule (those live in `msez-protocol`; a schema checks shape only), or
//! fetches a schema: every `$ref` resolves inside the embedded set, and the validator is built
//! without network or file resolution.
//!
//! Covered: policy sets and single policies, regpacks, licensepacks, lawpack manifests and
//! indexes, zone configuration and lock, agentic audit entries, arbitration evidence packages
//! and ruling credential subjects, corridor receipts (SPEC §5) and checkpoints (SPEC §7), Data
//! Integrity proofs (SPEC §3), and the zone node's request bodies (agentic trigger, dispute
//! filing and steps, compliance evaluation, manifold query, smart-asset genesis, corridor
//! proposals, and the four orchestration flows).

use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

/// The base URI every schema's `$id` lives under.
pub const SCHEMA_BASE_URI: &str = "https://msez.dev/schemas/";

/// How many errors one validation reports at most. The first few name the problem; a broken
/// document can otherwise produce thousands.
pub const REPORTED_ERRORS_MAX: usize = 16;

/// An embedded schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaId {
    /// Shared definitions (digest, timestamp, id, domain...).
    Common,
    /// `{"policies":[...]}` for the agentic engine.
    PolicySet,
    /// `regpack.json`.
    Regpack,
    /// `licensepack.json`.
    Licensepack,
    /// `lawpack.yaml`, as JSON.
    LawpackManifest,
    /// A lawpack's `index.json`.
    LawpackIndex,
    /// `zone.yaml`, as JSON.
    ZoneConfig,
    /// `zone.lock`.
    ZoneLock,
    /// One agentic audit trail entry.
    AgenticAuditEntry,
    /// An arbitration evidence package.
    EvidencePackage,
    /// The subject of an arbitration ruling credential.
    RulingCredentialSubject,
    /// A Data Integrity proof (eddsa-jcs-2022).
    DataIntegrityProof,
    /// A corridor state receipt.
    CorridorReceipt,
    /// A corridor state checkpoint.
    CorridorCheckpoint,
    /// One agentic policy (the body of a policy version).
    Policy,
    /// The body of `POST /v1/agentic/triggers`.
    AgenticTriggerRequest,
    /// The body of `POST /v1/disputes`.
    DisputeFilingRequest,
    /// The body of `POST /v1/disputes/{dispute_id}/steps`.
    DisputeStepRequest,
    /// The body of a compliance evaluation (`POST /v1/compliance/evaluate` and `/tensors`).
    ComplianceEvaluation,
    /// The body of a compliance manifold query (`POST /v1/compliance/manifold/paths`).
    ManifoldPathsRequest,
    /// A smart asset's genesis document (`POST /v1/smart-assets`).
    SmartAssetGenesis,
    /// The body of an entity formation (`POST /v1/orchestration/entity-formations`).
    EntityFormationRequest,
    /// The body of a payment with withholding (`POST /v1/orchestration/payments`).
    PaymentRequest,
    /// The body of an ownership change (`POST /v1/orchestration/ownership-changes`).
    OwnershipChangeRequest,
    /// The body of an identity verification (`POST /v1/orchestration/identity-verifications`).
    IdentityVerificationRequest,
    /// The body of a zone-signed proposal (`POST /v1/corridors/{corridor_id}/proposals`).
    CorridorProposalRequest,
}

/// Why a document does not validate, or the embedded set does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// An embedded schema is not JSON (a build defect, caught by this crate's tests).
    #[error("schema {file}: not JSON: {reason}")]
    NotJson {
        /// The schema file.
        file: &'static str,
        /// The parser's explanation.
        reason: String,
    },
    /// The embedded set could not be compiled (a build defect, caught by this crate's tests).
    #[error("schema {file}: cannot compile: {reason}")]
    Compile {
        /// The schema file.
        file: &'static str,
        /// The validator's explanation.
        reason: String,
    },
    /// The document violates the schema.
    #[error("{file}: {}", .violations.iter().map(|v| format!("{} {}", v.instance_path, v.message)).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The schema file.
        file: &'static str,
        /// The first [`REPORTED_ERRORS_MAX`] violations.
        violations: Vec<Violation>,
    },
}

/// One schema violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the offending value (`/policies/0/priority`).
    pub instance_path: String,
    /// What is wrong.
    pub message: String,
}

/// The compiled schema set.
pub struct Schemas {
    validators: Vec<(SchemaId, Validator)>,
}

impl SchemaId {
    /// Every schema.
    pub const ALL: &'static [SchemaId] = &[
        SchemaId::Common,
        SchemaId::PolicySet,
        SchemaId::Regpack,
        SchemaId::Licensepack,
        SchemaId::LawpackManifest,
        SchemaId::LawpackIndex,
        SchemaId::ZoneConfig,
        SchemaId::ZoneLock,
        SchemaId::AgenticAuditEntry,
        SchemaId::EvidencePackage,
        SchemaId::RulingCredentialSubject,
        SchemaId::DataIntegrityProof,
        SchemaId::CorridorReceipt,
        SchemaId::CorridorCheckpoint,
        SchemaId::Policy,
        SchemaId::AgenticTriggerRequest,
        SchemaId::DisputeFilingRequest,
        SchemaId::DisputeStepRequest,
        SchemaId::ComplianceEvaluation,
        SchemaId::ManifoldPathsRequest,
        SchemaId::SmartAssetGenesis,
        SchemaId::EntityFormationRequest,
        SchemaId::PaymentRequest,
        SchemaId::OwnershipChangeRequest,
        SchemaId::IdentityVerificationRequest,
        SchemaId::CorridorProposalRequest,
    ];

    /// The schema's file name (also the last segment of its `$id`).
    pub const fn file(&self) -> &'static str {
        match self {
            SchemaId::Common => "common.schema.json",
            SchemaId::PolicySet => "policy-set.schema.json",
            SchemaId::Regpack => "regpack.schema.json",
            SchemaId::Licensepack => "licensepack.schema.json",
            SchemaId::LawpackManifest => "lawpack-manifest.schema.json",
            SchemaId::LawpackIndex => "lawpack-index.schema.json",
            SchemaId::ZoneConfig => "zone-config.schema.json",
            SchemaId::ZoneLock => "zone-lock.schema.json",
            SchemaId::AgenticAuditEntry => "agentic-audit-entry.schema.json",
            SchemaId::EvidencePackage => "evidence-package.schema.json",
            SchemaId::RulingCredentialSubject => "ruling-credential-subject.schema.json",
            SchemaId::DataIntegrityProof => "data-integrity-proof.schema.json",
            SchemaId::CorridorReceipt => "corridor-receipt.schema.json",
            SchemaId::CorridorCheckpoint => "corridor-checkpoint.schema.json",
            SchemaId::Policy => "policy.schema.json",
            SchemaId::AgenticTriggerRequest => "agentic-trigger-request.schema.json",
            SchemaId::DisputeFilingRequest => "dispute-filing-request.schema.json",
            SchemaId::DisputeStepRequest => "dispute-step-request.schema.json",
            SchemaId::ComplianceEvaluation => "compliance-evaluation.schema.json",
            SchemaId::ManifoldPathsRequest => "manifold-paths-request.schema.json",
            SchemaId::SmartAssetGenesis => "smart-asset-genesis.schema.json",
            SchemaId::EntityFormationRequest => "entity-formation-request.schema.json",
            SchemaId::PaymentRequest => "payment-request.schema.json",
            SchemaId::OwnershipChangeRequest => "ownership-change-request.schema.json",
            SchemaId::IdentityVerificationRequest => "identity-verification-request.schema.json",
            SchemaId::CorridorProposalRequest => "corridor-proposal-request.schema.json",
        }
    }

    /// The schema text, as embedded.
    pub const fn text(&self) -> &'static str {
        match self {
            SchemaId::Common => include_str!("../json/common.schema.json"),
            SchemaId::PolicySet => include_str!("../json/policy-set.schema.json"),
            SchemaId::Regpack => include_str!("../json/regpack.schema.json"),
            SchemaId::Licensepack => include_str!("../json/licensepack.schema.json"),
            SchemaId::LawpackManifest => include_str!("../json/lawpack-manifest.schema.json"),
            SchemaId::LawpackIndex => include_str!("../json/lawpack-index.schema.json"),
            SchemaId::ZoneConfig => include_str!("../json/zone-config.schema.json"),
            SchemaId::ZoneLock => include_str!("../json/zone-lock.schema.json"),
            SchemaId::AgenticAuditEntry => include_str!("../json/agentic-audit-entry.schema.json"),
            SchemaId::EvidencePackage => include_str!("../json/evidence-package.schema.json"),
            SchemaId::RulingCredentialSubject => {
                include_str!("../json/ruling-credential-subject.schema.json")
            }
            SchemaId::DataIntegrityProof => {
                include_str!("../json/data-integrity-proof.schema.json")
            }
            SchemaId::CorridorReceipt => include_str!("../json/corridor-receipt.schema.json"),
            SchemaId::CorridorCheckpoint => {
                include_str!("../json/corridor-checkpoint.schema.json")
            }
            SchemaId::Policy => include_str!("../json/policy.schema.json"),
            SchemaId::AgenticTriggerRequest => {
                include_str!("../json/agentic-trigger-request.schema.json")
            }
            SchemaId::DisputeFilingRequest => {
                include_str!("../json/dispute-filing-request.schema.json")
            }
            SchemaId::DisputeStepRequest => {
                include_str!("../json/dispute-step-request.schema.json")
            }
            SchemaId::ComplianceEvaluation => {
                include_str!("../json/compliance-evaluation.schema.json")
            }
            SchemaId::ManifoldPathsRequest => {
                include_str!("../json/manifold-paths-request.schema.json")
            }
            SchemaId::SmartAssetGenesis => include_str!("../json/smart-asset-genesis.schema.json"),
            SchemaId::EntityFormationRequest => {
                include_str!("../json/entity-formation-request.schema.json")
            }
            SchemaId::PaymentRequest => include_str!("../json/payment-request.schema.json"),
            SchemaId::OwnershipChangeRequest => {
                include_str!("../json/ownership-change-request.schema.json")
            }
            SchemaId::IdentityVerificationRequest => {
                include_str!("../json/identity-verification-request.schema.json")
            }
            SchemaId::CorridorProposalRequest => {
                include_str!("../json/corridor-proposal-request.schema.json")
            }
        }
    }

    /// The schema's `$id`.
    pub fn uri(&self) -> String {
        format!("{SCHEMA_BASE_URI}{}", self.file())
    }
}

impl Schemas {
    /// Parses and compiles every embedded schema (draft 2020-12, all references internal).
    pub fn load() -> Result<Self, SchemaError> {
        let mut documents = Vec::with_capacity(SchemaId::ALL.len());
        for id in SchemaId::ALL {
            let value: Value =
                serde_json::from_str(id.text()).map_err(|error| SchemaError::NotJson {
                    file: id.file(),
                    reason: error.to_string(),
                })?;
            documents.push((id.uri(), value));
        }
        let compile = |file: &'static str| {
            move |error: &dyn std::fmt::Display| SchemaError::Compile {
                file,
                reason: error.to_string(),
            }
        };
        let registry = Registry::new()
            .extend(documents.iter().map(|(uri, value)| (uri.as_str(), value)))
            .and_then(|builder| builder.prepare())
            .map_err(|error| compile("registry")(&error))?;
        let mut validators = Vec::with_capacity(SchemaId::ALL.len());
        for id in SchemaId::ALL {
            let reference = serde_json::json!({ "$ref": id.uri() });
            let validator = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .build(&reference)
                .map_err(|error| compile(id.file())(&error))?;
            validators.push((*id, validator));
        }
        Ok(Self { validators })
    }

    /// Validates `instance` against schema `id`, reporting up to [`REPORTED_ERRORS_MAX`]
    /// violations with their JSON pointers.
    pub fn validate(&self, id: SchemaId, instance: &Value) -> Result<(), SchemaError> {
        let Some((_, validator)) = self.validators.iter().find(|(known, _)| *known == id) else {
            return Err(SchemaError::Compile {
                file: id.file(),
                reason: "schema not loaded".to_owned(),
            });
        };
        let violations: Vec<Violation> = validator
            .iter_errors(instance)
            .take(REPORTED_ERRORS_MAX)
            .map(|error| Violation {
                instance_path: error.instance_path().to_string(),
                message: error.to_string(),
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(SchemaError::Invalid {
                file: id.file(),
                violations,
            })
        }
    }
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("loaded", &self.validators.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
