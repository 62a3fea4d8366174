//! The Mass-facing flows: entity formation, payment with tax withholding, ownership change via
//! consent, identity verification. Each composes compliance, Mass calls through the zone's
//! Mass pool (never a `MassClient` call of its own), a credential and a signed attestation,
//! and answers `{flow, idempotency_key, subject, mass, compliance, credential, attestation}`.
//!
//! Owns [`run`], [`Answered`], [`FlowBook`] (per-key locks, the zone's sanctions index and rate
//! book), [`Saga`] (a flow's durable progress) and the shared ending [`conclude`]; the flows
//! are `formation`, `payment`, `ownership` and `identity`.
//!
//! # Idempotency and failure
//! A flow is keyed by its `Idempotency-Key`. The store's Mass idempotency records hold the
//! flow (`orchestration:<flow>:<key>`: the request digest, then the answer) and each of its
//! steps (`...:<step>`: the step's outcome), so:
//! - a request whose flow completed is answered with the stored answer and no Mass call;
//! - the same key with another body is refused (422 naming `Idempotency-Key`), unless the
//!   first request was refused before any Mass step (a bad value, the sanctions block): such a
//!   refusal does not spend the key;
//! - a retry after a failure resumes: completed steps are read back, not repeated; the flow's
//!   one time (step `clock`) is fixed when it first reaches Mass, so every credential and
//!   attestation it writes is byte-identical on a retry;
//! - a Mass call that certainly did not apply (circuit open, Mass answered an error, the pool
//!   refused it) is forgotten and runs again on retry; one whose outcome is unknown (timeout,
//!   a dropped connection) stays pending: a keyed call (account, payment) is repeated with the
//!   same Mass idempotency key, any other is refused with 409 until reconciled.
//!
//! Nothing of MSEZ's own (tensor, entity application, tax event, credential, attestation) is
//! written before every Mass step succeeded; when Mass is down the answer is 503 with the
//! service's circuit state and the node has written nothing for the request.
//!
//! Never: stores a Mass record as MSEZ's (step records keep what the flow needs to resume and
//! answer; Mass stays the authority), decides a rule (`msez_protocol` does), or runs two
//! attempts of one key at once in this process (the key's stripe lock is held throughout).

mod formation;
mod identity;
mod ownership;
mod payment;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use msez_actors::mass_pool::{MassRequest, MassResponse, PoolError};
use msez_mass::breaker::BreakerState;
use msez_mass::consent::{ConsentOperationType, CreateConsent};
use msez_mass::error::{MassError, Service};
use msez_mass::identity::FilerStatus as MassFilerStatus;
use msez_persistence::records::{IdempotencyState, RecordError};
use msez_persistence::watchers::AttestationRecord;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::orchestration::{
    ATTESTATION_TYPE, FlowKind, OrchestrationAttestation, RequestKey, flow_attestation_id,
    flow_credential_id, flow_record_key, sanctions_gate, step_record_key,
};
use msez_protocol::tax::{FilerStatus, RateBook, TaxError};
use msez_protocol::tensor::cell::{Attestation, SubjectEvaluation};
use msez_protocol::tensor::evaluators::{
    EvaluationContext, SubjectFacts, SubjectRecord, evaluate_subject,
};
use msez_protocol::tensor::sanctions::{SanctionsError, SanctionsIndex, ScreeningConfig};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CredentialSubject;
use serde_json::{Value, json};

use super::error::ApiError;
use super::handlers::{now, now_unix_ms};
use super::issuer::issue_once;
use super::node::NodeZone;
use super::state::AppState;
use super::stripes::Stripes;
use super::tensors::RecordedTensor;

/// The header a replayed answer carries.
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The `service` column of a flow's own record (its Mass steps name their Mass service).
const FLOW_SERVICE: &str = "msez-orchestration";

/// The `service` column of a flow's local steps (no Mass call).
pub const LOCAL_SERVICE: &str = "msez";

