//! Agentic routes and the agentic actor's answers in HTTP terms: a sanctions sweep and each
//! decision as JSON, and the one mapping from `AgenticError` to a status.
//!
//! Never: decides anything (the agentic actor and its policies do), or shows an internal cause.

use std::time::Duration;

use msez_actors::agentic::{AgenticError, Decision, SanctionsSweep, UnscreenedParty};
use serde_json::{Value, json};

use crate::server::error::ApiError;

/// How long a caller should wait before retrying when the agentic actor is busy or restarting.
pub const AGENTIC_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A sanctions sweep: what was screened, each match's decision, each party not screened.
pub(crate) fn sweep_json(sweep: &SanctionsSweep) -> Value {
    json!({
        "list_digest": sweep.list_digest.to_hex(),
        "parties_screened": sweep.parties_screened,
        "decisions": sweep.decisions.iter().map(decision_json).collect::<Vec<_>>(),
        "unscreened": sweep.unscreened.iter().map(unscreened_json).collect::<Vec<_>>(),
    })
}

/// One decision: the trigger, the policies that matched, and what each action came to.
pub(crate) fn decision_json(decision: &Decision) -> Value {
    let outcomes: Vec<Value> = decision
        .outcomes
        .iter()
        .map(|outcome| {
            json!({
                "action": outcome.action.kind.as_str(),
                "target": outcome.action.target,
                "policy_id": outcome.action.policy_id.as_str(),
                "result": outcome.result.as_word(),
                "reason": outcome.result.failure_reason(),
            })
        })
        .collect();
    json!({
        "trigger": decision.trigger.as_str(),
        "matched_policy_ids": decision
            .evaluation
            .matched_policy_ids
            .iter()
            .map(|policy_id| policy_id.as_str())
            .collect::<Vec<_>>(),
        "decision_sequence": decision.decision_sequence,
        "outcome_sequence": decision.outcome_sequence,
        "outcomes": outcomes,
    })
}

fn unscreened_json(party: &UnscreenedParty) -> Value {
    json!({
        "corridor_id": party.corridor_id.as_str(),
        "entity_id": party.entity_id.as_str(),
        "reason": party.reason.to_string(),
    })
}

/// The HTTP meaning of the agentic actor's refusal. `context` says what was already done (a
/// filed regpack), so the caller knows a retry is safe.
pub(crate) fn agentic_error(error: AgenticError, context: &str) -> ApiError {
    match error {
        AgenticError::Sanctions(reason) => {
            ApiError::invalid("/pack/sanctions", format!("{context}{reason}"))
        }
        AgenticError::Timeout { .. }
        | AgenticError::Unavailable
        | AgenticError::Corridors(_)
        | AgenticError::TooManyParties { .. } => {
            tracing::warn!(%error, "agentic actor could not answer");
            ApiError::Unavailable {
                message: format!("{context}the agentic engine could not answer: {error}"),
                retry_after: AGENTIC_RETRY_AFTER,
            }
        }
        AgenticError::Payload { .. } | AgenticError::RulingId { .. } => ApiError::internal(error),
    }
}
