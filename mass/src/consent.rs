//! CONSENT and cap tables: the `consent-info` service.
//!
//! Owns [`ConsentClient`]: consents (create, get, approve, reject, cancel, list by organization)
//! and cap tables (create, get, by organization, share classes, shareholders, securities, issue).
//!
//! Never: decides whether a consent is satisfied (Mass does); retries a vote (a vote is a
//! non-idempotent POST).
//!
//! Assumed contract (no OpenAPI document is published for this service; the sandbox mirrors it):
//! - `POST consent/create` `{organizationId, operationType, requestedBy, operationId?,
//!   description?, approvalsRequired?}` → `Consent`; `GET consent/{id}`;
//!   `GET consent/organization/{organizationId}` → `[Consent]`.
//! - `POST consent/{id}/approve` and `POST consent/{id}/reject` `{userId, reason?}` → `Consent`;
//!   `POST consent/{id}/cancel` → `Consent`. A consent is APPROVED once `approvalsRequired`
//!   approvals arrive, REJECTED on the first rejection; votes on a closed consent are 409.
//! - `POST capTable/create` `{organizationId, authorizedShares, shareClasses}` → `CapTable`;
//!   `GET capTable/{id}`; `GET capTable/organization/{organizationId}`;
//!   `GET capTable/{id}/shareClasses|shareholders|securities`;
//!   `POST capTable/{id}/securities/issue` `{shareClassId, holderEntityId, quantity, ...}` +
//!   `Idempotency-Key` → `Security`.

use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::error::MassError;
use crate::transport::{Call, ServiceTransport};
use crate::wire::IdempotencyKey;

/// `consent-info` operations.
#[derive(Debug, Clone)]
pub struct ConsentClient {
    transport: Arc<ServiceTransport>,
}

impl ConsentClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> ConsentClient {
        ConsentClient { transport }
    }

    /// `POST consent/create`. Not retried.
    pub async fn create(&self, request: &CreateConsent) -> Result<Consent, MassError> {
        self.transport
            .json(Call::post_json(&["consent", "create"], request)?)
            .await
    }

    /// `GET consent/{id}`; a 404 is `None`.
    pub async fn get(&self, consent_id: &str) -> Result<Option<Consent>, MassError> {
        self.transport
            .json_optional(Call::get(&["consent", consent_id]))
            .await
    }

    /// `POST consent/{id}/approve`. Not retried.
    pub async fn approve(
        &self,
        consent_id: &str,
        decision: &ConsentDecision,
    ) -> Result<Consent, MassError> {
        self.transport
            .json(Call::post_json(
                &["consent", consent_id, "approve"],
                decision,
            )?)
            .await
    }

    /// `POST consent/{id}/reject`. Not retried.
    pub async fn reject(
        &self,
        consent_id: &str,
        decision: &ConsentDecision,
    ) -> Result<Consent, MassError> {
        self.transport
            .json(Call::post_json(
                &["consent", consent_id, "reject"],
                decision,
            )?)
            .await
    }

    /// `POST consent/{id}/cancel`. Not retried.
    pub async fn cancel(&self, consent_id: &str) -> Result<Consent, MassError> {
        self.transport
            .json(Call::post_empty(&["consent", consent_id, "cancel"]))
            .await
    }

    /// `GET consent/organization/{organizationId}`.
    pub async fn list_for(&self, organization_id: &EntityId) -> Result<Vec<Consent>, MassError> {
        let call = Call::get(&["consent", "organization", organization_id.as_str()]);
        self.transport.json(call).await
    }

    /// `POST capTable/create`. Not retried.
    pub async fn create_cap_table(&self, request: &CreateCapTable) -> Result<CapTable, MassError> {
        self.transport
            .json(Call::post_json(&["capTable", "create"], request)?)
            .await
    }

    /// `GET capTable/{id}`; a 404 is `None`.
    pub async fn cap_table(&self, cap_table_id: &str) -> Result<Option<CapTable>, MassError> {
        self.transport
            .json_optional(Call::get(&["capTable", cap_table_id]))
            .await
    }

    /// `GET capTable/organization/{organizationId}`; a 404 is `None`.
    pub async fn cap_table_of(
        &self,
        organization_id: &EntityId,
    ) -> Result<Option<CapTable>, MassError> {
        let call = Call::get(&["capTable", "organization", organization_id.as_str()]);
        self.transport.json_optional(call).await
    }

    /// `GET capTable/{id}/shareClasses`.
    pub async fn share_classes(&self, cap_table_id: &str) -> Result<Vec<ShareClass>, MassError> {
        self.transport
            .json(Call::get(&["capTable", cap_table_id, "shareClasses"]))
            .await
    }

    /// `GET capTable/{id}/shareholders`.
    pub async fn shareholders(&self, cap_table_id: &str) -> Result<Vec<Shareholder>, MassError> {
        self.transport
            .json(Call::get(&["capTable", cap_table_id, "shareholders"]))
            .await
    }

    /// `GET capTable/{id}/securities`.
    pub async fn securities(&self, cap_table_id: &str) -> Result<Vec<Security>, MassError> {
        self.transport
            .json(Call::get(&["capTable", cap_table_id, "securities"]))
            .await
    }

    /// `POST capTable/{id}/securities/issue` with an idempotency key (required).
    pub async fn issue_security(
        &self,
        cap_table_id: &str,
        request: &IssueSecurity,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Security, MassError> {
        let segments = ["capTable", cap_table_id, "securities", "issue"];
        let call = Call::post_json(&segments, request)?.idempotent(idempotency_key);
        self.transport.json(call).await
    }
}