/// How long a caller waits before retrying when Mass is unavailable: about the breaker's open
/// period on the node (`BreakerConfig::open_duration`, 10 s) is the soonest a retry can pass.
const MASS_RETRY_AFTER: Duration = Duration::from_secs(10);

/// What the flows share: one lock per key, and the zone's screening list and withholding
/// rates, built once when the node starts.
#[derive(Debug)]
pub struct FlowBook {
    locks: Stripes,
    /// The zone regpack's sanctions list, indexed; `None` without a zone regpack.
    screening: Option<Result<SanctionsIndex, SanctionsError>>,
    /// The zone regpack's withholding rates; `None` without a zone regpack.
    rates: Option<Result<RateBook, TaxError>>,
}

/// A flow's answer, fresh or replayed from its record.
#[derive(Debug)]
pub enum Answered {
    /// Computed by this request (201).
    Fresh(Value),
    /// The stored answer of an earlier request with the same key (201, `idempotent-replayed`).
    Replayed(Value),
}

/// One flow's durable progress under its key (module docs).
pub struct Saga<'a> {
    state: &'a AppState,
    flow: FlowKind,
    key: RequestKey,
    /// The flow's one time, fixed when the flow first reached Mass.
    at: Timestamp,
    /// Whether a Mass step began (in this attempt or an earlier one): from then on the key
    /// stays bound to this request.
    mass_started: AtomicBool,
}

/// How a flow begins: afresh (or resumed), or already answered.
enum Begun<'a> {
    Run(Saga<'a>),
    Answered(Value),
}

/// What a completed flow concludes with (see [`conclude`]).
pub struct Conclusion {
    /// The entity the flow is about.
    pub subject: EntityId,
    /// The jurisdiction whose rules applied.
    pub jurisdiction: JurisdictionId,
    /// The subject's evaluation, recorded in its tensor.
    pub evaluation: SubjectEvaluation,
    /// The Mass ids the flow wrote or read, by name (attested).
    pub mass_ids: BTreeMap<String, String>,
    /// The Mass records, as the answer shows them.
    pub mass: Value,
}

impl FlowBook {
    /// The book of a node serving `zone` (no zone, or no regpack: flows that screen or withhold
    /// are refused with 409).
    pub fn new(zone: Option<&NodeZone>) -> Self {
        let regpack = zone.and_then(|zone| zone.regpack.as_ref());
        Self {
            locks: Stripes::default(),
            screening: regpack.map(|regpack| SanctionsIndex::build(regpack.sanctions.clone())),
            rates: regpack.map(|regpack| RateBook::new(vec![regpack.withholding_rates.clone()])),
        }
    }

    fn screening(&self) -> Result<&SanctionsIndex, ApiError> {
        match &self.screening {
            Some(Ok(index)) => Ok(index),
            Some(Err(error)) => Err(ApiError::internal(error)),
            None => Err(ApiError::Conflict {
                message: "this node has no regpack (start it with --zone naming one), so it \
                          cannot screen against sanctions and runs no orchestration flow"
                    .to_owned(),
            }),
        }
    }

    fn rates(&self) -> Result<&RateBook, ApiError> {
        match &self.rates {
            Some(Ok(rates)) => Ok(rates),
            Some(Err(error)) => Err(ApiError::internal(error)),
            None => Err(ApiError::Conflict {
                message: "this node has no regpack, so it has no withholding rates".to_owned(),
            }),
        }
    }
}

impl IntoResponse for Answered {
    fn into_response(self) -> Response {
        match self {
            Self::Fresh(answer) => (StatusCode::CREATED, Json(answer)).into_response(),
            Self::Replayed(answer) => (
                StatusCode::CREATED,
                [(REPLAYED_HEADER, HeaderValue::from_static("true"))],
                Json(answer),
            )
                .into_response(),
        }
    }
}

