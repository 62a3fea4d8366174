//! Contract samples: every field of every spec-checked wire type set, generated from the same
//! field lists as the types (see the contract module docs).

use crate::organization::*;
use crate::templating::*;

impl Name {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Name {
        Name {
            title: Some("x".to_owned()),
            first_name: Some("x".to_owned()),
            second_name: Some("x".to_owned()),
            last_name: Some("x".to_owned()),
            kind: Some(PartyKind::Personal),
        }
    }
}

impl EmailAddress {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> EmailAddress {
        EmailAddress {
            email_address: Some("x".to_owned()),
            kind: Some(PartyKind::Personal),
        }
    }
}

impl Tag {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Tag {
        Tag {
            key: Some("x".to_owned()),
            value: Some("x".to_owned()),
        }
    }
}

impl Address {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Address {
        Address {
            id: Some("x".to_owned()),
            line1: Some("x".to_owned()),
            line2: Some("x".to_owned()),
            city: Some("x".to_owned()),
            state: Some("x".to_owned()),
            country: Some("x".to_owned()),
            postal_code: Some("x".to_owned()),
            unit: Some("x".to_owned()),
            kind: Some(AddressKind::Personal),
        }
    }
}

impl Branding {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Branding {
        Branding {
            enabled: Some(true),
            primary_color: Some("x".to_owned()),
            link_color: Some("x".to_owned()),
            logo_url: Some("x".to_owned()),
        }
    }
}

impl Identifier {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Identifier {
        Identifier {
            id: Some("x".to_owned()),
            kind: Some(IdentifierKind::Ssn),
            value: Some("x".to_owned()),
        }
    }
}

impl TelephoneNumber {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> TelephoneNumber {
        TelephoneNumber {
            country_code: Some("x".to_owned()),
            number: Some("x".to_owned()),
            number_str: Some("x".to_owned()),
            kind: Some(PhoneKind::Mobile),
        }
    }
}

impl Director {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Director {
        Director {
            user_id: Some("x".to_owned()),
            active: Some(true),
            name: Some(Name::contract_sample()),
            email: Some(EmailAddress::contract_sample()),
            roles: vec!["x".to_owned()],
            shares: Some("x".to_owned()),
            ownership_percentage: Some("x".to_owned()),
            created_at: Some("x".to_owned()),
        }
    }
}

impl Board {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Board {
        Board {
            directors: vec![Director::contract_sample()],
        }
    }
}

impl UpdateBoard {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> UpdateBoard {
        UpdateBoard {
            board: Board::contract_sample(),
        }
    }
}

impl OrganizationMember {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> OrganizationMember {
        OrganizationMember {
            user_id: Some("x".to_owned()),
            name: Some(Name::contract_sample()),
            user_name: Some("x".to_owned()),
            email_address: Some(EmailAddress::contract_sample()),
            profile_img_url: Some("x".to_owned()),
            roles: vec!["x".to_owned()],
        }
    }
}

impl Organization {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Organization {
        Organization {
            id: Some("x".to_owned()),
            name: Some("x".to_owned()),
            address: Some(Address::contract_sample()),
            jurisdiction: Some("x".to_owned()),
            bio: Some("x".to_owned()),
            profile_img_url: Some("x".to_owned()),
            background_img_url: Some("x".to_owned()),
            branding: Some(Branding::contract_sample()),
            kind: Some("x".to_owned()),
            sub_type: Some("x".to_owned()),
            privacy: Some(Privacy::Private),
            identifier: Some(Identifier::contract_sample()),
            custom_type: Some("x".to_owned()),
            creator_id: Some("x".to_owned()),
            status: Some("x".to_owned()),
            legal_council: Some("x".to_owned()),
            state_of_arbitration: Some("x".to_owned()),
            management_company_name: Some("x".to_owned()),
            tax_state: Some("x".to_owned()),
            board: Some(Board::contract_sample()),
            website: Some("x".to_owned()),
            members: vec![OrganizationMember::contract_sample()],
            tags: vec![Tag::contract_sample()],
            created_at: Some("x".to_owned()),
            updated_at: Some("x".to_owned()),
        }
    }
}

