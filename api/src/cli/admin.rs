//! `msez admin tree`: the node's supervision tree, pretty-printed, fetched over HTTP.
//!
//! Owns [`AdminCommand`] and the tree renderer. Talks to a running node with `--url` and a
//! bearer token read from `MSEZ_TOKEN` or `--token-file` (never from the command line, where
//! other users could read it).
//!
//! Never: prints the token, or prints a partial tree when the request failed.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;
use zeroize::Zeroizing;

/// The environment variable holding the bearer token for client commands.
pub const CLIENT_TOKEN_ENV: &str = "MSEZ_TOKEN";

/// The `msez admin` commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Print the node's supervision tree: one line per node with kind, status, restarts and
    /// inbox depth.
    ///
    /// Example: `MSEZ_TOKEN=$(cat msez-data/admin.token) msez admin tree`.
    Tree(NodeArgs),
}

/// How to reach a node.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// File holding the bearer token (otherwise `MSEZ_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// Why a client command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No token in `MSEZ_TOKEN` and no `--token-file`.
    #[error("set {CLIENT_TOKEN_ENV} or pass --token-file")]
    NoToken,
    /// The token file could not be read.
    #[error("{path}: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The request could not be made.
    #[error("{url}: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The node answered with an error.
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The error envelope as sent.
        body: String,
    },
    /// The node's answer is not the expected JSON.
    #[error("{url}: unexpected answer: {source}")]
    Decode {
        /// The URL.
        url: String,
        /// The parser's finding.
        source: serde_json::Error,
    },
    /// The async runtime could not start.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

/// `msez admin tree`: the rendered tree.
pub fn tree(args: &NodeArgs) -> Result<String, ClientError> {
    let url = format!("{}/v1/admin/supervision", args.url.trim_end_matches('/'));
    let tree = get_json(&url, &token(args)?)?;
    let mut out = String::new();
    render(&tree, 0, &mut out);
    Ok(out)
}

fn token(args: &NodeArgs) -> Result<Zeroizing<String>, ClientError> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path).map_err(|source| ClientError::TokenFile {
            path: path.clone(),
            source,
        })?;
        return Ok(Zeroizing::new(text.trim().to_owned()));
    }
    match std::env::var(CLIENT_TOKEN_ENV) {
        Ok(token) if !token.is_empty() => Ok(Zeroizing::new(token)),
        _ => Err(ClientError::NoToken),
    }
}

fn get_json(url: &str, token: &str) -> Result<Value, ClientError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ClientError::Runtime)?;
    let http = |source| ClientError::Http {
        url: url.to_owned(),
        source,
    };
    // reqwest is built without a TLS provider of its own; use ring, as msez-mass does. Err means
    // one is already installed, which reqwest then uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime.block_on(async {
        let response = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(http)?
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(http)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(http)?;
        if status != 200 {
            return Err(ClientError::Status {
                url: url.to_owned(),
                status,
                body,
            });
        }
        serde_json::from_str(&body).map_err(|source| ClientError::Decode {
            url: url.to_owned(),
            source,
        })
    })
}

/// One line per node, children indented by two spaces per level.
fn render(node: &Value, depth: usize, out: &mut String) {
    let text = |key: &str| node[key].as_str().unwrap_or("?").to_owned();
    let number = |key: &str| node[key].as_u64().unwrap_or(0);
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!(
        "{}  [{} {}] restarts={} inbox={}",
        text("path"),
        text("kind"),
        text("status"),
        number("restart_count"),
        number("inbox_depth"),
    ));
    if let Some(failure) = node["last_failure"].as_str() {
        out.push_str(&format!(" last_failure={failure:?}"));
    }
    out.push('\n');
    for child in node["children"].as_array().into_iter().flatten() {
        render(child, depth + 1, out);
    }
}