/// Runs (or replays, or resumes) `flow` for `key` with the schema-checked `body`.
pub async fn run(
    state: &AppState,
    flow: FlowKind,
    key: RequestKey,
    body: Value,
) -> Result<Answered, ApiError> {
    let record_key = flow_record_key(flow, &key);
    let _serial = state.flows().locks.lock(&record_key).await;
    let saga = match Saga::begin(state, flow, key, &body).await? {
        Begun::Answered(answer) => return Ok(Answered::Replayed(answer)),
        Begun::Run(saga) => saga,
    };
    let answer = match flow {
        FlowKind::EntityFormation => formation::run(&saga, body).await,
        FlowKind::Payment => payment::run(&saga, body).await,
        FlowKind::OwnershipChange => ownership::run(&saga, body).await,
        FlowKind::IdentityVerification => identity::run(&saga, body).await,
    };
    match answer {
        Ok(answer) => {
            saga.finish(&answer).await?;
            Ok(Answered::Fresh(answer))
        }
        Err(error) => {
            // Refused before any Mass step (a bad value, the sanctions block): the key is not
            // spent, so the caller may correct the request and send it again under it.
            if !saga.mass_started.load(Ordering::Acquire) {
                state
                    .store()
                    .abandon_mass_call(&record_key)
                    .await
                    .map_err(ApiError::internal)?;
            }
            Err(error)
        }
    }
}

