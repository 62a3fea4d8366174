//! How `msez` client commands reach a running node: the `--url` and token arguments, one
//! blocking HTTP exchange at a time, and the node's error envelope turned into one line.
//!
//! Owns [`NodeArgs`], [`TokenArg`], [`ClientError`], [`NodeClient`] and the client's bounds
//! ([`CONNECT_TIMEOUT`], [`REQUEST_TIMEOUT`]; response bodies are bounded by
//! [`INPUT_BYTES_MAX`], like every input of `msez`).
//!
//! The token comes from `--token`, else `--token-file`, else the `MSEZ_TOKEN` environment
//! variable. The environment variable and the file keep it out of shell history and out of
//! the process list (`--token` is visible to other users of the machine while the command
//! runs); `--token` exists for one-off use and scripts that already hold the secret.
//!
//! Never: prints or logs the token (its `Debug` is redacted), retries a request (a create or an
//! append may have been applied), or returns part of a body it could not read whole.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use reqwest::Method;
use serde_json::Value;
use zeroize::Zeroizing;

use super::input::INPUT_BYTES_MAX;

/// The environment variable holding the bearer token for client commands.
pub const CLIENT_TOKEN_ENV: &str = "MSEZ_TOKEN";

/// TCP connect timeout. A node on the same network answers a connect in milliseconds; five
/// seconds means it is down or unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Whole-request timeout, download included. An export of a long chain (up to a million
/// receipts, hundreds of megabytes) streams for tens of seconds on a slow link; two minutes
/// bounds a hung node without cutting a real export short.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How to reach a node.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Bearer token. Prefer `MSEZ_TOKEN` or `--token-file`: a token on the command line is
    /// kept in shell history and visible to other users while the command runs.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<TokenArg>,
    /// File holding the bearer token (otherwise `--token` or `MSEZ_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// A bearer token given on the command line; its `Debug` never shows it.
#[derive(Clone)]
pub struct TokenArg(Zeroizing<String>);

impl FromStr for TokenArg {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(Zeroizing::new(text.to_owned())))
    }
}

impl std::fmt::Debug for TokenArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenArg(<redacted>)")
    }
}

