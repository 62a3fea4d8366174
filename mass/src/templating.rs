//! Document signing: the `templating-engine` service, typed per
//! `mass-specs/templating-engine.openapi.json`.
//!
//! Owns the signing, submission and template wire types and [`TemplatingClient`].
//!
//! Never: handles the DocuSeal webhook (Mass's concern) or manages templates (an operator task).

use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::error::MassError;
use crate::transport::{Call, ServiceTransport};
use crate::wire::IdempotencyKey;

/// `templating-engine` operations.
#[derive(Debug, Clone)]
pub struct TemplatingClient {
    transport: Arc<ServiceTransport>,
}

impl TemplatingClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> TemplatingClient {
        TemplatingClient { transport }
    }

    /// `POST template/sign`: sends documents for signature. Retried only with a key.
    pub async fn sign(
        &self,
        request: &SigningRequest,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<SubmissionResponse, MassError> {
        let mut call = Call::post_json(&["template", "sign"], request)?;
        if let Some(key) = idempotency_key {
            call = call.idempotent(key);
        }
        self.transport.json(call).await
    }

    /// `GET submission/{id}`; a 404 is `None`.
    pub async fn submission(
        &self,
        submission_id: &str,
    ) -> Result<Option<SubmissionResponse>, MassError> {
        self.transport
            .json_optional(Call::get(&["submission", submission_id]))
            .await
    }

    /// `GET submission/all?entityId=..&filterGrouping=..`.
    pub async fn submissions(
        &self,
        entity_id: &EntityId,
        groupings: &[TemplateGrouping],
    ) -> Result<Vec<Submission>, MassError> {
        let call = Call::get(&["submission", "all"]).query("entityId", entity_id.as_str());
        let call = groupings.iter().fold(call, |call, grouping| {
            call.query("filterGrouping", grouping.as_wire())
        });
        self.transport.json(call).await
    }

    /// `POST submission/batch`: the submissions with these ids. A read, so retried when safe.
    pub async fn submissions_batch(
        &self,
        submission_ids: &[String],
    ) -> Result<Vec<Submission>, MassError> {
        self.transport
            .json(Call::post_read(&["submission", "batch"], &submission_ids)?)
            .await
    }

    /// `GET template/{id}`; a 404 is `None`.
    pub async fn template(&self, template_id: &str) -> Result<Option<Template>, MassError> {
        self.transport
            .json_optional(Call::get(&["template", template_id]))
            .await
    }

    /// `GET template/available?entityId=..&filterGrouping=..`.
    pub async fn available_templates(
        &self,
        entity_id: Option<&EntityId>,
        groupings: &[TemplateGrouping],
    ) -> Result<Vec<TemplateOptions>, MassError> {
        let mut call = Call::get(&["template", "available"]);
        if let Some(entity_id) = entity_id {
            call = call.query("entityId", entity_id.as_str());
        }
        let call = groupings.iter().fold(call, |call, grouping| {
            call.query("filterGrouping", grouping.as_wire())
        });
        self.transport.json(call).await
    }
}

crate::open_enum!(
    /// The role a signer signs in.
    SigningRole {
        /// `OFFICER`.
        Officer => "OFFICER",
        /// `RECIPIENT`.
        Recipient => "RECIPIENT",
        /// `SPOUSE`.
        Spouse => "SPOUSE",
        /// `WITNESS`.
        Witness => "WITNESS",
    }
);

crate::open_enum!(
    /// Where a signing submission stands.
    SubmissionStatus {
        /// `AWAITING_SIGNATURES`.
        AwaitingSignatures => "AWAITING_SIGNATURES",
        /// `SIGNED`.
        Signed => "SIGNED",
        /// `DECLINED`.
        Declined => "DECLINED",
        /// `ARCHIVED`.
        Archived => "ARCHIVED",
    }
);

crate::open_enum!(
    /// Whether signers sign in the given order.
    SigningOrder {
        /// `RANDOM`.
        Random => "RANDOM",
        /// `PRESERVED`.
        Preserved => "PRESERVED",
    }
);