impl<'a> Saga<'a> {
    async fn begin(
        state: &'a AppState,
        flow: FlowKind,
        key: RequestKey,
        body: &Value,
    ) -> Result<Begun<'a>, ApiError> {
        let digest = CanonicalBytes::new(body)
            .map_err(|error| ApiError::invalid("body", &error))?
            .digest();
        let record_key = flow_record_key(flow, &key);
        match state
            .store()
            .begin_mass_call(&record_key, FLOW_SERVICE, &digest, now_unix_ms()?)
            .await
        {
            Ok(IdempotencyState::Completed(answer)) => {
                return serde_json::from_slice(&answer)
                    .map(Begun::Answered)
                    .map_err(ApiError::internal);
            }
            Ok(IdempotencyState::New | IdempotencyState::Pending) => {}
            Err(RecordError::IdempotencyKeyReused { .. }) => {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    format!("idempotency key {key} was used for a different {flow} request"),
                ));
            }
            Err(error) => return Err(ApiError::internal(error)),
        }
        let mut saga = Saga {
            state,
            flow,
            key,
            at: now()?,
            mass_started: AtomicBool::new(false),
        };
        // The time an earlier attempt fixed when it reached Mass; until a flow reaches Mass,
        // each attempt takes its own.
        if let IdempotencyState::Completed(stored) = saga.open_step("clock", LOCAL_SERVICE).await? {
            let clock: Value = serde_json::from_slice(&stored).map_err(ApiError::internal)?;
            saga.at = clock["at"]
                .as_str()
                .and_then(|text| Timestamp::parse(text).ok())
                .ok_or_else(|| ApiError::internal("flow clock record is not a time"))?;
        }
        Ok(Begun::Run(saga))
    }

    /// The flow's one time.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// The request's key.
    pub fn key(&self) -> &RequestKey {
        &self.key
    }

    /// The node's state.
    pub fn state(&self) -> &AppState {
        self.state
    }

    /// The outcome of a local step: computed once, then read back (a step interrupted before
    /// its outcome was stored is computed again; local steps are safe to repeat).
    pub async fn remember(
        &self,
        step: &str,
        compute: impl Future<Output = Result<Value, ApiError>>,
    ) -> Result<Value, ApiError> {
        if let IdempotencyState::Completed(stored) = self.open_step(step, LOCAL_SERVICE).await? {
            return serde_json::from_slice(&stored).map_err(ApiError::internal);
        }
        let outcome = compute.await?;
        self.close_step(step, &outcome).await?;
        Ok(outcome)
    }

    /// The outcome of a Mass step through the zone's Mass pool, keyed by `pool_key` (module
    /// docs: completed steps are read back; a step that certainly did not apply is forgotten;
    /// an unknown outcome is repeated only when the call is keyed).
    pub async fn mass(
        &self,
        step: &str,
        pool_key: &EntityId,
        request: MassRequest,
        answer: impl FnOnce(MassResponse) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let service = service_of(&request);
        let repeatable = is_repeatable(&request);
        let record_key = step_record_key(self.flow, &self.key, step);
        if !self.mass_started.swap(true, Ordering::AcqRel) {
            // From the first Mass step on, the flow's time is fixed for every later attempt.
            self.close_step("clock", &json!({"at": self.at.to_string()}))
                .await?;
        }
        match self.open_step(step, service.context()).await? {
            IdempotencyState::Completed(stored) => {
                return serde_json::from_slice(&stored).map_err(ApiError::internal);
            }
            IdempotencyState::Pending if !repeatable => {
                return Err(ApiError::Conflict {
                    message: format!(
                        "step {step} of {} request {} may or may not have reached Mass \
                         {service}; it cannot be repeated safely, so reconcile it in Mass",
                        self.flow, self.key
                    ),
                });
            }
            IdempotencyState::New | IdempotencyState::Pending => {}
        }
        let called = self
            .state
            .zone_actors()
            .mass_pool
            .call(pool_key, request)
            .await;
        let outcome = match called {
            Ok(response) => answer(response)?,
            Err(error) => {
                let failure = classify(self.state, service, &error);
                if failure.not_applied {
                    self.state
                        .store()
                        .abandon_mass_call(&record_key)
                        .await
                        .map_err(ApiError::internal)?;
                }
                return Err(failure.error);
            }
        };
        self.close_step(step, &outcome).await?;
        Ok(outcome)
    }

    /// The Mass idempotency key of a keyed step (its record key).
    pub fn mass_key(&self, step: &str) -> Result<msez_mass::wire::IdempotencyKey, ApiError> {
        msez_mass::wire::IdempotencyKey::new(step_record_key(self.flow, &self.key, step))
            .map_err(ApiError::internal)
    }

    /// Claims a step's record: `New` the first time, `Pending` when an earlier attempt began
    /// it and did not finish, `Completed` with its stored outcome.
    pub async fn open_step(&self, step: &str, service: &str) -> Result<IdempotencyState, ApiError> {
        let record_key = step_record_key(self.flow, &self.key, step);
        self.open_record(&record_key, service).await
    }

    /// Stores a step's outcome.
    pub async fn close_step(&self, step: &str, outcome: &Value) -> Result<(), ApiError> {
        self.close_record(&step_record_key(self.flow, &self.key, step), outcome)
            .await
    }

    async fn open_record(
        &self,
        record_key: &str,
        service: &str,
    ) -> Result<IdempotencyState, ApiError> {
        let digest = CanonicalBytes::new(&json!({"step": record_key}))
            .map_err(ApiError::internal)?
            .digest();
        self.state
            .store()
            .begin_mass_call(record_key, service, &digest, now_unix_ms()?)
            .await
            .map_err(ApiError::internal)
    }

    async fn close_record(&self, record_key: &str, outcome: &Value) -> Result<(), ApiError> {
        let bytes = CanonicalBytes::new(outcome).map_err(ApiError::internal)?;
        self.state
            .store()
            .complete_mass_call(record_key, bytes.as_bytes(), now_unix_ms()?)
            .await
            .map_err(ApiError::internal)
    }

    async fn finish(&self, answer: &Value) -> Result<(), ApiError> {
        self.close_record(&flow_record_key(self.flow, &self.key), answer)
            .await
    }
}