/// Why a client command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No `--token`, no `--token-file` and no `MSEZ_TOKEN`.
    #[error("no token: set {CLIENT_TOKEN_ENV}, or pass --token-file or --token")]
    NoToken,
    /// The token file could not be read.
    #[error("--token-file {path}: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An argument that cannot be sent (it would not name anything on the node).
    #[error("{argument}: {reason}")]
    Argument {
        /// The argument, as the help names it.
        argument: &'static str,
        /// Why.
        reason: String,
    },
    /// The request could not be made or its answer not read.
    #[error("{url}: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The node refused the request with its error envelope.
    #[error(
        "{url}: HTTP {status} {code}: {message}{} (request {request_id})",
        field.as_ref().map(|field| format!(" (field {field})")).unwrap_or_default()
    )]
    Rejected {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The envelope's `code`.
        code: String,
        /// The envelope's `message`.
        message: String,
        /// The envelope's `field`, when the node named one.
        field: Option<String>,
        /// The envelope's `request_id` (quote it to the node's operator).
        request_id: String,
    },
    /// The node answered with an error status but no envelope (a proxy in between, say).
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The body as sent (at most a short prefix).
        body: String,
    },
    /// The node's answer is larger than [`INPUT_BYTES_MAX`].
    #[error("{url}: the answer exceeds {INPUT_BYTES_MAX} bytes")]
    TooLarge {
        /// The URL.
        url: String,
    },
    /// The node's answer is not the expected JSON or text.
    #[error("{url}: unexpected answer: {reason}")]
    Decode {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The async runtime could not start.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

/// Error bodies without an envelope are cut to this many bytes in the message: enough to
/// recognise a proxy's page, short enough for one line.
const ERROR_BODY_BYTES_SHOWN: usize = 200;

/// A connection to one node with one token; each call is one blocking exchange.
pub struct NodeClient {
    base_url: String,
    token: Zeroizing<String>,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl NodeClient {
    /// Reads the token and builds the client (no request is made yet).
    pub fn connect(args: &NodeArgs) -> Result<Self, ClientError> {
        let token = token(args)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ClientError::Runtime)?;
        // reqwest is built without a TLS provider of its own; use ring, as msez-mass does. Err
        // means one is already installed, which reqwest then uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base_url = args.url.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|source| ClientError::Http {
                url: base_url.clone(),
                source,
            })?;
        Ok(Self {
            base_url,
            token,
            http,
            runtime,
        })
    }

    /// `GET path`, answered 200 with JSON.
    pub fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let url = self.url(path);
        let text = self.exchange(Method::GET, &url, None)?;
        decode_json(&url, &text)
    }

    /// `GET path`, answered 200 with text (an export's JSON Lines).
    pub fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let url = self.url(path);
        self.exchange(Method::GET, &url, None)
    }

    /// `POST path` with a JSON body, answered 2xx with JSON.
    pub fn post_json(&self, path: &str, body: Vec<u8>) -> Result<Value, ClientError> {
        let url = self.url(path);
        let text = self.exchange(Method::POST, &url, Some(body))?;
        decode_json(&url, &text)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// One request; a non-2xx answer becomes [`ClientError::Rejected`] (or `Status` without an
    /// envelope). The body is read whole, at most [`INPUT_BYTES_MAX`] bytes.
    fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<String, ClientError> {
        let http = |source| ClientError::Http {
            url: url.to_owned(),
            source,
        };
        self.runtime.block_on(async {
            let mut request = self
                .http
                .request(method, url)
                .bearer_auth(self.token.as_str());
            if let Some(body) = body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body);
            }
            let mut response = request.send().await.map_err(http)?;
            let status = response.status().as_u16();
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(http)? {
                if (bytes.len() + chunk.len()) as u64 > INPUT_BYTES_MAX {
                    return Err(ClientError::TooLarge {
                        url: url.to_owned(),
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes).map_err(|error| ClientError::Decode {
                url: url.to_owned(),
                reason: format!("not UTF-8: {error}"),
            })?;
            if (200..300).contains(&status) {
                return Ok(text);
            }
            Err(refusal(url, status, &text))
        })
    }
}

fn token(args: &NodeArgs) -> Result<Zeroizing<String>, ClientError> {
    if let Some(TokenArg(token)) = &args.token {
        return Ok(token.clone());
    }
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path).map_err(|source| ClientError::TokenFile {
            path: path.clone(),
            source,
        })?;
        let text = Zeroizing::new(text);
        return Ok(Zeroizing::new(text.trim().to_owned()));
    }
    match std::env::var(CLIENT_TOKEN_ENV) {
        Ok(token) if !token.is_empty() => Ok(Zeroizing::new(token)),
        _ => Err(ClientError::NoToken),
    }
}

fn decode_json(url: &str, text: &str) -> Result<Value, ClientError> {
    serde_json::from_str(text).map_err(|error| ClientError::Decode {
        url: url.to_owned(),
        reason: error.to_string(),
    })
}

/// The node's envelope `{error:{code,message,field?,request_id}}` as an error, or the status
/// and the start of the body when there is none.
fn refusal(url: &str, status: u16, text: &str) -> ClientError {
    let envelope = serde_json::from_str::<Value>(text).ok();
    let error = envelope.as_ref().map(|body| &body["error"]);
    let member = |name: &str| {
        error
            .and_then(|error| error.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match (member("code"), member("message")) {
        (Some(code), Some(message)) => ClientError::Rejected {
            url: url.to_owned(),
            status,
            code,
            message,
            field: member("field"),
            request_id: member("request_id").unwrap_or_else(|| "-".to_owned()),
        },
        _ => {
            let mut end = text.len().min(ERROR_BODY_BYTES_SHOWN);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            ClientError::Status {
                url: url.to_owned(),
                status,
                body: text.get(..end).unwrap_or_default().to_owned(),
            }
        }
    }
}
