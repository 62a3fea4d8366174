//! ENTITIES: the `organization-info` service, typed per `mass-specs/organization-info.openapi.json`.
//!
//! Owns the wire types of the operations MSEZ uses (organizations, members, board, supported
//! jurisdictions, licensing) and [`OrganizationClient`].
//!
//! Never: models fields MSEZ does not read (incorporation, valuation, media, invitations); unknown
//! response fields are ignored, unknown enum values decode to `Unknown`.
//!
//! Wire types below are generated from the spec's field lists and checked against the spec by the
//! contract test (`contract` module tests): a field we send or read that the spec lacks fails it.

use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::error::MassError;
use crate::transport::{Call, ServiceTransport};

/// `organization-info` operations.
#[derive(Debug, Clone)]
pub struct OrganizationClient {
    transport: Arc<ServiceTransport>,
}

impl OrganizationClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> OrganizationClient {
        OrganizationClient { transport }
    }

    /// `POST organization/create`. Not retried: creation carries no idempotency key in the spec.
    pub async fn create(&self, request: &CreateOrganization) -> Result<Organization, MassError> {
        self.transport
            .json(Call::post_json(&["organization", "create"], request)?)
            .await
    }

    /// `GET organization/{id}`; a 404 is `None`.
    pub async fn get(
        &self,
        organization_id: &EntityId,
        strategy: Option<RetrievalStrategy>,
    ) -> Result<Option<Organization>, MassError> {
        let mut call = Call::get(&["organization", organization_id.as_str()]);
        if let Some(strategy) = strategy {
            call = call.query("retrievalStrategy", strategy.as_wire());
        }
        self.transport.json_optional(call).await
    }

    /// `GET organization?ids=..`: the organizations among `organization_ids` that exist.
    pub async fn list_by_ids(
        &self,
        organization_ids: &[EntityId],
    ) -> Result<Vec<Organization>, MassError> {
        let call = organization_ids
            .iter()
            .fold(Call::get(&["organization"]), |call, id| {
                call.query("ids", id.as_str())
            });
        self.transport.json(call).await
    }

    /// `POST organization/search`: one page of matches. A read, so retried when safe.
    pub async fn search(&self, request: &SearchRequest) -> Result<OrganizationPage, MassError> {
        self.transport
            .json(Call::post_read(&["organization", "search"], request)?)
            .await
    }

    /// `PUT organization/{id}`.
    pub async fn update(
        &self,
        organization_id: &EntityId,
        request: &UpdateOrganization,
    ) -> Result<Organization, MassError> {
        let call = Call::put_json(&["organization", organization_id.as_str()], request)?;
        self.transport.json(call).await
    }

    /// `DELETE organization/{id}`.
    pub async fn delete(&self, organization_id: &EntityId) -> Result<(), MassError> {
        self.transport
            .unit(Call::delete(&["organization", organization_id.as_str()]))
            .await
    }

    /// `GET organization/supported-jurisdictions`.
    pub async fn supported_jurisdictions(&self) -> Result<Vec<SupportedJurisdiction>, MassError> {
        let call = Call::get(&["organization", "supported-jurisdictions"]);
        self.transport.json(call).await
    }

    /// `GET membership/{id}/members`.
    pub async fn members(
        &self,
        organization_id: &EntityId,
    ) -> Result<Vec<OrganizationMember>, MassError> {
        let call = Call::get(&["membership", organization_id.as_str(), "members"]);
        self.transport.json(call).await
    }

    /// `GET board/{id}`; a 404 is `None`.
    pub async fn board(&self, organization_id: &EntityId) -> Result<Option<Board>, MassError> {
        self.transport
            .json_optional(Call::get(&["board", organization_id.as_str()]))
            .await
    }

    /// `PUT board/{id}/directors`.
    pub async fn update_board(
        &self,
        organization_id: &EntityId,
        board: &Board,
    ) -> Result<(), MassError> {
        let body = UpdateBoard {
            board: board.clone(),
        };
        let call = Call::put_json(&["board", organization_id.as_str(), "directors"], &body)?;
        self.transport.unit(call).await
    }

    /// `POST licensing/create`.
    pub async fn create_license(
        &self,
        request: &LicensingRequest,
    ) -> Result<LicensingResponse, MassError> {
        self.transport
            .json(Call::post_json(&["licensing", "create"], request)?)
            .await
    }

    /// `PUT licensing/update`.
    pub async fn update_license(
        &self,
        request: &LicensingRequest,
    ) -> Result<LicensingResponse, MassError> {
        self.transport
            .json(Call::put_json(&["licensing", "update"], request)?)
            .await
    }

    /// `GET licensing/{id}`; a 404 is `None`.
    pub async fn license(&self, license_id: &str) -> Result<Option<LicensingResponse>, MassError> {
        self.transport
            .json_optional(Call::get(&["licensing", license_id]))
            .await
    }

    /// `GET licensing/all/{entityId}`.
    pub async fn licenses(
        &self,
        organization_id: &EntityId,
    ) -> Result<Vec<LicensingResponse>, MassError> {
        let call = Call::get(&["licensing", "all", organization_id.as_str()]);
        self.transport.json(call).await
    }
}