/// Evaluates `subject` in `jurisdiction` at the flow's time against the zone's sanctions list
/// and applies the sanctions hard block. `blocked_field` names the request member whose names
/// were screened.
pub fn evaluate_and_gate(
    saga: &Saga<'_>,
    subject: EntityId,
    jurisdiction: JurisdictionId,
    facts: SubjectFacts,
    attestations: Vec<Attestation>,
    blocked_field: &str,
) -> Result<SubjectEvaluation, ApiError> {
    let index = saga.state.flows().screening()?;
    let record = SubjectRecord {
        subject,
        jurisdiction,
        attestations,
        facts,
    };
    let context = EvaluationContext {
        sanctions: Some(index),
        licences: None,
        screening: ScreeningConfig::DEFAULT,
    };
    let evaluation = evaluate_subject(&record, &context, saga.at)
        .map_err(|error| ApiError::invalid("body", &error))?;
    sanctions_gate(&evaluation).map_err(|block| {
        ApiError::invalid(
            blocked_field,
            format!(
                "sanctions hard block: the sanctions cell of {} is {} ({}); nothing was sent \
                 to Mass",
                record.subject,
                block.state.as_str(),
                serde_json::to_value(&block.reason)
                    .map(|reason| reason.to_string())
                    .unwrap_or_default()
            ),
        )
    })?;
    Ok(evaluation)
}

/// The jurisdiction a flow applies: the request's, else the zone's; a node without a zone
/// needs the request to name one.
pub fn zone_jurisdiction(
    saga: &Saga<'_>,
    requested: Option<&JurisdictionId>,
) -> Result<JurisdictionId, ApiError> {
    match (requested, saga.state.zone()) {
        (Some(jurisdiction), _) => Ok(jurisdiction.clone()),
        (None, Some(zone)) => Ok(zone.config.jurisdiction.clone()),
        (None, None) => Err(ApiError::invalid(
            "/jurisdiction_id",
            "jurisdiction_id is required on a node without a zone",
        )),
    }
}

/// The filer status withholding and the tax cell use: Mass's word, or non-filer when Mass
/// has none or one we do not know (fail closed: the higher rate).
pub fn filer_status_of(mass_word: Option<&str>) -> FilerStatus {
    match mass_word.map(MassFilerStatus::from_wire) {
        Some(MassFilerStatus::Filer) => FilerStatus::Filer,
        Some(MassFilerStatus::LateFiler) => FilerStatus::LateFiler,
        Some(MassFilerStatus::NonFiler | MassFilerStatus::Unknown(_)) | None => {
            FilerStatus::NonFiler
        }
    }
}

/// Asks Mass for `organization`'s consent to `operation_type` (step `consent`; the consent's
/// operation id is this flow's record key, so Mass can tell which request it gates).
pub async fn ask_consent(
    saga: &Saga<'_>,
    organization: &EntityId,
    operation_type: ConsentOperationType,
    requested_by: &str,
    description: String,
) -> Result<Value, ApiError> {
    let request = CreateConsent {
        organization_id: organization.to_string(),
        operation_type,
        requested_by: requested_by.to_owned(),
        operation_id: Some(flow_record_key(saga.flow, &saga.key)),
        description: Some(description),
        approvals_required: None,
    };
    saga.mass(
        "consent",
        organization,
        MassRequest::CreateConsent(request),
        |response| match response {
            MassResponse::ConsentCreated(consent) => Ok(json!({
                "id": consent.id,
                "status": consent.status.as_ref().map(|status| status.as_wire().to_owned()),
            })),
            other => Err(unexpected("consent", &other)),
        },
    )
    .await
}

/// The zone's withholding rates.
pub fn rates<'b>(saga: &'b Saga<'_>) -> Result<&'b RateBook, ApiError> {
    saga.state.flows().rates()
}

