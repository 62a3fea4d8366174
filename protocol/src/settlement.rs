//! Settlement instructions for a netting plan (SPEC §9): the plan's legs become one
//! pacs.008.001.08 batch, each party's name, agent BIC and account taken from a party directory
//! the caller supplies with the request.
//!
//! Owns [`SettlementRequest`], [`settlement_request_from_json`], [`settlement_batch`],
//! [`SETTLEMENT_PARTIES_MAX`] and [`SettlementError`].
//!
//! Why a directory in the request: a netting plan names parties by entity id only. Names, BICs
//! and accounts are primitive records that belong to Mass and the parties' banks; MSEZ must not
//! keep its own copy, so each request brings the details its legs need and nothing is stored.
//! Directory entries no leg names are allowed (one directory can serve every corridor of a
//! zone) and ignored.
//!
//! Leg ids are `LEG-00001`, `LEG-00002`, … in plan order. A plan is deterministic for its
//! obligations, and UETRs derive from the message id and leg id, so the same plan and request
//! always render the same bytes, and a resend is recognisable as the same payment.
//!
//! Input errors name the member as a JSON pointer (`/parties/pk-bank/bic`), the form the HTTP
//! envelope's `field` carries.
//!
//! Never: stores a party record, invents a missing party's details, or changes an amount.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::ids::{EntityId, IdError};
use crate::iso20022::{
    Bic, Iso20022Error, Max35Text, Max140Text, PACS008_LEGS_MAX, Pacs008Batch, Pacs008Leg,
    Pacs008Party, RawParty, SettlementDate, batch, bic, party, text,
};
use crate::netting::NettingPlan;
use crate::time::Timestamp;

/// Most entries in one party directory: two distinct parties for each of the
/// [`PACS008_LEGS_MAX`] legs a document may hold. More could never all be used.
pub const SETTLEMENT_PARTIES_MAX: usize = 2 * PACS008_LEGS_MAX;

/// A checked settlement request: the message header and the party directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRequest {
    /// `MsgId`.
    pub message_id: Max35Text,
    /// `CreDtTm`; `None` takes the time the caller passes to [`settlement_batch`].
    pub created_at: Option<Timestamp>,
    /// `IntrBkSttlmDt` of every transaction.
    pub settlement_date: SettlementDate,
    /// `InstgAgt` of every transaction.
    pub instructing_agent_bic: Bic,
    /// Unstructured remittance written on every transaction, if any.
    pub remittance: Option<Max140Text>,
    /// Settlement details by the plan's party id.
    pub parties: BTreeMap<EntityId, Pacs008Party>,
}

/// Why a settlement request cannot become a pacs.008 batch.
#[derive(Debug, thiserror::Error)]
pub enum SettlementError {
    /// The body does not have the request's shape (a missing or unknown member).
    #[error("settlement request: {source}")]
    Json {
        /// The decoder's report.
        source: serde_json::Error,
    },
    /// A member that breaks its ISO 20022 rule; the inner error names the member.
    #[error("{0}")]
    Member(Iso20022Error),
    /// A directory key that is not an entity id.
    #[error("{field}: {source}")]
    PartyId {
        /// The member, as a JSON pointer.
        field: String,
        /// The rule broken.
        source: IdError,
    },
    /// More directory entries than [`SETTLEMENT_PARTIES_MAX`].
    #[error("parties has {party_count} entries; at most {SETTLEMENT_PARTIES_MAX} are allowed")]
    TooManyParties {
        /// Entries received.
        party_count: usize,
    },
    /// A leg names a party the directory does not describe.
    #[error("netting leg {leg_index} names party {party_id}, which parties does not describe")]
    UnknownParty {
        /// 0-based index of the leg in the plan.
        leg_index: usize,
        /// The party.
        party_id: EntityId,
    },
    /// The plan has no legs: everything netted to zero, or nothing was booked.
    #[error("the netting plan has no legs: there is nothing to settle")]
    NothingToSettle,
    /// The plan cannot be one document (more than [`PACS008_LEGS_MAX`] legs).
    #[error("{0}")]
    Batch(Iso20022Error),
}

impl SettlementError {
    /// The request member at fault as a JSON pointer, or `None` when the plan itself (not the
    /// request) is the cause.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::Json { .. } => Some("body".to_owned()),
            Self::Member(error) => Some(member_field(error)),
            Self::PartyId { field, .. } => Some(field.clone()),
            Self::TooManyParties { .. } | Self::UnknownParty { .. } => Some("/parties".to_owned()),
            Self::NothingToSettle | Self::Batch(_) => None,
        }
    }

    /// True when the corridor's plan, not the request, is why no document can be made.
    pub fn is_plan_state(&self) -> bool {
        matches!(self, Self::NothingToSettle | Self::Batch(_))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    message_id: String,
    #[serde(default)]
    created_at: Option<String>,
    settlement_date: String,
    instructing_agent_bic: String,
    #[serde(default)]
    remittance: Option<String>,
    parties: BTreeMap<String, RawParty>,
}

