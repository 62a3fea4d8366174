//! Policies and their evaluation: which policies a trigger fires, and which actions result.
//!
//! Owns [`Policy`], [`ActionTemplate`], [`PolicySet`] (policies indexed by trigger kind, in rank
//! order), [`Evaluation`], [`PlannedAction`] and [`PolicyError`].
//!
//! Never: executes an action, or lets input order change a decision.
//!
//! # Ranking and conflict resolution (the rule, stated once)
//!
//! 1. A policy applies to a trigger when the trigger kinds match, the policy's jurisdiction
//!    scope covers the trigger (a global policy covers everything; scope `PK` covers `PK` and
//!    `PK-RSEZ`; a trigger without a jurisdiction is covered only by global policies), and its
//!    condition holds (no condition: always).
//! 2. Applicable policies are ranked by priority (higher first), then specificity (more
//!    jurisdiction segments first, global last: `PK-RSEZ` > `PK` > global), then policy id
//!    (byte order). Their actions are taken in that order, each policy's in declared order.
//! 3. An action equal to one already planned (same kind, target and parameters) is dropped.
//! 4. Opposite actions on the same target (halt/resume, freeze_asset/unfreeze_asset) conflict.
//!    The action of the strictly higher tier (priority, then specificity) wins; within one tier
//!    the restrictive action wins (halt beats resume, freeze beats unfreeze). So a
//!    jurisdiction-specific policy beats a global one of the same priority, and at equal
//!    standing the engine errs on the side of safety. The loser is reported in
//!    [`Evaluation::overridden`], never silently dropped.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::conditions::{Condition, FieldPath, parse_condition};
use super::{ActionKind, Trigger, TriggerKind};
use crate::fields::{
    FieldError, as_array, as_i64_in, as_id, as_object, as_str, as_text, index_path,
};
use crate::ids::{JurisdictionId, string_id};

/// The most policies one set may hold. A zone runs tens to hundreds; 10,000 bounds memory and
/// keeps one evaluation within its budget even if every policy watched one trigger.
pub const POLICIES_MAX: usize = 10_000;

/// The most actions one policy may list. A policy that needs more is two policies.
pub const POLICY_ACTIONS_MAX: usize = 16;

/// The most parameters one action may carry. Parameters are short labels for the executor.
pub const ACTION_PARAMETERS_MAX: usize = 16;

/// The longest text (description, parameter value, literal target) in bytes.
pub const POLICY_TEXT_BYTES_MAX: usize = 1024;

/// The largest priority. Priorities are small ordinals; 1,000,000 leaves room between tiers.
pub const PRIORITY_MAX: i64 = 1_000_000;

string_id!(
    /// A policy's id, unique within a [`PolicySet`].
    PolicyId,
    "policy_id"
);

/// Where an action's target comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// The action has no target (it applies zone-wide).
    Zone,
    /// A fixed target named in the policy.
    Literal(String),
    /// The string at this path of the trigger payload.
    FromPayload(FieldPath),
}

/// One action a policy asks for, before its target is resolved against a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionTemplate {
    /// What to do.
    pub kind: ActionKind,
    /// On what.
    pub target: TargetSpec,
    /// Labels for the executor (a notification channel, a credential type).
    pub parameters: BTreeMap<String, String>,
}

/// A policy: when `trigger` happens within `jurisdiction` and `condition` holds, plan `actions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Unique id.
    pub policy_id: PolicyId,
    /// The trigger kind this policy watches.
    pub trigger: TriggerKind,
    /// Higher runs first (0..=[`PRIORITY_MAX`]).
    pub priority: u32,
    /// `None`: global. Otherwise the jurisdiction (and its sub-jurisdictions) it covers.
    pub jurisdiction: Option<JurisdictionId>,
    /// `None`: always.
    pub condition: Option<Condition>,
    /// At least one, at most [`POLICY_ACTIONS_MAX`].
    pub actions: Vec<ActionTemplate>,
}

/// An action the executor must carry out, with the policy that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedAction {
    /// What to do.
    pub kind: ActionKind,
    /// On what (`None`: zone-wide).
    pub target: Option<String>,
    /// Labels for the executor.
    pub parameters: BTreeMap<String, String>,
    /// The policy that planned it.
    pub policy_id: PolicyId,
}

