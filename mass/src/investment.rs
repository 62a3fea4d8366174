//! OWNERSHIP: the `investment-info` service (fundraisers and investments).
//!
//! Owns [`InvestmentClient`] and the domain types [`Fundraiser`], [`FundraiserRequest`],
//! [`Investment`], [`InvestmentRequest`] (amounts as [`Money`]).
//!
//! Never: sends an investment without an idempotency key; rounds an amount.
//!
//! Assumed contract (no OpenAPI document is published for this service; the sandbox mirrors it):
//! - `POST fundraiser/create` `{organizationId, name, targetAmount, currency, shareClassId?,
//!   closesAt?}` → `Fundraiser` `{id, ..., raisedAmount, status}`; `GET fundraiser/{id}`;
//!   `GET fundraiser/organization/{organizationId}` → `[Fundraiser]`.
//! - `POST investment/create` `{fundraiserId, investorEntityId, amount, currency}` +
//!   `Idempotency-Key` → `Investment`; `GET investment/{id}`;
//!   `GET investment/fundraiser/{fundraiserId}` → `[Investment]`. An investment's currency must
//!   be the fundraiser's; it raises `raisedAmount`.

use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::amount::{Money, wire_money};
use crate::error::MassError;
use crate::transport::{Call, ServiceTransport};
use crate::wire::{IdempotencyKey, required};

/// `investment-info` operations.
#[derive(Debug, Clone)]
pub struct InvestmentClient {
    transport: Arc<ServiceTransport>,
}

/// A new fundraiser.
#[derive(Debug, Clone, PartialEq)]
pub struct FundraiserRequest {
    /// Raising organization.
    pub organization_id: EntityId,
    /// Name.
    pub name: String,
    /// Target amount.
    pub target: Money,
    /// Share class offered.
    pub share_class_id: Option<String>,
    /// Closing date (RFC 3339).
    pub closes_at: Option<String>,
}

/// A fundraiser with amounts in minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Fundraiser {
    /// Fundraiser id.
    pub id: String,
    /// Raising organization.
    pub organization_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Target amount.
    pub target: Money,
    /// Raised so far (zero when Mass omits it).
    pub raised: Money,
    /// Lifecycle.
    pub status: Option<FundraiserStatus>,
    /// Share class offered.
    pub share_class_id: Option<String>,
    /// Closing date.
    pub closes_at: Option<String>,
}

/// A new investment into a fundraiser.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestmentRequest {
    /// Fundraiser.
    pub fundraiser_id: String,
    /// Investor.
    pub investor_entity_id: EntityId,
    /// Amount.
    pub amount: Money,
}

/// An investment with its amount in minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Investment {
    /// Investment id.
    pub id: String,
    /// Fundraiser.
    pub fundraiser_id: Option<String>,
    /// Raising organization.
    pub organization_id: Option<String>,
    /// Investor.
    pub investor_entity_id: Option<String>,
    /// Amount.
    pub amount: Money,
    /// Lifecycle.
    pub status: Option<InvestmentStatus>,
}

impl InvestmentClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> InvestmentClient {
        InvestmentClient { transport }
    }

    /// `POST fundraiser/create`. Not retried.
    pub async fn create_fundraiser(
        &self,
        request: &FundraiserRequest,
    ) -> Result<Fundraiser, MassError> {
        let body = CreateFundraiserWire {
            organization_id: request.organization_id.as_str().to_owned(),
            name: request.name.clone(),
            target_amount: request
                .target
                .to_wire()
                .map_err(|source| MassError::Amount {
                    field: "targetAmount",
                    source,
                })?,
            currency: request.target.currency.as_str().to_owned(),
            share_class_id: request.share_class_id.clone(),
            closes_at: request.closes_at.clone(),
        };
        let wire: FundraiserWire = self
            .transport
            .json(Call::post_json(&["fundraiser", "create"], &body)?)
            .await?;
        Fundraiser::try_from(wire)
    }

    /// `GET fundraiser/{id}`; a 404 is `None`.
    pub async fn fundraiser(&self, fundraiser_id: &str) -> Result<Option<Fundraiser>, MassError> {
        let wire: Option<FundraiserWire> = self
            .transport
            .json_optional(Call::get(&["fundraiser", fundraiser_id]))
            .await?;
        wire.map(Fundraiser::try_from).transpose()
    }

    /// `GET fundraiser/organization/{organizationId}`.
    pub async fn fundraisers_of(
        &self,
        organization_id: &EntityId,
    ) -> Result<Vec<Fundraiser>, MassError> {
        let call = Call::get(&["fundraiser", "organization", organization_id.as_str()]);
        let wires: Vec<FundraiserWire> = self.transport.json(call).await?;
        wires.into_iter().map(Fundraiser::try_from).collect()
    }

    /// `POST investment/create` with an idempotency key (required).
    pub async fn create_investment(
        &self,
        request: &InvestmentRequest,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Investment, MassError> {
        let body = CreateInvestmentWire {
            fundraiser_id: request.fundraiser_id.clone(),
            investor_entity_id: request.investor_entity_id.as_str().to_owned(),
            amount: request
                .amount
                .to_wire()
                .map_err(|source| MassError::Amount {
                    field: "amount",
                    source,
                })?,
            currency: request.amount.currency.as_str().to_owned(),
        };
        let call = Call::post_json(&["investment", "create"], &body)?.idempotent(idempotency_key);
        let wire: InvestmentWire = self.transport.json(call).await?;
        Investment::try_from(wire)
    }

    /// `GET investment/{id}`; a 404 is `None`.
    pub async fn investment(&self, investment_id: &str) -> Result<Option<Investment>, MassError> {
        let wire: Option<InvestmentWire> = self
            .transport
            .json_optional(Call::get(&["investment", investment_id]))
            .await?;
        wire.map(Investment::try_from).transpose()
    }

    /// `GET investment/fundraiser/{fundraiserId}`.
    pub async fn investments_in(&self, fundraiser_id: &str) -> Result<Vec<Investment>, MassError> {
        let wires: Vec<InvestmentWire> = self
            .transport
            .json(Call::get(&["investment", "fundraiser", fundraiser_id]))
            .await?;
        wires.into_iter().map(Investment::try_from).collect()
    }
}

