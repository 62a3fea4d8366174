//! Every client operation against the sandbox, with the values the sandbox must answer.

use msez_mass::amount::{CurrencyCode, Money};
use msez_mass::consent::{
    ConsentDecision, ConsentOperationType, ConsentStatus, CreateCapTable, CreateConsent,
    IssueSecurity, ShareClass,
};
use msez_mass::identity::{Cnic, FilerStatus, KybRequest, KycRequest, Ntn, VerificationStatus};
use msez_mass::investment::{FundraiserRequest, InvestmentRequest};
use msez_mass::organization::{
    Address, Board, CreateOrganization, Director, LicensingJurisdiction, LicensingRequest,
    PersonalDetails, RetrievalStrategy, SearchRequest, UpdateOrganization,
};
use msez_mass::templating::{Signer, SigningRequest, TemplateGrouping};
use msez_mass::treasury::{CreateAccount, CreateTreasury, PaymentRequest};
use msez_mass::wire::IdempotencyKey;
use msez_protocol::ids::EntityId;

use crate::support::{client, sandbox};

pub fn create_request(name: &str) -> CreateOrganization {
    CreateOrganization {
        name: name.to_owned(),
        bio: "A test company".to_owned(),
        address: Address {
            country: Some("PK".to_owned()),
            city: Some("Karachi".to_owned()),
            ..Default::default()
        },
        personal_details: Some(PersonalDetails {
            first_name: "Ayesha".to_owned(),
            last_name: "Khan".to_owned(),
            email: "ayesha@example.test".to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn entity(id: &Option<String>) -> EntityId {
    EntityId::new(id.clone().unwrap()).unwrap()
}

#[tokio::test]
async fn organization_operations_round_trip() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let orgs = mass.organization();
    let created = orgs
        .create(&create_request("Indus Robotics"))
        .await
        .unwrap();
    let id = entity(&created.id);
    assert_eq!(created.jurisdiction.as_deref(), Some("PK"));
    let fetched = orgs
        .get(&id, Some(RetrievalStrategy::ForceReload))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fetched, created);
    let other = orgs
        .create(&create_request("Karakoram Foods"))
        .await
        .unwrap();
    let listed = orgs
        .list_by_ids(&[id.clone(), entity(&other.id)])
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let page = orgs
        .search(&SearchRequest {
            page: Some(0),
            page_size: Some(10),
            search_term: Some("indus".to_owned()),
        })
        .await
        .unwrap();
    assert_eq!((page.total_items, page.items.len()), (Some(1), 1));
    let update = UpdateOrganization {
        bio: Some("Now bigger".to_owned()),
        ..Default::default()
    };
    assert_eq!(
        orgs.update(&id, &update).await.unwrap().bio.as_deref(),
        Some("Now bigger")
    );
    assert!(
        orgs.supported_jurisdictions()
            .await
            .unwrap()
            .iter()
            .any(|j| j.key.as_deref() == Some("PK"))
    );
    let members = orgs.members(&id).await.unwrap();
    assert_eq!(
        members
            .first()
            .and_then(|m| m.roles.first())
            .map(String::as_str),
        Some("OWNER")
    );
    assert_eq!(orgs.board(&id).await.unwrap(), None);
    let board = Board {
        directors: vec![Director {
            user_id: Some("u-1".to_owned()),
            ..Default::default()
        }],
    };
    orgs.update_board(&id, &board).await.unwrap();
    assert_eq!(orgs.board(&id).await.unwrap(), Some(board));
    let license_request = LicensingRequest {
        entity_id: Some(id.as_str().to_owned()),
        jurisdiction: Some(LicensingJurisdiction::Bvi),
        ..Default::default()
    };
    let license = orgs.create_license(&license_request).await.unwrap();
    let license_id = license.id.clone().unwrap();
    assert_eq!(
        orgs.license(&license_id).await.unwrap(),
        Some(license.clone())
    );
    assert_eq!(orgs.licenses(&id).await.unwrap(), vec![license]);
    let renewal = LicensingRequest {
        id: Some(license_id.clone()),
        ..license_request
    };
    assert_eq!(
        orgs.update_license(&renewal).await.unwrap().id,
        Some(license_id)
    );
    orgs.delete(&id).await.unwrap();
    assert_eq!(orgs.get(&id, None).await.unwrap(), None);
}

#[tokio::test]
async fn get_of_unknown_ids_is_none() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let missing = EntityId::new("no-such-org").unwrap();
    assert_eq!(mass.organization().get(&missing, None).await.unwrap(), None);
    assert_eq!(mass.treasury().account("nope").await.unwrap(), None);
    assert_eq!(mass.consent().get("nope").await.unwrap(), None);
    assert_eq!(mass.investment().fundraiser("nope").await.unwrap(), None);
    assert_eq!(mass.identity().verification("nope").await.unwrap(), None);
    assert_eq!(mass.templating().template("nope").await.unwrap(), None);
}

#[tokio::test]
async fn treasury_payment_moves_exact_minor_units() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let treasury = mass
        .treasury()
        .create_treasury(&CreateTreasury {
            entity_id: "org-1".to_owned(),
            name: "Main".to_owned(),
        })
        .await
        .unwrap();
    let treasury_id = treasury.id.clone().unwrap();
    assert_eq!(
        mass.treasury().treasury(&treasury_id).await.unwrap(),
        Some(treasury.clone())
    );
    let owned = mass
        .treasury()
        .treasuries_of(&EntityId::new("org-1").unwrap())
        .await
        .unwrap();
    assert_eq!(owned, vec![treasury]);
    let open = |name: &str| CreateAccount {
        treasury_id: treasury_id.clone(),
        name: name.to_owned(),
        currency: "PKR".to_owned(),
    };
    let key_a = IdempotencyKey::new("acct-a").unwrap();
    let source = mass
        .treasury()
        .create_account(&open("a"), &key_a)
        .await
        .unwrap();
    let replay = mass
        .treasury()
        .create_account(&open("a"), &key_a)
        .await
        .unwrap();
    assert_eq!(
        source.id, replay.id,
        "same idempotency key gives the same account"
    );
    let destination = mass
        .treasury()
        .create_account(&open("b"), &IdempotencyKey::new("acct-b").unwrap())
        .await
        .unwrap();
    let pkr = CurrencyCode::parse("PKR").unwrap();
    let payment = PaymentRequest {
        source_account_id: source.id.clone(),
        destination_account_id: destination.id.clone(),
        amount: Money::new(1_234_567, pkr).unwrap(),
        reference: Some("invoice 7".to_owned()),
    };
    let key = IdempotencyKey::new("pay-1").unwrap();
    let transaction = mass
        .treasury()
        .create_payment(&payment, &key)
        .await
        .unwrap();
    let again = mass
        .treasury()
        .create_payment(&payment, &key)
        .await
        .unwrap();
    assert_eq!(transaction, again, "a replayed payment is not paid twice");
    assert_eq!(transaction.amount.amount_minor, 1_234_567);
    assert_eq!(
        mass.treasury().transaction(&transaction.id).await.unwrap(),
        Some(transaction)
    );
    let credited = mass
        .treasury()
        .account(&destination.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credited.balance, Money::new(1_234_567, pkr).unwrap());
    let debited = mass.treasury().account(&source.id).await.unwrap().unwrap();
    assert_eq!(debited.balance.amount_minor, -1_234_567);
}

