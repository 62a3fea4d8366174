//! Every HTTP call the load generator makes to a zone node, in one place: the routes, the
//! bodies, and how a failed call is classified.
//!
//! Owns [`NodeClient`], [`AppendAck`], [`CorridorHead`], [`RequestError`] and the timeouts.
//!
//! Never: retries on its own (the engine decides, because a retried append after a lost
//! reply must first learn whether the first attempt was committed), or logs the token.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::time::Timestamp;

use super::corridor::{LoadCorridor, PreparedAppend, ZoneKeys, now};
use super::error::LoadError;

/// TCP connect timeout. Loopback connects in microseconds; a second means the node is down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Whole-request timeout. Ten seconds is 200 times the p99 target of 50 ms: a reply this late
/// is an outage, and its outcome is treated as unknown.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Timeout for an export, which may carry thousands of receipts.
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest error body kept for a report, in bytes.
const ERROR_BODY_BYTES_MAX: usize = 300;

/// A node's base URL, bearer token and a pooled HTTP/1 client.
#[derive(Debug, Clone)]
pub struct NodeClient {
    base_url: String,
    token: String,
    /// For the admin drill routes (`kill` is operator-only); the main token when absent.
    operator_token: Option<String>,
    http: reqwest::Client,
}

/// What the node acknowledged for an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendAck {
    /// The sequence it committed.
    pub sequence: u64,
    /// The root it committed.
    pub next_root: Digest,
}

/// What creating a corridor returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedCorridor {
    /// Its genesis root: the `prev_root` of receipt 0.
    pub genesis_root: Digest,
    /// Created ACTIVE (no separate activation needed).
    pub active: bool,
}

/// A corridor's head as the node reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorridorHead {
    /// Receipts in the chain.
    pub height: u64,
    /// The head (the genesis root for an empty chain).
    pub head: Digest,
}

/// Why one request failed. The engine counts these by [`RequestError::kind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The TCP connection could not be made: the request never reached the node.
    #[error("connect: {reason}")]
    Connect {
        /// The client's reason.
        reason: String,
    },
    /// No reply within the timeout: the outcome is unknown.
    #[error("timed out")]
    Timeout,
    /// The connection broke mid-request: the outcome is unknown.
    #[error("transport: {reason}")]
    Transport {
        /// The client's reason.
        reason: String,
    },
    /// A non-2xx reply.
    #[error("HTTP {status} {code}: {message}")]
    Status {
        /// The status code.
        status: u16,
        /// The envelope's `error.code`, or `-` when there is none.
        code: String,
        /// The envelope's `error.message`, or the start of the body.
        message: String,
    },
    /// A 2xx reply whose body is not what the route promises.
    #[error("reply to {route} is malformed: {reason}")]
    Decode {
        /// Which route.
        route: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl RequestError {
    /// A short, stable name for counting: `connect`, `timeout`, `transport`, `decode`, or
    /// `http_<status>_<code>`.
    pub fn kind(&self) -> String {
        match self {
            Self::Connect { .. } => "connect".to_owned(),
            Self::Timeout => "timeout".to_owned(),
            Self::Transport { .. } => "transport".to_owned(),
            Self::Status { status, code, .. } => format!("http_{status}_{code}"),
            Self::Decode { route, .. } => format!("decode_{route}"),
        }
    }

    /// True when the node surely did not apply the request: it was never sent, or the node
    /// answered that it was not admitted (503).
    pub fn surely_not_applied(&self) -> bool {
        match self {
            Self::Connect { .. } => true,
            Self::Status { status, .. } => *status == 503,
            Self::Timeout | Self::Transport { .. } | Self::Decode { .. } => false,
        }
    }

    /// True when the node is unreachable (the engine backs off instead of spinning).
    pub fn node_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. } | Self::Timeout | Self::Transport { .. }
        )
    }

    /// True when the node refused for load: 429 (rate limited) or 503 (overloaded or
    /// unavailable). The engine backs off briefly rather than asking again at once.
    pub fn node_overloaded(&self) -> bool {
        matches!(
            self,
            Self::Status {
                status: 429 | 503,
                ..
            }
        )
    }

    /// How long a worker pauses after this error before its next request, if at all.
    pub fn backoff(&self) -> Option<std::time::Duration> {
        if self.node_unreachable() {
            Some(UNREACHABLE_BACKOFF)
        } else if self.node_overloaded() {
            Some(OVERLOADED_BACKOFF)
        } else {
            None
        }
    }
}

/// Pause after a request that found the node unreachable, so a worker does not spin while the
/// node restarts.
pub const UNREACHABLE_BACKOFF: Duration = Duration::from_millis(25);