crate::open_enum!(
    /// The corporate action a consent authorises.
    ConsentOperationType {
        /// `EQUITY_OFFER`.
        EquityOffer => "EQUITY_OFFER",
        /// `ISSUE_NEW_SHARES`.
        IssueNewShares => "ISSUE_NEW_SHARES",
        /// `TRANSFER_SHARES`.
        TransferShares => "TRANSFER_SHARES",
        /// `CREATE_OPTIONS_POOL`.
        CreateOptionsPool => "CREATE_OPTIONS_POOL",
        /// `AMEND_OPTIONS_POOL`.
        AmendOptionsPool => "AMEND_OPTIONS_POOL",
        /// `CREATE_SHARE_CLASS`.
        CreateShareClass => "CREATE_SHARE_CLASS",
        /// `MODIFY_COMPANY_LEGAL_NAME`.
        ModifyCompanyLegalName => "MODIFY_COMPANY_LEGAL_NAME",
        /// `MODIFY_BOARD_MEMBER_DESIGNATION`.
        ModifyBoardMemberDesignation => "MODIFY_BOARD_MEMBER_DESIGNATION",
        /// `FUNDRAISER`.
        Fundraiser => "FUNDRAISER",
        /// `CERTIFICATE_OF_AMENDMENT`.
        CertificateOfAmendment => "CERTIFICATE_OF_AMENDMENT",
        /// `DISSOLUTION`.
        Dissolution => "DISSOLUTION",
    }
);

crate::open_enum!(
    /// Where a consent stands.
    ConsentStatus {
        /// `PENDING`.
        Pending => "PENDING",
        /// `APPROVED`.
        Approved => "APPROVED",
        /// `REJECTED`.
        Rejected => "REJECTED",
        /// `CANCELLED`.
        Cancelled => "CANCELLED",
        /// `EXPIRED`.
        Expired => "EXPIRED",
    }
);

crate::open_enum!(
    /// One approver's decision.
    VoteDecision {
        /// `APPROVE`.
        Approve => "APPROVE",
        /// `REJECT`.
        Reject => "REJECT",
    }
);

crate::open_enum!(
    /// Kind of share class.
    ShareClassKind {
        /// `COMMON`.
        Common => "COMMON",
        /// `PREFERRED`.
        Preferred => "PREFERRED",
    }
);

crate::open_enum!(
    /// Kind of security.
    SecurityKind {
        /// `SHARES`.
        Shares => "SHARES",
        /// `OPTION`.
        Option => "OPTION",
        /// `WARRANT`.
        Warrant => "WARRANT",
        /// `SAFE`.
        Safe => "SAFE",
        /// `CONVERTIBLE_NOTE`.
        ConvertibleNote => "CONVERTIBLE_NOTE",
    }
);

crate::open_enum!(
    /// Lifecycle of a security.
    SecurityStatus {
        /// `ISSUED`.
        Issued => "ISSUED",
        /// `CANCELLED`.
        Cancelled => "CANCELLED",
        /// `TRANSFERRED`.
        Transferred => "TRANSFERRED",
    }
);

/// Body of consent creation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConsent {
    /// Organization asked to consent (required).
    pub organization_id: String,
    /// Corporate action (required).
    pub operation_type: ConsentOperationType,
    /// Requesting user id (required).
    pub requested_by: String,
    /// Id of the operation the consent gates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Approvals needed; the board size when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals_required: Option<i32>,
}

/// One approver's vote.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentVote {
    /// Voter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<VoteDecision>,
    /// Reason given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Voted at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voted_at: Option<String>,
}

/// A consent request and its votes.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// Consent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Corporate action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_type: Option<ConsentOperationType>,
    /// Gated operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Requesting user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConsentStatus>,
    /// Approvals needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals_required: Option<i32>,
    /// Votes so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<ConsentVote>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Body of an approve or reject.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentDecision {
    /// Voting user (required).
    pub user_id: String,
    /// Reason (rejections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A class of shares in a cap table.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareClass {
    /// Share class id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (required on create).
    pub name: String,
    /// Kind.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ShareClassKind>,
    /// Shares authorised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorized_shares: Option<i64>,
    /// Shares issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_shares: Option<i64>,
}

/// A holder of securities in a cap table.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shareholder {
    /// Shareholder id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Holder entity or user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Holder name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Shares held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<i64>,
    /// Ownership percentage (decimal text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_percentage: Option<String>,
}

/// A security issued from a cap table.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    /// Security id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Share class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_class_id: Option<String>,
    /// Holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_entity_id: Option<String>,
    /// Quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Kind.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SecurityKind>,
    /// Lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SecurityStatus>,
    /// Issued at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
}

/// Body of cap table creation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCapTable {
    /// Organization (required).
    pub organization_id: String,
    /// Shares authorised (required).
    pub authorized_shares: i64,
    /// Initial share classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_classes: Vec<ShareClass>,
}

/// Body of a security issue (sent with an idempotency key).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueSecurity {
    /// Share class (required).
    pub share_class_id: String,
    /// Holder (required).
    pub holder_entity_id: String,
    /// Holder name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// Quantity (required).
    pub quantity: i64,
    /// Kind; SHARES when absent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SecurityKind>,
}

/// An organization's capitalisation table.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapTable {
    /// Cap table id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Shares authorised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorized_shares: Option<i64>,
    /// Shares issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_shares: Option<i64>,
    /// Share classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_classes: Vec<ShareClass>,
    /// Shareholders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shareholders: Vec<Shareholder>,
    /// Securities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub securities: Vec<Security>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}