#[tokio::test]
async fn consent_and_cap_table_operations() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let consents = mass.consent();
    let request = |operation_type| CreateConsent {
        organization_id: "org-9".to_owned(),
        operation_type,
        requested_by: "u-1".to_owned(),
        operation_id: None,
        description: None,
        approvals_required: Some(2),
    };
    let consent = consents
        .create(&request(ConsentOperationType::IssueNewShares))
        .await
        .unwrap();
    let id = consent.id.clone().unwrap();
    let vote = |user: &str| ConsentDecision {
        user_id: user.to_owned(),
        reason: None,
    };
    assert_eq!(
        consents.approve(&id, &vote("u-1")).await.unwrap().status,
        Some(ConsentStatus::Pending)
    );
    assert_eq!(
        consents.approve(&id, &vote("u-2")).await.unwrap().status,
        Some(ConsentStatus::Approved)
    );
    let closed = consents.approve(&id, &vote("u-3")).await.unwrap_err();
    assert_eq!(closed.http_status(), Some(409));
    let rejected = consents
        .create(&request(ConsentOperationType::EquityOffer))
        .await
        .unwrap();
    let rejected_id = rejected.id.unwrap();
    assert_eq!(
        consents
            .reject(&rejected_id, &vote("u-2"))
            .await
            .unwrap()
            .status,
        Some(ConsentStatus::Rejected)
    );
    let cancelled = consents
        .create(&request(ConsentOperationType::Fundraiser))
        .await
        .unwrap()
        .id
        .unwrap();
    assert_eq!(
        consents.cancel(&cancelled).await.unwrap().status,
        Some(ConsentStatus::Cancelled)
    );
    assert_eq!(
        consents.get(&id).await.unwrap().map(|c| c.votes.len()),
        Some(2)
    );
    assert_eq!(
        consents
            .list_for(&EntityId::new("org-9").unwrap())
            .await
            .unwrap()
            .len(),
        3
    );

    let table = consents
        .create_cap_table(&CreateCapTable {
            organization_id: "org-9".to_owned(),
            authorized_shares: 1_000,
            share_classes: vec![ShareClass {
                name: "Common".to_owned(),
                ..Default::default()
            }],
        })
        .await
        .unwrap();
    let table_id = table.id.clone().unwrap();
    let class_id = table.share_classes[0].id.clone().unwrap();
    let issue = IssueSecurity {
        share_class_id: class_id,
        holder_entity_id: "investor-1".to_owned(),
        holder_name: Some("Investor One".to_owned()),
        quantity: 250,
        kind: None,
    };
    let key = IdempotencyKey::new("issue-1").unwrap();
    let security = consents
        .issue_security(&table_id, &issue, &key)
        .await
        .unwrap();
    assert_eq!(
        consents
            .issue_security(&table_id, &issue, &key)
            .await
            .unwrap(),
        security
    );
    assert_eq!(
        consents.securities(&table_id).await.unwrap(),
        vec![security]
    );
    let holders = consents.shareholders(&table_id).await.unwrap();
    assert_eq!((holders.len(), holders[0].shares), (1, Some(250)));
    assert_eq!(
        consents.share_classes(&table_id).await.unwrap()[0].issued_shares,
        Some(250)
    );
    let by_org = consents
        .cap_table_of(&EntityId::new("org-9").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(by_org), consents.cap_table(&table_id).await.unwrap());
}