impl TryFrom<FundraiserWire> for Fundraiser {
    type Error = MassError;

    fn try_from(wire: FundraiserWire) -> Result<Fundraiser, MassError> {
        let currency = wire.currency.as_deref();
        let target = wire_money("targetAmount", wire.target_amount, currency)?;
        let raised = wire_money(
            "raisedAmount",
            Some(wire.raised_amount.unwrap_or(0.0)),
            currency,
        )?;
        Ok(Fundraiser {
            id: required("id", wire.id)?,
            organization_id: wire.organization_id,
            name: wire.name,
            target,
            raised,
            status: wire.status,
            share_class_id: wire.share_class_id,
            closes_at: wire.closes_at,
        })
    }
}

impl TryFrom<InvestmentWire> for Investment {
    type Error = MassError;

    fn try_from(wire: InvestmentWire) -> Result<Investment, MassError> {
        let amount = wire_money("amount", wire.amount, wire.currency.as_deref())?;
        Ok(Investment {
            id: required("id", wire.id)?,
            fundraiser_id: wire.fundraiser_id,
            organization_id: wire.organization_id,
            investor_entity_id: wire.investor_entity_id,
            amount,
            status: wire.status,
        })
    }
}

crate::open_enum!(
    /// Lifecycle of a fundraiser.
    FundraiserStatus {
        /// `DRAFT`.
        Draft => "DRAFT",
        /// `OPEN`.
        Open => "OPEN",
        /// `CLOSED`.
        Closed => "CLOSED",
        /// `CANCELLED`.
        Cancelled => "CANCELLED",
    }
);

crate::open_enum!(
    /// Lifecycle of an investment.
    InvestmentStatus {
        /// `PENDING`.
        Pending => "PENDING",
        /// `COMMITTED`.
        Committed => "COMMITTED",
        /// `FUNDED`.
        Funded => "FUNDED",
        /// `CANCELLED`.
        Cancelled => "CANCELLED",
    }
);

/// Body of fundraiser creation as it crosses the wire.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateFundraiserWire {
    /// Raising organization (required).
    pub organization_id: String,
    /// Name (required).
    pub name: String,
    /// Target as a decimal number (required).
    pub target_amount: f64,
    /// ISO 4217 code (required).
    pub currency: String,
    /// Share class offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_class_id: Option<String>,
    /// Closing date (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
}

/// A fundraiser as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FundraiserWire {
    /// Fundraiser id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Raising organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_amount: Option<f64>,
    /// Raised so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_amount: Option<f64>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FundraiserStatus>,
    /// Share class offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_class_id: Option<String>,
    /// Closing date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    /// Created at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// Body of investment creation as it crosses the wire.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateInvestmentWire {
    /// Fundraiser (required).
    pub fundraiser_id: String,
    /// Investor (required).
    pub investor_entity_id: String,
    /// Amount as a decimal number (required).
    pub amount: f64,
    /// ISO 4217 code (required).
    pub currency: String,
}

/// An investment as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InvestmentWire {
    /// Investment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Fundraiser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fundraiser_id: Option<String>,
    /// Raising organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Investor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investor_entity_id: Option<String>,
    /// Amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InvestmentStatus>,
    /// Created at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}