crate::open_enum!(
    /// Whose name or e-mail address this is (`Name.type`, `EmailAddress.type`).
    PartyKind {
        /// `PERSONAL`.
        Personal => "PERSONAL",
        /// `COMPANY`.
        Company => "COMPANY",
        /// `DEFAULT`.
        Default => "DEFAULT",
    }
);

crate::open_enum!(
    /// What an address is used for (`Address.type`).
    AddressKind {
        /// `PERSONAL`.
        Personal => "PERSONAL",
        /// `COMPANY`.
        Company => "COMPANY",
        /// `LEGAL`.
        Legal => "LEGAL",
        /// `DEFAULT`.
        Default => "DEFAULT",
        /// `PRIVATE`.
        Private => "PRIVATE",
    }
);

crate::open_enum!(
    /// What a telephone number is (`TelephoneNumber.type`).
    PhoneKind {
        /// `MOBILE`.
        Mobile => "MOBILE",
        /// `HOME`.
        Home => "HOME",
        /// `COMPANY`.
        Company => "COMPANY",
        /// `DEFAULT`.
        Default => "DEFAULT",
    }
);

crate::open_enum!(
    /// The kind of a government identifier (`Identifier.type`).
    IdentifierKind {
        /// `SSN`.
        Ssn => "SSN",
        /// `PASSPORT_NO`.
        PassportNo => "PASSPORT_NO",
        /// `EIN`.
        Ein => "EIN",
    }
);

crate::open_enum!(
    /// Whether an organization is listed publicly.
    Privacy {
        /// `PRIVATE`.
        Private => "PRIVATE",
        /// `PUBLIC`.
        Public => "PUBLIC",
    }
);

crate::open_enum!(
    /// How `organization-info` may answer a get: from its cache or reloaded.
    RetrievalStrategy {
        /// `FORCE_RELOAD`.
        ForceReload => "FORCE_RELOAD",
        /// `PREFER_CACHED`.
        PreferCached => "PREFER_CACHED",
        /// `DEFAULT`.
        Default => "DEFAULT",
    }
);

crate::open_enum!(
    /// Where a license is applied for.
    LicensingJurisdiction {
        /// `DELAWARE`.
        Delaware => "DELAWARE",
        /// `BVI`.
        Bvi => "BVI",
    }
);

crate::open_enum!(
    /// Kind of license application.
    LicensingApplicationType {
        /// `NEW_LICENSE`.
        NewLicense => "NEW_LICENSE",
        /// `LICENSE_RENEWAL`.
        LicenseRenewal => "LICENSE_RENEWAL",
        /// `AMENDMENT`.
        Amendment => "AMENDMENT",
    }
);

crate::open_enum!(
    /// Where a license application stands.
    LicensingStatus {
        /// `DRAFT`.
        Draft => "DRAFT",
        /// `SUBMITTED`.
        Submitted => "SUBMITTED",
        /// `UNDER_REVIEW`.
        UnderReview => "UNDER_REVIEW",
        /// `APPROVED`.
        Approved => "APPROVED",
        /// `REJECTED`.
        Rejected => "REJECTED",
        /// `IN_COMPLIANCE_REVIEW`.
        InComplianceReview => "IN_COMPLIANCE_REVIEW",
        /// `INFO_REQUESTED`.
        InfoRequested => "INFO_REQUESTED",
        /// `ON_HOLD`.
        OnHold => "ON_HOLD",
        /// `COMPLETED`.
        Completed => "COMPLETED",
        /// `WITHDRAWN`.
        Withdrawn => "WITHDRAWN",
        /// `EXPIRED`.
        Expired => "EXPIRED",
        /// `APPROVED_WITH_CONDITIONS`.
        ApprovedWithConditions => "APPROVED_WITH_CONDITIONS",
    }
);

crate::open_enum!(
    /// Risk rating of a license application.
    RiskAssessmentStatus {
        /// `UNASSIGNED`.
        Unassigned => "UNASSIGNED",
        /// `LOW_RISK`.
        LowRisk => "LOW_RISK",
        /// `MEDIUM_RISK`.
        MediumRisk => "MEDIUM_RISK",
        /// `HIGH_RISK`.
        HighRisk => "HIGH_RISK",
    }
);

/// A person's or company's name.
///
/// Wire schema: `organization-info#Name`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// Title (Mr, Dr, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Whose name this is.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PartyKind>,
}

/// An e-mail address with its kind.
///
/// Wire schema: `organization-info#EmailAddress`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAddress {
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Whose address this is.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PartyKind>,
}

/// A key/value label.
///
/// Wire schema: `organization-info#Tag`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Label key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A postal address.
///
/// Wire schema: `organization-info#Address`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Mass address id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Unit or suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What the address is for.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AddressKind>,
}

/// Branding of an organization's pages.
///
/// Wire schema: `organization-info#Branding`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    /// Whether custom branding is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Primary colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    /// Link colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_color: Option<String>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// A government identifier (SSN, passport number, EIN).
///
/// Wire schema: `organization-info#Identifier`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    /// Mass identifier id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Kind of identifier.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<IdentifierKind>,
    /// The identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A telephone number.
