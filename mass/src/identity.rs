//! IDENTITY: the `identity-info` service (KYC, KYB, CNIC and NTN verification, identity records)
//! and the composite identity view over members, board and shareholders.
//!
//! Owns [`IdentityClient`], the checked numbers [`Cnic`] and [`Ntn`], and [`IdentityView`]
//! (built by [`MassClient::identity_view`](crate::client::MassClient::identity_view)).
//!
//! Never: sends a malformed CNIC or NTN (checked before any request); retries a verification
//! request (each creates a record).
//!
//! Assumed contract (no OpenAPI document is published for this service; the sandbox mirrors it):
//! - `POST verification/kyc` `{entityId, userId, fullName, ...}`, `POST verification/kyb`
//!   `{entityId, registeredName, registrationNumber, jurisdiction}`, `POST verification/cnic`
//!   `{cnic (13 digits, no dashes), fullName, entityId?, dateOfBirth?}`, `POST verification/ntn`
//!   `{ntn (7 digits), entityId?, registeredName?}` → `Verification` `{id, entityId, subjectId,
//!   kind, status, filerStatus?, reason?, createdAt}`; `GET verification/{id}`.
//! - `GET identity/entity/{entityId}` → `[Verification]` (the entity's identity records).
//! - `GET ntn/{ntn}/filer-status` → `{ntn, filerStatus, checkedAt}` (FBR active taxpayer list).

use std::fmt;
use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::client::MassClient;
use crate::consent::Shareholder;
use crate::error::MassError;
use crate::organization::{Director, OrganizationMember};
use crate::transport::{Call, ServiceTransport};

/// Digits in a Pakistani CNIC (computerised national identity card number).
pub const CNIC_DIGITS: usize = 13;

/// Digits in a Pakistani NTN (FBR national tax number).
pub const NTN_DIGITS: usize = 7;

/// `identity-info` operations.
#[derive(Debug, Clone)]
pub struct IdentityClient {
    transport: Arc<ServiceTransport>,
}

/// A CNIC: exactly 13 digits. Accepts the printed `12345-1234567-1` form and stores the digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cnic(String);

/// An NTN: exactly 7 digits. Accepts the printed `1234567-8` form (the check digit after the
/// dash is dropped, as FBR's online verification does).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ntn(String);

/// Everyone with a role in an entity: members, directors and shareholders, as Mass records them.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityView {
    /// The entity.
    pub entity_id: EntityId,
    /// Members (`organization-info`).
    pub members: Vec<OrganizationMember>,
    /// Directors (`organization-info` board; empty when there is no board).
    pub directors: Vec<Director>,
    /// Shareholders (`consent-info` cap table; empty when there is no cap table).
    pub shareholders: Vec<Shareholder>,
}

impl Cnic {
    /// Checks `text`: 13 digits, optionally dashed as `5-7-1`.
    pub fn parse(text: &str) -> Result<Cnic, MassError> {
        let digits: String = text.chars().filter(|c| *c != '-').collect();
        let dashed_ok = !text.contains('-') || dash_positions(text) == [5, 13];
        if !dashed_ok || digits.len() != CNIC_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(MassError::Invalid {
                field: "cnic",
                reason: "is not 13 digits (12345-1234567-1)",
            });
        }
        Ok(Cnic(digits))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ntn {
    /// Checks `text`: 7 digits, optionally followed by `-` and one check digit.
    pub fn parse(text: &str) -> Result<Ntn, MassError> {
        let invalid = MassError::Invalid {
            field: "ntn",
            reason: "is not 7 digits (1234567 or 1234567-8)",
        };
        let digits = match text.split_once('-') {
            Some((digits, check))
                if check.len() == 1 && check.bytes().all(|b| b.is_ascii_digit()) =>
            {
                digits
            }
            Some(_) => return Err(invalid),
            None => text,
        };
        if digits.len() != NTN_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid);
        }
        Ok(Ntn(digits.to_owned()))
    }

    /// The 7 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn dash_positions(text: &str) -> Vec<usize> {
    text.char_indices()
        .filter(|(_, c)| *c == '-')
        .map(|(index, _)| index)
        .collect()
}

impl fmt::Debug for Cnic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A CNIC is personal data: show only the last four digits in logs.
        let tail = self.0.get(CNIC_DIGITS - 4..).unwrap_or("");
        write!(f, "Cnic(*********{tail})")
    }
}

impl fmt::Debug for Ntn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ntn({})", self.0)
    }
}

