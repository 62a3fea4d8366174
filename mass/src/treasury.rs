//! FISCAL: the `treasury-info` service (treasuries, accounts, payments, transactions).
//!
//! Owns [`TreasuryClient`], the domain types [`Account`], [`PaymentRequest`], [`Transaction`]
//! (amounts as [`Money`], minor units) and their wire forms (decimal numbers).
//!
//! Never: sends an account creation or a payment without an idempotency key (the signatures
//! require one, so a retry can never pay twice); rounds an amount.
//!
//! Assumed contract (no OpenAPI document is published for this service; this is the Mass
//! primitive contract of the Mass boundary issue, mirrored by the sandbox):
//! - `POST treasury/create` `{entityId, name}` → `Treasury`; `GET treasury/{id}`;
//!   `GET treasury/entity/{entityId}` → `[Treasury]`.
//! - `POST account/create` `{treasuryId, name, currency}` + `Idempotency-Key` → `Account`
//!   `{id, treasuryId, entityId, name, currency, balance, status, createdAt}`; `GET account/{id}`.
//! - `POST transaction/create/payment` `{sourceAccountId, destinationAccountId, amount, currency,
//!   reference}` + `Idempotency-Key` → `Transaction`; `GET transaction/{id}`.
//! - Amounts are JSON numbers in major units (`12.34`); currencies are ISO 4217 codes.

use std::sync::Arc;

use msez_protocol::ids::EntityId;

use crate::amount::{CurrencyCode, Money, wire_money};
use crate::error::MassError;
use crate::transport::{Call, ServiceTransport};
use crate::wire::{IdempotencyKey, required};

/// `treasury-info` operations.
#[derive(Debug, Clone)]
pub struct TreasuryClient {
    transport: Arc<ServiceTransport>,
}

/// An account with its balance in minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Treasury id.
    pub treasury_id: Option<String>,
    /// Owning organization id.
    pub entity_id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Balance.
    pub balance: Money,
    /// Lifecycle status.
    pub status: Option<AccountStatus>,
    /// Created at (RFC 3339).
    pub created_at: Option<String>,
}

/// A payment between two accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    /// Account debited.
    pub source_account_id: String,
    /// Account credited.
    pub destination_account_id: String,
    /// Amount and currency.
    pub amount: Money,
    /// Payment reference.
    pub reference: Option<String>,
}

/// A transaction with its amount in minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    /// Transaction id.
    pub id: String,
    /// Account debited.
    pub account_id: Option<String>,
    /// Account credited.
    pub counterparty_account_id: Option<String>,
    /// What it did.
    pub kind: Option<TransactionKind>,
    /// Where it stands.
    pub status: Option<TransactionStatus>,
    /// Amount and currency.
    pub amount: Money,
    /// Payment reference.
    pub reference: Option<String>,
    /// Created at (RFC 3339).
    pub created_at: Option<String>,
}

impl TreasuryClient {
    pub(crate) fn new(transport: Arc<ServiceTransport>) -> TreasuryClient {
        TreasuryClient { transport }
    }

    /// `POST treasury/create`. Not retried (no idempotency key in the contract).
    pub async fn create_treasury(&self, request: &CreateTreasury) -> Result<Treasury, MassError> {
        self.transport
            .json(Call::post_json(&["treasury", "create"], request)?)
            .await
    }

    /// `GET treasury/{id}`; a 404 is `None`.
    pub async fn treasury(&self, treasury_id: &str) -> Result<Option<Treasury>, MassError> {
        self.transport
            .json_optional(Call::get(&["treasury", treasury_id]))
            .await
    }

    /// `GET treasury/entity/{entityId}`.
    pub async fn treasuries_of(&self, entity_id: &EntityId) -> Result<Vec<Treasury>, MassError> {
        self.transport
            .json(Call::get(&["treasury", "entity", entity_id.as_str()]))
            .await
    }

