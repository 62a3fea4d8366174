//! The one route table: it registers every route with axum and generates the OpenAPI document.
//!
//! Owns [`RouteSpec`], [`route_table`], [`app`] and [`openapi_document`]. [`app`] is the only
//! place that calls `Router::route`, and it does so by walking [`route_table`]; the OpenAPI
//! document walks the same table. A route therefore cannot be served without being documented
//! (the completeness test in `api/tests/server` checks the served document against the table
//! and probes every route over HTTP). We build the document by hand instead of with `utoipa`
//! to avoid a heavy proc-macro build on our shared machine.
//!
//! Never: registers a route outside the table, or adds `/v1/entities`, `/v1/ownership`,
//! `/v1/fiscal`, `/v1/identity` or `/v1/consent` CRUD (those primitives belong to Mass).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{MethodRouter, delete, get, post, put};
use serde_json::{Map, Value, json};

use super::auth::{Access, Role, authorize};
use super::error::{ApiError, request_context};
use super::handlers::forks;
use super::handlers::regulator::audit_access;
use super::handlers::{
    admin, agentic, compliance, corridors, credentials, disputes, events, health, orchestration,
    packs, proposals, regulator, settlement, smart_assets, watchers, zone,
};
use super::metrics::track;
use super::state::AppState;

/// HTTP methods the table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

/// One route: what the document says about it and who may call it.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    /// The method.
    pub method: Method,
    /// The axum path template (`/v1/packs/{digest}`); also the OpenAPI path.
    pub path: &'static str,
    /// The OpenAPI operation id.
    pub operation_id: &'static str,
    /// One line for the document.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The request body's media type, when it takes one.
    pub request_media_type: Option<&'static str>,
    /// The success response's media type.
    pub response_media_type: &'static str,
    /// The success status.
    pub success_status: u16,
    /// Appended to the path in the document only: the kill route is served by the
    /// `{*path}` wildcard (axum wildcards must end a path) and documented as `.../{path}/kill`.
    pub document_suffix: &'static str,
    /// Every request is recorded in the regulator console's audit trail before it is served
    /// (the regulator routes); documented as `x-msez-audited`.
    pub audited: bool,
}

const JSON: &str = "application/json";
const ALL_ROLES: &[Role] = &[
    Role::ZoneAdmin,
    Role::Operator,
    Role::CorridorParty,
    Role::Watcher,
    Role::Regulator,
];
const ADMIN: &[Role] = &[Role::ZoneAdmin];
const ADMIN_OR_PARTY: &[Role] = &[Role::ZoneAdmin, Role::CorridorParty];
const OPERATORS: &[Role] = &[Role::Operator, Role::ZoneAdmin];
/// Who may bring fork evidence: anyone who may hold a competing receipt.
const FORK_REPORTERS: &[Role] = &[
    Role::ZoneAdmin,
    Role::Operator,
    Role::CorridorParty,
    Role::Watcher,
];
/// Drills that break things on purpose (actor kills, Mass faults): operators only.
const DRILLERS: &[Role] = &[Role::Operator];
const CREDENTIAL_READERS: &[Role] = &[Role::ZoneAdmin, Role::Regulator, Role::CorridorParty];
const POLICY_READERS: &[Role] = &[Role::ZoneAdmin, Role::Operator, Role::Regulator];
const DISPUTE_READERS: &[Role] = &[Role::ZoneAdmin, Role::CorridorParty, Role::Regulator];
const COMPLIANCE_READERS: &[Role] = &[Role::ZoneAdmin, Role::CorridorParty, Role::Regulator];
const REGULATORS: &[Role] = &[Role::Regulator];
/// The watcher registry and slashing claims are run by the zone and its operators.
const WATCHER_REGISTRARS: &[Role] = &[Role::ZoneAdmin, Role::Operator];
const WATCHER_READERS: &[Role] = &[Role::ZoneAdmin, Role::Operator, Role::Regulator];
/// A watcher submits its own attestations (and its rebuttals); the zone may relay them.
const ATTESTERS: &[Role] = &[Role::Watcher, Role::ZoneAdmin];
const REBUTTERS: &[Role] = &[Role::Watcher, Role::ZoneAdmin, Role::Operator];