impl IdentityClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> IdentityClient {
        IdentityClient { transport }
    }

    /// `POST verification/kyc`. Not retried.
    pub async fn verify_kyc(&self, request: &KycRequest) -> Result<Verification, MassError> {
        self.transport
            .json(Call::post_json(&["verification", "kyc"], request)?)
            .await
    }

    /// `POST verification/kyb`. Not retried.
    pub async fn verify_kyb(&self, request: &KybRequest) -> Result<Verification, MassError> {
        self.transport
            .json(Call::post_json(&["verification", "kyb"], request)?)
            .await
    }

    /// `POST verification/cnic`. Not retried.
    pub async fn verify_cnic(
        &self,
        cnic: &Cnic,
        full_name: &str,
        entity_id: Option<&EntityId>,
    ) -> Result<Verification, MassError> {
        let body = CnicRequestWire {
            cnic: cnic.as_str().to_owned(),
            full_name: full_name.to_owned(),
            entity_id: entity_id.map(|id| id.as_str().to_owned()),
            date_of_birth: None,
        };
        self.transport
            .json(Call::post_json(&["verification", "cnic"], &body)?)
            .await
    }

    /// `POST verification/ntn`. Not retried.
    pub async fn verify_ntn(
        &self,
        ntn: &Ntn,
        entity_id: Option<&EntityId>,
    ) -> Result<Verification, MassError> {
        let body = NtnRequestWire {
            ntn: ntn.as_str().to_owned(),
            entity_id: entity_id.map(|id| id.as_str().to_owned()),
            registered_name: None,
        };
        self.transport
            .json(Call::post_json(&["verification", "ntn"], &body)?)
            .await
    }

    /// `GET verification/{id}`; a 404 is `None`.
    pub async fn verification(
        &self,
        verification_id: &str,
    ) -> Result<Option<Verification>, MassError> {
        self.transport
            .json_optional(Call::get(&["verification", verification_id]))
            .await
    }

    /// `GET identity/entity/{entityId}`: the entity's identity records.
    pub async fn records_of(&self, entity_id: &EntityId) -> Result<Vec<Verification>, MassError> {
        self.transport
            .json(Call::get(&["identity", "entity", entity_id.as_str()]))
            .await
    }

    /// `GET ntn/{ntn}/filer-status`; a 404 (unknown NTN) is `None`.
    pub async fn filer_status(&self, ntn: &Ntn) -> Result<Option<FilerStatusRecord>, MassError> {
        self.transport
            .json_optional(Call::get(&["ntn", ntn.as_str(), "filer-status"]))
            .await
    }
}

impl MassClient {
    /// The composite identity view of an entity: members and board from `organization-info`,
    /// shareholders from the `consent-info` cap table, fetched concurrently.
    pub async fn identity_view(&self, entity_id: &EntityId) -> Result<IdentityView, MassError> {
        let (members, board, cap_table) = tokio::join!(
            self.organization().members(entity_id),
            self.organization().board(entity_id),
            self.consent().cap_table_of(entity_id),
        );
        Ok(IdentityView {
            entity_id: entity_id.clone(),
            members: members?,
            directors: board?.map(|board| board.directors).unwrap_or_default(),
            shareholders: cap_table?
                .map(|table| table.shareholders)
                .unwrap_or_default(),
        })
    }
}

crate::open_enum!(
    /// What was verified.
    VerificationKind {
        /// `KYC`.
        Kyc => "KYC",
        /// `KYB`.
        Kyb => "KYB",
        /// `CNIC`.
        Cnic => "CNIC",
        /// `NTN`.
        Ntn => "NTN",
    }
);

crate::open_enum!(
    /// Outcome of a verification.
    VerificationStatus {
        /// `PENDING`.
        Pending => "PENDING",
        /// `VERIFIED`.
        Verified => "VERIFIED",
        /// `REJECTED`.
        Rejected => "REJECTED",
        /// `EXPIRED`.
        Expired => "EXPIRED",
    }
);

crate::open_enum!(
    /// A Pakistani taxpayer's filer status (FBR active taxpayer list).
    FilerStatus {
        /// `FILER`.
        Filer => "FILER",
        /// `NON_FILER`.
        NonFiler => "NON_FILER",
        /// `LATE_FILER`.
        LateFiler => "LATE_FILER",
    }
);

/// Body of a KYC (individual) verification.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycRequest {
    /// Organization the person belongs to (required).
    pub entity_id: String,
    /// Person (required).
    pub user_id: String,
    /// Full legal name (required).
    pub full_name: String,
    /// Date of birth (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// ISO 3166 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Identity document type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Identity document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
}

/// Body of a KYB (business) verification.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KybRequest {
    /// Organization (required).
    pub entity_id: String,
    /// Registered name (required).
    pub registered_name: String,
    /// Registry number (required).
    pub registration_number: String,
    /// Registry jurisdiction (required).
    pub jurisdiction: String,
}

/// Body of a CNIC verification as it crosses the wire.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CnicRequestWire {
    /// 13-digit CNIC without dashes (required).
    pub cnic: String,
    /// Name on the card (required).
    pub full_name: String,
    /// Organization the person belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Date of birth (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
}

/// Body of an NTN verification as it crosses the wire.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NtnRequestWire {
    /// 7-digit NTN (required).
    pub ntn: String,
    /// Organization holding the NTN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Registered name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_name: Option<String>,
}

/// A verification record (KYC, KYB, CNIC or NTN).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Verification id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Person, business, CNIC or NTN verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    /// What was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<VerificationKind>,
    /// Outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VerificationStatus>,
    /// Filer status (NTN verifications only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filer_status: Option<FilerStatus>,
    /// Why, when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// The current filer status of an NTN.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilerStatusRecord {
    /// The NTN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntn: Option<String>,
    /// Filer status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filer_status: Option<FilerStatus>,
    /// Checked at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
}
