//! The Mass sandbox: a local HTTP server with the Mass contract and in-memory state.
//!
//! **This is a sandbox, not Mass.** Nothing it answers is a real organization, payment, consent
//! or identity check. It exists so zone developers and every MSEZ test have a stand-in that
//! speaks the same URLs and JSON as Mass (`{base}/{context}/api/v1/...`), validates required
//! fields (400 naming the field), honours idempotency keys (same key and body → same answer),
//! hands out deterministic ids when seeded, and lets a test inject latency and failures per
//! service at run time.
//!
//! Owns [`SandboxConfig`], [`SandboxHandle`], [`SandboxFaults`], [`start`], [`serve`],
//! [`serve_blocking`], [`router`], and the per-service route modules. Control endpoints (never
//! faulted, never authenticated) live under `/_sandbox/`: `GET /_sandbox/faults`,
//! `PUT /_sandbox/faults/{context}`, `GET /_sandbox/stats`, `POST /_sandbox/oauth/token`.
//!
//! Never: binds anything but the address it is given (`start` binds 127.0.0.1:0); persists
//! state; pretends to be production (every error body carries `"sandbox": true` and the server
//! prints [`BANNER`] on start).

pub mod faults;
pub mod state;

mod consent;
mod identity;
mod investment;
pub(crate) mod organization;
pub(crate) mod templating;
mod treasury;

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::error::Service;
use crate::sandbox::faults::FaultConfig;
use crate::sandbox::state::{SandboxError, SandboxState};

/// Printed when the sandbox starts serving.
pub const BANNER: &str = "MSEZ Mass SANDBOX (not Mass): in-memory stand-in for local \
development and tests; no record it holds is real";

/// Lifetime of tokens from the sandbox's OAuth2 endpoint, in seconds (one hour, a common
/// issuer default, so a client's refresh logic is exercised the way production would).
pub const SANDBOX_TOKEN_LIFETIME_SECS: u64 = 3600;

/// How the sandbox behaves.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Seed for ids (and the logical clock). `Some` makes a run repeatable; `None` draws one.
    pub seed: Option<u64>,
    /// When set, every Mass route requires `Authorization: Bearer <token>` (401 otherwise).
    pub bearer_token: Option<Zeroizing<String>>,
    /// When set, `/_sandbox/oauth/token` issues `bearer_token` to this client id and secret.
    pub oauth_client: Option<(String, Zeroizing<String>)>,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("seed", &self.seed)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "oauth_client",
                &self.oauth_client.as_ref().map(|(id, _)| (id, "<redacted>")),
            )
            .finish()
    }
}

/// A running in-process sandbox. Dropping it does not stop the server; call
/// [`SandboxHandle::shutdown`].
#[derive(Debug)]
pub struct SandboxHandle {
    local_addr: SocketAddr,
    state: Arc<SandboxState>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

/// A cloneable handle on a running sandbox's fault table and counters: what a zone node that
/// embeds the sandbox hands its operator route, while the node keeps the [`SandboxHandle`] to
/// shut the sandbox down.
#[derive(Debug, Clone)]
pub struct SandboxFaults {
    state: Arc<SandboxState>,
}

impl SandboxFaults {
    /// Sets the injected faults of `service` (checked first; nothing changes on an error).
    pub fn set(&self, service: Service, config: FaultConfig) -> Result<(), SandboxError> {
        self.state.faults.set(service, config)
    }

    /// The faults of every service.
    pub fn snapshot(&self) -> Vec<(Service, FaultConfig)> {
        self.state.faults.snapshot()
    }

    /// Requests `service` has received (including refused and faulted ones).
    pub fn request_count(&self, service: Service) -> u64 {
        self.state.request_count(service)
    }
}

impl SandboxHandle {
    /// A handle on this sandbox's faults that outlives borrows of the sandbox handle.
    pub fn faults(&self) -> SandboxFaults {
        SandboxFaults {
            state: Arc::clone(&self.state),
        }
    }

    /// The bound address (the real port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:<port>`: the `base_url` for a [`crate::client::MassClientConfig`].
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Sets the injected faults of `service`.
    pub fn set_faults(&self, service: Service, config: FaultConfig) -> Result<(), SandboxError> {
        self.state.faults.set(service, config)
    }

    /// Requests `service` has received (including refused and faulted ones).
    pub fn request_count(&self, service: Service) -> u64 {
        self.state.request_count(service)
    }

    /// Stops accepting connections and waits for the server task.
    pub async fn shutdown(self) -> io::Result<()> {
        // The receiver is gone only if the server already stopped; the join below reports why.
        let _ = self.shutdown.send(());
        self.task.await.map_err(io::Error::other)?
    }
}

/// Starts a sandbox on 127.0.0.1 with an OS-chosen port.
pub async fn start(config: SandboxConfig) -> io::Result<SandboxHandle> {
    start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
}

/// Starts a sandbox on `addr`.
pub async fn start_on(config: SandboxConfig, addr: SocketAddr) -> io::Result<SandboxHandle> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let state = Arc::new(SandboxState::new(config));
    let app = router(Arc::clone(&state));
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // An Err means the handle was dropped without shutdown: keep serving until the
                // runtime ends, as documented on `SandboxHandle`.
                if stopped.await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await
    });
    tracing::info!(%local_addr, "{BANNER}");
    Ok(SandboxHandle {
        local_addr,
        state,
        shutdown,
        task,
    })
}

