//! Bearer tokens for Mass: where the `Authorization` header comes from.
//!
//! Owns the [`TokenProvider`] trait and its two implementations: [`StaticToken`] (a fixed bearer
//! token) and [`ClientCredentials`] (OAuth2 client-credentials grant, cached until shortly before
//! expiry, refreshed by one caller at a time).
//!
//! Never: prints, logs or formats a token or client secret. Every secret lives in a
//! [`Zeroizing`] buffer (wiped on drop) and every `Debug` impl here prints `<redacted>`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use zeroize::Zeroizing;

/// Seconds before expiry at which a cached OAuth2 token is refreshed. 30 s covers clock skew
/// and one slow request, so a token never expires in flight.
pub const TOKEN_REFRESH_MARGIN_SECS: u64 = 30;

/// Largest token-endpoint response read, in bytes. A token response is a few hundred bytes;
/// 64 KiB bounds a misbehaving endpoint.
pub const TOKEN_RESPONSE_BYTES_MAX: usize = 64 * 1024;

/// A bearer token as handed to the transport: wiped from memory on drop.
pub type BearerToken = Zeroizing<String>;

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<BearerToken, TokenError>> + Send + 'a>>;

/// Where bearer tokens come from. Implementations must never reveal the token in `Debug`.
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A currently valid bearer token.
    fn bearer_token(&self) -> TokenFuture<'_>;
}

/// Why no token could be obtained.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token endpoint could not be reached.
    #[error("token endpoint unreachable: {source}")]
    Transport {
        /// The reqwest error.
        #[source]
        source: reqwest::Error,
    },
    /// The token endpoint refused the client credentials.
    #[error("token endpoint answered HTTP {status}")]
    Refused {
        /// The HTTP status.
        status: u16,
    },
    /// The token endpoint answered something that is not a token response.
    #[error("token response does not decode: {source}")]
    Decode {
        /// Why decoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// The token response exceeds [`TOKEN_RESPONSE_BYTES_MAX`].
    #[error("token response exceeds {TOKEN_RESPONSE_BYTES_MAX} bytes")]
    TooLarge,
    /// The token response carries an empty `access_token`.
    #[error("token response has an empty access_token")]
    Empty,
}

/// A fixed bearer token (a service account token issued out of band).
pub struct StaticToken {
    token: BearerToken,
}

impl StaticToken {
    /// Wraps `token`; an empty or whitespace token is a configuration error.
    pub fn new(token: Zeroizing<String>) -> Result<StaticToken, crate::error::MassError> {
        if token.trim().is_empty() {
            return Err(crate::error::MassError::Config {
                field: "token",
                reason: "is missing or empty",
            });
        }
        Ok(StaticToken { token })
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenProvider for StaticToken {
    fn bearer_token(&self) -> TokenFuture<'_> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// The settings of an OAuth2 client-credentials grant.
pub struct ClientCredentialsConfig {
    /// The token endpoint (`https://.../oauth/token`).
    pub token_url: Url,
    /// The OAuth2 client id.
    pub client_id: String,
    /// The OAuth2 client secret.
    pub client_secret: Zeroizing<String>,
    /// The requested scope, if the issuer needs one.
    pub scope: Option<String>,
    /// Timeout of one token request.
    pub request_timeout: Duration,
}

impl fmt::Debug for ClientCredentialsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialsConfig")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// OAuth2 client-credentials provider: fetches a token, caches it until
/// [`TOKEN_REFRESH_MARGIN_SECS`] before expiry, and lets one caller refresh at a time.
pub struct ClientCredentials {
    config: ClientCredentialsConfig,
    http: reqwest::Client,
    /// An async mutex: the refresh awaits the token endpoint while holding it, so concurrent
    /// callers wait for the one refresh instead of each fetching a token.
    cached: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: BearerToken,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    /// Moved into a `Zeroizing` buffer right after decoding.
    access_token: String,
    expires_in: Option<u64>,
}

impl ClientCredentials {
    /// A provider for `config`, using `http` for the token requests.
    pub fn new(config: ClientCredentialsConfig, http: reqwest::Client) -> ClientCredentials {
        ClientCredentials {
            config,
            http,
            cached: Mutex::new(None),
        }
    }

    async fn fetch(&self) -> Result<CachedToken, TokenError> {
        let body = form_body(&self.config);
        let response = self
            .http
            .post(self.config.token_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .timeout(self.config.request_timeout)
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(|source| TokenError::Transport { source })?;
        let status = response.status();
        if !status.is_success() {
            return Err(TokenError::Refused {
                status: status.as_u16(),
            });
        }
        let bytes = crate::transport::read_capped(response, TOKEN_RESPONSE_BYTES_MAX)
            .await
            .map_err(|failure| match failure {
                crate::transport::ReadFailure::TooLarge => TokenError::TooLarge,
                crate::transport::ReadFailure::Transport(source) => {
                    TokenError::Transport { source }
                }
            })?;
        let parsed: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|source| TokenError::Decode { source })?;
        let access_token = Zeroizing::new(parsed.access_token);
        if access_token.is_empty() {
            return Err(TokenError::Empty);
        }
        let lifetime_secs = parsed.expires_in.unwrap_or(0);
        let refresh_after = lifetime_secs.saturating_sub(TOKEN_REFRESH_MARGIN_SECS);
        Ok(CachedToken {
            token: access_token,
            refresh_at: Instant::now() + Duration::from_secs(refresh_after),
        })
    }
}

/// The `application/x-www-form-urlencoded` body of a client-credentials request.
fn form_body(config: &ClientCredentialsConfig) -> Zeroizing<String> {
    let mut body = Zeroizing::new(String::new());
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("client_id", &config.client_id),
        ("client_secret", &config.client_secret),
    ];
    if let Some(scope) = &config.scope {
        pairs.push(("scope", scope));
    }
    for (index, (name, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            body.push('&');
        }
        form_encode_into(name, &mut body);
        body.push('=');
        form_encode_into(value, &mut body);
    }
    body
}

/// Appends `text` form-encoded (WHATWG `application/x-www-form-urlencoded`) to `out`.
pub(crate) fn form_encode_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TokenProvider for ClientCredentials {
    fn bearer_token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            if let Some(current) = cached.as_ref()
                && Instant::now() < current.refresh_at
            {
                return Ok(current.token.clone());
            }
            let fresh = self.fetch().await?;
            let token = fresh.token.clone();
            *cached = Some(fresh);
            Ok(token)
        })
    }
}

#[cfg(test)]
mod tests;