    /// `POST account/create` with an idempotency key (required).
    pub async fn create_account(
        &self,
        request: &CreateAccount,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Account, MassError> {
        CurrencyCode::parse(&request.currency).map_err(|source| MassError::Amount {
            field: "currency",
            source,
        })?;
        let call = Call::post_json(&["account", "create"], request)?.idempotent(idempotency_key);
        let wire: AccountWire = self.transport.json(call).await?;
        Account::try_from(wire)
    }

    /// `GET account/{id}`; a 404 is `None`.
    pub async fn account(&self, account_id: &str) -> Result<Option<Account>, MassError> {
        let wire: Option<AccountWire> = self
            .transport
            .json_optional(Call::get(&["account", account_id]))
            .await?;
        wire.map(Account::try_from).transpose()
    }

    /// `POST transaction/create/payment` with an idempotency key (required).
    pub async fn create_payment(
        &self,
        request: &PaymentRequest,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Transaction, MassError> {
        let body = CreatePaymentWire {
            source_account_id: request.source_account_id.clone(),
            destination_account_id: request.destination_account_id.clone(),
            amount: request
                .amount
                .to_wire()
                .map_err(|source| MassError::Amount {
                    field: "amount",
                    source,
                })?,
            currency: request.amount.currency.as_str().to_owned(),
            reference: request.reference.clone(),
        };
        let call = Call::post_json(&["transaction", "create", "payment"], &body)?
            .idempotent(idempotency_key);
        let wire: TransactionWire = self.transport.json(call).await?;
        Transaction::try_from(wire)
    }

    /// `GET transaction/{id}`; a 404 is `None`.
    pub async fn transaction(
        &self,
        transaction_id: &str,
    ) -> Result<Option<Transaction>, MassError> {
        let wire: Option<TransactionWire> = self
            .transport
            .json_optional(Call::get(&["transaction", transaction_id]))
            .await?;
        wire.map(Transaction::try_from).transpose()
    }
}

impl TryFrom<AccountWire> for Account {
    type Error = MassError;

    fn try_from(wire: AccountWire) -> Result<Account, MassError> {
        let balance = wire_money("balance", wire.balance, wire.currency.as_deref())?;
        Ok(Account {
            id: required("id", wire.id)?,
            treasury_id: wire.treasury_id,
            entity_id: wire.entity_id,
            name: wire.name,
            balance,
            status: wire.status,
            created_at: wire.created_at,
        })
    }
}

impl TryFrom<TransactionWire> for Transaction {
    type Error = MassError;

    fn try_from(wire: TransactionWire) -> Result<Transaction, MassError> {
        let amount = wire_money("amount", wire.amount, wire.currency.as_deref())?;
        Ok(Transaction {
            id: required("id", wire.id)?,
            account_id: wire.account_id,
            counterparty_account_id: wire.counterparty_account_id,
            kind: wire.kind,
            status: wire.status,
            amount,
            reference: wire.reference,
            created_at: wire.created_at,
        })
    }
}

crate::open_enum!(
    /// Lifecycle of a treasury.
    TreasuryStatus {
        /// `ACTIVE`.
        Active => "ACTIVE",
        /// `SUSPENDED`.
        Suspended => "SUSPENDED",
        /// `CLOSED`.
        Closed => "CLOSED",
    }
);

crate::open_enum!(
    /// Lifecycle of an account.
    AccountStatus {
        /// `ACTIVE`.
        Active => "ACTIVE",
        /// `FROZEN`.
        Frozen => "FROZEN",
        /// `CLOSED`.
        Closed => "CLOSED",
    }
);

crate::open_enum!(
    /// What a transaction did.
    TransactionKind {
        /// `PAYMENT`.
        Payment => "PAYMENT",
        /// `DEPOSIT`.
        Deposit => "DEPOSIT",
        /// `WITHDRAWAL`.
        Withdrawal => "WITHDRAWAL",
        /// `FEE`.
        Fee => "FEE",
    }
);

crate::open_enum!(
    /// Where a transaction stands.
    TransactionStatus {
        /// `PENDING`.
        Pending => "PENDING",
        /// `COMPLETED`.
        Completed => "COMPLETED",
        /// `FAILED`.
        Failed => "FAILED",
        /// `REVERSED`.
        Reversed => "REVERSED",
    }
);

/// Body of treasury creation.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTreasury {
    /// Owning organization id (required).
    pub entity_id: String,
    /// Display name (required).
    pub name: String,
}

/// A treasury: the container of an entity's accounts.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Treasury {
    /// Treasury id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Owning organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TreasuryStatus>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// Body of account creation (sent with an idempotency key).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAccount {
    /// Treasury the account belongs to (required).
    pub treasury_id: String,
    /// Display name (required).
    pub name: String,
    /// ISO 4217 currency code (required).
    pub currency: String,
}

/// An account as it crosses the wire (decimal balance).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccountWire {
    /// Account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Treasury id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treasury_id: Option<String>,
    /// Owning organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO 4217 currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Balance as a decimal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<f64>,
    /// Lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AccountStatus>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// Body of payment creation as it crosses the wire (decimal amount).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePaymentWire {
    /// Account debited (required).
    pub source_account_id: String,
    /// Account credited (required).
    pub destination_account_id: String,
    /// Amount as a decimal number (required).
    pub amount: f64,
    /// ISO 4217 currency code (required).
    pub currency: String,
    /// Payment reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A transaction as it crosses the wire (decimal amount).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionWire {
    /// Transaction id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Account debited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Account credited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty_account_id: Option<String>,
    /// What it did.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransactionKind>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    /// Amount as a decimal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// ISO 4217 currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Payment reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}
