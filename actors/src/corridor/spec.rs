//! What a corridor is, as created and as stored: the create request, the checked
//! [`CorridorSpec`] the actor keeps, and the stored record's bytes.
//!
//! Owns [`CreateCorridor`], [`CorridorSpec`], [`SpecError`], [`CORRIDOR_PARTIES_MAX`] and the
//! conversions between the spec and `persistence::corridors::CorridorRecord`.
//!
//! A corridor's parties are entity ids only (Mass holds the entity records); they are checked
//! here (at least one, at most [`CORRIDOR_PARTIES_MAX`], no repeats) and stored beside the
//! record, not in the `definition` column: hydration never needs them.
//!
//! The record's `definition` column holds one canonical object
//! `{"definition":<CorridorDefinition>,"genesis":<SPEC §5 genesis>,"receipt_signing_policy":
//! {threshold,signers},"checkpoint_interval_receipts":n,"regulators":{jurisdiction:did},
//! "authorities":[did]}`: everything hydration needs, so a restart never recomputes a digest
//! from a definition whose serialisation might have changed. The `agreement_set` column holds
//! the canonical `protocol::corridor::agreement::AgreementSet` object whose digest is the
//! genesis `agreement_set_sha256`; [`CorridorSpec::stored_agreement`] reads both back so
//! activation can re-verify the agreement.
//!
//! Never: decides a lifecycle transition (that is `protocol::corridor::lifecycle`) or does I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use msez_persistence::corridors::CorridorRecord;
use msez_protocol::canonical::{CanonError, CanonicalBytes};
use msez_protocol::corridor::agreement::{AgreementError, AgreementSet, CorridorDefinition};
use msez_protocol::corridor::lifecycle::LifecycleContext;
use msez_protocol::fields::FieldError;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::keys::DidKey;
use msez_protocol::policy::{PolicyError, SigningPolicy};
use msez_protocol::receipt::{DigestSet, Genesis};

/// The most parties one corridor may name. A corridor joins two zones' operating entities (a
/// bank, a trade operator, a customs broker on each side); 64 leaves ample room and bounds the
/// rows per corridor and one sanctions sweep's work per corridor.
pub const CORRIDOR_PARTIES_MAX: usize = 64;

/// Everything needed to create a corridor. The agreement arrives whole: the corridor is created
/// only when `protocol::corridor::agreement::check_activation` holds for these credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCorridor {
    /// The definition both zones agreed on; its digest is the genesis `definition_payload_sha256`.
    pub definition: CorridorDefinition,
    /// The `MSEZCorridorDefinitionCredential` issuing the definition; its lawpack and ruleset
    /// digest sets are the genesis ones.
    pub definition_credential: Value,
    /// Every party's `MSEZCorridorAgreementCredential`, in any order.
    pub agreements: Vec<Value>,
    /// One regulator per jurisdiction: activation needs each one's consent.
    pub regulators: BTreeMap<JurisdictionId, DidKey>,
    /// Keys that may suspend, resume, halt, deprecate and raise fork alarms.
    pub authorities: BTreeSet<DidKey>,
    /// The regulators' signed activation consents. Empty: the corridor is created PENDING;
    /// otherwise they must activate it and it is created ACTIVE.
    pub activation_approvals: Vec<Value>,
    /// The entities party to the corridor (Mass entity ids), in the order given: screened
    /// against every sanctions list the zone receives.
    pub party_entity_ids: Vec<EntityId>,
}

/// A corridor's checked, immutable description: what the actor needs besides its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorSpec {
    /// The SPEC §5 genesis object.
    pub genesis: Genesis,
    /// The k-of-n receipt-signing policy of the definition.
    pub policy: SigningPolicy,
    /// A zone-signed checkpoint is stored after every this many receipts (≥ 1).
    pub checkpoint_interval_receipts: u64,
    /// Who may consent to lifecycle transitions.
    pub lifecycle: LifecycleContext,
    /// Distinct counted watcher attestations that decide a fork (the definition's
    /// `watcher_quorum`).
    pub watcher_quorum: u32,
}

