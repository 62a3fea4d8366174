//! Shared fixtures: a seeded sandbox with a bearer token, and a client configured for tests.

use std::sync::Arc;
use std::time::Duration;

use msez_mass::breaker::BreakerConfig;
use msez_mass::client::{MassClient, MassClientConfig};
use msez_mass::retry::RetryPolicy;
use msez_mass::sandbox::{SandboxConfig, SandboxHandle, start};
use msez_mass::token::StaticToken;
use zeroize::Zeroizing;

/// The bearer token the test sandbox requires. Distinctive so a leak is easy to grep for.
pub const TOKEN: &str = "tok-SECRET-7f3a9c1e-never-log-me";

/// The OAuth2 client the test sandbox accepts.
pub const CLIENT_ID: &str = "msez-test-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "client-SECRET-4b1d-never-log-me";

pub fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        seed: Some(7),
        bearer_token: Some(Zeroizing::new(TOKEN.to_owned())),
        oauth_client: Some((
            CLIENT_ID.to_owned(),
            Zeroizing::new(CLIENT_SECRET.to_owned()),
        )),
    }
}

/// A bare HTTP client for probing the sandbox directly. reqwest is built without a default TLS
/// provider, so a test that builds a client before any `MassClient` exists must install one
/// first, or the build panics when that test runs alone.
pub fn raw_http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn sandbox() -> SandboxHandle {
    start(sandbox_config()).await.unwrap()
}

pub fn config(base_url: &str) -> MassClientConfig {
    MassClientConfig {
        base_url: base_url.to_owned(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            attempts_max: 3,
            backoff_initial: Duration::from_millis(1),
            backoff_max: Duration::from_millis(4),
        },
        breaker: BreakerConfig {
            failures_consecutive_max: 50,
            open_duration: Duration::from_millis(200),
        },
        response_body_bytes_max: 1024 * 1024,
    }
}

pub fn token() -> Arc<StaticToken> {
    Arc::new(StaticToken::new(Zeroizing::new(TOKEN.to_owned())).unwrap())
}

pub fn client(sandbox: &SandboxHandle) -> MassClient {
    MassClient::new(&config(&sandbox.base_url()), token()).unwrap()
}