/// Pause after a refusal for load (429, 503). A refusal comes back in microseconds, so without
/// a pause a closed-loop worker turns it into a busy loop (one trial against a rate-limited
/// node counted 419,593 refusals in 10 s); 10 ms caps a worker at 100 refused requests a
/// second while costing an overloaded node's callers little.
pub const OVERLOADED_BACKOFF: Duration = Duration::from_millis(10);

impl NodeClient {
    /// A client for the node at `base_url` (such as `http://127.0.0.1:8080`) that keeps up to
    /// `connection_count` idle connections open.
    pub fn new(base_url: &str, token: &str, connection_count: usize) -> Result<Self, LoadError> {
        // reqwest is built with rustls but no crypto provider; plain http needs none, but the
        // builder wants one installed. Installing twice is harmless, so the error is dropped.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(connection_count)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .user_agent(concat!("msez-load/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| LoadError::Client {
                reason: error.to_string(),
            })?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            operator_token: None,
            http,
        })
    }

    /// Uses `operator_token` for the supervision tree and actor kills.
    pub fn with_operator_token(mut self, operator_token: Option<String>) -> Self {
        self.operator_token = operator_token;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /health/readiness`: Ok when the node answers 200.
    pub async fn readiness(&self) -> Result<(), RequestError> {
        let request = self.http.get(self.url("/health/readiness"));
        send(request).await.map(drop)
    }

    /// Creates the corridor (`POST /v1/corridors`): its definition and definition credential,
    /// both parties' agreement credentials, the zone's regulators and authority, and every
    /// regulator's activation consent, so the node can create it ACTIVE. Returns its genesis
    /// root and lifecycle state.
    pub async fn create_corridor(
        &self,
        corridor: &LoadCorridor,
        zone_keys: &ZoneKeys,
        signed_at: Timestamp,
    ) -> Result<CreatedCorridor, RequestError> {
        let approvals = corridor
            .activation_approvals(zone_keys, signed_at)
            .map_err(|error| generate_error("create_corridor", &error))?;
        self.create_with(corridor, zone_keys, signed_at, approvals)
            .await
    }

    /// Creates the corridor PENDING: as [`NodeClient::create_corridor`] without the
    /// regulators' consents; [`NodeClient::activate_corridor`] activates it.
    pub async fn create_pending_corridor(
        &self,
        corridor: &LoadCorridor,
        zone_keys: &ZoneKeys,
        signed_at: Timestamp,
    ) -> Result<CreatedCorridor, RequestError> {
        self.create_with(corridor, zone_keys, signed_at, Vec::new())
            .await
    }

    async fn create_with(
        &self,
        corridor: &LoadCorridor,
        zone_keys: &ZoneKeys,
        signed_at: Timestamp,
        approvals: Vec<Value>,
    ) -> Result<CreatedCorridor, RequestError> {
        let definition_credential = corridor
            .definition_credential(signed_at)
            .map_err(|error| generate_error("create_corridor", &error))?;
        let agreements = corridor
            .agreements(signed_at)
            .map_err(|error| generate_error("create_corridor", &error))?;
        let body = json!({
            "definition": corridor.definition(),
            "definition_credential": definition_credential,
            "agreements": agreements,
            "regulators": zone_keys.regulator_dids(),
            "authorities": [zone_keys.authority.did()],
            "party_entity_ids": corridor.party_entity_ids(),
            "activation_approvals": approvals,
        });
        let request = json_body(
            self.authorised(self.http.post(self.url("/v1/corridors"))),
            &body,
        );
        let reply = send(request).await?;
        let summary = reply.get("corridor").unwrap_or(&reply);
        Ok(CreatedCorridor {
            genesis_root: digest_field(summary, "create_corridor", "genesis_root")?,
            active: summary
                .get("lifecycle")
                .and_then(Value::as_str)
                .is_some_and(|state| state.eq_ignore_ascii_case("active")),
        })
    }

    /// Activates a corridor created PENDING (`POST /v1/corridors/{id}/lifecycle` with every
    /// regulator's consent).
    pub async fn activate_corridor(
        &self,
        corridor_id: &CorridorId,
        zone_keys: &ZoneKeys,
        corridor: &LoadCorridor,
    ) -> Result<(), RequestError> {
        let approvals = now()
            .and_then(|issued_at| corridor.activation_approvals(zone_keys, issued_at))
            .map_err(|error| generate_error("activate_corridor", &error))?;
        let url = self.url(&format!("/v1/corridors/{corridor_id}/lifecycle"));
        let body = json!({ "transition": "activate", "approvals": approvals });
        send(json_body(self.authorised(self.http.post(url)), &body))
            .await
            .map(drop)
    }

    /// Appends a client-signed receipt (`POST /v1/corridors/{id}/receipts`).
    pub async fn append(
        &self,
        corridor_id: &CorridorId,
        prepared: &PreparedAppend,
    ) -> Result<AppendAck, RequestError> {
        let url = self.url(&format!("/v1/corridors/{corridor_id}/receipts"));
        let request = self
            .authorised(self.http.post(url))
            .header(reqwest::header::CONTENT_TYPE, JSON_CONTENT_TYPE)
            .body(prepared.body.clone());
        let reply = send(request).await?;
        let sequence = reply
            .get("sequence")
            .and_then(Value::as_u64)
            .ok_or_else(|| missing("append", "sequence"))?;
        let next_root = digest_field(&reply, "append", "next_root")?;
        Ok(AppendAck {
            sequence,
            next_root,
        })
    }

    /// The node's head of the corridor (`GET /v1/corridors/{id}`).
    pub async fn head(&self, corridor_id: &CorridorId) -> Result<CorridorHead, RequestError> {
        let url = self.url(&format!("/v1/corridors/{corridor_id}"));
        let reply = send(self.authorised(self.http.get(url))).await?;
        let height = reply
            .get("height")
            .and_then(Value::as_u64)
            .ok_or_else(|| missing("corridor", "height"))?;
        let head = digest_field(&reply, "corridor", "head")?;
        Ok(CorridorHead { height, head })
    }

    /// The inclusion proof of receipt `sequence`; returns the `receipt_next_root` it proves.
    pub async fn inclusion_proof(
        &self,
        corridor_id: &CorridorId,
        sequence: u64,
    ) -> Result<Digest, RequestError> {
        let url = self.url(&format!(
            "/v1/corridors/{corridor_id}/receipts/{sequence}/proof"
        ));
        let reply = send(self.authorised(self.http.get(url))).await?;
        let proof = reply.get("proof").unwrap_or(&reply);
        digest_field(proof, "inclusion_proof", "receipt_next_root")
    }

    /// A netting request (`POST /v1/netting/plan`) over three obligations between the
    /// corridor's parties, in the shape `msez netting` reads.
    pub async fn netting(&self, corridor_id: &CorridorId, round: u64) -> Result<(), RequestError> {
        let party = |suffix: &str| format!("{corridor_id}-{suffix}");
        let body = json!([
            {"obligation_id": format!("o-{round}-1"), "from_party": party("pk"),
             "to_party": party("ae"), "amount": 1_000 + round % 100, "currency": "PKR"},
            {"obligation_id": format!("o-{round}-2"), "from_party": party("ae"),
             "to_party": party("pk"), "amount": 400, "currency": "PKR"},
            {"obligation_id": format!("o-{round}-3"), "from_party": party("ae"),
             "to_party": party("cn"), "amount": 250, "currency": "PKR"},
        ]);
        let request = self.authorised(self.http.post(self.url("/v1/netting/plan")));
        send(json_body(request, &body)).await.map(drop)
    }

    /// The jurisdiction of the zone the node serves, from `GET /v1/zone/lock`; `None` when it
    /// serves none (404).
    pub async fn zone_jurisdiction(&self) -> Result<Option<String>, RequestError> {
        match send(self.authorised(self.http.get(self.url("/v1/zone/lock")))).await {
            Ok(lock) => match lock.get("jurisdiction").and_then(Value::as_str) {
                Some(jurisdiction) => Ok(Some(jurisdiction.to_owned())),
                None => Err(RequestError::Decode {
                    route: "zone_lock",
                    reason: "no string `jurisdiction`".to_owned(),
                }),
            },
            Err(RequestError::Status { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// An entity formation (`POST /v1/orchestration/entity-formations`), the flow that calls
    /// Mass: organization, treasury, account and consent, then the node's credential and
    /// attestation. `idempotency_key` makes a retry replay instead of writing to Mass again.
    pub async fn entity_formation(
        &self,
        idempotency_key: &str,
        jurisdiction: &str,
        number: u64,
    ) -> Result<(), RequestError> {
        let country = jurisdiction.split('-').next().unwrap_or(jurisdiction);
        let body = json!({
            "name": format!("Load Trading {number}"),
            "bio": "An entity formed by msez-load",
            "jurisdiction_id": jurisdiction,
            "address": {"line1": format!("Plot {number}"), "city": "Load", "country": country},
            "requested_by": "msez-load",
            "account": {"name": "Operating", "currency": "PKR"},
            "screening": {"names": [format!("Load Director {number}")]},
        });
        let url = self.url("/v1/orchestration/entity-formations");
        let request = self
            .authorised(self.http.post(url))
            .header("idempotency-key", idempotency_key);
        send(json_body(request, &body)).await.map(drop)
    }

    /// The corridor's export as JSON Lines (`GET /v1/corridors/{id}/export`).
    pub async fn export(&self, corridor_id: &CorridorId) -> Result<String, RequestError> {
        let url = self.url(&format!("/v1/corridors/{corridor_id}/export"));
        let request = self.authorised(self.http.get(url)).timeout(EXPORT_TIMEOUT);
        let response = request.send().await.map_err(classify)?;
        let status = response.status();
        let text = response.text().await.map_err(classify)?;
        if !status.is_success() {
            return Err(status_error(status, &text));
        }
        Ok(text)
    }

    /// `GET /v1/admin/supervision`: the supervision tree.
    pub async fn supervision(&self) -> Result<Value, RequestError> {
        send(self.as_operator(self.http.get(self.url("/v1/admin/supervision")))).await
    }

    /// `POST /v1/admin/actors/{path}/kill`: crashes one actor (a drill).
    pub async fn kill_actor(&self, path: &str) -> Result<(), RequestError> {
        let url = self.url(&format!(
            "/v1/admin/actors/{}/kill",
            path.trim_start_matches('/')
        ));
        send(self.as_operator(self.http.post(url))).await.map(drop)
    }

    /// `POST /v1/admin/mass-sandbox/faults/{service}`: sets one Mass service's faults in the
    /// node's in-process sandbox (an operator drill); answers every service's faults and the
    /// sandbox's request counts.
    pub async fn set_mass_faults(
        &self,
        service: &str,
        faults: &Value,
    ) -> Result<Value, RequestError> {
        let url = self.url(&format!("/v1/admin/mass-sandbox/faults/{service}"));
        send(json_body(self.as_operator(self.http.post(url)), faults)).await
    }

    /// `GET /v1/admin/mass-sandbox/faults`: the sandbox's faults and request counts.
    pub async fn mass_faults(&self) -> Result<Value, RequestError> {
        send(self.as_operator(self.http.get(self.url("/v1/admin/mass-sandbox/faults")))).await
    }

    /// `GET /metrics` as text (for the node's resident memory when it reports it).
    pub async fn metrics(&self) -> Result<String, RequestError> {
        let response = self
            .authorised(self.http.get(self.url("/metrics")))
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        let text = response.text().await.map_err(classify)?;
        if !status.is_success() {
            return Err(status_error(status, &text));
        }
        Ok(text)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.bearer_auth(&self.token)
    }

    fn as_operator(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.bearer_auth(self.operator_token.as_ref().unwrap_or(&self.token))
    }
}

/// The content type of every request body.
const JSON_CONTENT_TYPE: &str = "application/json";

/// A JSON body (reqwest is built without its `json` feature).
fn json_body(request: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    request
        .header(reqwest::header::CONTENT_TYPE, JSON_CONTENT_TYPE)
        .body(body.to_string())
}

/// Sends and reads a JSON reply (an empty 2xx body reads as `null`).
async fn send(request: reqwest::RequestBuilder) -> Result<Value, RequestError> {
    let response = request.send().await.map_err(classify)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(classify)?;
    if !status.is_success() {
        return Err(status_error(status, &String::from_utf8_lossy(&bytes)));
    }
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|error| RequestError::Decode {
        route: "json",
        reason: error.to_string(),
    })
}

fn classify(error: reqwest::Error) -> RequestError {
    if error.is_timeout() {
        RequestError::Timeout
    } else if error.is_connect() {
        RequestError::Connect {
            reason: error.to_string(),
        }
    } else {
        RequestError::Transport {
            reason: error.to_string(),
        }
    }
}

/// Reads the `{error:{code, message}}` envelope when there is one.
fn status_error(status: StatusCode, body: &str) -> RequestError {
    let envelope: Option<Value> = serde_json::from_str(body).ok();
    let error = envelope.as_ref().and_then(|value| value.get("error"));
    let text = |field| {
        error
            .and_then(|error| error.get(field))
            .and_then(Value::as_str)
    };
    let message = text("message").map_or_else(
        || body.chars().take(ERROR_BODY_BYTES_MAX).collect(),
        str::to_owned,
    );
    RequestError::Status {
        status: status.as_u16(),
        code: text("code").unwrap_or("-").to_owned(),
        message,
    }
}

/// A generator failure while building a request body.
fn generate_error(route: &'static str, error: &LoadError) -> RequestError {
    RequestError::Decode {
        route,
        reason: error.to_string(),
    }
}

fn missing(route: &'static str, field: &str) -> RequestError {
    RequestError::Decode {
        route,
        reason: format!("field {field} is missing or not the expected type"),
    }
}

fn digest_field(value: &Value, route: &'static str, field: &str) -> Result<Digest, RequestError> {
    let hex = value
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| missing(route, field))?;
    Digest::from_hex(hex).map_err(|error| RequestError::Decode {
        route,
        reason: format!("field {field}: {error}"),
    })
}