/// An action that lost a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverriddenAction {
    /// The losing action.
    pub action: PlannedAction,
    /// The policy whose action won.
    pub winner_policy_id: PolicyId,
}

/// An action whose target path was absent from the payload (or not a string): not planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedAction {
    /// The policy.
    pub policy_id: PolicyId,
    /// The action kind.
    pub kind: ActionKind,
    /// The payload path that did not resolve.
    pub target_path: String,
}

/// What one trigger decided.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Evaluation {
    /// Policies that applied, in rank order.
    pub matched_policy_ids: Vec<PolicyId>,
    /// The actions to execute, in rank order, conflicts resolved.
    pub actions: Vec<PlannedAction>,
    /// Actions that lost a conflict.
    pub overridden: Vec<OverriddenAction>,
    /// Actions whose target could not be resolved.
    pub unresolved: Vec<UnresolvedAction>,
}

/// Why a policy or a policy set is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A field is missing, mistyped or malformed (including a malformed condition).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Two policies share an id.
    #[error("policy id {policy_id} appears twice")]
    DuplicatePolicyId {
        /// The repeated id.
        policy_id: PolicyId,
    },
    /// More than [`POLICIES_MAX`] policies.
    #[error("{count} policies exceed the limit of {POLICIES_MAX}")]
    TooManyPolicies {
        /// Policies received.
        count: usize,
    },
}

/// Policies indexed by trigger kind, each list in rank order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<Policy>,
    /// For each trigger kind (by declaration index), indexes into `policies` in rank order.
    by_trigger: Vec<Vec<usize>>,
}

/// A policy's standing for conflicts: priority, then specificity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Tier {
    priority: u32,
    specificity: usize,
}

impl Policy {
    fn tier(&self) -> Tier {
        Tier {
            priority: self.priority,
            specificity: self
                .jurisdiction
                .as_ref()
                .map_or(0, |scope| scope.as_str().split('-').count()),
        }
    }

    fn covers(&self, trigger: &Trigger) -> bool {
        match (&self.jurisdiction, trigger.jurisdiction()) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(scope), Some(place)) => {
                let (scope, place) = (scope.as_str(), place.as_str());
                place == scope
                    || (place.starts_with(scope)
                        && place.as_bytes().get(scope.len()) == Some(&b'-'))
            }
        }
    }

    /// The policy in its JSON form (the inverse of [`parse_policy`]).
    pub fn to_value(&self) -> Value {
        let actions: Vec<Value> = self.actions.iter().map(ActionTemplate::to_value).collect();
        let mut object = serde_json::json!({
            "policy_id": self.policy_id.as_str(),
            "trigger": self.trigger.as_str(),
            "priority": self.priority,
            "actions": actions,
        });
        if let Some(map) = object.as_object_mut() {
            if let Some(scope) = &self.jurisdiction {
                map.insert("jurisdiction".into(), scope.as_str().into());
            }
            if let Some(condition) = &self.condition {
                map.insert("condition".into(), condition.to_value());
            }
        }
        object
    }
}

impl ActionTemplate {
    fn to_value(&self) -> Value {
        let mut map = serde_json::Map::new();
        map.insert("action".into(), self.kind.as_str().into());
        match &self.target {
            TargetSpec::Zone => {}
            TargetSpec::Literal(target) => {
                map.insert("target".into(), target.as_str().into());
            }
            TargetSpec::FromPayload(path) => {
                map.insert("target_path".into(), path.as_str().into());
            }
        }
        if !self.parameters.is_empty() {
            let parameters = self
                .parameters
                .iter()
                .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
                .collect();
            map.insert("parameters".into(), Value::Object(parameters));
        }
        Value::Object(map)
    }

    fn resolve(&self, trigger: &Trigger) -> Result<Option<String>, String> {
        match &self.target {
            TargetSpec::Zone => Ok(None),
            TargetSpec::Literal(target) => Ok(Some(target.clone())),
            TargetSpec::FromPayload(path) => match path.lookup(trigger.payload()) {
                Some(Value::String(target)) => Ok(Some(target.clone())),
                _ => Err(path.as_str().to_owned()),
            },
        }
    }
}

