//! Typed credential subjects: one struct per MSEZ credential type of SPEC §4.
//!
//! Owns [`CredentialType`], the [`CredentialSubject`] trait that ties each subject struct to its
//! type, and the subject structs. Every subject rejects unknown members
//! (`deny_unknown_fields`), uses snake_case member names like the other protocol artifacts,
//! carries ids as id newtypes, digests as [`Digest`], parties as [`DidKey`], times as
//! [`Timestamp`] and amounts as integer minor units (`*_minor`, with a `currency` of ISO 4217
//! letters). Rules a JSON schema cannot say (a threshold within its signer count, two different
//! branches of a fork) are in [`CredentialSubject::check`].
//!
//! Never: signs or verifies (that is [`crate::vc`]), or decides domain policy; the corridor,
//! watcher and compliance code builds on these shapes.

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::digest::Digest;
use crate::ids::{CorridorId, EntityId, JurisdictionId, ObligationId};
use crate::keys::DidKey;
use crate::time::Timestamp;
use crate::vc::VcError;

/// A credential subject struct and the credential type it belongs to.
pub trait CredentialSubject: Serialize + DeserializeOwned {
    /// The credential type whose `credentialSubject` this is.
    const CREDENTIAL_TYPE: CredentialType;

    /// Rules across fields that the shape alone does not enforce. Returns the rule broken.
    fn check(&self) -> Result<(), &'static str> {
        Ok(())
    }
}

/// Reads and checks a subject of type `S` from JSON.
pub fn parse_subject<S: CredentialSubject>(subject: &Value) -> Result<S, VcError> {
    let parsed = S::deserialize(subject).map_err(|error| VcError::Subject {
        credential_type: S::CREDENTIAL_TYPE,
        reason: error.to_string(),
    })?;
    parsed.check().map_err(|rule| VcError::SubjectRule {
        credential_type: S::CREDENTIAL_TYPE,
        rule,
    })?;
    Ok(parsed)
}

/// Declares the credential types once: enum variant, type name, subject struct.
macro_rules! credential_types {
    ($($(#[$doc:meta])* $variant:ident = $name:literal => $subject:ident,)+) => {
        /// A credential type this system issues (SPEC §4). The JSON spelling is the type name,
        /// `MSEZ…Credential`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CredentialType {
            $($(#[$doc])* $variant,)+
        }

        impl CredentialType {
            /// Every credential type, in SPEC §4 order.
            pub const ALL: &'static [CredentialType] = &[$(CredentialType::$variant,)+];

            /// The type name, e.g. `MSEZKycVerificationCredential`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(CredentialType::$variant => $name,)+
                }
            }

            /// Checks that `subject` is a valid `credentialSubject` for this type.
            pub fn validate_subject(&self, subject: &Value) -> Result<(), VcError> {
                match self {
                    $(CredentialType::$variant => parse_subject::<$subject>(subject).map(|_| ()),)+
                }
            }
        }

        $(impl CredentialSubject for $subject {
            const CREDENTIAL_TYPE: CredentialType = CredentialType::$variant;
            fn check(&self) -> Result<(), &'static str> {
                SubjectRules::rules(self)
            }
        })+
    };
}