#[tokio::test]
async fn investment_operations_raise_the_fundraiser() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let usd = CurrencyCode::parse("USD").unwrap();
    let org = EntityId::new("org-5").unwrap();
    let fundraiser = mass
        .investment()
        .create_fundraiser(&FundraiserRequest {
            organization_id: org.clone(),
            name: "Seed".to_owned(),
            target: Money::new(10_000_000, usd).unwrap(),
            share_class_id: None,
            closes_at: None,
        })
        .await
        .unwrap();
    let request = InvestmentRequest {
        fundraiser_id: fundraiser.id.clone(),
        investor_entity_id: EntityId::new("investor-1").unwrap(),
        amount: Money::new(250_001, usd).unwrap(),
    };
    let investment = mass
        .investment()
        .create_investment(&request, &IdempotencyKey::new("inv-1").unwrap())
        .await
        .unwrap();
    assert_eq!(investment.amount.amount_minor, 250_001);
    assert_eq!(
        mass.investment().investment(&investment.id).await.unwrap(),
        Some(investment.clone())
    );
    assert_eq!(
        mass.investment()
            .investments_in(&fundraiser.id)
            .await
            .unwrap(),
        vec![investment]
    );
    let raised = mass
        .investment()
        .fundraiser(&fundraiser.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raised.raised.amount_minor, 250_001);
    assert_eq!(
        mass.investment().fundraisers_of(&org).await.unwrap(),
        vec![raised]
    );
}