impl PersonalDetails {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> PersonalDetails {
        PersonalDetails {
            first_name: "x".to_owned(),
            last_name: "x".to_owned(),
            email: "x".to_owned(),
            dob: Some("x".to_owned()),
            address: Some(Address::contract_sample()),
            telephone_number: Some(TelephoneNumber::contract_sample()),
            identifier: Some(Identifier::contract_sample()),
        }
    }
}

impl CreateOrganization {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> CreateOrganization {
        CreateOrganization {
            name: "x".to_owned(),
            bio: "x".to_owned(),
            address: Address::contract_sample(),
            profile_img_url: Some("x".to_owned()),
            background_img_url: Some("x".to_owned()),
            owner_id: Some("x".to_owned()),
            is_private: Some(true),
            open: Some(true),
            webhooks_enabled: Some(true),
            branding: Some(Branding::contract_sample()),
            personal_details: Some(PersonalDetails::contract_sample()),
        }
    }
}

impl UpdateOrganization {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> UpdateOrganization {
        UpdateOrganization {
            branding: Some(Branding::contract_sample()),
            privacy: Some(Privacy::Private),
            bio: Some("x".to_owned()),
            profile_img_url: Some("x".to_owned()),
            background_img_url: Some("x".to_owned()),
            name: Some("x".to_owned()),
            address: Some(Address::contract_sample()),
            legal_council: Some("x".to_owned()),
            state_of_arbitration: Some("x".to_owned()),
            management_company_name: Some("x".to_owned()),
            tax_state: Some("x".to_owned()),
            sub_type: Some("x".to_owned()),
            identifier: Some(Identifier::contract_sample()),
        }
    }
}

impl SearchRequest {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SearchRequest {
        SearchRequest {
            page_size: Some(1),
            page: Some(1),
            search_term: Some("x".to_owned()),
        }
    }
}

impl OrganizationPage {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> OrganizationPage {
        OrganizationPage {
            page_number: Some(1),
            total_items: Some(1),
            total_pages: Some(1),
            page_size: Some(1),
            num_items: Some(1),
            items: vec![Organization::contract_sample()],
        }
    }
}

impl SupportedJurisdiction {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SupportedJurisdiction {
        SupportedJurisdiction {
            key: Some("x".to_owned()),
            name: Some("x".to_owned()),
            label: Some("x".to_owned()),
            filing_authority: Some("x".to_owned()),
            document_type: Some("x".to_owned()),
            processing_entity: Some("x".to_owned()),
        }
    }
}

impl LicensingRequest {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> LicensingRequest {
        LicensingRequest {
            id: Some("x".to_owned()),
            entity_id: Some("x".to_owned()),
            jurisdiction: Some(LicensingJurisdiction::Delaware),
            application_type: Some(LicensingApplicationType::NewLicense),
            application: Some(serde_json::json!({})),
            status: Some(LicensingStatus::Draft),
            risk_assessment_status: Some(RiskAssessmentStatus::Unassigned),
            assigned_reviewer_id: Some("x".to_owned()),
        }
    }
}

impl LicensingResponse {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> LicensingResponse {
        LicensingResponse {
            id: Some("x".to_owned()),
            entity_id: Some("x".to_owned()),
            kind: Some("x".to_owned()),
            jurisdiction: Some(LicensingJurisdiction::Delaware),
            application_type: Some(LicensingApplicationType::NewLicense),
            application: Some(serde_json::json!({})),
            status: Some(LicensingStatus::Draft),
            risk_assessment_status: Some(RiskAssessmentStatus::Unassigned),
            decision_due_date: Some("x".to_owned()),
            created_by: Some("x".to_owned()),
            created_at: Some("x".to_owned()),
            updated_at: Some("x".to_owned()),
            submitted_at: Some("x".to_owned()),
            assigned_reviewer_id: Some("x".to_owned()),
            regulated: Some(true),
        }
    }
}
impl SignerName {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SignerName {
        SignerName {
            first_name: Some("x".to_owned()),
            last_name: Some("x".to_owned()),
        }
    }
}

impl SignerTag {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SignerTag {
        SignerTag {
            key: Some("x".to_owned()),
            value: Some("x".to_owned()),
        }
    }
}