credential_types! {
    /// An entity passed KYC at a level.
    KycVerification = "MSEZKycVerificationCredential" => KycVerificationSubject,
    /// The result of an AML screening.
    AmlScreening = "MSEZAmlScreeningCredential" => AmlScreeningSubject,
    /// An entity was screened against sanctions lists.
    SanctionsClearance = "MSEZSanctionsClearanceCredential" => SanctionsClearanceSubject,
    /// The state of a licence.
    LicenseStatus = "MSEZLicenseStatusCredential" => LicenseStatusSubject,
    /// A commitment to an entity's compliance tensor.
    ComplianceAttestation = "MSEZComplianceAttestationCredential" => ComplianceAttestationSubject,
    /// A corridor's definition.
    CorridorDefinition = "MSEZCorridorDefinitionCredential" => CorridorDefinitionSubject,
    /// The agreement the parties of a corridor signed.
    CorridorAgreement = "MSEZCorridorAgreementCredential" => CorridorAgreementSubject,
    /// A corridor moved between lifecycle states.
    CorridorLifecycleTransition =
        "MSEZCorridorLifecycleTransitionCredential" => CorridorLifecycleTransitionSubject,
    /// A lawpack is in force in a jurisdiction.
    LawpackAttestation = "MSEZLawpackAttestationCredential" => LawpackAttestationSubject,
    /// A watcher observed a receipt.
    WatcherAttestation = "MSEZWatcherAttestationCredential" => WatcherAttestationSubject,
    /// A watcher posted a bond.
    WatcherBond = "MSEZWatcherBondCredential" => WatcherBondSubject,
    /// Two valid receipts fork a corridor (SPEC §8).
    ForkAlarm = "MSEZForkAlarmCredential" => ForkAlarmSubject,
    /// A fork was resolved (SPEC §8).
    ForkResolution = "MSEZForkResolutionCredential" => ForkResolutionSubject,
    /// A party filed a dispute.
    DisputeClaim = "MSEZDisputeClaimCredential" => DisputeClaimSubject,
    /// A tribunal ruled on a dispute.
    ArbitrationRuling = "MSEZArbitrationRulingCredential" => ArbitrationRulingSubject,
    /// Tax was withheld on a payment.
    TaxWithholding = "MSEZTaxWithholdingCredential" => TaxWithholdingSubject,
    /// A smart asset entered the registry.
    SmartAssetRegistry = "MSEZSmartAssetRegistryCredential" => SmartAssetRegistrySubject,
}

impl fmt::Display for CredentialType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CredentialType {
    type Err = VcError;

    fn from_str(text: &str) -> Result<Self, VcError> {
        Self::ALL
            .iter()
            .copied()
            .find(|credential_type| credential_type.name() == text)
            .ok_or_else(|| VcError::UnknownCredentialType {
                name: text.to_owned(),
            })
    }
}

impl Serialize for CredentialType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for CredentialType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Depth of a KYC check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycLevel {
    /// Identity documents checked.
    Basic,
    /// Identity, address and ownership checked.
    Standard,
    /// Standard plus source of funds and enhanced due diligence.
    Enhanced,
}

/// The result of screening an entity against lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    /// No match.
    Clear,
    /// A possible match awaiting review.
    PotentialMatch,
    /// A confirmed match.
    ConfirmedMatch,
}

/// The state of a licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// In force.
    Active,
    /// Temporarily not in force.
    Suspended,
    /// Withdrawn by the regulator.
    Revoked,
    /// Lapsed.
    Expired,
}

/// A corridor's lifecycle state (issue 3: DRAFT → PENDING → ACTIVE ⇄ SUSPENDED; ACTIVE →
/// HALTED → ACTIVE; ACTIVE/HALTED → DEPRECATED). The transition rules live in
/// `corridor::lifecycle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorridorLifecycleState {
    /// Being drafted.
    Draft,
    /// Defined and submitted; waiting for every regulator's approval.
    Pending,
    /// Accepting receipts.
    Active,
    /// Paused by an authority.
    Suspended,
    /// Stopped by a fork or an authority; no receipts accepted.
    Halted,
    /// Retired for good (terminal); the chain is kept as evidence.
    Deprecated,
}

/// What decided a fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForkResolutionBasis {
    /// A quorum of distinct, bonded, active watchers attested the winning branch (SPEC §8 rule 1).
    WatcherQuorum,
    /// The authorities named by the agreement chose the branch (SPEC §8 rule 2).
    AuthorityDecision,
}

/// `credentialSubject` of `MSEZKycVerificationCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycVerificationSubject {
    /// The verified entity.
    pub entity_id: EntityId,
    /// The jurisdiction whose rules the check followed.
    pub jurisdiction_id: JurisdictionId,
    /// How deep the check went.
    pub level: KycLevel,
    /// Digest of the evidence bundle (kept off-credential).
    pub evidence_digest: Digest,
    /// When the check completed.
    pub verified_at: Timestamp,
}