/// Every route, in the order the document lists them, with its handler. Each resource group
/// is one function below, so adding a resource adds a function and one line here.
pub fn route_table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    [
        health_routes(),
        settlement_routes(),
        compliance_routes(),
        pack_routes(),
        zone_routes(),
        smart_asset_routes(),
        credential_routes(),
        corridor_routes(),
        watcher_routes(),
        agentic_routes(),
        dispute_routes(),
        regulator_routes(),
        orchestration_routes(),
        admin_routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Probes, metrics and this document.
fn health_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(Method::Get, "/health/liveness", "health_liveness", "The process is up.")
                .public(),
            get(health::liveness),
        ),
        (
            spec(
                Method::Get,
                "/health/readiness",
                "health_readiness",
                "The store answers a query and no Mass circuit breaker is open; 503 with reasons otherwise.",
            )
            .public(),
            get(health::readiness),
        ),
        (
            spec(Method::Get, "/metrics", "metrics", "Prometheus text: requests and latency by route.")
                .public()
                .responds("text/plain; version=0.0.4"),
            get(health::metrics),
        ),
        (
            spec(Method::Get, "/openapi.json", "openapi", "This document, generated from the route table.")
                .public(),
            get(health::openapi),
        ),
    ]
}

/// Netting and ISO 20022 settlement documents, outside any corridor.
fn settlement_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/netting/plan",
                "netting_plan",
                "Net obligations per currency (SPEC §9) into settlement legs.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON),
            post(settlement::netting_plan),
        ),
        (
            spec(
                Method::Post,
                "/v1/settlement/pacs008",
                "settlement_pacs008",
                "Render settlement legs as one ISO 20022 pacs.008.001.08 document.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON)
            .responds("application/xml"),
            post(settlement::pacs008),
        ),
    ]
}

/// The compliance tensor: evaluation, recorded tensors, commitments, proofs and routing.
fn compliance_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/compliance/evaluate",
                "compliance_evaluate",
                "Evaluate a subject's 20 compliance tensor cells and commit to them (SPEC §10); nothing is recorded.",
            )
            .roles(COMPLIANCE_READERS)
            .takes(JSON),
            post(compliance::evaluate),
        ),
        (
            spec(
                Method::Post,
                "/v1/compliance/tensors",
                "compliance_record",
                "Evaluate a subject and fold the cells into its recorded tensor (that jurisdiction's cells are replaced).",
            )
            .roles(ADMIN)
            .takes(JSON)
            .status(201),
            post(compliance::record),
        ),
        (
            spec(
                Method::Get,
                "/v1/compliance/tensors/{subject_id}",
                "compliance_tensor",
                "A subject's recorded tensor: every cell, the aggregate and the commitment root.",
            )
            .roles(COMPLIANCE_READERS),
            get(compliance::tensor),
        ),
        (
            spec(
                Method::Get,
                "/v1/compliance/tensors/{subject_id}/commitment",
                "compliance_commitment",
                "The commitment root, leaf count and aggregate of a subject's recorded tensor.",
            )
            .roles(COMPLIANCE_READERS),
            get(compliance::commitment),
        ),
        (
            spec(
                Method::Get,
                "/v1/compliance/tensors/{subject_id}/proof",
                "compliance_inclusion_proof",
                "{root, proof} for one cell (jurisdiction, domain), verifiable with msez tensor verify-proof.",
            )
            .roles(COMPLIANCE_READERS),
            get(compliance::proof),
        ),
        (
            spec(
                Method::Post,
                "/v1/compliance/manifold/paths",
                "compliance_manifold_paths",
                "The k best corridor routes between two jurisdictions that the subject's recorded tensor allows.",
            )
            .roles(COMPLIANCE_READERS)
            .takes(JSON),
            post(compliance::paths),
        ),
    ]
}

