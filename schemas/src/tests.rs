//! Goal: every artifact the protocol produces (and every example input it accepts) validates
//! against its schema, and the schemas reject what the protocol rejects where shape alone
//! decides. Method: build real artifacts through `msez-protocol` from the files in
//! `schemas/examples/`, validate each through one `check`.

use std::collections::BTreeMap;

use msez_protocol::agentic::audit::AuditTrail;
use msez_protocol::agentic::policy::parse_policy_set;
use msez_protocol::agentic::{Trigger, TriggerKind};
use msez_protocol::arbitration::{
    Arbitrator, ArbitratorId, Dispute, DisputeId, DisputeStep, EvidenceItem, EvidenceKind,
    EvidencePackage, Remedy,
};
use msez_protocol::digest::Digest;
use msez_protocol::fields::{parse_json, parse_yaml};
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::packs::PackFiles;
use msez_protocol::packs::licensepack::parse_licensepack;
use msez_protocol::packs::regpack::parse_regpack;
use msez_protocol::time::Timestamp;
use msez_protocol::zone::{lock_zone, parse_zone_config};
use serde_json::{Value, json};

use super::*;

const LAWPACK_YAML: &[u8] = include_bytes!("../examples/lawpack/lawpack.yaml");
const LAWPACK_INDEX: &[u8] = include_bytes!("../examples/lawpack/index.json");
const LAWPACK_XML: &[u8] = include_bytes!("../examples/lawpack/akn/ito-2001.xml");
const REGPACK: &[u8] = include_bytes!("../examples/regpack.json");
const LICENSEPACK: &[u8] = include_bytes!("../examples/licensepack.json");
const ZONE_YAML: &[u8] = include_bytes!("../examples/zone.yaml");
const POLICIES: &[u8] = include_bytes!("../examples/policies.json");
const RECEIPT: &[u8] = include_bytes!("../examples/receipt.json");
const CHECKPOINT: &[u8] = include_bytes!("../examples/checkpoint.json");

