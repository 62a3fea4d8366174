//! The sandbox's in-memory state and the helpers every sandbox handler shares: id generation,
//! the clock, request-body validation, idempotency, and the one error type mapped to HTTP.
//!
//! Owns [`SandboxState`], [`Store`], [`SandboxError`], [`parse_body`].
//!
//! Never: holds the store lock across an `.await` (it is a std mutex; handlers are synchronous
//! inside it); keeps more than [`IDEMPOTENCY_RECORDS_MAX`] idempotency records.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use msez_protocol::time::Timestamp;

use crate::consent::{CapTable, Consent};
use crate::error::Service;
use crate::identity::Verification;
use crate::organization::{Board, LicensingResponse, Organization, OrganizationMember};
use crate::sandbox::SandboxConfig;
use crate::sandbox::faults::FaultTable;
use crate::templating::{Submission, Template};
use crate::treasury::Treasury;
use crate::wire::{IDEMPOTENCY_KEY_BYTES_MAX, IDEMPOTENCY_KEY_HEADER};

/// Idempotency records kept before the sandbox refuses new keyed writes with 507. 100,000
/// covers any test or local session; a bound keeps a runaway script from exhausting memory.
pub const IDEMPOTENCY_RECORDS_MAX: usize = 100_000;

/// First instant of the logical clock of a seeded sandbox (2026-01-01T00:00:00Z).
const SEEDED_CLOCK_START_UNIX_SECONDS: i64 = 1_767_225_600;

/// Everything a sandbox handler can reach.
#[derive(Debug)]
pub struct SandboxState {
    pub(crate) config: SandboxConfig,
    /// A std mutex: every handler does its whole state change synchronously under it.
    store: Mutex<Store>,
    pub(crate) faults: FaultTable,
    requests: [AtomicU64; 6],
}

/// The sandbox's records, by kind.
#[derive(Debug, Default)]
pub struct Store {
    id_seed: u64,
    id_counter: u64,
    seeded: bool,
    pub(crate) organizations: BTreeMap<String, Organization>,
    pub(crate) members: BTreeMap<String, Vec<OrganizationMember>>,
    pub(crate) boards: BTreeMap<String, Board>,
    pub(crate) licenses: BTreeMap<String, LicensingResponse>,
    pub(crate) treasuries: BTreeMap<String, Treasury>,
    pub(crate) accounts: BTreeMap<String, SandboxAccount>,
    pub(crate) transactions: BTreeMap<String, SandboxTransaction>,
    pub(crate) consents: BTreeMap<String, Consent>,
    pub(crate) cap_tables: BTreeMap<String, CapTable>,
    pub(crate) fundraisers: BTreeMap<String, SandboxFundraiser>,
    pub(crate) investments: BTreeMap<String, SandboxInvestment>,
    pub(crate) verifications: BTreeMap<String, Verification>,
    pub(crate) submissions: BTreeMap<String, Submission>,
    pub(crate) templates: BTreeMap<String, Template>,
    idempotency: HashMap<(Service, String), IdempotencyRecord>,
}

/// An account with its balance in minor units (converted to a decimal on the way out).
#[derive(Debug, Clone)]
pub(crate) struct SandboxAccount {
    pub(crate) id: String,
    pub(crate) treasury_id: String,
    pub(crate) entity_id: String,
    pub(crate) name: String,
    pub(crate) currency: crate::amount::CurrencyCode,
    pub(crate) balance_minor: i128,
    pub(crate) created_at: String,
}

/// A transaction in minor units.
#[derive(Debug, Clone)]
pub(crate) struct SandboxTransaction {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) counterparty_account_id: String,
    pub(crate) amount: crate::amount::Money,
    pub(crate) reference: Option<String>,
    pub(crate) created_at: String,
}

/// A fundraiser in minor units.
#[derive(Debug, Clone)]
pub(crate) struct SandboxFundraiser {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) name: String,
    pub(crate) target: crate::amount::Money,
    pub(crate) raised_minor: i128,
    pub(crate) share_class_id: Option<String>,
    pub(crate) closes_at: Option<String>,
    pub(crate) created_at: String,
}