/// Lawpacks, regpacks and licensepacks by digest.
fn pack_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/packs",
                "packs_upload",
                "Upload a pack {kind, pack}; it is schema-checked and filed under its digest.",
            )
            .roles(ADMIN)
            .takes(JSON)
            .status(201),
            post(packs::upload),
        ),
        (
            spec(
                Method::Get,
                "/v1/packs",
                "packs_list",
                "Stored packs in digest order, paged with after and limit.",
            )
            .roles(ALL_ROLES),
            get(packs::list),
        ),
        (
            spec(
                Method::Get,
                "/v1/packs/{digest}",
                "packs_get",
                "A pack by its digest.",
            )
            .roles(ALL_ROLES),
            get(packs::get),
        ),
    ]
}

/// The zone this node serves.
fn zone_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![(
        spec(
            Method::Get,
            "/v1/zone/lock",
            "zone_lock",
            "The deterministic lock (zone.lock) of the packs this node runs on.",
        )
        .roles(ALL_ROLES),
        get(zone::lock),
    )]
}

/// Smart assets: genesis, registry binding, read.
fn smart_asset_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/smart-assets",
                "smart_assets_genesis",
                "Bring an asset into being from its genesis document; its id is the genesis digest (201 new, 200 known).",
            )
            .roles(ADMIN)
            .takes(JSON)
            .status(201),
            post(smart_assets::genesis),
        ),
        (
            spec(
                Method::Get,
                "/v1/smart-assets/{asset_id}",
                "smart_assets_get",
                "An asset: its genesis, state and registry binding.",
            )
            .roles(COMPLIANCE_READERS),
            get(smart_assets::get),
        ),
        (
            spec(
                Method::Post,
                "/v1/smart-assets/{asset_id}/registry-binding",
                "smart_assets_bind",
                "Bind the asset into this zone's registry with an MSEZSmartAssetRegistryCredential (once).",
            )
            .roles(ADMIN)
            .status(201),
            post(smart_assets::bind),
        ),
    ]
}

/// Issued credentials, their verification and status lists.
fn credential_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/credentials/verify",
                "credentials_verify",
                "Verify a credential's proofs and validity window, and report its recorded status.",
            )
            .roles(ALL_ROLES)
            .takes(JSON),
            post(credentials::verify),
        ),
        (
            spec(
                Method::Get,
                "/v1/credentials/{credential_id}",
                "credentials_get",
                "An issued credential and its status.",
            )
            .roles(CREDENTIAL_READERS),
            get(credentials::get),
        ),
        (
            spec(
                Method::Post,
                "/v1/credentials/{credential_id}/revoke",
                "credentials_revoke",
                "Revoke an issued credential.",
            )
            .roles(ADMIN),
            post(credentials::revoke),
        ),
        (
            spec(
                Method::Get,
                "/v1/credentials/status-lists/{status_list_id}",
                "credentials_status_list",
                "Every slot of a status list with its status.",
            )
            .roles(ALL_ROLES),
            get(credentials::status_list),
        ),
    ]
}