/// The end every flow shares, after all its Mass steps: record the subject's tensor, issue the
/// flow's credential (one per key, signed by the zone key at the flow's time), file the signed
/// attestation, and build the answer.
pub async fn conclude<S: CredentialSubject>(
    saga: &Saga<'_>,
    conclusion: Conclusion,
    credential_of: impl FnOnce(&RecordedTensorSummary) -> S,
) -> Result<Value, ApiError> {
    let state = saga.state;
    let tensor = saga
        .remember("tensor", async {
            let cells = conclusion.evaluation.clone().into_cells();
            let recorded = state
                .tensors()
                .record(state.store(), &conclusion.subject, cells, saga.at)
                .await?;
            summary_json(&recorded)
        })
        .await?;
    let summary = RecordedTensorSummary::from_json(&tensor)?;
    let credential_subject = credential_of(&summary);
    let credential_id = flow_credential_id(saga.flow, &saga.key);
    let status_list_id = format!("orchestration-{}", saga.flow);
    let credential = issue_once(
        state,
        &credential_subject,
        &credential_id,
        &status_list_id,
        saga.at,
    )
    .await?;
    let credential_digest = CanonicalBytes::new(&credential)
        .map_err(ApiError::internal)?
        .digest();
    let attestation = OrchestrationAttestation {
        kind: ATTESTATION_TYPE,
        flow: saga.flow,
        request_key: saga.key.clone(),
        subject: conclusion.subject.clone(),
        jurisdiction: conclusion.jurisdiction.clone(),
        mass: conclusion.mass_ids,
        credential_id: credential_id.clone(),
        credential_digest,
        tensor_digest: summary.tensor_digest,
        commitment_root: summary.commitment_root,
        attested_at: saga.at,
    }
    .sign(state.zone_key())
    .map_err(ApiError::internal)?;
    state
        .store()
        .put_attestation(&AttestationRecord {
            attestation_id: flow_attestation_id(saga.flow, &saga.key),
            subject_id: conclusion.subject.to_string(),
            attestation: CanonicalBytes::new(&attestation).map_err(ApiError::internal)?,
            created_at_unix_ms: saga.at.unix_seconds().saturating_mul(1000),
        })
        .await
        .map_err(ApiError::internal)?;
    Ok(json!({
        "flow": saga.flow,
        "idempotency_key": saga.key,
        "subject": conclusion.subject,
        "mass": conclusion.mass,
        "compliance": tensor,
        "credential": credential,
        "attestation": attestation,
    }))
}

/// What a flow's credential may say about the recorded tensor.
#[derive(Debug, Clone)]
pub struct RecordedTensorSummary {
    /// The digest of the recorded document.
    pub tensor_digest: msez_protocol::digest::Digest,
    /// Its commitment root.
    pub commitment_root: msez_protocol::digest::Digest,
    /// Cells under the root.
    pub leaf_count: u64,
}

impl RecordedTensorSummary {
    fn from_json(value: &Value) -> Result<Self, ApiError> {
        let digest = |member: &str| {
            value[member]
                .as_str()
                .and_then(|hex| msez_protocol::digest::Digest::from_hex(hex).ok())
                .ok_or_else(|| ApiError::internal(format!("tensor step record lacks {member}")))
        };
        Ok(Self {
            tensor_digest: digest("tensor_digest")?,
            commitment_root: digest("commitment_root")?,
            leaf_count: value["leaf_count"]
                .as_u64()
                .ok_or_else(|| ApiError::internal("tensor step record lacks leaf_count"))?,
        })
    }
}

fn summary_json(recorded: &RecordedTensor) -> Result<Value, ApiError> {
    let tree = recorded.tensor.commitment().map_err(ApiError::internal)?;
    Ok(json!({
        "tensor_digest": recorded.digest,
        "revision": recorded.tensor.revision(),
        "aggregate": recorded.tensor.aggregate().as_str(),
        "commitment_root": tree.root(),
        "leaf_count": tree.leaf_count(),
    }))
}

/// The Mass service a pooled request goes to.
fn service_of(request: &MassRequest) -> Service {
    match request {
        MassRequest::CreateOrganization(_)
        | MassRequest::GetOrganization
        | MassRequest::Licenses => Service::Organization,
        MassRequest::CreateTreasury(_)
        | MassRequest::CreateAccount { .. }
        | MassRequest::CreatePayment { .. } => Service::Treasury,
        MassRequest::CreateConsent(_) | MassRequest::GetConsent { .. } => Service::Consent,
        MassRequest::VerifyCnic { .. }
        | MassRequest::VerifyNtn { .. }
        | MassRequest::FilerStatus { .. }
        | MassRequest::IdentityView => Service::Identity,
    }
}