/// An investment in minor units.
#[derive(Debug, Clone)]
pub(crate) struct SandboxInvestment {
    pub(crate) id: String,
    pub(crate) fundraiser_id: String,
    pub(crate) organization_id: String,
    pub(crate) investor_entity_id: String,
    pub(crate) amount: crate::amount::Money,
    pub(crate) created_at: String,
}

#[derive(Debug)]
struct IdempotencyRecord {
    request_body: Vec<u8>,
    status: StatusCode,
    response: Value,
}

/// Why the sandbox refuses a request. One `match` maps it to a status and a JSON body.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A required field is absent or null.
    #[error("missing required field {field}")]
    MissingField {
        /// The field.
        field: String,
    },
    /// A field is present but unusable.
    #[error("invalid field {field}: {reason}")]
    InvalidField {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// No record with that id.
    #[error("{kind} {id} not found")]
    NotFound {
        /// Record kind.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The request conflicts with the record's state.
    #[error("conflict: {reason}")]
    Conflict {
        /// Why.
        reason: &'static str,
    },
    /// The bearer token is missing or wrong.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// The idempotency table is full.
    #[error("idempotency table holds {IDEMPOTENCY_RECORDS_MAX} records")]
    IdempotencyFull,
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let (status, field) = match &self {
            SandboxError::MissingField { field } | SandboxError::InvalidField { field, .. } => {
                (StatusCode::BAD_REQUEST, Some(field.clone()))
            }
            SandboxError::NotFound { .. } => (StatusCode::NOT_FOUND, None),
            SandboxError::Conflict { .. } => (StatusCode::CONFLICT, None),
            SandboxError::Unauthorized => (StatusCode::UNAUTHORIZED, None),
            SandboxError::IdempotencyFull => (StatusCode::INSUFFICIENT_STORAGE, None),
        };
        let body =
            serde_json::json!({ "error": self.to_string(), "field": field, "sandbox": true });
        (status, Json(body)).into_response()
    }
}

impl SandboxState {
    pub(crate) fn new(config: SandboxConfig) -> SandboxState {
        let seeded = config.seed.is_some();
        let id_seed = config.seed.unwrap_or_else(|| fastrand::u64(..));
        let mut store = Store {
            id_seed,
            seeded,
            ..Store::default()
        };
        crate::sandbox::templating::seed_templates(&mut store);
        SandboxState {
            config,
            store: Mutex::new(store),
            faults: FaultTable::new(id_seed),
            requests: Default::default(),
        }
    }

    /// Locks the store. A poisoned lock (a handler panicked) still holds consistent maps,
    /// because every handler validates before it mutates; keep serving.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count_request(&self, service: Service) {
        if let Some(counter) = self.requests.get(service_index(service)) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Requests received for `service` since start (including refused and fault-injected ones).
    pub fn request_count(&self, service: Service) -> u64 {
        self.requests
            .get(service_index(service))
            .map_or(0, |counter| counter.load(Ordering::Relaxed))
    }

    /// Runs `apply` once per idempotency key: a repeated key with the same body replays the
    /// first answer, with a different body is a 409. `key_required` makes a missing key a 400.
    pub(crate) fn idempotent<T: Serialize>(
        &self,
        service: Service,
        headers: &HeaderMap,
        body: &[u8],
        key_required: bool,
        apply: impl FnOnce(&mut Store) -> Result<T, SandboxError>,
    ) -> Result<Response, SandboxError> {
        let key = idempotency_key(headers)?;
        let mut store = self.store();
        let Some(key) = key else {
            if key_required {
                return Err(SandboxError::MissingField {
                    field: IDEMPOTENCY_KEY_HEADER.to_owned(),
                });
            }
            return Ok(Json(apply(&mut store)?).into_response());
        };
        let slot = (service, key);
        if let Some(record) = store.idempotency.get(&slot) {
            if record.request_body != body {
                return Err(SandboxError::Conflict {
                    reason: "idempotency key reused with a different body",
                });
            }
            return Ok((record.status, Json(record.response.clone())).into_response());
        }
        if store.idempotency.len() >= IDEMPOTENCY_RECORDS_MAX {
            return Err(SandboxError::IdempotencyFull);
        }
        let response = to_value(&apply(&mut store)?)?;
        let record = IdempotencyRecord {
            request_body: body.to_vec(),
            status: StatusCode::OK,
            response,
        };
        let reply = (record.status, Json(record.response.clone())).into_response();
        store.idempotency.insert(slot, record);
        Ok(reply)
    }
}