#[track_caller]
fn check(schemas: &Schemas, id: SchemaId, instance: &Value) {
    if let Err(error) = schemas.validate(id, instance) {
        panic!("{error}\n{instance:#}");
    }
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn lawpack_files() -> PackFiles {
    let mut files = PackFiles::new();
    files.insert("lawpack.yaml".into(), LAWPACK_YAML.to_vec());
    files.insert("index.json".into(), LAWPACK_INDEX.to_vec());
    files.insert("akn/ito-2001.xml".into(), LAWPACK_XML.to_vec());
    files
}

#[test]
fn schemas_load_and_compile() {
    let schemas = Schemas::load().unwrap();
    for id in SchemaId::ALL {
        let schema: Value = serde_json::from_str(id.text()).unwrap();
        assert_eq!(schema["$id"], json!(id.uri()), "{}", id.file());
        assert_eq!(
            schema["$schema"],
            json!("https://json-schema.org/draft/2020-12/schema")
        );
    }
    let loaded = format!("loaded: {}", SchemaId::ALL.len());
    assert!(format!("{schemas:?}").contains(&loaded));
}

#[test]
fn pack_and_zone_artifacts_validate() {
    let schemas = Schemas::load().unwrap();
    // Inputs the protocol accepts.
    assert!(msez_protocol::packs::lawpack::parse_lawpack(&lawpack_files()).is_ok());
    check(
        &schemas,
        SchemaId::LawpackManifest,
        &parse_yaml(LAWPACK_YAML).unwrap(),
    );
    check(
        &schemas,
        SchemaId::LawpackIndex,
        &parse_json(LAWPACK_INDEX).unwrap(),
    );
    assert!(parse_regpack(REGPACK).is_ok());
    check(&schemas, SchemaId::Regpack, &parse_json(REGPACK).unwrap());
    assert!(parse_licensepack(LICENSEPACK).is_ok());
    check(
        &schemas,
        SchemaId::Licensepack,
        &parse_json(LICENSEPACK).unwrap(),
    );
    check(
        &schemas,
        SchemaId::ZoneConfig,
        &parse_yaml(ZONE_YAML).unwrap(),
    );

    // The lock the protocol produces.
    let config = parse_zone_config(ZONE_YAML).unwrap();
    let mut packs = BTreeMap::new();
    packs.insert("lawpack".to_owned(), lawpack_files());
    packs.insert(
        "regpack.json".to_owned(),
        PackFiles::from([("regpack.json".to_owned(), REGPACK.to_vec())]),
    );
    packs.insert(
        "licensepack.json".to_owned(),
        PackFiles::from([("licensepack.json".to_owned(), LICENSEPACK.to_vec())]),
    );
    let lock = lock_zone(&config, &packs).unwrap().to_bytes().unwrap();
    check(&schemas, SchemaId::ZoneLock, &parse_json(&lock).unwrap());
}

#[test]
fn policy_and_audit_artifacts_validate() {
    let schemas = Schemas::load().unwrap();
    check(
        &schemas,
        SchemaId::PolicySet,
        &parse_json(POLICIES).unwrap(),
    );
    let set = parse_policy_set(POLICIES).unwrap();
    let regenerated: Vec<Value> = set.policies().iter().map(|p| p.to_value()).collect();
    check(
        &schemas,
        SchemaId::PolicySet,
        &json!({ "policies": regenerated }),
    );

    let trigger = Trigger::new(
        TriggerKind::SanctionsListUpdate,
        Some(JurisdictionId::new("PK").unwrap()),
        json!({"corridor_id": "pk-rsez--ae-difc", "match": {"score_bps": 9500}}),
        at("2026-03-01T12:00:00Z"),
    )
    .unwrap();
    let evaluation = set.evaluate(&trigger);
    assert_eq!(evaluation.actions.len(), 2);
    let mut trail = AuditTrail::new("pk-rsez");
    let entry = trail
        .append(&trigger, &evaluation, at("2026-03-01T12:00:01Z"))
        .unwrap();
    check(
        &schemas,
        SchemaId::AgenticAuditEntry,
        &serde_json::to_value(entry).unwrap(),
    );
}

#[test]
fn schema_rejects_malformed_policy() {
    let schemas = Schemas::load().unwrap();
    let bad = json!({"policies": [{"policy_id": "p", "trigger": "tax_year_ends", "priority": 1,
                                   "actions": [{"action": "notify"}]}]});
    match schemas.validate(SchemaId::PolicySet, &bad) {
        Err(SchemaError::Invalid { violations, .. }) => {
            assert!(
                violations
                    .iter()
                    .any(|v| v.instance_path == "/policies/0/trigger"),
                "{violations:?}"
            );
        }
        other => panic!("expected a violation, got {other:?}"),
    }
    // The protocol rejects it too.
    assert!(parse_policy_set(bad.to_string().as_bytes()).is_err());
}

#[test]
fn arbitration_artifacts_validate() {
    let schemas = Schemas::load().unwrap();
    let party = |name: &str| EntityId::new(name).unwrap();
    let package = |kind: EvidenceKind| EvidencePackage {
        kind,
        submitted_by: party("ent-acme"),
        submitted_at: at("2026-03-01T00:00:00Z"),
        items: vec![EvidenceItem {
            name: "bundle.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: Digest::from_bytes([7; 32]),
        }],
    };
    let claim = package(EvidenceKind::StatementOfClaim);
    check(
        &schemas,
        SchemaId::EvidencePackage,
        &serde_json::to_value(&claim).unwrap(),
    );
    let mut dispute = Dispute::file(
        DisputeId::new("d-2026-001").unwrap(),
        JurisdictionId::new("PK").unwrap(),
        party("ent-acme"),
        party("ent-beta"),
        Some(&claim),
        at("2026-03-01T00:00:00Z"),
    )
    .unwrap();
    let roster = vec![Arbitrator {
        arbitrator_id: ArbitratorId::new("arb-1").unwrap(),
        jurisdictions: vec![JurisdictionId::new("PK").unwrap()],
        active: true,
        conflicts: Vec::new(),
    }];
    let steps = [
        DisputeStep::BeginReview,
        DisputeStep::ConstitutePanel {
            roster,
            panel_size: 1,
        },
        DisputeStep::OpenHearing,
        DisputeStep::IssueRuling {
            appeal_period_s: 86_400,
            remedies: vec![
                Remedy::Pay {
                    from_party: party("ent-beta"),
                    to_party: party("ent-acme"),
                    amount_minor: 250_000,
                    currency: "PKR".into(),
                },
                Remedy::FreezeAsset {
                    asset_id: "asset-9".into(),
                },
            ],
        },
    ];
    for step in steps {
        let evidence = package(step.required_evidence());
        dispute
            .apply(step, &[evidence], at("2026-03-02T00:00:00Z"))
            .unwrap();
    }
    let subject = dispute.ruling_credential_subject().unwrap();
    check(&schemas, SchemaId::RulingCredentialSubject, &subject);
}

#[test]
fn corridor_receipt_and_checkpoint_examples_validate_strictly() {
    let schemas = Schemas::load().unwrap();
    let receipt = parse_json(RECEIPT).unwrap();
    check(&schemas, SchemaId::CorridorReceipt, &receipt);
    check(
        &schemas,
        SchemaId::CorridorCheckpoint,
        &parse_json(CHECKPOINT).unwrap(),
    );
    let mut extra = receipt.clone();
    extra["note"] = json!("not allowed");
    assert!(schemas.validate(SchemaId::CorridorReceipt, &extra).is_err());
    let mut unsorted = receipt;
    unsorted["lawpack_digest_set"] = json!(["33", "33"]);
    assert!(
        schemas
            .validate(SchemaId::CorridorReceipt, &unsorted)
            .is_err()
    );
}

#[test]
fn violations_are_capped_at_the_limit() {
    let schemas = Schemas::load().unwrap();
    let policies: Vec<Value> = (0..REPORTED_ERRORS_MAX + 1)
        .map(|_| json!({"priority": -1}))
        .collect();
    match schemas.validate(SchemaId::PolicySet, &json!({"policies": policies})) {
        Err(SchemaError::Invalid { violations, .. }) => {
            assert_eq!(violations.len(), REPORTED_ERRORS_MAX)
        }
        other => panic!("expected violations, got {other:?}"),
    }
}

#[test]
fn request_schemas_accept_the_documented_shapes_and_name_the_bad_member() {
    let schemas = Schemas::load().unwrap();
    let package = json!({"kind": "award", "submitted_by": "arb-1",
        "submitted_at": "2026-03-01T00:00:00Z",
        "items": [{"name": "award.pdf", "media_type": "application/pdf", "sha256": "07".repeat(32)}]});
    let accepted = [
        (
            SchemaId::DisputeStepRequest,
            json!({"step": "issue_ruling", "evidence": [package],
            "appeal_period_s": 0, "remedies": [{"remedy": "suspend_entity", "entity_id": "e-1"}]}),
        ),
        (
            SchemaId::DisputeStepRequest,
            json!({"step": "open_hearing", "evidence": [package]}),
        ),
        (
            SchemaId::DisputeFilingRequest,
            json!({"dispute_id": "d-1", "corridor_id": "c-1",
            "jurisdiction": "PK", "claimant": "e-1", "respondent": "e-2",
            "statement_of_claim": package}),
        ),
        (
            SchemaId::AgenticTriggerRequest,
            json!({"trigger": "license_status_change",
            "payload": {"entity_id": "e-1", "status": "expired"}}),
        ),
        (
            SchemaId::AgenticTriggerRequest,
            json!({"trigger": "sanctions_list_update",
            "payload": {"snapshot_id": "s-1", "as_of": "2026-01-01T00:00:00Z", "entries": []}}),
        ),
        (
            SchemaId::Policy,
            json!({"policy_id": "p-1", "trigger": "checkpoint_due",
            "priority": 1, "actions": [{"action": "notify"}]}),
        ),
    ];
    for (id, instance) in &accepted {
        check(&schemas, *id, instance);
    }
    let refused = [
        // Parameters of another step.
        (
            SchemaId::DisputeStepRequest,
            json!({"step": "open_hearing", "evidence": [package],
            "panel_size": 1}),
            "",
        ),
        (
            SchemaId::DisputeStepRequest,
            json!({"step": "issue_ruling", "evidence": [package],
            "appeal_period_s": 0, "remedies": [{"remedy": "pay", "from_party": "e-1",
            "to_party": "e-2", "amount_minor": 0, "currency": "PKR"}]}),
            "/remedies/0",
        ),
        (
            SchemaId::AgenticTriggerRequest,
            json!({"trigger": "sanctions_list_update",
            "payload": {"entries": []}}),
            "/payload",
        ),
        (
            SchemaId::Policy,
            json!({"policy_id": "p-1", "trigger": "checkpoint_due",
            "priority": 1, "actions": []}),
            "/actions",
        ),
    ];
    for (id, instance, pointer) in &refused {
        match schemas.validate(*id, instance) {
            Err(SchemaError::Invalid { violations, .. }) => assert!(
                violations.iter().any(|v| v.instance_path == *pointer),
                "{instance}: {violations:?} do not name {pointer:?}"
            ),
            other => panic!("{instance} was not refused: {other:?}"),
        }
    }
}

#[test]
fn node_request_bodies_validate_and_malformed_ones_are_refused() {
    let schemas = Schemas::load().unwrap();
    let regpack: Value = serde_json::from_slice(REGPACK).unwrap();
    let evaluation = json!({
        "subject": "entity-42", "jurisdiction": "PK-RSEZ",
        "attestations": [{"digest": "11".repeat(32), "domain": "kyc", "state": "compliant",
                          "issued_at": "2026-01-01T00:00:00Z"}],
        "facts": {"names": ["Sara Ahmed"], "filer_status": "filer",
                  "identifiers": [{"kind": "cnic", "value": "3520212345671"}]},
        "sanctions": regpack["sanctions"],
        "licences": {"licences": [{"licence_id": "L-1", "licence_type": "trading",
            "holder": "entity-42", "jurisdiction": "PK-RSEZ", "status": "active",
            "valid_from": "2025-01-01T00:00:00Z"}]},
    });
    check(&schemas, SchemaId::ComplianceEvaluation, &evaluation);
    let paths = json!({
        "subject": "entity-42", "from": "PK", "to": "AE", "amount_minor": 1000, "k": 2,
        "constraints": {"max_hops": 2, "excluded": ["IR"]},
        "jurisdictions": [{"jurisdiction": "PK", "required_domains": ["kyc"]}, {"jurisdiction": "AE"}],
        "corridors": [{"corridor_id": "pk-ae", "from": "PK", "to": "AE", "flat_fee_minor": 10,
                       "fee_bps": 25, "transfer_hours": 2, "finality_hours": 1}],
    });
    check(&schemas, SchemaId::ManifoldPathsRequest, &paths);
    let genesis = json!({
        "type": "MSEZSmartAssetGenesis", "asset_class": "warehouse_receipt", "name": "Lot 17",
        "owner_entity_id": "entity-42", "jurisdiction_id": "PK-RSEZ",
        "created_at": "2026-01-01T00:00:00Z", "terms": {"bales": 400},
    });
    check(&schemas, SchemaId::SmartAssetGenesis, &genesis);
    let refused = [
        (
            SchemaId::ComplianceEvaluation,
            json!({"subject": "entity-42"}),
            "",
        ),
        (
            SchemaId::ComplianceEvaluation,
            json!({"subject": "e", "jurisdiction": "PK", "facts": {"filer_status": "maybe"}}),
            "/facts/filer_status",
        ),
        (
            SchemaId::ManifoldPathsRequest,
            json!({"subject": "e", "from": "PK", "to": "AE", "amount_minor": -1,
                   "jurisdictions": [], "corridors": []}),
            "/amount_minor",
        ),
        (
            SchemaId::ManifoldPathsRequest,
            json!({"subject": "e", "from": "PK", "to": "AE", "amount_minor": 1, "k": 65,
                   "jurisdictions": [], "corridors": []}),
            "/k",
        ),
        (
            SchemaId::SmartAssetGenesis,
            json!({"type": "MSEZSmartAssetGenesis", "asset_class": "Real Estate", "name": "x",
                   "owner_entity_id": "e", "jurisdiction_id": "PK",
                   "created_at": "2026-01-01T00:00:00Z", "terms": {}}),
            "/asset_class",
        ),
    ];
    for (id, instance, pointer) in refused {
        match schemas.validate(id, &instance) {
            Err(SchemaError::Invalid { violations, .. }) => {
                assert_eq!(violations[0].instance_path, pointer, "{instance}");
            }
            other => panic!("{instance}: {other:?}"),
        }
    }
}

#[test]
fn orchestration_request_bodies_validate_and_malformed_ones_are_refused() {
    let schemas = Schemas::load().unwrap();
    let formation = json!({
        "name": "Karachi Cotton Mills", "bio": "Spinning", "jurisdiction_id": "PK-RSEZ",
        "address": {"line1": "Plot 7", "city": "Nowshera", "country": "PK"},
        "requested_by": "user-1", "account": {"name": "Operating", "currency": "PKR"},
        "screening": {"names": ["Sara Ahmed"], "identifiers": [{"kind": "cnic", "value": "1"}]},
    });
    check(&schemas, SchemaId::EntityFormationRequest, &formation);
    let payment = json!({
        "payer_entity_id": "e-1", "payee": {"entity_id": "e-2", "name": "P", "ntn": "1234567"},
        "source_account_id": "a-1", "destination_account_id": "a-2", "amount_minor": 100,
        "currency": "PKR", "category": "services",
    });
    check(&schemas, SchemaId::PaymentRequest, &payment);
    let ownership = json!({
        "entity_id": "e-1", "requested_by": "user-1",
        "incoming_holder": {"entity_id": "e-2", "name": "Holder"},
    });
    check(&schemas, SchemaId::OwnershipChangeRequest, &ownership);
    let identity = json!({"entity_id": "e-1", "ntn": "1234567", "level": "basic"});
    check(&schemas, SchemaId::IdentityVerificationRequest, &identity);
    let proposal = json!({
        "transition": {"kind": "customs.release", "payload": {"consignment": "C-1"}},
        "lawpack_digest_set": ["00".repeat(32)],
    });
    check(&schemas, SchemaId::CorridorProposalRequest, &proposal);
    let mut zero = payment.clone();
    zero["amount_minor"] = json!(0);
    let mut cnic = payment;
    cnic["payee"]["cnic"] = json!("12345");
    let mut currency = formation;
    currency["account"]["currency"] = json!("Rs");
    let refused = [
        (SchemaId::PaymentRequest, zero, "/amount_minor"),
        (SchemaId::PaymentRequest, cnic, "/payee/cnic"),
        (
            SchemaId::EntityFormationRequest,
            currency,
            "/account/currency",
        ),
        (
            SchemaId::IdentityVerificationRequest,
            json!({"entity_id": "e-1"}),
            "",
        ),
        (
            SchemaId::CorridorProposalRequest,
            json!({"transition": {"kind": "", "payload": 1}}),
            "/transition/kind",
        ),
        (
            SchemaId::CorridorProposalRequest,
            json!({"transition": {"kind": "k", "payload": 1}, "ruleset_digest_set": ["xyz"]}),
            "/ruleset_digest_set/0",
        ),
        (
            SchemaId::OwnershipChangeRequest,
            json!({"entity_id": "e-1", "requested_by": "u", "incoming_holder": {"name": "H"}}),
            "/incoming_holder",
        ),
    ];
    for (id, instance, pointer) in refused {
        match schemas.validate(id, &instance) {
            Err(SchemaError::Invalid { violations, .. }) => {
                assert_eq!(violations[0].instance_path, pointer, "{instance}");
            }
            other => panic!("{instance}: {other:?}"),
        }
    }
}