/// Serves a sandbox on `addr` until the process is interrupted (Ctrl-C), printing [`BANNER`].
pub async fn serve(config: SandboxConfig, addr: SocketAddr) -> io::Result<()> {
    let handle = start_on(config, addr).await?;
    println!("{BANNER}");
    println!(
        "listening on {} (base URL for MassClientConfig)",
        handle.base_url()
    );
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await
}

/// The entry point of `msez mass-sandbox --port P`: builds a runtime and serves on
/// `127.0.0.1:port` until Ctrl-C.
pub fn serve_blocking(config: SandboxConfig, port: u16) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config, SocketAddr::from((Ipv4Addr::LOCALHOST, port))))
}

/// The sandbox's axum `Router` over `state`: every service under `/{context}/api/v1`, the
/// control endpoints under `/_sandbox`.
pub fn router(state: Arc<SandboxState>) -> Router {
    let services = Router::new()
        .nest("/organization-info/api/v1", organization::routes())
        .nest("/treasury-info/api/v1", treasury::routes())
        .nest("/consent-info/api/v1", consent::routes())
        .nest("/investment-info/api/v1", investment::routes())
        .nest("/identity-info/api/v1", identity::routes())
        .nest("/templating-engine/api/v1", templating::routes())
        .layer(middleware::from_fn_with_state(Arc::clone(&state), gate));
    let control = Router::new()
        .route("/_sandbox/faults", get(list_faults))
        .route("/_sandbox/faults/{context}", put(set_faults))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/oauth/token", post(oauth_token));
    services.merge(control).with_state(state)
}

/// Counts, delays, fails (faults) and authenticates every Mass request.
async fn gate(State(state): State<Arc<SandboxState>>, request: Request, next: Next) -> Response {
    let context = request.uri().path().split('/').nth(1).unwrap_or_default();
    let Some(service) = Service::from_context(context) else {
        return next.run(request).await;
    };
    state.count_request(service);
    let decision = state.faults.decide(service);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if let Some((status, retry_after_secs)) = decision.failure {
        return injected_failure(status, retry_after_secs);
    }
    if let Some(token) = &state.config.bearer_token {
        let expected = format!("Bearer {}", token.as_str());
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        if presented != Some(expected.as_bytes()) {
            return SandboxError::Unauthorized.into_response();
        }
    }
    next.run(request).await
}

fn injected_failure(status: u16, retry_after_secs: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body =
        serde_json::json!({ "error": "fault injected by the Mass sandbox", "sandbox": true });
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(secs) = retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

async fn list_faults(
    State(state): State<Arc<SandboxState>>,
) -> axum::Json<BTreeMap<&'static str, FaultConfig>> {
    let faults = state
        .faults
        .snapshot()
        .into_iter()
        .map(|(service, config)| (service.context(), config));
    axum::Json(faults.collect())
}

async fn set_faults(
    State(state): State<Arc<SandboxState>>,
    Path(context): Path<String>,
    body: Bytes,
) -> Result<StatusCode, SandboxError> {
    let service = Service::from_context(&context).ok_or(SandboxError::NotFound {
        kind: "service",
        id: context,
    })?;
    let config: FaultConfig = state::parse_body(&body, &[])?;
    state.faults.set(service, config)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn stats(State(state): State<Arc<SandboxState>>) -> axum::Json<BTreeMap<&'static str, u64>> {
    let counts = Service::ALL
        .iter()
        .map(|service| (service.context(), state.request_count(*service)));
    axum::Json(counts.collect())
}

/// OAuth2 client-credentials token endpoint (form body, `client_secret_post`).
async fn oauth_token(
    State(state): State<Arc<SandboxState>>,
    body: Bytes,
) -> Result<Response, SandboxError> {
    let form = form_decode(&body);
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if field("grant_type") != Some("client_credentials") {
        return Err(SandboxError::InvalidField {
            field: "grant_type".to_owned(),
            reason: "is not client_credentials".to_owned(),
        });
    }
    let (Some((client_id, client_secret)), Some(token)) =
        (&state.config.oauth_client, &state.config.bearer_token)
    else {
        return Err(SandboxError::Unauthorized);
    };
    if field("client_id") != Some(client_id.as_str())
        || field("client_secret") != Some(client_secret.as_str())
    {
        return Err(SandboxError::Unauthorized);
    }
    let body = serde_json::json!({
        "access_token": token.as_str(),
        "token_type": "Bearer",
        "expires_in": SANDBOX_TOKEN_LIFETIME_SECS,
    });
    Ok(axum::Json(body).into_response())
}

/// Decodes an `application/x-www-form-urlencoded` body; malformed escapes are kept literally.
fn form_decode(body: &[u8]) -> Vec<(String, Zeroizing<String>)> {
    body.split(|byte| *byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |byte| *byte == b'=');
            let name = percent_decode(parts.next().unwrap_or_default());
            let value = percent_decode(parts.next().unwrap_or_default());
            (name.to_string(), value)
        })
        .collect()
}

fn percent_decode(text: &[u8]) -> Zeroizing<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut index = 0;
    while let Some(byte) = text.get(index).copied() {
        let hex = text
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok());
        match (byte, hex.and_then(|pair| u8::from_str_radix(pair, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            (other, _) => {
                out.push(other);
                index += 1;
            }
        }
    }
    Zeroizing::new(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests;