impl Signer {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Signer {
        Signer {
            id: Some("x".to_owned()),
            reference_id: Some("x".to_owned()),
            name: Some(SignerName::contract_sample()),
            email: Some("x".to_owned()),
            signing_role: Some(SigningRole::Officer),
            signing_link: Some("x".to_owned()),
            status: Some(SubmissionStatus::AwaitingSignatures),
            document_uri: Some("x".to_owned()),
            completed_at: Some("x".to_owned()),
            declined_at: Some("x".to_owned()),
            sent_at: Some("x".to_owned()),
            tags: vec![SignerTag::contract_sample()],
        }
    }
}

impl FieldRequest {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> FieldRequest {
        FieldRequest {
            name: Some("x".to_owned()),
            value: Some("x".to_owned()),
            editable: Some(true),
        }
    }
}

impl SigningRequest {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SigningRequest {
        SigningRequest {
            entity_id: Some("x".to_owned()),
            signing_order: Some(SigningOrder::Random),
            template_types: vec!["x".to_owned()],
            signers: vec![Signer::contract_sample()],
            fields: vec![FieldRequest::contract_sample()],
            tags: std::collections::BTreeMap::from([("k".to_owned(), TagState::Enabled)]),
            parent_submission_id: Some("x".to_owned()),
        }
    }
}

impl TemplateSummary {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> TemplateSummary {
        TemplateSummary {
            id: Some("x".to_owned()),
            kind: Some("x".to_owned()),
            name: Some("x".to_owned()),
            grouping: Some("x".to_owned()),
        }
    }
}

impl Submission {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Submission {
        Submission {
            id: Some("x".to_owned()),
            entity_id: Some("x".to_owned()),
            context: Some(TemplateContext::Docuseal),
            status: Some(SubmissionStatus::AwaitingSignatures),
            signing_order: Some(SigningOrder::Random),
            template: vec![TemplateSummary::contract_sample()],
            signers: vec![Signer::contract_sample()],
            created_at: Some("x".to_owned()),
            updated_at: Some("x".to_owned()),
            archived_at: Some("x".to_owned()),
            document_uri: Some("x".to_owned()),
            tags: vec![SignerTag::contract_sample()],
            parent_submission_id: Some("x".to_owned()),
            user_id: Some("x".to_owned()),
        }
    }
}

impl SubmissionResponse {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> SubmissionResponse {
        SubmissionResponse {
            id: Some("x".to_owned()),
            submissions: vec![Submission::contract_sample()],
        }
    }
}

impl FieldOption {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> FieldOption {
        FieldOption {
            label: Some("x".to_owned()),
            value: Some("x".to_owned()),
        }
    }
}

impl FieldRole {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> FieldRole {
        FieldRole {
            role: Some(SigningRole::Officer),
        }
    }
}

impl TemplateField {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> TemplateField {
        TemplateField {
            id: Some("x".to_owned()),
            reference_id: Some("x".to_owned()),
            name: Some("x".to_owned()),
            description: Some("x".to_owned()),
            field_type: Some("x".to_owned()),
            validation_message: Some("x".to_owned()),
            validation_regex: Some("x".to_owned()),
            field_role: Some(FieldRole::contract_sample()),
            options: vec![FieldOption::contract_sample()],
            required: Some(true),
            system_field: Some(true),
        }
    }
}

impl Template {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> Template {
        Template {
            id: Some("x".to_owned()),
            name: Some("x".to_owned()),
            context: Some(TemplateContext::Docuseal),
            entity_id: Some("x".to_owned()),
            version: Some(1.5),
            kind: Some("x".to_owned()),
            grouping: Some("x".to_owned()),
            status: Some("x".to_owned()),
            document_key: Some("x".to_owned()),
            fields: vec![TemplateField::contract_sample()],
            archived_at: Some("x".to_owned()),
            created_at: Some("x".to_owned()),
            updated_at: Some("x".to_owned()),
        }
    }
}

impl TemplateOptions {
    /// Every field set, for the contract test.
    pub(crate) fn contract_sample() -> TemplateOptions {
        TemplateOptions {
            template_type: Some("x".to_owned()),
            template_name: Some("x".to_owned()),
            entity_id: Some("x".to_owned()),
            template_id: Some("x".to_owned()),
            document_uri: Some("x".to_owned()),
        }
    }
}