/// Corridors: creation, receipts, proofs, checkpoints, export, netting, settlement
/// instructions, events and lifecycle.
fn corridor_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/corridors",
                "corridors_create",
                "Create a corridor from its definition, its definition credential, every party's agreement credential, regulators and authorities; refused with the rule unless the agreement completes; ACTIVE when every regulator's activation consent is included, else PENDING.",
            )
            .roles(ADMIN)
            .takes(JSON)
            .status(201),
            post(corridors::create),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}",
                "corridors_get",
                "A corridor's lifecycle state, height, head, genesis root and MMR root.",
            )
            .roles(ALL_ROLES),
            get(corridors::summary),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/agreement",
                "corridors_agreement",
                "The stored agreement set (definition credential and every agreement credential) whose digest is the genesis agreement_set_sha256.",
            )
            .roles(ALL_ROLES),
            get(corridors::agreement),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/receipts",
                "corridors_append",
                "Append a client-signed receipt (SPEC §5); answered only once it is durable.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON)
            .status(201),
            post(corridors::append),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/proposals",
                "corridors_propose",
                "A transition the zone signs as the next receipt: appended (201) when the zone's signature meets the signing policy, else returned zone-signed for the other signers (202).",
            )
            .roles(ADMIN)
            .takes(JSON)
            .status(201),
            post(proposals::propose),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/receipts",
                "corridors_receipts",
                "Stored receipts in sequence order, paged with from and limit.",
            )
            .roles(ALL_ROLES),
            get(corridors::receipts),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/receipts/{sequence}/proof",
                "corridors_inclusion_proof",
                "The MMR inclusion proof of one receipt against the current root (SPEC §6).",
            )
            .roles(ALL_ROLES),
            get(corridors::inclusion_proof),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/checkpoint",
                "corridors_checkpoint",
                "The latest zone-signed checkpoint (SPEC §7).",
            )
            .roles(ALL_ROLES),
            get(corridors::latest_checkpoint),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/export",
                "corridors_export",
                "The chain as JSON Lines, verifiable offline with msez chain verify.",
            )
            .roles(ALL_ROLES)
            .responds("application/jsonl"),
            get(corridors::export),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/netting",
                "corridors_netting",
                "The corridor's netting book netted multilaterally into settlement legs (SPEC §9).",
            )
            .roles(ADMIN_OR_PARTY),
            get(corridors::netting),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/settlement-instructions",
                "corridors_settlement_instructions",
                "One pacs.008.001.08 document for the corridor's current netting plan; the parties' names, BICs and accounts come with the request and are not stored.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON)
            .responds("application/xml"),
            post(settlement::corridor_instructions),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/events",
                "corridors_events",
                "Server-sent events: the corridor's summary, then its durable heads and lifecycle changes.",
            )
            .roles(ALL_ROLES)
            .responds("text/event-stream"),
            get(events::corridor_events),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/lifecycle",
                "corridors_lifecycle",
                "A lifecycle transition (activate, suspend, resume, halt, deprecate) with its signed evidence.",
            )
            .roles(ADMIN)
            .takes(JSON),
            post(corridors::transition),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/forks",
                "corridors_fork_report",
                "Fork evidence (SPEC §8): a competing client-signed receipt for a sequence the corridor holds; checked like an append, recorded with both receipts and a zone-signed fork alarm, and the corridor halts.",
            )
            .roles(FORK_REPORTERS)
            .takes(JSON)
            .status(201),
            post(forks::report),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/forks",
                "corridors_forks",
                "The corridor's recorded forks with their status, both receipts, alarm and latest decision.",
            )
            .roles(ALL_ROLES),
            get(forks::list),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/forks/{fork_id}/resolution",
                "corridors_fork_resolution",
                "Decide a fork from watcher attestations and authority fork-resolution credentials (SPEC §8); records the decision and, when a branch wins, a zone-signed fork-resolution credential.",
            )
            .roles(OPERATORS)
            .takes(JSON),
            post(forks::resolve),
        ),
    ]
}