/// Why a create request or a stored record is not a corridor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The definition cannot be digested.
    #[error("corridor definition: {0}")]
    Definition(#[from] AgreementError),
    /// The definition's receipt signers and threshold are not a k-of-n policy.
    #[error("corridor definition receipt-signing policy: {0}")]
    Policy(#[from] PolicyError),
    /// The agreement set or record is not canonical JSON within the MSEZ profile.
    #[error("corridor record: {0}")]
    Canonical(#[from] CanonError),
    /// `checkpoint_interval_receipts` is 0.
    #[error("corridor {corridor_id}: checkpoint_interval_receipts must be at least 1")]
    CheckpointIntervalZero {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// A stored record member is missing or malformed.
    #[error("stored corridor record member {field}: {reason}")]
    Record {
        /// The member.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The stored genesis object does not parse.
    #[error("stored corridor genesis: {0}")]
    Genesis(#[from] FieldError),
    /// The request names no party, or more than [`CORRIDOR_PARTIES_MAX`].
    #[error(
        "corridor {corridor_id}: {party_count} parties; a corridor names 1 to {CORRIDOR_PARTIES_MAX}"
    )]
    PartyCount {
        /// The corridor.
        corridor_id: CorridorId,
        /// Parties named.
        party_count: usize,
    },
    /// The request names one party twice.
    #[error("corridor {corridor_id}: party {entity_id} is named twice")]
    PartyRepeated {
        /// The corridor.
        corridor_id: CorridorId,
        /// The repeated entity.
        entity_id: EntityId,
    },
}

impl CorridorSpec {
    /// Checks a create request whose agreement `agreement` completes, and derives the genesis
    /// object (its agreement set digest and the definition credential's digest sets) and the
    /// policy from them.
    pub fn from_request(
        request: &CreateCorridor,
        agreement: &AgreementSet,
    ) -> Result<Self, SpecError> {
        let definition = &request.definition;
        let corridor_id = definition.corridor_id.clone();
        if definition.checkpoint_interval_receipts == 0 {
            return Err(SpecError::CheckpointIntervalZero { corridor_id });
        }
        check_parties(&corridor_id, &request.party_entity_ids)?;
        let policy = SigningPolicy::new(
            definition.receipt_signature_threshold,
            definition.receipt_signers.iter().copied().collect(),
        )?;
        let defined = agreement.definition_subject();
        let genesis = Genesis::new(
            corridor_id.clone(),
            definition.payload_sha256()?,
            agreement.sha256()?,
            DigestSet::normalised(defined.lawpack_digest_set.iter().copied()),
            DigestSet::normalised(defined.ruleset_digest_set.iter().copied()),
        );
        Ok(Self {
            genesis,
            policy,
            checkpoint_interval_receipts: definition.checkpoint_interval_receipts,
            watcher_quorum: definition.watcher_quorum,
            lifecycle: LifecycleContext {
                corridor_id,
                regulators: request.regulators.clone(),
                authorities: request.authorities.clone(),
            },
        })
    }

    /// The corridor.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.genesis.corridor_id
    }

    /// The stored `definition` column for this spec and the definition it came from.
    pub fn record_bytes(
        &self,
        definition: &CorridorDefinition,
    ) -> Result<CanonicalBytes, SpecError> {
        let value = json!({
            "definition": definition,
            "genesis": self.genesis,
            "receipt_signing_policy": self.policy,
            "checkpoint_interval_receipts": self.checkpoint_interval_receipts,
            "regulators": self.lifecycle.regulators,
            "authorities": self.lifecycle.authorities,
        });
        Ok(CanonicalBytes::new(&value)?)
    }

    /// The stored definition and agreement set of `record`, checked against this spec's genesis
    /// (the definition's digest and the set's digest are the ones it commits to), for
    /// `protocol::corridor::agreement::verify_agreement_set`.
    pub fn stored_agreement(
        &self,
        record: &CorridorRecord,
    ) -> Result<(CorridorDefinition, Value), SpecError> {
        let stored = msez_protocol::canonical::parse(record.definition.as_bytes())?;
        let definition: CorridorDefinition =
            serde_json::from_value(member(&stored, "definition")?.clone())
                .map_err(|error| record_error("definition", &error.to_string()))?;
        if definition.payload_sha256()? != self.genesis.definition_payload_sha256 {
            return Err(record_error(
                "definition",
                "its digest is not the genesis definition_payload_sha256",
            ));
        }
        if record.agreement_set.digest() != self.genesis.agreement_set_sha256 {
            return Err(record_error(
                "agreement_set",
                "its digest is not the genesis agreement_set_sha256",
            ));
        }
        let agreement_set = msez_protocol::canonical::parse(record.agreement_set.as_bytes())?;
        Ok((definition, agreement_set))
    }

    /// Reads the spec back from a stored `definition` column.
    pub fn from_record_bytes(bytes: &CanonicalBytes) -> Result<Self, SpecError> {
        let value = msez_protocol::canonical::parse(bytes.as_bytes())?;
        let genesis = Genesis::from_value(member(&value, "genesis")?.clone())?;
        let policy = SigningPolicy::from_value(member(&value, "receipt_signing_policy")?.clone())?;
        let checkpoint_interval_receipts = member(&value, "checkpoint_interval_receipts")?
            .as_u64()
            .filter(|interval| *interval > 0)
            .ok_or_else(|| {
                record_error("checkpoint_interval_receipts", "not a positive integer")
            })?;
        let regulators: BTreeMap<JurisdictionId, DidKey> =
            serde_json::from_value(member(&value, "regulators")?.clone())
                .map_err(|error| record_error("regulators", &error.to_string()))?;
        let authorities: BTreeSet<DidKey> =
            serde_json::from_value(member(&value, "authorities")?.clone())
                .map_err(|error| record_error("authorities", &error.to_string()))?;
        let watcher_quorum = member(&value, "definition")?
            .get("watcher_quorum")
            .and_then(Value::as_u64)
            .and_then(|quorum| u32::try_from(quorum).ok())
            .ok_or_else(|| record_error("definition", "watcher_quorum is not a u32"))?;
        Ok(Self {
            watcher_quorum,
            lifecycle: LifecycleContext {
                corridor_id: genesis.corridor_id.clone(),
                regulators,
                authorities,
            },
            genesis,
            policy,
            checkpoint_interval_receipts,
        })
    }
}

/// At least one party, at most [`CORRIDOR_PARTIES_MAX`], none named twice.
fn check_parties(corridor_id: &CorridorId, parties: &[EntityId]) -> Result<(), SpecError> {
    if !(1..=CORRIDOR_PARTIES_MAX).contains(&parties.len()) {
        return Err(SpecError::PartyCount {
            corridor_id: corridor_id.clone(),
            party_count: parties.len(),
        });
    }
    let mut seen = BTreeSet::new();
    match parties.iter().find(|entity_id| !seen.insert(*entity_id)) {
        Some(entity_id) => Err(SpecError::PartyRepeated {
            corridor_id: corridor_id.clone(),
            entity_id: entity_id.clone(),
        }),
        None => Ok(()),
    }
}

fn member<'a>(value: &'a Value, field: &'static str) -> Result<&'a Value, SpecError> {
    value
        .get(field)
        .ok_or_else(|| record_error(field, "missing"))
}

fn record_error(field: &'static str, reason: &str) -> SpecError {
    SpecError::Record {
        field,
        reason: reason.to_owned(),
    }
}
