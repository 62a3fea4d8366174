//! The bearer token and OAuth2 secret never reach logs, `Debug` output or error messages.

use std::io::Write;
use std::sync::{Arc, Mutex};

use msez_mass::client::MassClient;
use msez_mass::error::{MassError, Service};
use msez_mass::sandbox::faults::FaultConfig;
use msez_mass::token::{ClientCredentials, ClientCredentialsConfig, StaticToken, TokenError};
use msez_protocol::ids::EntityId;
use zeroize::Zeroizing;

use crate::support::{CLIENT_ID, CLIENT_SECRET, TOKEN, config, raw_http, sandbox, sandbox_config};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn oauth(base_url: &str, secret: &str) -> ClientCredentials {
    let settings = ClientCredentialsConfig {
        token_url: format!("{base_url}/_sandbox/oauth/token").parse().unwrap(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: Zeroizing::new(secret.to_owned()),
        scope: Some("mass api".to_owned()),
        request_timeout: std::time::Duration::from_secs(2),
    };
    ClientCredentials::new(settings, raw_http())
}

#[tokio::test]
async fn token_never_appears_in_trace_logs_or_debug() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let provider = Arc::new(oauth(&base, CLIENT_SECRET));
    let mass = MassClient::new(&config(&base), provider.clone()).unwrap();
    sandbox
        .set_faults(
            Service::Organization,
            FaultConfig {
                fail_next_count: 1,
                ..FaultConfig::healthy()
            },
        )
        .unwrap();
    let jurisdictions = mass.organization().supported_jurisdictions().await.unwrap();
    assert!(
        !jurisdictions.is_empty(),
        "the OAuth2 token from the sandbox is accepted"
    );
    let wrong = StaticToken::new(Zeroizing::new("wrong-token".to_owned())).unwrap();
    let refused = MassClient::new(&config(&base), Arc::new(wrong)).unwrap();
    let error = refused
        .organization()
        .get(&EntityId::new("x").unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(401));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying Mass call"),
        "logging was captured: {logs}"
    );
    let static_token = StaticToken::new(Zeroizing::new(TOKEN.to_owned())).unwrap();
    let texts = [
        logs,
        format!("{provider:?}"),
        format!("{static_token:?}"),
        format!("{mass:?}"),
        format!("{error:?} {error}"),
        format!("{:?}", sandbox_config()),
        format!("{sandbox:?}"),
    ];
    for text in texts {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains(CLIENT_SECRET), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn oauth_with_wrong_secret_is_a_token_error() {
    let sandbox = sandbox().await;
    let mass = MassClient::new(
        &config(&sandbox.base_url()),
        Arc::new(oauth(&sandbox.base_url(), "wrong")),
    )
    .unwrap();
    let error = mass
        .organization()
        .supported_jurisdictions()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            MassError::Token {
                source: TokenError::Refused { status: 401 }
            }
        ),
        "{error:?}"
    );
}