///
/// Wire schema: `organization-info#TelephoneNumber`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelephoneNumber {
    /// Country calling code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Number without country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Number as displayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_str: Option<String>,
    /// Kind of number.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PhoneKind>,
}

/// A member of an organization's board.
///
/// Wire schema: `organization-info#Director`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Director {
    /// Mass user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Whether the directorship is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Board roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Shares held (decimal text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<String>,
    /// Ownership percentage (decimal text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_percentage: Option<String>,
    /// When added (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// An organization's board of directors.
///
/// Wire schema: `organization-info#Board`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// The directors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directors: Vec<Director>,
}

/// Body of a board update.
///
/// Wire schema: `organization-info#UpdateBoard`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBoard {
    /// The new board.
    pub board: Board,
}

/// A member of an organization.
///
/// Wire schema: `organization-info#OrganizationMember`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationMember {
    /// Mass user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// User name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<EmailAddress>,
    /// Profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_img_url: Option<String>,
    /// Roles in the organization.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// A legal entity as `organization-info` holds it. Nested application documents (fund details, incorporation, C-corp, GP details, investor fund application) are not modelled; unknown fields are ignored.
///
/// Wire schema: `organization-info#Organization`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Mass organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Registered address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Jurisdiction of formation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// Profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_img_url: Option<String>,
    /// Background image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_img_url: Option<String>,
    /// Branding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Entity type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Entity sub-type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Listing privacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<Privacy>,
    /// Government identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    /// Free-text entity type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_type: Option<String>,
    /// User who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<String>,
    /// Lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Legal counsel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_council: Option<String>,
    /// State of arbitration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_of_arbitration: Option<String>,
    /// Management company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_company_name: Option<String>,
    /// Tax state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_state: Option<String>,
    /// Board of directors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<Board>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<OrganizationMember>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// The founder's details on organization creation.
///
/// Wire schema: `organization-info#PersonalDetails`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalDetails {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    pub email: String,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone_number: Option<TelephoneNumber>,
    /// Government identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
}

/// Body of organization creation.
///
/// Wire schema: `organization-info#CreateOrganization`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganization {
    /// Legal name (required).
    pub name: String,
    /// Description (required).
    pub bio: String,
    /// Registered address (required).
    pub address: Address,
    /// Profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_img_url: Option<String>,
    /// Background image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_img_url: Option<String>,
    /// Owning user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// Whether unlisted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    /// Whether open to join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Whether webhooks fire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks_enabled: Option<bool>,
    /// Branding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Founder details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_details: Option<PersonalDetails>,
}

/// Body of an organization update; absent fields are left unchanged.
///
/// Wire schema: `organization-info#UpdateOrganization`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganization {
    /// Branding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Listing privacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<Privacy>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// Profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_img_url: Option<String>,
    /// Background image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_img_url: Option<String>,
    /// Legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Registered address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Legal counsel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_council: Option<String>,
    /// State of arbitration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_of_arbitration: Option<String>,
    /// Management company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_company_name: Option<String>,
    /// Tax state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_state: Option<String>,
    /// Entity sub-type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Government identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
}

/// Body of an organization search.
///
/// Wire schema: `organization-info#SearchRequest`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Items per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i32>,
    /// Page number (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i32>,
    /// Free-text search term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
}

/// One page of organizations.
///
/// Wire schema: `organization-info#ResponsePageOrganization`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPage {
    /// This page's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<i32>,
    /// Matches in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_items: Option<i64>,
    /// Pages in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<i64>,
    /// Items per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i64>,
    /// Items on this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_items: Option<i64>,
    /// The organizations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Organization>,
}

/// A jurisdiction Mass can form entities in.
///
/// Wire schema: `organization-info#SupportedJurisdiction`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportedJurisdiction {
    /// Stable key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Filing authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_authority: Option<String>,
    /// Formation document type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Who processes filings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_entity: Option<String>,
}

/// Body of a license application create or update. `application` is the jurisdiction-specific document (BVI or Delaware), passed through as JSON.
///
/// Wire schema: `organization-info#LicensingRequest`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicensingRequest {
    /// Application id (updates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Applicant organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Licensing jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<LicensingJurisdiction>,
    /// Kind of application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<LicensingApplicationType>,
    /// The jurisdiction-specific application document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<serde_json::Value>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LicensingStatus>,
    /// Risk rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment_status: Option<RiskAssessmentStatus>,
    /// Assigned reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_reviewer_id: Option<String>,
}

/// A license application as Mass holds it.
///
/// Wire schema: `organization-info#LicensingResponse`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicensingResponse {
    /// Application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Applicant organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// License type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Licensing jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<LicensingJurisdiction>,
    /// Kind of application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<LicensingApplicationType>,
    /// The jurisdiction-specific application document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<serde_json::Value>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LicensingStatus>,
    /// Risk rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment_status: Option<RiskAssessmentStatus>,
    /// Decision due (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_due_date: Option<String>,
    /// Creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Submitted at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    /// Assigned reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_reviewer_id: Option<String>,
    /// Whether the licensed activity is regulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulated: Option<bool>,
}