/// Lifts `{message_id, created_at?, settlement_date, instructing_agent_bic, remittance?,
/// parties: {party_id: {name, bic, account}}}` into a checked request.
pub fn settlement_request_from_json(value: &Value) -> Result<SettlementRequest, SettlementError> {
    let raw = RawRequest::deserialize(value).map_err(|source| SettlementError::Json { source })?;
    if raw.parties.len() > SETTLEMENT_PARTIES_MAX {
        return Err(SettlementError::TooManyParties {
            party_count: raw.parties.len(),
        });
    }
    let member = SettlementError::Member;
    let mut parties = BTreeMap::new();
    for (party_id, raw_party) in raw.parties {
        let field = format!("/parties/{}", pointer_token(&party_id));
        let details = party(raw_party, |name| format!("{field}/{name}")).map_err(member)?;
        let party_id =
            EntityId::new(party_id).map_err(|source| SettlementError::PartyId { field, source })?;
        parties.insert(party_id, details);
    }
    let created_at = match raw.created_at {
        None => None,
        Some(text) => Some(Timestamp::parse(&text).map_err(|source| {
            member(Iso20022Error::Timestamp {
                field: "/created_at".to_owned(),
                source,
            })
        })?),
    };
    Ok(SettlementRequest {
        message_id: text("/message_id", raw.message_id).map_err(member)?,
        created_at,
        settlement_date: SettlementDate::parse(&raw.settlement_date).map_err(member)?,
        instructing_agent_bic: bic("/instructing_agent_bic", &raw.instructing_agent_bic)
            .map_err(member)?,
        remittance: raw
            .remittance
            .map(|remittance| text("/remittance", remittance))
            .transpose()
            .map_err(member)?,
        parties,
    })
}

/// One pacs.008 batch for every leg of `plan`, in plan order, dated `request.created_at` or
/// else `now`.
pub fn settlement_batch(
    plan: &NettingPlan,
    request: &SettlementRequest,
    now: Timestamp,
) -> Result<Pacs008Batch, SettlementError> {
    if plan.legs().is_empty() {
        return Err(SettlementError::NothingToSettle);
    }
    let directory = |leg_index: usize, party_id: &EntityId| {
        request
            .parties
            .get(party_id)
            .cloned()
            .ok_or_else(|| SettlementError::UnknownParty {
                leg_index,
                party_id: party_id.clone(),
            })
    };
    let mut legs = Vec::with_capacity(plan.legs().len().min(PACS008_LEGS_MAX));
    for (leg_index, leg) in plan.legs().iter().enumerate() {
        legs.push(Pacs008Leg {
            leg_id: leg_id(leg_index).map_err(SettlementError::Batch)?,
            amount_minor: leg.amount_minor(),
            currency: leg.currency(),
            debtor: directory(leg_index, leg.from_party())?,
            creditor: directory(leg_index, leg.to_party())?,
            remittance: request.remittance.clone(),
        });
    }
    let batch = batch(
        request.message_id.clone(),
        request.created_at.unwrap_or(now),
        request.settlement_date.clone(),
        request.instructing_agent_bic.clone(),
        legs,
    )
    .map_err(SettlementError::Batch)?;
    debug_assert_eq!(batch.legs.len(), plan.legs().len());
    Ok(batch)
}

/// `LEG-00001` for index 0: five digits hold [`PACS008_LEGS_MAX`] legs, so ids sort as text.
fn leg_id(leg_index: usize) -> Result<Max35Text, Iso20022Error> {
    text("leg_id", format!("LEG-{:05}", leg_index + 1))
}

/// RFC 6901: `~` is written `~0` and `/` is written `~1` inside a pointer token.
fn pointer_token(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

/// The member an [`Iso20022Error`] from this module's reader names.
fn member_field(error: &Iso20022Error) -> String {
    match error {
        Iso20022Error::Text { field, .. }
        | Iso20022Error::Bic { field, .. }
        | Iso20022Error::Currency { field, .. }
        | Iso20022Error::Amount { field, .. }
        | Iso20022Error::Timestamp { field, .. } => field.clone(),
        Iso20022Error::SettlementDate { .. } => "/settlement_date".to_owned(),
        _ => "body".to_owned(),
    }
}

#[cfg(test)]
mod tests;