/// `credentialSubject` of `MSEZAmlScreeningCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmlScreeningSubject {
    /// The screened entity.
    pub entity_id: EntityId,
    /// The jurisdiction whose rules the screening followed.
    pub jurisdiction_id: JurisdictionId,
    /// The result.
    pub outcome: ScreeningOutcome,
    /// Digest of the screening report.
    pub report_digest: Digest,
    /// When the screening ran.
    pub screened_at: Timestamp,
}

/// `credentialSubject` of `MSEZSanctionsClearanceCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanctionsClearanceSubject {
    /// The screened entity.
    pub entity_id: EntityId,
    /// The jurisdiction whose rules the screening followed.
    pub jurisdiction_id: JurisdictionId,
    /// Names of the lists screened against (`UN-SC`, `OFAC-SDN`...); at least one.
    pub sanctions_lists: Vec<String>,
    /// Digest of the exact list versions used.
    pub list_set_digest: Digest,
    /// The result.
    pub outcome: ScreeningOutcome,
    /// When the screening ran.
    pub screened_at: Timestamp,
}

/// `credentialSubject` of `MSEZLicenseStatusCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseStatusSubject {
    /// The licence holder.
    pub entity_id: EntityId,
    /// The licensing jurisdiction.
    pub jurisdiction_id: JurisdictionId,
    /// The regulator's licence number.
    pub license_id: String,
    /// The licence class (`payments.emi`, `banking.wholesale`...).
    pub license_class: String,
    /// Its state.
    pub status: LicenseState,
    /// When the state was determined.
    pub status_as_of: Timestamp,
}

/// `credentialSubject` of `MSEZComplianceAttestationCredential`: a commitment to the compliance
/// tensor cells of one subject (SPEC §10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceAttestationSubject {
    /// The assessed entity.
    pub entity_id: EntityId,
    /// The jurisdiction of the assessment.
    pub jurisdiction_id: JurisdictionId,
    /// Merkle root over the tensor cells (SPEC §10 commitment).
    pub tensor_commitment: Digest,
    /// Number of cells committed to.
    pub cell_count: u64,
    /// When the tensor was evaluated.
    pub determined_at: Timestamp,
}

/// `credentialSubject` of `MSEZCorridorDefinitionCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorDefinitionSubject {
    /// The corridor defined.
    pub corridor_id: CorridorId,
    /// The jurisdictions it joins (two or more, distinct).
    pub jurisdiction_ids: Vec<JurisdictionId>,
    /// Digest of the canonical definition payload (enters the genesis root, SPEC §5).
    pub definition_payload_sha256: Digest,
    /// Lawpacks in force at genesis.
    pub lawpack_digest_set: Vec<Digest>,
    /// Rulesets in force at genesis.
    pub ruleset_digest_set: Vec<Digest>,
}

/// `credentialSubject` of `MSEZCorridorAgreementCredential`: one party's commitment to one
/// corridor definition. The party issues and signs it; `corridor::agreement` decides whether a
/// set of them activates the corridor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorAgreementSubject {
    /// The agreeing party; it is also the credential's issuer and signer.
    pub party: DidKey,
    /// The corridor agreed on.
    pub corridor_id: CorridorId,
    /// Digest of the definition agreed to (`definition_payload_sha256`, SPEC §5 genesis).
    pub definition_payload_sha256: Digest,
    /// The party's commitment: `affirm` counts toward activation, any other word (`object`,
    /// `abstain`, ...) blocks it. 1..=[`COMMITMENT_BYTES_MAX`] of `a-z`, `0-9`, `_`, `-`.
    pub commitment: String,
}

/// Longest commitment word. 64 bytes hold any word a party needs (`affirm`, `object`,
/// `abstain_pending_review`) and keep a blocking report (`<did>:<commitment>`) one short line.
pub const COMMITMENT_BYTES_MAX: usize = 64;

