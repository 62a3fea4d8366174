//! Sandbox routes of `treasury-info`: treasuries, accounts, payments, transactions.
//!
//! Owns the handlers. Balances and amounts are kept in minor units and converted to decimals
//! only on the way out, with the same exact conversion the client uses.
//!
//! Never: models funding rules. A payment debits and credits in the same currency and may take a
//! balance below zero; Mass's overdraft and settlement rules are not simulated.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use crate::amount::{CurrencyCode, Money};
use crate::error::Service;
use crate::sandbox::state::{
    SandboxAccount, SandboxError, SandboxState, SandboxTransaction, Store, found, non_blank,
    parse_body,
};
use crate::treasury::{
    AccountStatus, AccountWire, CreateAccount, CreatePaymentWire, CreateTreasury, TransactionKind,
    TransactionStatus, TransactionWire, Treasury, TreasuryStatus,
};

type AppState = State<Arc<SandboxState>>;

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/treasury/create", post(create_treasury))
        .route("/treasury/entity/{entity_id}", get(treasuries_of))
        .route("/treasury/{id}", get(treasury))
        .route("/account/create", post(create_account))
        .route("/account/{id}", get(account))
        .route("/transaction/create/payment", post(create_payment))
        .route("/transaction/{id}", get(transaction))
}

async fn create_treasury(
    State(state): AppState,
    body: Bytes,
) -> Result<Json<Treasury>, SandboxError> {
    let request: CreateTreasury = parse_body(&body, &["entityId", "name"])?;
    non_blank("entityId", &request.entity_id)?;
    let mut store = state.store();
    let id = store.next_id();
    let treasury = Treasury {
        id: Some(id.clone()),
        entity_id: Some(request.entity_id),
        name: Some(request.name),
        status: Some(TreasuryStatus::Active),
        created_at: Some(store.now()),
    };
    store.treasuries.insert(id, treasury.clone());
    Ok(Json(treasury))
}

async fn treasury(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<Treasury>, SandboxError> {
    let store = state.store();
    found(&store.treasuries, "treasury", &id).cloned().map(Json)
}

async fn treasuries_of(
    State(state): AppState,
    Path(entity_id): Path<String>,
) -> Json<Vec<Treasury>> {
    let store = state.store();
    let owned = store
        .treasuries
        .values()
        .filter(|t| t.entity_id.as_deref() == Some(entity_id.as_str()));
    Json(owned.cloned().collect())
}

async fn create_account(
    State(state): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let request: CreateAccount = parse_body(&body, &["treasuryId", "name", "currency"])?;
    let currency = currency_field(&request.currency)?;
    state.idempotent(Service::Treasury, &headers, &body, true, |store| {
        let treasury = found(&store.treasuries, "treasury", &request.treasury_id)?;
        let entity_id = treasury.entity_id.clone().unwrap_or_default();
        let account = SandboxAccount {
            id: store.next_id(),
            treasury_id: request.treasury_id.clone(),
            entity_id,
            name: request.name.clone(),
            currency,
            balance_minor: 0,
            created_at: store.now(),
        };
        store.accounts.insert(account.id.clone(), account.clone());
        account_wire(&account)
    })
}

async fn account(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<AccountWire>, SandboxError> {
    let store = state.store();
    account_wire(found(&store.accounts, "account", &id)?).map(Json)
}

async fn create_payment(
    State(state): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let request: CreatePaymentWire = parse_body(
        &body,
        &[
            "sourceAccountId",
            "destinationAccountId",
            "amount",
            "currency",
        ],
    )?;
    let amount = Money::from_wire(request.amount, &request.currency).map_err(|error| {
        SandboxError::InvalidField {
            field: "amount".to_owned(),
            reason: error.to_string(),
        }
    })?;
    if amount.amount_minor <= 0 {
        return Err(SandboxError::InvalidField {
            field: "amount".to_owned(),
            reason: "is not positive".to_owned(),
        });
    }
    state.idempotent(Service::Treasury, &headers, &body, true, |store| {
        transfer(store, &request, amount)
    })
}

fn transfer(
    store: &mut Store,
    request: &CreatePaymentWire,
    amount: Money,
) -> Result<TransactionWire, SandboxError> {
    for account_id in [&request.source_account_id, &request.destination_account_id] {
        let account = found(&store.accounts, "account", account_id)?;
        if account.currency != amount.currency {
            return Err(SandboxError::InvalidField {
                field: "currency".to_owned(),
                reason: format!("account {account_id} holds {}", account.currency),
            });
        }
    }
    if request.source_account_id == request.destination_account_id {
        return Err(SandboxError::InvalidField {
            field: "destinationAccountId".to_owned(),
            reason: "equals sourceAccountId".to_owned(),
        });
    }
    if let Some(source) = store.accounts.get_mut(&request.source_account_id) {
        source.balance_minor -= amount.amount_minor;
    }
    if let Some(destination) = store.accounts.get_mut(&request.destination_account_id) {
        destination.balance_minor += amount.amount_minor;
    }
    let transaction = SandboxTransaction {
        id: store.next_id(),
        account_id: request.source_account_id.clone(),
        counterparty_account_id: request.destination_account_id.clone(),
        amount,
        reference: request.reference.clone(),
        created_at: store.now(),
    };
    store
        .transactions
        .insert(transaction.id.clone(), transaction.clone());
    transaction_wire(&transaction)
}

async fn transaction(
    State(state): AppState,
    Path(id): Path<String>,
) -> Result<Json<TransactionWire>, SandboxError> {
    let store = state.store();
    transaction_wire(found(&store.transactions, "transaction", &id)?).map(Json)
}

fn currency_field(code: &str) -> Result<CurrencyCode, SandboxError> {
    CurrencyCode::parse(code).map_err(|error| SandboxError::InvalidField {
        field: "currency".to_owned(),
        reason: error.to_string(),
    })
}

/// The decimal wire form of a minor-unit amount.
pub(crate) fn decimal(field: &str, money: Money) -> Result<f64, SandboxError> {
    money.to_wire().map_err(|error| SandboxError::InvalidField {
        field: field.to_owned(),
        reason: error.to_string(),
    })
}

fn account_wire(account: &SandboxAccount) -> Result<AccountWire, SandboxError> {
    let balance = Money {
        amount_minor: account.balance_minor,
        currency: account.currency,
    };
    Ok(AccountWire {
        id: Some(account.id.clone()),
        treasury_id: Some(account.treasury_id.clone()),
        entity_id: Some(account.entity_id.clone()),
        name: Some(account.name.clone()),
        currency: Some(account.currency.as_str().to_owned()),
        balance: Some(decimal("balance", balance)?),
        status: Some(AccountStatus::Active),
        created_at: Some(account.created_at.clone()),
    })
}

fn transaction_wire(transaction: &SandboxTransaction) -> Result<TransactionWire, SandboxError> {
    Ok(TransactionWire {
        id: Some(transaction.id.clone()),
        account_id: Some(transaction.account_id.clone()),
        counterparty_account_id: Some(transaction.counterparty_account_id.clone()),
        kind: Some(TransactionKind::Payment),
        status: Some(TransactionStatus::Completed),
        amount: Some(decimal("amount", transaction.amount)?),
        currency: Some(transaction.amount.currency.as_str().to_owned()),
        reference: transaction.reference.clone(),
        created_at: Some(transaction.created_at.clone()),
    })
}