/// Watchers (SPEC §11): the registry, slashing claims, and the attestations watchers sign
/// about corridors.
fn watcher_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let watcher_step = |path, operation_id, summary| {
        spec(Method::Post, path, operation_id, summary).roles(WATCHER_REGISTRARS)
    };
    vec![
        (
            spec(
                Method::Post,
                "/v1/watchers",
                "watchers_register",
                "Register a watcher by its Ed25519 did:key {did}.",
            )
            .roles(WATCHER_REGISTRARS)
            .takes(JSON)
            .status(201),
            post(watchers::register),
        ),
        (
            spec(
                Method::Get,
                "/v1/watchers",
                "watchers_list",
                "Watchers in id order with their status, paged with after and limit.",
            )
            .roles(WATCHER_READERS),
            get(watchers::list),
        ),
        (
            spec(
                Method::Get,
                "/v1/watchers/{watcher_id}",
                "watchers_get",
                "A watcher: status, the statuses it may move to, its bond and the slashing claims against it.",
            )
            .roles(WATCHER_READERS),
            get(watchers::get),
        ),
        (
            watcher_step(
                "/v1/watchers/{watcher_id}/bond",
                "watchers_bond",
                "Post a watcher's bond {amount_minor, currency}: registered -> bonded.",
            )
            .takes(JSON),
            post(watchers::bond),
        ),
        (
            watcher_step(
                "/v1/watchers/{watcher_id}/activate",
                "watchers_activate",
                "Start serving: bonded -> active (409 naming the legal statuses otherwise).",
            ),
            post(watchers::activate),
        ),
        (
            watcher_step(
                "/v1/watchers/{watcher_id}/unbond",
                "watchers_unbond",
                "Start leaving: active -> unbonding; the bond stays held for pending claims.",
            ),
            post(watchers::unbond),
        ),
        (
            watcher_step(
                "/v1/watchers/{watcher_id}/deactivate",
                "watchers_deactivate",
                "Finish leaving: unbonding -> deactivated, the bond released (409 while a claim is pending).",
            ),
            post(watchers::deactivate),
        ),
        (
            spec(
                Method::Post,
                "/v1/watchers/slashing-claims",
                "watchers_file_claim",
                "File a slashing claim {watcher_id, evidence} with equivocation, collusion, false-attestation or availability evidence; 422 naming the member when it does not verify.",
            )
            .roles(WATCHER_REGISTRARS)
            .takes(JSON)
            .status(201),
            post(watchers::file_claim),
        ),
        (
            spec(
                Method::Get,
                "/v1/watchers/slashing-claims/{claim_id}",
                "watchers_claim",
                "A slashing claim: state, offence, basis points, challenge window and evidence.",
            )
            .roles(WATCHER_READERS),
            get(watchers::get_claim),
        ),
        (
            spec(
                Method::Post,
                "/v1/watchers/slashing-claims/{claim_id}/rebuttals",
                "watchers_rebut_claim",
                "Answer an availability incident with the watcher's own attestation signed before due_at, while the window is open.",
            )
            .roles(REBUTTERS)
            .takes(JSON)
            .status(201),
            post(watchers::rebut),
        ),
        (
            watcher_step(
                "/v1/watchers/slashing-claims/{claim_id}/execute",
                "watchers_execute_claim",
                "After the challenge window, apply the claim's integer basis-point slash to the bond (and the ban for collusion).",
            ),
            post(watchers::execute_claim),
        ),
        (
            spec(
                Method::Post,
                "/v1/corridors/{corridor_id}/attestations",
                "corridors_attest",
                "Record a bonded, active watcher's signed attestation of a durable receipt; 409 when it contradicts the journal (false-attestation evidence).",
            )
            .roles(ATTESTERS)
            .takes(JSON)
            .status(201),
            post(watchers::submit_attestation),
        ),
        (
            spec(
                Method::Get,
                "/v1/corridors/{corridor_id}/attestations",
                "corridors_attestations",
                "The corridor's recorded watcher attestations, oldest first, paged with after and limit.",
            )
            .roles(ALL_ROLES),
            get(watchers::attestations),
        ),
    ]
}