/// `credentialSubject` of `MSEZCorridorLifecycleTransitionCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorLifecycleTransitionSubject {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// State before.
    pub from_state: CorridorLifecycleState,
    /// State after (different from `from_state`).
    pub to_state: CorridorLifecycleState,
    /// Why, for the record.
    pub reason: String,
    /// When the new state takes effect.
    pub effective_at: Timestamp,
}

/// `credentialSubject` of `MSEZLawpackAttestationCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawpackAttestationSubject {
    /// The jurisdiction whose law the pack encodes.
    pub jurisdiction_id: JurisdictionId,
    /// The pack's digest (`msez.lawpack.v1` tagged digest).
    pub lawpack_digest: Digest,
    /// Human name of the pack.
    pub lawpack_name: String,
    /// Its version label.
    pub version: String,
    /// When it takes effect.
    pub effective_from: Timestamp,
}

/// The corridor head a watcher had observed when it attested: what its chain looked like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedHead {
    /// The corridor whose chain was observed.
    pub corridor_id: CorridorId,
    /// Receipts in the observed chain (its height; the next receipt's sequence).
    pub height: u64,
    /// The observed head root: `next_root` of the last receipt (`genesis_root` at height 0).
    pub next_root: Digest,
    /// Root of the receipt MMR at that height (SPEC §6); absent at height 0, where the MMR is
    /// empty and has no root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmr_root: Option<Digest>,
}

impl ObservedHead {
    /// Checks the head is one a watcher attesting receipt `sequence` of `corridor_id`, from
    /// `prev_root` to `next_root`, can have observed: the same corridor; an MMR root exactly
    /// when the chain is non-empty; a height at least `sequence` (the parent was seen); at
    /// height `sequence` the head is the parent, at `sequence + 1` it is the attested receipt.
    /// Returns the rule broken.
    pub fn check_against(
        &self,
        corridor_id: &CorridorId,
        sequence: u64,
        prev_root: &Digest,
        next_root: &Digest,
    ) -> Result<(), &'static str> {
        rule(
            self.corridor_id == *corridor_id,
            "observed_head.corridor_id is the attested corridor",
        )?;
        rule(
            self.mmr_root.is_some() == (self.height > 0),
            "observed_head.mmr_root is present exactly when observed_head.height is above 0",
        )?;
        rule(
            self.height >= sequence,
            "observed_head.height is at least the attested sequence",
        )?;
        rule(
            self.height != sequence || self.next_root == *prev_root,
            "an observed head at the attested sequence is the parent (prev_root)",
        )?;
        rule(
            self.height != sequence.saturating_add(1) || self.next_root == *next_root,
            "an observed head one past the attested sequence is the attested next_root",
        )
    }
}

/// `credentialSubject` of `MSEZWatcherAttestationCredential`: a watcher saw this receipt as the
/// successor of this parent (what counts toward a fork quorum, SPEC §8), and the corridor head
/// it had observed when it signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatcherAttestationSubject {
    /// The attesting watcher (its key also signs the credential).
    pub watcher: DidKey,
    /// The corridor watched.
    pub corridor_id: CorridorId,
    /// The receipt's sequence (the chain height before it).
    pub sequence: u64,
    /// The parent root the receipt extends.
    pub prev_root: Digest,
    /// The receipt's next_root: the branch attested.
    pub next_root: Digest,
    /// The corridor head the watcher had observed (checked by [`ObservedHead::check_against`]).
    pub observed_head: ObservedHead,
    /// When the watcher observed it.
    pub observed_at: Timestamp,
}

/// `credentialSubject` of `MSEZWatcherBondCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatcherBondSubject {
    /// The bonded watcher.
    pub watcher: DidKey,
    /// The bond's id at the bonding authority.
    pub bond_id: String,
    /// Stake in minor units of `currency`, greater than 0.
    pub stake_amount_minor: u64,
    /// ISO 4217 currency code of the stake.
    pub currency: String,
    /// Corridors the bond covers (at least one).
    pub corridor_ids: Vec<CorridorId>,
    /// When the bond was posted.
    pub bonded_at: Timestamp,
}

