//! Sandbox routes of `templating-engine`: signing requests, submissions, templates.
//!
//! Owns the handlers and the two templates every sandbox starts with ([`seed_templates`]):
//! `SHAREHOLDER_CONSENT` (grouping CONSENT) and `SUBSCRIPTION_AGREEMENT` (grouping FUNDRAISER).
//!
//! Never: renders or signs a document. A submission stays AWAITING_SIGNATURES; signing links
//! point at `sandbox.invalid`, a name that can never resolve.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::Service;
use crate::sandbox::state::{SandboxError, SandboxState, Store, found, parse_body};
use crate::templating::{
    SigningOrder, SigningRequest, Submission, SubmissionResponse, SubmissionStatus, Template,
    TemplateContext, TemplateField, TemplateOptions, TemplateSummary,
};

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/template/sign", post(sign))
        .route("/template/available", get(available))
        .route("/template/{id}", get(template))
        .route("/submission/all", get(submissions))
        .route("/submission/batch", post(batch))
        .route("/submission/{id}", get(submission))
}

/// Adds the sandbox's two templates.
pub(crate) fn seed_templates(store: &mut Store) {
    for (kind, name, grouping) in [
        (
            "SHAREHOLDER_CONSENT",
            "Shareholder consent (sandbox)",
            "CONSENT",
        ),
        (
            "SUBSCRIPTION_AGREEMENT",
            "Subscription agreement (sandbox)",
            "FUNDRAISER",
        ),
    ] {
        let id = store.next_id();
        let field = TemplateField {
            id: Some(store.next_id()),
            name: Some("signerName".to_owned()),
            field_type: Some("TEXT".to_owned()),
            required: Some(true),
            ..Default::default()
        };
        let template = Template {
            id: Some(id.clone()),
            name: Some(name.to_owned()),
            context: Some(TemplateContext::Docuseal),
            version: Some(1.0),
            kind: Some(kind.to_owned()),
            grouping: Some(grouping.to_owned()),
            status: Some("ACTIVE".to_owned()),
            fields: vec![field],
            created_at: Some(store.now()),
            ..Default::default()
        };
        store.templates.insert(id, template);
    }
}

async fn sign(
    State(state): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let request: SigningRequest = parse_body(&body, &["entityId", "templateTypes", "signers"])?;
    if request.signers.is_empty() {
        return Err(SandboxError::MissingField {
            field: "signers".to_owned(),
        });
    }
    state.idempotent(Service::Templating, &headers, &body, false, |store| {
        create_submission(store, request)
    })
}

fn create_submission(
    store: &mut Store,
    request: SigningRequest,
) -> Result<SubmissionResponse, SandboxError> {
    let mut summaries = Vec::new();
    for kind in &request.template_types {
        let template = store
            .templates
            .values()
            .find(|template| template.kind.as_deref() == Some(kind.as_str()))
            .ok_or_else(|| SandboxError::InvalidField {
                field: "templateTypes".to_owned(),
                reason: format!("no template of type {kind}"),
            })?;
        summaries.push(TemplateSummary {
            id: template.id.clone(),
            kind: template.kind.clone(),
            name: template.name.clone(),
            grouping: template.grouping.clone(),
        });
    }
    let id = store.next_id();
    let now = store.now();
    let signers = request
        .signers
        .into_iter()
        .map(|signer| {
            let signer_id = store.next_id();
            crate::templating::Signer {
                signing_link: Some(format!("https://sandbox.invalid/sign/{signer_id}")),
                id: Some(signer_id),
                status: Some(SubmissionStatus::AwaitingSignatures),
                sent_at: Some(now.clone()),
                ..signer
            }
        })
        .collect();
    let submission = Submission {
        id: Some(id.clone()),
        entity_id: request.entity_id,
        context: Some(TemplateContext::Docuseal),
        status: Some(SubmissionStatus::AwaitingSignatures),
        signing_order: Some(request.signing_order.unwrap_or(SigningOrder::Random)),
        template: summaries,
        signers,
        created_at: Some(now.clone()),
        updated_at: Some(now),
        parent_submission_id: request.parent_submission_id,
        ..Default::default()
    };
    store.submissions.insert(id.clone(), submission.clone());
    Ok(SubmissionResponse {
        id: Some(id),
        submissions: vec![submission],
    })
}

async fn submission(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<SubmissionResponse>, SandboxError> {
    let store = state.store();
    let submission = found(&store.submissions, "submission", &id)?.clone();
    Ok(Json(SubmissionResponse {
        id: Some(id),
        submissions: vec![submission],
    }))
}

/// `entityId` and repeated `filterGrouping` from a raw query.
fn entity_and_groupings(query: Option<String>) -> (Option<String>, Vec<String>) {
    let pairs = super::form_decode(query.unwrap_or_default().as_bytes());
    let entity_id = pairs
        .iter()
        .find(|(key, _)| key == "entityId")
        .map(|(_, value)| value.to_string());
    let groupings = pairs
        .iter()
        .filter(|(key, _)| key == "filterGrouping")
        .map(|(_, value)| value.to_string())
        .collect();
    (entity_id, groupings)
}

fn grouping_matches(groupings: &[String], grouping: Option<&str>) -> bool {
    groupings.is_empty()
        || grouping.is_some_and(|grouping| groupings.iter().any(|wanted| wanted == grouping))
}

async fn submissions(
    State(state): AppState,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<Submission>>, SandboxError> {
    let (entity_id, groupings) = entity_and_groupings(query);
    let entity_id = entity_id.ok_or(SandboxError::MissingField {
        field: "entityId".to_owned(),
    })?;
    let store = state.store();
    let matching = store.submissions.values().filter(|submission| {
        submission.entity_id.as_deref() == Some(entity_id.as_str())
            && submission
                .template
                .iter()
                .any(|t| grouping_matches(&groupings, t.grouping.as_deref()))
    });
    Ok(Json(matching.cloned().collect()))
}

async fn batch(State(state): AppState, body: Bytes) -> Result<Json<Vec<Submission>>, SandboxError> {
    let ids: Vec<String> =
        serde_json::from_slice(&body).map_err(|error| SandboxError::InvalidField {
            field: "body".to_owned(),
            reason: error.to_string(),
        })?;
    let store = state.store();
    Ok(Json(
        ids.iter()
            .filter_map(|id| store.submissions.get(id).cloned())
            .collect(),
    ))
}

async fn template(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Template>, SandboxError> {
    let store = state.store();
    found(&store.templates, "template", &id).cloned().map(Json)
}

async fn available(
    State(state): AppState,
    RawQuery(query): RawQuery,
) -> Json<Vec<TemplateOptions>> {
    let (entity_id, groupings) = entity_and_groupings(query);
    let store = state.store();
    let options = store
        .templates
        .values()
        .filter(|template| grouping_matches(&groupings, template.grouping.as_deref()))
        .map(|template| TemplateOptions {
            template_type: template.kind.clone(),
            template_name: template.name.clone(),
            entity_id: entity_id.clone(),
            template_id: template.id.clone(),
            document_uri: None,
        });
    Json(options.collect())
}
