//! Authentication, authorisation and per-principal rate limiting.
//!
//! Owns [`Role`], [`TokenTable`] (SHA-256 digests of bearer tokens, compared in constant time
//! with `subtle`), [`Principal`], [`Access`] (who may use a route), [`RateLimiter`] (a token
//! bucket per principal) and [`authorize`], the per-route middleware: authenticate, check the
//! role, then charge the principal's bucket. Rate limiting runs **after** authentication so an
//! anonymous flood cannot drain a real principal's budget.
//!
//! Never: keeps or logs a plaintext token, short-circuits the digest comparison, or lets an
//! unauthenticated request reach a handler of a non-public route.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::state::AppState;

/// A principal's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Runs the zone: configuration, packs, credentials, corridors.
    ZoneAdmin,
    /// Runs the node: supervision, drills (actor kill).
    Operator,
    /// A counterparty on a corridor: appends receipts, reads its corridor.
    CorridorParty,
    /// A watcher: reads corridors and attests.
    Watcher,
    /// A regulator: read-only.
    Regulator,
}

/// Every role, for documentation and parsing.
pub const ROLES: [Role; 5] = [
    Role::ZoneAdmin,
    Role::Operator,
    Role::CorridorParty,
    Role::Watcher,
    Role::Regulator,
];

/// One configured token: a name for logs and metrics, a role, and the SHA-256 of the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenEntry {
    /// The principal's name (logged; never the token).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// SHA-256 of the token's UTF-8 bytes.
    pub sha256: [u8; 32],
}

/// The configured tokens. Only digests are held.
#[derive(Clone, Default)]
pub struct TokenTable {
    entries: Vec<TokenEntry>,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token entry's name.
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (health probes, metrics, the OpenAPI document).
    Public,
    /// An authenticated principal with one of these roles.
    Roles(&'static [Role]),
}

/// Token buckets keyed by principal name. The map is bounded by the token table: only
/// authenticated principals get a bucket.
#[derive(Debug)]
pub struct RateLimiter {
    /// Sustained requests per second per principal; 0 disables limiting.
    requests_per_second: u32,
    /// Bucket capacity: the burst a principal may send at once.
    burst: u32,
    /// A std mutex: the critical section is a little arithmetic and never awaits.
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Thousandths of a request, so refill needs no floating point.
    tokens_milli: u64,
    updated: Instant,
}

impl Role {
    /// The wire name (`zone_admin`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ZoneAdmin => "zone_admin",
            Self::Operator => "operator",
            Self::CorridorParty => "corridor_party",
            Self::Watcher => "watcher",
            Self::Regulator => "regulator",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        ROLES.into_iter().find(|role| role.as_str() == text)
    }
}

impl std::fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEntry")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TokenTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenTable")
            .field("entries", &self.entries)
            .finish()
    }
}

/// SHA-256 of a token's bytes: what the table stores and compares.
pub fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenTable {
    /// A table over these entries.
    pub fn new(entries: Vec<TokenEntry>) -> Self {
        Self { entries }
    }

    /// Adds a plaintext token, keeping only its digest.
    pub fn insert_plaintext(&mut self, name: impl Into<String>, role: Role, token: &str) {
        self.entries.push(TokenEntry {
            name: name.into(),
            role,
            sha256: token_sha256(token),
        });
    }

    /// Adds an entry holding a digest.
    pub fn insert(&mut self, entry: TokenEntry) {
        self.entries.push(entry);
    }

    /// Number of configured tokens.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no token is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The principal whose token this is. Every entry is compared, in constant time, whether or
    /// not an earlier one matched, so the time taken does not say which entry matched.
    pub fn authenticate(&self, presented: &str) -> Option<Principal> {
        let digest = token_sha256(presented);
        let mut matched: Option<&TokenEntry> = None;
        for entry in &self.entries {
            let equal: bool = entry.sha256.ct_eq(&digest).into();
            if equal && matched.is_none() {
                matched = Some(entry);
            }
        }
        matched.map(|entry| Principal {
            name: entry.name.clone(),
            role: entry.role,
        })
    }
}

impl RateLimiter {
    /// A limiter admitting `requests_per_second` sustained and `burst` at once per principal;
    /// `requests_per_second == 0` disables it.
    pub fn new(requests_per_second: u32, burst: u32) -> Self {
        Self {
            requests_per_second,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `principal`'s bucket, or says how long until one is available.
    pub fn check(&self, principal: &str, now: Instant) -> Result<(), Duration> {
        if self.requests_per_second == 0 {
            return Ok(());
        }
        let capacity_milli = u64::from(self.burst) * 1000;
        let rate = u64::from(self.requests_per_second);
        // A poisoned lock only means another request panicked mid-update; the buckets are
        // plain numbers and remain usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(principal.to_owned()).or_insert(Bucket {
            tokens_milli: capacity_milli,
            updated: now,
        });
        let elapsed_ms = u64::try_from(now.saturating_duration_since(bucket.updated).as_millis())
            .unwrap_or(u64::MAX);
        // rate requests/s = rate milli-requests per ms.
        let refill_milli = elapsed_ms.saturating_mul(rate);
        bucket.tokens_milli = bucket
            .tokens_milli
            .saturating_add(refill_milli)
            .min(capacity_milli);
        bucket.updated = now;
        if bucket.tokens_milli >= 1000 {
            bucket.tokens_milli -= 1000;
            return Ok(());
        }
        let missing_milli = 1000 - bucket.tokens_milli;
        Err(Duration::from_millis(missing_milli.div_ceil(rate)))
    }
}

/// Per-route middleware: authenticate, authorise, then rate-limit; the handler sees the
/// [`Principal`] in the request extensions.
pub async fn authorize(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let Access::Roles(roles) = access else {
        return next.run(request).await;
    };
    let principal = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.strip_prefix("Bearer "))
        .and_then(|token| state.tokens().authenticate(token.trim()));
    let Some(principal) = principal else {
        return ApiError::Unauthenticated.into_response();
    };
    if !roles.contains(&principal.role) {
        return ApiError::Forbidden {
            role: principal.role.as_str(),
        }
        .into_response();
    }
    if let Err(retry_after) = state.limiter().check(&principal.name, Instant::now()) {
        return ApiError::RateLimited {
            principal: principal.name,
            retry_after,
        }
        .into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

#[cfg(test)]
mod tests;