/// The agentic engine: triggers, policy versions, the audit trail.
fn agentic_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/agentic/triggers",
                "agentic_trigger",
                "Present a trigger to the zone's policies; the decision is recorded and executed. A sanctions_list_update carries a sanctions snapshot and sweeps every open corridor's parties.",
            )
            .roles(ADMIN)
            .takes(JSON),
            post(agentic::trigger),
        ),
        (
            spec(
                Method::Get,
                "/v1/agentic/policies",
                "agentic_policies",
                "The policies in force, each with the stored version it comes from.",
            )
            .roles(POLICY_READERS),
            get(agentic::policies),
        ),
        (
            spec(
                Method::Get,
                "/v1/agentic/policies/{policy_id}",
                "agentic_policy",
                "A policy's immutable stored versions (paged with from and limit), and whether it is in force.",
            )
            .roles(POLICY_READERS),
            get(agentic::policy),
        ),
        (
            spec(
                Method::Put,
                "/v1/agentic/policies/{policy_id}",
                "agentic_policy_put",
                "Store a policy as its next version and put it in force.",
            )
            .roles(ADMIN)
            .takes(JSON),
            put(agentic::put_policy),
        ),
        (
            spec(
                Method::Delete,
                "/v1/agentic/policies/{policy_id}",
                "agentic_policy_retire",
                "Retire a policy: a new version that takes it out of force.",
            )
            .roles(ADMIN),
            delete(agentic::delete_policy),
        ),
        (
            spec(
                Method::Get,
                "/v1/agentic/audit",
                "agentic_audit",
                "A page of the hash-chained agentic audit trail with a verification report (paged with from and limit).",
            )
            .roles(POLICY_READERS),
            get(agentic::audit),
        ),
    ]
}

/// The regulator console: read-only, regulator role, every request audited.
fn regulator_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let console = |path, operation_id, summary| {
        spec(Method::Get, path, operation_id, summary)
            .roles(REGULATORS)
            .audited()
    };
    vec![
        (
            console(
                "/v1/regulator/attestations",
                "regulator_attestations",
                "A subject's signed attestations, paged with subject, after and limit.",
            ),
            get(regulator::attestations),
        ),
        (
            console(
                "/v1/regulator/credentials",
                "regulator_credentials",
                "Every credential this zone issued with its status, paged with after and limit.",
            ),
            get(regulator::credentials),
        ),
        (
            console(
                "/v1/regulator/tensors/{subject_id}",
                "regulator_tensor",
                "A subject's recorded compliance tensor.",
            ),
            get(regulator::tensor),
        ),
        (
            console(
                "/v1/regulator/corridors",
                "regulator_corridors",
                "Corridors with their lifecycle state, height and head, paged with after and limit.",
            ),
            get(regulator::corridors),
        ),
        (
            console(
                "/v1/regulator/tax/iris-report",
                "regulator_iris_report",
                "The FBR IRIS withholding statement of a jurisdiction and month (period=YYYY-MM).",
            ),
            get(regulator::iris_report),
        ),
        (
            console(
                "/v1/regulator/sla",
                "regulator_sla",
                "SLA objectives and what this node measured since it started.",
            ),
            get(regulator::sla),
        ),
        (
            console(
                "/v1/regulator/audit",
                "regulator_audit",
                "The console's hash-chained audit trail, paged with from and limit.",
            ),
            get(regulator::audit),
        ),
    ]
}

/// Disputes: filing, evidence, lifecycle steps, status.
fn dispute_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Post,
                "/v1/disputes",
                "disputes_file",
                "File a dispute over a corridor with its statement of claim.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON)
            .status(201),
            post(disputes::file),
        ),
        (
            spec(
                Method::Get,
                "/v1/disputes/{dispute_id}",
                "disputes_get",
                "A dispute's state, parties, panel, ruling, transitions and enforcement.",
            )
            .roles(DISPUTE_READERS),
            get(disputes::status),
        ),
        (
            spec(
                Method::Post,
                "/v1/disputes/{dispute_id}/evidence",
                "disputes_add_evidence",
                "Add an evidence package to the dispute's file.",
            )
            .roles(ADMIN_OR_PARTY)
            .takes(JSON)
            .status(201),
            post(disputes::add_evidence),
        ),
        (
            spec(
                Method::Get,
                "/v1/disputes/{dispute_id}/evidence",
                "disputes_evidence",
                "The dispute's evidence file in filing order, with digests.",
            )
            .roles(DISPUTE_READERS),
            get(disputes::evidence),
        ),
        (
            spec(
                Method::Post,
                "/v1/disputes/{dispute_id}/steps",
                "disputes_step",
                "A lifecycle step with its evidence: begin_review, constitute_panel, open_hearing, issue_ruling, appeal, enforce (executed by the agentic engine), settle, dismiss.",
            )
            .roles(ADMIN)
            .takes(JSON),
            post(disputes::step),
        ),
    ]
}