#[tokio::test]
async fn identity_operations_and_composite_view() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let identity = mass.identity();
    let org = mass
        .organization()
        .create(&create_request("Lahore Textiles"))
        .await
        .unwrap();
    let org_id = entity(&org.id);
    let kyc = KycRequest {
        entity_id: org_id.as_str().to_owned(),
        user_id: "u-1".to_owned(),
        full_name: "Ayesha Khan".to_owned(),
        date_of_birth: None,
        nationality: None,
        document_type: None,
        document_number: None,
    };
    assert_eq!(
        identity.verify_kyc(&kyc).await.unwrap().status,
        Some(VerificationStatus::Verified)
    );
    let kyb = KybRequest {
        entity_id: org_id.as_str().to_owned(),
        registered_name: "Lahore Textiles".to_owned(),
        registration_number: "0012345".to_owned(),
        jurisdiction: "PK".to_owned(),
    };
    let kyb_record = identity.verify_kyb(&kyb).await.unwrap();
    let cnic = Cnic::parse("35202-1234567-1").unwrap();
    let verified = identity
        .verify_cnic(&cnic, "Ayesha Khan", Some(&org_id))
        .await
        .unwrap();
    assert_eq!(verified.subject_id.as_deref(), Some("3520212345671"));
    let rejected = identity
        .verify_cnic(&Cnic::parse("3520212340000").unwrap(), "X", None)
        .await
        .unwrap();
    assert_eq!(rejected.status, Some(VerificationStatus::Rejected));
    let ntn = Ntn::parse("1234568").unwrap();
    assert_eq!(
        identity
            .verify_ntn(&ntn, Some(&org_id))
            .await
            .unwrap()
            .filer_status,
        Some(FilerStatus::Filer)
    );
    assert_eq!(
        identity
            .filer_status(&ntn)
            .await
            .unwrap()
            .and_then(|r| r.filer_status),
        Some(FilerStatus::Filer)
    );
    assert_eq!(
        identity
            .filer_status(&Ntn::parse("9000001").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        identity
            .verification(kyb_record.id.as_deref().unwrap())
            .await
            .unwrap(),
        Some(kyb_record)
    );
    assert_eq!(identity.records_of(&org_id).await.unwrap().len(), 4);

    let view = mass.identity_view(&org_id).await.unwrap();
    assert_eq!(
        (
            view.members.len(),
            view.directors.len(),
            view.shareholders.len()
        ),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn templating_operations() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let templating = mass.templating();
    let org = EntityId::new("org-3").unwrap();
    let available = templating
        .available_templates(Some(&org), &[TemplateGrouping::Consent])
        .await
        .unwrap();
    assert_eq!(available.len(), 1);
    let template_id = available[0].template_id.clone().unwrap();
    let template = templating.template(&template_id).await.unwrap().unwrap();
    assert_eq!(template.kind.as_deref(), Some("SHAREHOLDER_CONSENT"));
    let request = SigningRequest {
        entity_id: Some(org.as_str().to_owned()),
        template_types: vec!["SHAREHOLDER_CONSENT".to_owned()],
        signers: vec![Signer {
            email: Some("director@example.test".to_owned()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let key = IdempotencyKey::new("sign-1").unwrap();
    let signed = templating.sign(&request, Some(&key)).await.unwrap();
    assert_eq!(templating.sign(&request, Some(&key)).await.unwrap(), signed);
    let submission_id = signed.id.clone().unwrap();
    assert_eq!(
        templating.submission(&submission_id).await.unwrap(),
        Some(signed.clone())
    );
    let all = templating
        .submissions(&org, &[TemplateGrouping::Consent])
        .await
        .unwrap();
    assert_eq!(all, signed.submissions);
    assert!(
        templating
            .submissions(&org, &[TemplateGrouping::Fundraiser])
            .await
            .unwrap()
            .is_empty()
    );
    let batch = templating
        .submissions_batch(&[submission_id, "unknown".to_owned()])
        .await
        .unwrap();
    assert_eq!(batch, signed.submissions);
}

#[tokio::test]
async fn seeded_sandboxes_hand_out_the_same_ids() {
    let first = sandbox().await;
    let second = sandbox().await;
    let a = client(&first)
        .organization()
        .create(&create_request("Same"))
        .await
        .unwrap();
    let b = client(&second)
        .organization()
        .create(&create_request("Same"))
        .await
        .unwrap();
    assert_eq!(a, b);
}