/// `credentialSubject` of `MSEZForkAlarmCredential`: two receipts with the same
/// `(corridor_id, sequence, prev_root)` and different `next_root` (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkAlarmSubject {
    /// The forked corridor.
    pub corridor_id: CorridorId,
    /// The contested sequence.
    pub sequence: u64,
    /// The common parent root.
    pub prev_root: Digest,
    /// next_root of the first receipt seen.
    pub next_root_a: Digest,
    /// next_root of the conflicting receipt (differs from `next_root_a`).
    pub next_root_b: Digest,
    /// When the fork was detected.
    pub detected_at: Timestamp,
}

/// `credentialSubject` of `MSEZForkResolutionCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkResolutionSubject {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The contested sequence.
    pub sequence: u64,
    /// The common parent root.
    pub prev_root: Digest,
    /// next_root of the winning branch.
    pub chosen_next_root: Digest,
    /// next_roots of the losing branches (kept as evidence, never dropped); not the chosen one.
    pub rejected_next_roots: Vec<Digest>,
    /// Which rule of SPEC §8 decided.
    pub basis: ForkResolutionBasis,
    /// Digests of the watcher attestations (or authority decisions) relied on.
    pub evidence_digests: Vec<Digest>,
    /// When the fork was resolved.
    pub resolved_at: Timestamp,
}

/// `credentialSubject` of `MSEZDisputeClaimCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeClaimSubject {
    /// The dispute's id.
    pub dispute_id: String,
    /// The corridor the dispute concerns.
    pub corridor_id: CorridorId,
    /// Who claims.
    pub claimant: DidKey,
    /// Against whom (differs from the claimant).
    pub respondent: DidKey,
    /// Amount claimed in minor units of `currency`.
    pub claim_amount_minor: u64,
    /// ISO 4217 currency code of the claim.
    pub currency: String,
    /// Digest of the claim and its evidence bundle.
    pub claim_digest: Digest,
    /// When the claim was filed.
    pub filed_at: Timestamp,
}

/// `credentialSubject` of `MSEZArbitrationRulingCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArbitrationRulingSubject {
    /// The dispute ruled on.
    pub dispute_id: String,
    /// The tribunal or arbitral institution.
    pub tribunal: String,
    /// Digest of the full ruling text.
    pub ruling_digest: Digest,
    /// The party awarded, if any.
    pub awarded_to: Option<DidKey>,
    /// Amount awarded in minor units of `currency` (0 if none).
    pub award_amount_minor: u64,
    /// ISO 4217 currency code of the award.
    pub currency: String,
    /// When the ruling was made.
    pub ruled_at: Timestamp,
}

/// `credentialSubject` of `MSEZTaxWithholdingCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxWithholdingSubject {
    /// The taxpayer.
    pub entity_id: EntityId,
    /// The taxing jurisdiction.
    pub jurisdiction_id: JurisdictionId,
    /// The settlement obligation taxed, if the withholding belongs to one.
    pub obligation_id: Option<ObligationId>,
    /// Gross amount in minor units of `currency`.
    pub gross_amount_minor: u64,
    /// Withheld amount in minor units of `currency` (at most the gross amount).
    pub withheld_amount_minor: u64,
    /// Rate applied, in basis points (at most 10000).
    pub rate_basis_points: u32,
    /// ISO 4217 currency code.
    pub currency: String,
    /// When the tax was withheld.
    pub withheld_at: Timestamp,
}

/// `credentialSubject` of `MSEZSmartAssetRegistryCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartAssetRegistrySubject {
    /// The asset's registry id.
    pub asset_id: String,
    /// Its owner.
    pub owner_entity_id: EntityId,
    /// The registering jurisdiction.
    pub jurisdiction_id: JurisdictionId,
    /// The asset class (`real_estate`, `receivable`...).
    pub asset_class: String,
    /// Digest of the asset's canonical definition.
    pub asset_definition_digest: Digest,
    /// When it was registered.
    pub registered_at: Timestamp,
}