impl PolicySet {
    /// Indexes `policies`; ids must be unique and there may be at most [`POLICIES_MAX`].
    pub fn new(policies: Vec<Policy>) -> Result<Self, PolicyError> {
        if policies.len() > POLICIES_MAX {
            return Err(PolicyError::TooManyPolicies {
                count: policies.len(),
            });
        }
        let mut ids: Vec<&PolicyId> = policies.iter().map(|p| &p.policy_id).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(PolicyError::DuplicatePolicyId {
                policy_id: pair[0].clone(),
            });
        }
        let mut by_trigger = vec![Vec::new(); TriggerKind::ALL.len()];
        for (index, policy) in policies.iter().enumerate() {
            if let Some(list) = by_trigger.get_mut(policy.trigger as usize) {
                list.push(index);
            }
        }
        for list in &mut by_trigger {
            list.sort_by(|&a, &b| match (policies.get(a), policies.get(b)) {
                (Some(a), Some(b)) => (b.tier(), &a.policy_id).cmp(&(a.tier(), &b.policy_id)),
                _ => std::cmp::Ordering::Equal,
            });
        }
        Ok(Self {
            policies,
            by_trigger,
        })
    }

    /// The policies, in the order given.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Decides what `trigger` requires. Pure and deterministic: the same set and trigger give
    /// the same evaluation, whatever order the policies were given in.
    pub fn evaluate(&self, trigger: &Trigger) -> Evaluation {
        let mut evaluation = Evaluation::default();
        // Tier of the policy behind each planned action, parallel to `evaluation.actions`.
        let mut tiers: Vec<Tier> = Vec::new();
        let ranked = self
            .by_trigger
            .get(trigger.kind() as usize)
            .map_or(&[][..], Vec::as_slice);
        for policy in ranked.iter().filter_map(|&index| self.policies.get(index)) {
            let applies = policy.covers(trigger)
                && policy
                    .condition
                    .as_ref()
                    .is_none_or(|c| c.holds(trigger.payload()));
            if !applies {
                continue;
            }
            evaluation.matched_policy_ids.push(policy.policy_id.clone());
            for template in &policy.actions {
                let target = match template.resolve(trigger) {
                    Ok(target) => target,
                    Err(target_path) => {
                        evaluation.unresolved.push(UnresolvedAction {
                            policy_id: policy.policy_id.clone(),
                            kind: template.kind,
                            target_path,
                        });
                        continue;
                    }
                };
                let action = PlannedAction {
                    kind: template.kind,
                    target,
                    parameters: template.parameters.clone(),
                    policy_id: policy.policy_id.clone(),
                };
                plan(&mut evaluation, &mut tiers, action, policy.tier());
            }
        }
        evaluation
    }
}

/// Adds `action` (from a policy of `tier`, ranked at or below every planned one) to the plan,
/// applying rules 3 and 4 of the module docs.
fn plan(evaluation: &mut Evaluation, tiers: &mut Vec<Tier>, action: PlannedAction, tier: Tier) {
    let duplicate = evaluation.actions.iter().any(|planned| {
        planned.kind == action.kind
            && planned.target == action.target
            && planned.parameters == action.parameters
    });
    if duplicate {
        return;
    }
    let conflict = evaluation.actions.iter().position(|planned| {
        Some(planned.kind) == action.kind.opposite() && planned.target == action.target
    });
    let Some(position) = conflict else {
        evaluation.actions.push(action);
        tiers.push(tier);
        return;
    };
    let planned_tier = tiers.get(position).copied().unwrap_or(tier);
    let newcomer_wins = planned_tier == tier && action.kind.is_restrictive();
    match evaluation.actions.get_mut(position) {
        Some(planned) if newcomer_wins => {
            let winner_policy_id = action.policy_id.clone();
            let loser = std::mem::replace(planned, action);
            evaluation.overridden.push(OverriddenAction {
                action: loser,
                winner_policy_id,
            });
        }
        Some(planned) => evaluation.overridden.push(OverriddenAction {
            winner_policy_id: planned.policy_id.clone(),
            action,
        }),
        None => {}
    }
}

