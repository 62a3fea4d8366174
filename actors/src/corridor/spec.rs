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
//! from a definition whose serialisation might have changed. `agreement_set` is stored as given.
//!
//! Never: decides a lifecycle transition (that is `protocol::corridor::lifecycle`) or does I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use msez_protocol::canonical::{CanonError, CanonicalBytes};
use msez_protocol::corridor::agreement::{AgreementError, CorridorDefinition};
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

/// Everything needed to create a corridor.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCorridor {
    /// The definition both zones agreed on; its digest is the genesis `definition_payload_sha256`.
    pub definition: CorridorDefinition,
    /// The canonical set of agreements; its digest is the genesis `agreement_set_sha256`.
    pub agreement_set: Value,
    /// Lawpacks in force at genesis.
    pub lawpack_digest_set: DigestSet,
    /// Rulesets in force at genesis.
    pub ruleset_digest_set: DigestSet,
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
    /// Checks a create request and derives the genesis object and policy from it.
    pub fn from_request(request: &CreateCorridor) -> Result<Self, SpecError> {
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
        let genesis = Genesis::new(
            corridor_id.clone(),
            definition.payload_sha256()?,
            CanonicalBytes::new(&request.agreement_set)?.digest(),
            request.lawpack_digest_set.clone(),
            request.ruleset_digest_set.clone(),
        );
        Ok(Self {
            genesis,
            policy,
            checkpoint_interval_receipts: definition.checkpoint_interval_receipts,
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
        Ok(Self {
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