/// Whether repeating a request whose outcome is unknown is safe: reads, and writes Mass
/// deduplicates by idempotency key.
fn is_repeatable(request: &MassRequest) -> bool {
    match request {
        MassRequest::GetOrganization
        | MassRequest::Licenses
        | MassRequest::GetConsent { .. }
        | MassRequest::FilerStatus { .. }
        | MassRequest::IdentityView
        | MassRequest::CreateAccount { .. }
        | MassRequest::CreatePayment { .. } => true,
        MassRequest::CreateOrganization(_)
        | MassRequest::CreateTreasury(_)
        | MassRequest::CreateConsent(_)
        | MassRequest::VerifyCnic { .. }
        | MassRequest::VerifyNtn { .. } => false,
    }
}

/// A failed Mass step: the answer, and whether Mass certainly did not apply the call.
struct MassFailure {
    error: ApiError,
    not_applied: bool,
}

/// The HTTP meaning of a failed pooled call (module docs). Mass refusing the caller's values
/// (400, 404, 409, 422) is the caller's 4xx; everything else is a 503 naming the service and
/// its circuit state.
fn classify(state: &AppState, service: Service, error: &PoolError) -> MassFailure {
    let unavailable = |cause: &str| {
        let circuit = state
            .mass()
            .readiness()
            .into_iter()
            .find(|(known, _)| *known == service)
            .map_or("unknown", |(_, breaker)| match breaker {
                BreakerState::Closed => "closed",
                BreakerState::HalfOpen => "half_open",
                BreakerState::Open => "open",
            });
        ApiError::Unavailable {
            message: format!(
                "Mass {service} is unavailable ({cause}); circuit {circuit}; nothing was \
                 recorded for this request: retry with the same Idempotency-Key"
            ),
            retry_after: MASS_RETRY_AFTER,
        }
    };
    let (error, not_applied) = match error {
        PoolError::Mass { source, .. } => match source {
            MassError::Status {
                status: 400 | 422,
                body,
                ..
            } => (
                ApiError::invalid(
                    "body",
                    format!("Mass {service} refused the request: {body}"),
                ),
                true,
            ),
            MassError::Status { status: 404, .. } => (
                ApiError::NotFound {
                    message: format!("Mass {service} does not know a record this request names"),
                },
                true,
            ),
            MassError::Status {
                status: 409, body, ..
            } => (
                ApiError::Conflict {
                    message: format!("Mass {service} refused the request: {body}"),
                },
                true,
            ),
            MassError::Status { status, .. } => (unavailable(&format!("HTTP {status}")), true),
            MassError::CircuitOpen { .. } => (unavailable("circuit open"), true),
            MassError::Invalid { field, reason } => {
                (ApiError::invalid("body", format!("{field} {reason}")), true)
            }
            MassError::Amount { .. } => (ApiError::invalid("body", source), true),
            MassError::Config { .. } | MassError::Encode { .. } | MassError::Token { .. } => {
                (ApiError::internal(source), true)
            }
            MassError::Transport { .. } => (unavailable("no answer"), false),
            MassError::Decode { .. } | MassError::BodyTooLarge { .. } => {
                (unavailable("an answer that does not decode"), false)
            }
        },
        PoolError::Overloaded { .. } | PoolError::Stopped | PoolError::Config { .. } => {
            (unavailable("the Mass pool refused the call"), true)
        }
        PoolError::Start { .. } => (ApiError::internal(error), true),
        PoolError::Timeout { .. } | PoolError::Dropped { .. } => {
            (unavailable("no answer in time"), false)
        }
    };
    MassFailure { error, not_applied }
}

/// The pooled response of the wrong kind: a broken pool contract.
pub fn unexpected(step: &str, response: &MassResponse) -> ApiError {
    ApiError::internal(format!("Mass pool answered step {step} with {response:?}"))
}