/// Parses one policy from its JSON form at `path`. Every error names the offending field,
/// down to a malformed sub-condition (`$.policies[3].condition.conditions[1].path`).
pub fn parse_policy(value: &Value, path: &str) -> Result<Policy, PolicyError> {
    let fields = as_object(value, path)?;
    fields.only(&[
        "policy_id",
        "description",
        "trigger",
        "priority",
        "jurisdiction",
        "condition",
        "actions",
    ])?;
    let policy_id = as_id(
        fields.required("policy_id")?,
        &fields.child("policy_id"),
        PolicyId::new,
    )?;
    if let Some(description) = fields.optional("description") {
        as_text(
            description,
            &fields.child("description"),
            POLICY_TEXT_BYTES_MAX,
        )?;
    }
    let trigger = TriggerKind::parse_word(fields.required("trigger")?, &fields.child("trigger"))?;
    let priority = as_i64_in(
        fields.required("priority")?,
        &fields.child("priority"),
        0,
        PRIORITY_MAX,
    )?;
    let jurisdiction = fields
        .optional("jurisdiction")
        .map(|v| as_id(v, &fields.child("jurisdiction"), JurisdictionId::new))
        .transpose()?;
    let condition = fields
        .optional("condition")
        .map(|v| parse_condition(v, &fields.child("condition")))
        .transpose()?;
    let actions_path = fields.child("actions");
    let items = as_array(
        fields.required("actions")?,
        &actions_path,
        POLICY_ACTIONS_MAX,
    )?;
    if items.is_empty() {
        return Err(FieldError::Empty { path: actions_path }.into());
    }
    let actions = items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_action(item, &index_path(&actions_path, index)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy {
        policy_id,
        trigger,
        priority: u32::try_from(priority).unwrap_or(u32::MAX),
        jurisdiction,
        condition,
        actions,
    })
}

/// Parses a policy document `{"policies":[...]}` and indexes it.
pub fn parse_policy_set(input: &[u8]) -> Result<PolicySet, PolicyError> {
    let document = crate::fields::parse_json(input)?;
    let fields = as_object(&document, "$")?;
    fields.only(&["policies"])?;
    let list_path = fields.child("policies");
    let items = as_array(fields.required("policies")?, &list_path, POLICIES_MAX)?;
    let policies = items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_policy(item, &index_path(&list_path, index)))
        .collect::<Result<Vec<_>, _>>()?;
    PolicySet::new(policies)
}

fn parse_action(value: &Value, path: &str) -> Result<ActionTemplate, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["action", "target", "target_path", "parameters"])?;
    let kind = ActionKind::parse_word(fields.required("action")?, &fields.child("action"))?;
    let target = match (fields.optional("target"), fields.optional("target_path")) {
        (Some(_), Some(_)) => {
            return Err(FieldError::Unknown {
                path: fields.child("target_path"),
            });
        }
        (Some(target), None) => TargetSpec::Literal(as_text(
            target,
            &fields.child("target"),
            POLICY_TEXT_BYTES_MAX,
        )?),
        (None, Some(target_path)) => {
            let field = fields.child("target_path");
            TargetSpec::FromPayload(FieldPath::parse(as_str(target_path, &field)?, &field)?)
        }
        (None, None) => TargetSpec::Zone,
    };
    let mut parameters = BTreeMap::new();
    if let Some(raw) = fields.optional("parameters") {
        let parameters_path = fields.child("parameters");
        let object = as_object(raw, &parameters_path)?;
        if object.member_count() > ACTION_PARAMETERS_MAX {
            return Err(FieldError::TooLong {
                path: parameters_path.clone(),
                length: object.member_count(),
                limit: ACTION_PARAMETERS_MAX,
            });
        }
        for (key, value) in object.members() {
            let value_text = as_text(value, &object.child(key), POLICY_TEXT_BYTES_MAX)?;
            parameters.insert(key.clone(), value_text);
        }
    }
    Ok(ActionTemplate {
        kind,
        target,
        parameters,
    })
}

#[cfg(test)]
mod tests;