/// Cross-field rules of a subject; most subjects have none.
trait SubjectRules {
    fn rules(&self) -> Result<(), &'static str> {
        Ok(())
    }
}

/// Basis points in one whole.
const BASIS_POINTS_WHOLE: u32 = 10_000;

fn rule(holds: bool, rule: &'static str) -> Result<(), &'static str> {
    if holds { Ok(()) } else { Err(rule) }
}

fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// A commitment word: 1..=[`COMMITMENT_BYTES_MAX`] bytes of `a-z`, `0-9`, `_`, `-`, so the
/// `<did>:<commitment>` report of a blocking party reads back unambiguously.
fn is_commitment_word(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= COMMITMENT_BYTES_MAX
        && word
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"_-".contains(&byte))
}

fn is_distinct<T: Ord>(items: &[T]) -> bool {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort();
    sorted.windows(2).all(|pair| pair[0] != pair[1])
}

impl SubjectRules for KycVerificationSubject {}

impl SubjectRules for AmlScreeningSubject {}

impl SubjectRules for SanctionsClearanceSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            !self.sanctions_lists.is_empty(),
            "sanctions_lists names at least one list",
        )
    }
}

impl SubjectRules for LicenseStatusSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(!self.license_id.is_empty(), "license_id is not empty")
    }
}

impl SubjectRules for ComplianceAttestationSubject {}

impl SubjectRules for CorridorDefinitionSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.jurisdiction_ids.len() >= 2 && is_distinct(&self.jurisdiction_ids),
            "jurisdiction_ids names two or more distinct jurisdictions",
        )
    }
}

impl SubjectRules for CorridorAgreementSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            is_commitment_word(&self.commitment),
            "commitment is 1 to 64 bytes of a-z, 0-9, _ and -",
        )
    }
}

impl SubjectRules for CorridorLifecycleTransitionSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.from_state != self.to_state,
            "to_state differs from from_state",
        )
    }
}

impl SubjectRules for LawpackAttestationSubject {}

impl SubjectRules for WatcherAttestationSubject {
    fn rules(&self) -> Result<(), &'static str> {
        self.observed_head.check_against(
            &self.corridor_id,
            self.sequence,
            &self.prev_root,
            &self.next_root,
        )
    }
}

impl SubjectRules for WatcherBondSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.stake_amount_minor > 0,
            "stake_amount_minor is greater than 0",
        )?;
        rule(
            is_currency_code(&self.currency),
            "currency is three letters A-Z",
        )?;
        rule(
            !self.corridor_ids.is_empty(),
            "corridor_ids names at least one corridor",
        )
    }
}

impl SubjectRules for ForkAlarmSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.next_root_a != self.next_root_b,
            "next_root_a differs from next_root_b",
        )
    }
}

impl SubjectRules for ForkResolutionSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            !self.rejected_next_roots.contains(&self.chosen_next_root),
            "rejected_next_roots does not contain chosen_next_root",
        )
    }
}

impl SubjectRules for DisputeClaimSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.claimant != self.respondent,
            "respondent differs from claimant",
        )?;
        rule(
            is_currency_code(&self.currency),
            "currency is three letters A-Z",
        )
    }
}

impl SubjectRules for ArbitrationRulingSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            is_currency_code(&self.currency),
            "currency is three letters A-Z",
        )
    }
}

impl SubjectRules for TaxWithholdingSubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(
            self.withheld_amount_minor <= self.gross_amount_minor,
            "withheld_amount_minor is at most gross_amount_minor",
        )?;
        rule(
            self.rate_basis_points <= BASIS_POINTS_WHOLE,
            "rate_basis_points is at most 10000",
        )?;
        rule(
            is_currency_code(&self.currency),
            "currency is three letters A-Z",
        )
    }
}

impl SubjectRules for SmartAssetRegistrySubject {
    fn rules(&self) -> Result<(), &'static str> {
        rule(!self.asset_id.is_empty(), "asset_id is not empty")
    }
}
