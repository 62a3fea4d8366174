//! Policy versions: what a zone keeps for one policy id over time, and how the latest versions
//! compose with the baseline policies into the set in force.
//!
//! Owns [`PolicyVersion`] (an active policy, or the retirement of an id), [`parse_policy_version`]
//! and its inverse [`PolicyVersion::to_value`], and [`compose_policy_set`].
//!
//! A version document is either a policy (the form [`super::policy::parse_policy`] reads) or a
//! retirement `{"policy_id": "...", "retired": true}`. Versions are immutable once stored; a
//! change is a new version, and retiring is a version too, so the history of every policy stays
//! readable.
//!
//! Composition (the rule, stated once): start from the baseline policies; for each policy id
//! with stored versions, its latest version replaces the baseline policy of that id (active) or
//! removes it (retired). So an operator can tune or switch off a baseline policy without a
//! release, and the result never depends on the order versions are given in.
//!
//! Never: reads a store, or picks the latest version itself (the caller passes latest versions).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::policy::{Policy, PolicyError, PolicyId, PolicySet, parse_policy};
use crate::fields::{FieldError, as_id, as_object};

/// The member that marks a retirement.
const RETIRED_MEMBER: &str = "retired";

/// One stored version of a policy id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyVersion {
    /// The policy in force from this version on.
    Active(Policy),
    /// The policy id is switched off from this version on.
    Retired {
        /// The retired id.
        policy_id: PolicyId,
    },
}

impl PolicyVersion {
    /// The policy id this version is about.
    pub fn policy_id(&self) -> &PolicyId {
        match self {
            PolicyVersion::Active(policy) => &policy.policy_id,
            PolicyVersion::Retired { policy_id } => policy_id,
        }
    }

    /// The version document (the inverse of [`parse_policy_version`]).
    pub fn to_value(&self) -> Value {
        match self {
            PolicyVersion::Active(policy) => policy.to_value(),
            PolicyVersion::Retired { policy_id } => {
                json!({ "policy_id": policy_id.as_str(), RETIRED_MEMBER: true })
            }
        }
    }
}

/// Reads a version document at `path`: a retirement when it carries `retired`, a policy
/// otherwise. Every error names the offending member.
pub fn parse_policy_version(value: &Value, path: &str) -> Result<PolicyVersion, PolicyError> {
    let fields = as_object(value, path)?;
    let Some(retired) = fields.optional(RETIRED_MEMBER) else {
        return Ok(PolicyVersion::Active(parse_policy(value, path)?));
    };
    fields.only(&["policy_id", RETIRED_MEMBER])?;
    if retired != &Value::Bool(true) {
        return Err(FieldError::WrongType {
            path: fields.child(RETIRED_MEMBER),
            expected: "true",
        }
        .into());
    }
    let policy_id = as_id(
        fields.required("policy_id")?,
        &fields.child("policy_id"),
        PolicyId::new,
    )?;
    Ok(PolicyVersion::Retired { policy_id })
}

/// The set in force: `baseline`, with each id of `latest` replaced or removed by its version
/// (module docs). `latest` holds at most one version per id; a second is
/// [`PolicyError::DuplicatePolicyId`]. The set's own bounds apply to the result.
pub fn compose_policy_set(
    baseline: &[Policy],
    latest: Vec<PolicyVersion>,
) -> Result<PolicySet, PolicyError> {
    let mut in_force: BTreeMap<PolicyId, Policy> = baseline
        .iter()
        .map(|policy| (policy.policy_id.clone(), policy.clone()))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for version in latest {
        if !seen.insert(version.policy_id().clone()) {
            return Err(PolicyError::DuplicatePolicyId {
                policy_id: version.policy_id().clone(),
            });
        }
        match version {
            PolicyVersion::Active(policy) => {
                in_force.insert(policy.policy_id.clone(), policy);
            }
            PolicyVersion::Retired { policy_id } => {
                in_force.remove(&policy_id);
            }
        }
    }
    PolicySet::new(in_force.into_values().collect())
}

#[cfg(test)]
mod tests;