impl Store {
    /// The next record id: a UUID-shaped string from a SplitMix64 stream over the seed, so a
    /// seeded sandbox hands out the same ids in the same order on every run.
    pub(crate) fn next_id(&mut self) -> String {
        self.id_counter = self.id_counter.wrapping_add(1);
        let high = splitmix64(self.id_seed ^ self.id_counter.wrapping_mul(2));
        let low = splitmix64(self.id_seed ^ self.id_counter.wrapping_mul(2).wrapping_add(1));
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0x0fff,
            (low >> 48) & 0x0fff,
            low & 0xffff_ffff_ffff
        )
    }

    /// The time to stamp on a record: a logical clock (one second per id) when seeded, so a
    /// seeded run is byte-for-byte repeatable; wall-clock time otherwise.
    pub(crate) fn now(&self) -> String {
        let unix_seconds = if self.seeded {
            SEEDED_CLOCK_START_UNIX_SECONDS
                .saturating_add(i64::try_from(self.id_counter).unwrap_or(i64::MAX))
        } else {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| {
                    i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
                })
        };
        Timestamp::from_unix_seconds(unix_seconds)
            .map(|stamp| stamp.to_string())
            .unwrap_or_default()
    }
}

fn splitmix64(input: u64) -> u64 {
    let mut z = input.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(crate) fn service_index(service: Service) -> usize {
    Service::ALL
        .iter()
        .position(|known| *known == service)
        .unwrap_or(0)
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, SandboxError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    let invalid = |reason: &str| SandboxError::InvalidField {
        field: IDEMPOTENCY_KEY_HEADER.to_owned(),
        reason: reason.to_owned(),
    };
    let text = value
        .to_str()
        .map_err(|_| invalid("is not visible ASCII"))?;
    if text.is_empty() || text.len() > IDEMPOTENCY_KEY_BYTES_MAX {
        return Err(invalid("must be 1 to 255 bytes"));
    }
    Ok(Some(text.to_owned()))
}

/// Parses a JSON request body: an object whose `required` fields are present and non-null, then
/// the typed request. Every failure names the field.
pub(crate) fn parse_body<T: DeserializeOwned>(
    body: &[u8],
    required: &[&str],
) -> Result<T, SandboxError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|error| SandboxError::InvalidField {
            field: "body".to_owned(),
            reason: error.to_string(),
        })?;
    let Some(object) = value.as_object() else {
        return Err(SandboxError::InvalidField {
            field: "body".to_owned(),
            reason: "is not a JSON object".to_owned(),
        });
    };
    for field in required {
        if object.get(*field).is_none_or(Value::is_null) {
            return Err(SandboxError::MissingField {
                field: (*field).to_owned(),
            });
        }
    }
    serde_json::from_value(value).map_err(|error| SandboxError::InvalidField {
        field: "body".to_owned(),
        reason: error.to_string(),
    })
}

/// A required path or body string that must not be blank.
pub(crate) fn non_blank(field: &str, text: &str) -> Result<(), SandboxError> {
    if text.trim().is_empty() {
        return Err(SandboxError::MissingField {
            field: field.to_owned(),
        });
    }
    Ok(())
}

pub(crate) fn to_value<T: Serialize>(value: &T) -> Result<Value, SandboxError> {
    serde_json::to_value(value).map_err(|error| SandboxError::InvalidField {
        field: "response".to_owned(),
        reason: error.to_string(),
    })
}

/// Looks up a record or answers 404 naming the kind and id.
pub(crate) fn found<'a, T>(
    map: &'a BTreeMap<String, T>,
    kind: &'static str,
    id: &str,
) -> Result<&'a T, SandboxError> {
    map.get(id).ok_or_else(|| SandboxError::NotFound {
        kind,
        id: id.to_owned(),
    })
}