crate::open_enum!(
    /// Which signing backend holds a template or submission.
    TemplateContext {
        /// `DOCUSEAL`.
        Docuseal => "DOCUSEAL",
        /// `LEGACY`.
        Legacy => "LEGACY",
    }
);

crate::open_enum!(
    /// State of a signing tag.
    TagState {
        /// `ENABLED`.
        Enabled => "ENABLED",
        /// `DISABLED`.
        Disabled => "DISABLED",
    }
);

crate::open_enum!(
    /// Template grouping filter.
    TemplateGrouping {
        /// `AGREEMENT`.
        Agreement => "AGREEMENT",
        /// `EQUITY_OFFER`.
        EquityOffer => "EQUITY_OFFER",
        /// `CONSENT`.
        Consent => "CONSENT",
        /// `FUNDRAISER`.
        Fundraiser => "FUNDRAISER",
    }
);

/// A signer's name (the templating-engine `Name`).
///
/// Wire schema: `templating-engine#Name`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerName {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// A key/value label on a signer or submission.
///
/// Wire schema: `templating-engine#Tag`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerTag {
    /// Label key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A party asked to sign.
///
/// Wire schema: `templating-engine#Signer`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    /// Signer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Caller reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<SignerName>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_role: Option<SigningRole>,
    /// Signing link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_link: Option<String>,
    /// Signing status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubmissionStatus>,
    /// Signed document URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_uri: Option<String>,
    /// Signed at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Declined at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<String>,
    /// Sent at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<SignerTag>,
}

/// A pre-filled template field.
///
/// Wire schema: `templating-engine#FieldRequest`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRequest {
    /// Field name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Field value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the signer may change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
}

/// Body of a signing request.
///
/// Wire schema: `templating-engine#SigningRequest`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRequest {
    /// Organization the documents belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Signing order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_order: Option<SigningOrder>,
    /// Template types to sign.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_types: Vec<String>,
    /// Signers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<Signer>,
    /// Pre-filled fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldRequest>,
    /// Tag switches.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, TagState>,
    /// Submission this one continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_submission_id: Option<String>,
}

/// A template as referenced from a submission.
///
/// Wire schema: `templating-engine#TemplateSummary`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSummary {
    /// Template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Template type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Grouping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<String>,
}

/// A set of documents sent for signature.
///
/// Wire schema: `templating-engine#Submission`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// Submission id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<TemplateContext>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubmissionStatus>,
    /// Signing order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_order: Option<SigningOrder>,
    /// Templates in the submission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template: Vec<TemplateSummary>,
    /// Signers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<Signer>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Archived at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// Combined document URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_uri: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<SignerTag>,
    /// Parent submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_submission_id: Option<String>,
    /// Requesting user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Answer to a signing request or submission get.
///
/// Wire schema: `templating-engine#SubmissionResponse`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResponse {
    /// Request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Submissions created or found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submissions: Vec<Submission>,
}

/// One choice of a template field.
///
/// Wire schema: `templating-engine#FieldOption`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOption {
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Which signer role fills a field.
///
/// Wire schema: `templating-engine#FieldRole`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRole {
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<SigningRole>,
}

/// A field of a template.
///
/// Wire schema: `templating-engine#TemplateField`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateField {
    /// Field id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Field type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// Validation message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_message: Option<String>,
    /// Validation pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_regex: Option<String>,
    /// Role that fills it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_role: Option<FieldRole>,
    /// Choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FieldOption>,
    /// Whether required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Whether filled by the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_field: Option<bool>,
}

/// A document template.
///
/// Wire schema: `templating-engine#Template`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// Template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<TemplateContext>,
    /// Owning organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Version number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<f64>,
    /// Template type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Grouping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Storage key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_key: Option<String>,
    /// Fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<TemplateField>,
    /// Archived at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// A template available to an organization.
///
/// Wire schema: `templating-engine#TemplateOptions`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateOptions {
    /// Template type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_type: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    /// Organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Document URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_uri: Option<String>,
}