/// The Mass-facing flows; each needs an `Idempotency-Key` header.
fn orchestration_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let flow = |path, operation_id, summary, roles| {
        spec(Method::Post, path, operation_id, summary)
            .roles(roles)
            .takes(JSON)
            .status(201)
    };
    vec![
        (
            flow(
                "/v1/orchestration/entity-formations",
                "orchestration_entity_formation",
                "Form an entity: compliance, Mass organization, treasury account, consent, formation credential, attestation (Idempotency-Key).",
                ADMIN,
            ),
            post(orchestration::entity_formation),
        ),
        (
            flow(
                "/v1/orchestration/payments",
                "orchestration_payment",
                "Pay with tax withholding: sanctions hard block, Mass payment of the net, tax event, withholding credential (Idempotency-Key).",
                ADMIN_OR_PARTY,
            ),
            post(orchestration::payment),
        ),
        (
            flow(
                "/v1/orchestration/ownership-changes",
                "orchestration_ownership_change",
                "Change ownership via a Mass consent after screening the incoming holder (Idempotency-Key).",
                ADMIN,
            ),
            post(orchestration::ownership_change),
        ),
        (
            flow(
                "/v1/orchestration/identity-verifications",
                "orchestration_identity_verification",
                "Verify a Pakistani CNIC and NTN through Mass and issue a KYC credential (Idempotency-Key).",
                ADMIN,
            ),
            post(orchestration::identity_verification),
        ),
    ]
}

/// The supervision tree and operator drills.
fn admin_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        (
            spec(
                Method::Get,
                "/v1/admin/supervision",
                "admin_supervision",
                "The whole supervision tree.",
            )
            .roles(OPERATORS),
            get(admin::supervision),
        ),
        (
            spec(
                Method::Get,
                "/v1/admin/supervision/stream",
                "admin_supervision_stream",
                "Server-sent events: one per supervision event (started, failed, restarted, ...).",
            )
            .roles(OPERATORS)
            .responds("text/event-stream"),
            get(admin::supervision_stream),
        ),
        (
            spec(
                Method::Get,
                "/v1/admin/actors/{*path}",
                "admin_actor",
                "One node of the supervision tree by path (without the leading slash).",
            )
            .roles(OPERATORS),
            get(admin::actor),
        ),
        (
            RouteSpec {
                document_suffix: admin::KILL_SUFFIX,
                ..spec(
                    Method::Post,
                    "/v1/admin/actors/{*path}",
                    "admin_actor_kill",
                    "Kill an actor (operator drill); its supervisor restarts it per policy.",
                )
                .roles(DRILLERS)
            },
            post(admin::kill),
        ),
        (
            spec(
                Method::Get,
                "/v1/admin/mass-sandbox/faults",
                "admin_mass_faults",
                "The in-process Mass sandbox's injected faults and request counts per service (409 on real Mass).",
            )
            .roles(OPERATORS),
            get(admin::mass_faults),
        ),
        (
            spec(
                Method::Post,
                "/v1/admin/mass-sandbox/faults/{service}",
                "admin_mass_faults_set",
                "Set one Mass service's faults in the in-process sandbox (operator drill; 409 on real Mass).",
            )
            .roles(DRILLERS)
            .takes(JSON),
            post(admin::set_mass_faults),
        ),
    ]
}

