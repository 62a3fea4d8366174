//! Sandbox routes of `investment-info`: fundraisers and investments.
//!
//! Owns the handlers. An investment must match its fundraiser's currency and raises the
//! fundraiser's `raisedAmount`; amounts are kept in minor units.
//!
//! Never: models investor accreditation, closing, or funds movement.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use crate::amount::Money;
use crate::error::Service;
use crate::investment::{
    CreateFundraiserWire, CreateInvestmentWire, FundraiserStatus, FundraiserWire, InvestmentStatus,
    InvestmentWire,
};
use crate::sandbox::state::{
    SandboxError, SandboxFundraiser, SandboxInvestment, SandboxState, found, non_blank, parse_body,
};
use crate::sandbox::treasury::decimal;

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/fundraiser/create", post(create_fundraiser))
        .route(
            "/fundraiser/organization/{organization_id}",
            get(fundraisers_of),
        )
        .route("/fundraiser/{id}", get(fundraiser))
        .route("/investment/create", post(create_investment))
        .route(
            "/investment/fundraiser/{fundraiser_id}",
            get(investments_in),
        )
        .route("/investment/{id}", get(investment))
}

fn money(field: &str, decimal: f64, currency: &str) -> Result<Money, SandboxError> {
    Money::from_wire(decimal, currency).map_err(|error| SandboxError::InvalidField {
        field: field.to_owned(),
        reason: error.to_string(),
    })
}

async fn create_fundraiser(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<FundraiserWire>, SandboxError> {
    let request: CreateFundraiserWire = parse_body(
        &body,
        &["organizationId", "name", "targetAmount", "currency"],
    )?;
    non_blank("organizationId", &request.organization_id)?;
    let target = money("targetAmount", request.target_amount, &request.currency)?;
    let mut store = state.store();
    let fundraiser = SandboxFundraiser {
        id: store.next_id(),
        organization_id: request.organization_id,
        name: request.name,
        target,
        raised_minor: 0,
        share_class_id: request.share_class_id,
        closes_at: request.closes_at,
        created_at: store.now(),
    };
    store
        .fundraisers
        .insert(fundraiser.id.clone(), fundraiser.clone());
    fundraiser_wire(&fundraiser).map(Json)
}

async fn fundraiser(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<FundraiserWire>, SandboxError> {
    let store = state.store();
    fundraiser_wire(found(&store.fundraisers, "fundraiser", &id)?).map(Json)
}

async fn fundraisers_of(
    State(state): AppState,
    Path(organization_id): Path<String>,
) -> Result<Json<Vec<FundraiserWire>>, SandboxError> {
    let store = state.store();
    let owned = store
        .fundraisers
        .values()
        .filter(|f| f.organization_id == organization_id);
    owned
        .map(fundraiser_wire)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
}

async fn create_investment(
    State(state): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let request: CreateInvestmentWire = parse_body(
        &body,
        &["fundraiserId", "investorEntityId", "amount", "currency"],
    )?;
    let amount = money("amount", request.amount, &request.currency)?;
    state.idempotent(Service::Investment, &headers, &body, true, |store| {
        let fundraiser = found(&store.fundraisers, "fundraiser", &request.fundraiser_id)?;
        if fundraiser.target.currency != amount.currency {
            return Err(SandboxError::InvalidField {
                field: "currency".to_owned(),
                reason: format!("fundraiser raises {}", fundraiser.target.currency),
            });
        }
        let organization_id = fundraiser.organization_id.clone();
        let investment = SandboxInvestment {
            id: store.next_id(),
            fundraiser_id: request.fundraiser_id.clone(),
            organization_id,
            investor_entity_id: request.investor_entity_id.clone(),
            amount,
            created_at: store.now(),
        };
        if let Some(fundraiser) = store.fundraisers.get_mut(&request.fundraiser_id) {
            fundraiser.raised_minor += amount.amount_minor;
        }
        store
            .investments
            .insert(investment.id.clone(), investment.clone());
        investment_wire(&investment)
    })
}

async fn investment(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<InvestmentWire>, SandboxError> {
    let store = state.store();
    investment_wire(found(&store.investments, "investment", &id)?).map(Json)
}

async fn investments_in(
    State(state): AppState,
    Path(fundraiser_id): Path<String>,
) -> Result<Json<Vec<InvestmentWire>>, SandboxError> {
    let store = state.store();
    let matching = store
        .investments
        .values()
        .filter(|i| i.fundraiser_id == fundraiser_id);
    matching
        .map(investment_wire)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
}

fn fundraiser_wire(fundraiser: &SandboxFundraiser) -> Result<FundraiserWire, SandboxError> {
    let raised = Money {
        amount_minor: fundraiser.raised_minor,
        currency: fundraiser.target.currency,
    };
    Ok(FundraiserWire {
        id: Some(fundraiser.id.clone()),
        organization_id: Some(fundraiser.organization_id.clone()),
        name: Some(fundraiser.name.clone()),
        target_amount: Some(decimal("targetAmount", fundraiser.target)?),
        raised_amount: Some(decimal("raisedAmount", raised)?),
        currency: Some(fundraiser.target.currency.as_str().to_owned()),
        status: Some(FundraiserStatus::Open),
        share_class_id: fundraiser.share_class_id.clone(),
        closes_at: fundraiser.closes_at.clone(),
        created_at: Some(fundraiser.created_at.clone()),
    })
}

fn investment_wire(investment: &SandboxInvestment) -> Result<InvestmentWire, SandboxError> {
    Ok(InvestmentWire {
        id: Some(investment.id.clone()),
        fundraiser_id: Some(investment.fundraiser_id.clone()),
        organization_id: Some(investment.organization_id.clone()),
        investor_entity_id: Some(investment.investor_entity_id.clone()),
        amount: Some(decimal("amount", investment.amount)?),
        currency: Some(investment.amount.currency.as_str().to_owned()),
        status: Some(InvestmentStatus::Committed),
        created_at: Some(investment.created_at.clone()),
    })
}