/// The node's router: every route of [`route_table`] behind its access check, then metrics,
/// the body limit and the request-id/envelope middleware; unknown routes get an enveloped 404.
pub fn app(state: AppState) -> Router {
    // Methods of one path are merged first: axum refuses to merge two method routers that
    // both carry the 405 fallback.
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for (spec, handler) in route_table() {
        // The audit layer goes on first so that authentication (added last) runs before it.
        let handler = if spec.audited {
            handler.route_layer(from_fn_with_state(state.clone(), audit_access))
        } else {
            handler
        };
        let handler =
            handler.route_layer(from_fn_with_state((state.clone(), spec.access), authorize));
        let merged = match by_path.remove(spec.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(spec.path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler.fallback(method_not_allowed));
    }
    router
        .fallback(route_not_found)
        .layer(from_fn_with_state(state.clone(), track))
        .layer(DefaultBodyLimit::max(state.body_bytes_max()))
        .layer(from_fn(request_context))
        .with_state(state)
}

/// The OpenAPI 3.1 document of [`route_table`].
pub fn openapi_document() -> Value {
    let mut paths = Map::new();
    for (spec, _) in route_table() {
        let entry = paths
            .entry(spec.document_path())
            .or_insert_with(|| json!({}));
        if let Some(object) = entry.as_object_mut() {
            object.insert(spec.method.as_lower().to_owned(), operation(&spec));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "MSEZ zone node",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ErrorEnvelope": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message", "request_id"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "field": {"type": "string"},
                            "request_id": {"type": "string"},
                        },
                    }},
                },
            },
        },
    })
}

impl Method {
    /// The OpenAPI key (`get`, `post`).
    pub const fn as_lower(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
            Self::Put => "put",
            Self::Delete => "delete",
        }
    }
}

const fn spec(
    method: Method,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        operation_id,
        summary,
        access: Access::Roles(&[]),
        request_media_type: None,
        response_media_type: JSON,
        success_status: 200,
        document_suffix: "",
        audited: false,
    }
}

impl RouteSpec {
    /// The OpenAPI path: the template with `{*name}` written `{name}`, plus the document suffix.
    pub fn document_path(&self) -> String {
        format!("{}{}", self.path.replace("{*", "{"), self.document_suffix)
    }

    const fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    const fn roles(mut self, roles: &'static [Role]) -> Self {
        self.access = Access::Roles(roles);
        self
    }

    const fn takes(mut self, media_type: &'static str) -> Self {
        self.request_media_type = Some(media_type);
        self
    }

    const fn responds(mut self, media_type: &'static str) -> Self {
        self.response_media_type = media_type;
        self
    }

    const fn status(mut self, status: u16) -> Self {
        self.success_status = status;
        self
    }

    const fn audited(mut self) -> Self {
        self.audited = true;
        self
    }
}

fn operation(spec: &RouteSpec) -> Value {
    let error = json!({
        "description": "Error envelope",
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
    });
    let mut responses = Map::new();
    responses.insert(
        spec.success_status.to_string(),
        json!({"description": "Success", "content": {spec.response_media_type: {}}}),
    );
    responses.insert("default".to_owned(), error);
    let parameters: Vec<Value> = spec
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({"name": name.trim_start_matches('*'), "in": "path", "required": true,
                   "schema": {"type": "string"}})
        })
        .collect();
    let mut operation = json!({
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(object) = operation.as_object_mut() {
        if let Access::Roles(roles) = spec.access {
            let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
            object.insert("security".to_owned(), json!([{"bearer": []}]));
            object.insert("x-msez-roles".to_owned(), json!(names));
        }
        if spec.audited {
            object.insert("x-msez-audited".to_owned(), json!(true));
        }
        if let Some(media_type) = spec.request_media_type {
            object.insert(
                "requestBody".to_owned(),
                json!({"required": true, "content": {media_type: {}}}),
            );
        }
    }
    operation
}

async fn route_not_found() -> ApiError {
    ApiError::NotFound {
        message: "no such route".to_owned(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
