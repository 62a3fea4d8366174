//! `msez serve`: run a zone node until SIGINT or SIGTERM.
//!
//! Owns [`ServeArgs`] and [`ServeError`]: turning flags, environment and `zone.yaml` (with the
//! lock of the packs it names) into a [`NodeConfig`], the admin token's origin (environment,
//! file, or a generated 0600 file in the data directory), choosing the log format
//! (`super::logging`), and the signal-driven graceful shutdown.
//!
//! Never: prints, logs or accepts on the command line a token (the command line is visible to
//! other users); only the token file's path is printed.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use msez_protocol::keys::{KeyFile, SigningKey};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::CliError;
use super::logging::{LogFormat, init_logging};
use super::zone::load_zone;
use crate::server::auth::{Role, TokenEntry, TokenTable};
use crate::server::node::{
    BODY_BYTES_MAX_DEFAULT, MassLocation, NodeZone, RATE_LIMIT_BURST_DEFAULT,
    RATE_LIMIT_PER_SECOND_DEFAULT, StoreLocation,
};
use crate::server::{Node, NodeConfig, NodeError};

/// The environment variable holding the first zone_admin token.
pub const ADMIN_TOKEN_ENV: &str = "MSEZ_ADMIN_TOKEN";

/// The environment variable holding the Mass bearer token for `--mass-url`.
pub const MASS_TOKEN_ENV: &str = "MSEZ_MASS_TOKEN";

/// The environment variable that selects Postgres when `--database-url` is absent.
pub const DATABASE_URL_ENV: &str = "MSEZ_DATABASE_URL";

/// The file in the data directory that holds a generated admin token.
pub const ADMIN_TOKEN_FILE_NAME: &str = "admin.token";

/// Shortest admin token accepted: 16 characters. A shorter secret is guessable online.
pub const ADMIN_TOKEN_CHARS_MIN: usize = 16;

/// `msez serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The zone file (`zone.yaml`); the node serves that zone.
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port; the banner prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for the embedded SQLite store and the generated admin token.
    #[arg(long, default_value = "./msez-data")]
    pub data_dir: PathBuf,
    /// Postgres instead of the embedded SQLite (or set `MSEZ_DATABASE_URL`).
    #[arg(long, value_name = "postgres://...")]
    pub database_url: Option<String>,
    /// Real Mass instead of the in-process sandbox; the token is read from `MSEZ_MASS_TOKEN`.
    #[arg(long, value_name = "URL")]
    pub mass_url: Option<String>,
    /// File holding the first zone_admin token (instead of `MSEZ_ADMIN_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// JSON file of further tokens: `{"tokens":[{"name","role","sha256"}]}` where `sha256` is
    /// the hex SHA-256 of the token (`printf %s TOKEN | sha256sum`).
    #[arg(long, value_name = "FILE")]
    pub tokens_file: Option<PathBuf>,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = BODY_BYTES_MAX_DEFAULT)]
    pub body_bytes_max: usize,
    /// Sustained requests per second per principal (0 disables the limiter).
    #[arg(long, default_value_t = RATE_LIMIT_PER_SECOND_DEFAULT)]
    pub rate_limit_per_second: u32,
    /// Requests a principal may send at once.
    #[arg(long, default_value_t = RATE_LIMIT_BURST_DEFAULT)]
    pub rate_limit_burst: u32,
    /// The zone's signing key (a Multikey key file from `msez keygen`). Without it the node
    /// uses the data directory's `zone.key`, generated with mode 0600 on first start.
    #[arg(long, value_name = "FILE")]
    pub zone_key_file: Option<PathBuf>,
    /// Host a watcher with this key (a Multikey key file from `msez keygen`; repeat the flag
    /// for several). The node runs it as a supervised actor that attests every durable
    /// corridor head; its attestations are recorded once the watcher is registered, bonded
    /// and active through `/v1/watchers`, like any watcher's.
    #[arg(long = "watcher-key-file", value_name = "FILE")]
    pub watcher_key_files: Vec<PathBuf>,
    /// This node's name in corridor shard leases. Keep it stable across restarts: the same
    /// name re-takes its shards at once after a crash; a new name waits for the leases to expire.
    #[arg(long, default_value = "msez-node")]
    pub node_name: String,
    /// Log lines on standard error: `text` for people, `json` for one JSON object per line
    /// (timestamp, level, target, message, fields, and the request id inside a request).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Why `msez serve` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The node failed to start or stop.
    #[error("{0}")]
    Node(#[from] NodeError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The admin token is too short.
    #[error("{origin}: the admin token must have at least {ADMIN_TOKEN_CHARS_MIN} characters")]
    AdminTokenTooShort {
        /// Where it came from.
        origin: String,
    },
    /// The tokens file is not acceptable.
    #[error("{path}: {reason}")]
    TokensFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the entry.
        reason: String,
    },
    /// The zone file, or a pack it names, is not acceptable.
    #[error("{path}: {error}")]
    Zone {
        /// The file.
        path: PathBuf,
        /// The finding (the zone file's or a pack's, naming the field).
        error: Box<CliError>,
    },
    /// A key file (`--zone-key-file`, `--watcher-key-file`) is not a key file.
    #[error("{path}: {reason}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `--mass-url` without `MSEZ_MASS_TOKEN`.
    #[error("--mass-url needs the Mass token in {MASS_TOKEN_ENV}")]
    MassToken,
    /// The async runtime or a signal handler could not start.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokensFileEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFileEntry {
    name: String,
    role: String,
    sha256: String,
}

/// Runs the node until SIGINT or SIGTERM, then shuts it down gracefully.
pub fn serve(args: &ServeArgs) -> Result<(), ServeError> {
    init_logging(args.log_format);
    let config = node_config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let node = Node::start(config).await?;
        // The banner is the contract scripts read: one line with the URL.
        println!("msez: zone node listening on {}", node.base_url());
        wait_for_stop_signal().await?;
        tracing::info!("stop signal received; draining");
        node.shutdown().await?;
        Ok(())
    })
}

/// Builds the node configuration from flags, environment and files.
pub fn node_config(args: &ServeArgs) -> Result<NodeConfig, ServeError> {
    let mut tokens = TokenTable::default();
    let admin_token = admin_token(args)?;
    tokens.insert_plaintext("zone-admin", Role::ZoneAdmin, &admin_token);
    if let Some(path) = &args.tokens_file {
        for entry in read_tokens_file(path)? {
            tokens.insert(entry);
        }
    }
    let zone = match &args.zone {
        None => None,
        Some(path) => {
            let (config, lock, mut regpacks) =
                load_zone(path).map_err(|error| ServeError::Zone {
                    path: path.clone(),
                    error: Box::new(error),
                })?;
            Some(NodeZone {
                config,
                lock,
                regpack: regpacks.pop(),
            })
        }
    };
    let database_url = args.database_url.clone().or_else(|| {
        std::env::var(DATABASE_URL_ENV)
            .ok()
            .filter(|url| !url.is_empty())
    });
    let store = match &database_url {
        Some(url) => StoreLocation::Postgres {
            url: url.clone(),
            search_path: None,
        },
        None => {
            create_data_dir(&args.data_dir)?;
            StoreLocation::Sqlite(args.data_dir.join("msez.sqlite"))
        }
    };
    let mass = match &args.mass_url {
        None => MassLocation::Sandbox,
        Some(base_url) => match std::env::var(MASS_TOKEN_ENV) {
            Ok(token) if !token.is_empty() => MassLocation::Remote {
                base_url: base_url.clone(),
                token: Zeroizing::new(token),
            },
            _ => return Err(ServeError::MassToken),
        },
    };
    Ok(NodeConfig {
        listen: args.listen,
        store,
        mass,
        tokens,
        body_bytes_max: args.body_bytes_max,
        rate_limit_per_second: args.rate_limit_per_second,
        rate_limit_burst: args.rate_limit_burst,
        zone,
        zone_key: Arc::new(zone_key(args)?),
        node_name: args.node_name.clone(),
        hosted_watchers: watcher_keys(args)?,
    })
}

/// The data directory's generated zone key file.
pub const ZONE_KEY_FILE_NAME: &str = "zone.key";

/// A Multikey key file's signing key (the file's bytes are wiped after parsing).
fn read_key_file(path: &Path) -> Result<SigningKey, ServeError> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|source| ServeError::File {
        path: path.to_owned(),
        source,
    })?);
    KeyFile::parse(&bytes)
        .map(KeyFile::into_signing_key)
        .map_err(|error| ServeError::KeyFile {
            path: path.to_owned(),
            reason: error.to_string(),
        })
}

/// The keys of `--watcher-key-file`, in the order given; each watcher's did is logged.
fn watcher_keys(args: &ServeArgs) -> Result<Vec<Arc<SigningKey>>, ServeError> {
    args.watcher_key_files
        .iter()
        .map(|path| {
            let key = read_key_file(path)?;
            tracing::info!(did = %key.did(), path = %path.display(), "hosting a watcher");
            Ok(Arc::new(key))
        })
        .collect()
}

/// The zone key: `--zone-key-file`, else the data directory's `zone.key` (generated with mode
/// 0600 on first start; its path and did:key are logged, never the seed).
fn zone_key(args: &ServeArgs) -> Result<SigningKey, ServeError> {
    if let Some(path) = &args.zone_key_file {
        return read_key_file(path);
    }
    create_data_dir(&args.data_dir)?;
    let path = args.data_dir.join(ZONE_KEY_FILE_NAME);
    if path.exists() {
        let key = read_key_file(&path)?;
        tracing::info!(did = %key.did(), path = %path.display(), "zone key loaded");
        return Ok(key);
    }
    let mut seed = Zeroizing::new([0_u8; 32]);
    getrandom::fill(seed.as_mut_slice())
        .map_err(|error| ServeError::Node(NodeError::Random(error)))?;
    let key_file = KeyFile::new(SigningKey::from_seed(&seed));
    let bytes = key_file.to_json_bytes();
    let file_error = |source| ServeError::File {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(file_error)?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(file_error)?;
    let key = key_file.into_signing_key();
    tracing::info!(did = %key.did(), path = %path.display(), "zone key generated");
    Ok(key)
}

/// The admin token: `MSEZ_ADMIN_TOKEN`, else `--admin-token-file`, else the data directory's
/// `admin.token` (generated with mode 0600 on first start; its path is printed).
fn admin_token(args: &ServeArgs) -> Result<Zeroizing<String>, ServeError> {
    if let Ok(token) = std::env::var(ADMIN_TOKEN_ENV) {
        return checked_token(Zeroizing::new(token), ADMIN_TOKEN_ENV);
    }
    if let Some(path) = &args.admin_token_file {
        return read_token_file(path);
    }
    create_data_dir(&args.data_dir)?;
    let path = args.data_dir.join(ADMIN_TOKEN_FILE_NAME);
    if path.exists() {
        println!("msez: admin token in {}", path.display());
        return read_token_file(&path);
    }
    let mut bytes = Zeroizing::new([0_u8; 32]);
    getrandom::fill(bytes.as_mut_slice())
        .map_err(|error| ServeError::Node(NodeError::Random(error)))?;
    let token = Zeroizing::new(hex::encode(bytes.as_slice()));
    let file_error = |source| ServeError::File {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(file_error)?;
    file.write_all(token.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(file_error)?;
    println!("msez: generated an admin token in {}", path.display());
    Ok(token)
}

fn read_token_file(path: &Path) -> Result<Zeroizing<String>, ServeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ServeError::File {
        path: path.to_owned(),
        source,
    })?;
    let text = Zeroizing::new(text);
    checked_token(
        Zeroizing::new(text.trim().to_owned()),
        &path.display().to_string(),
    )
}

fn checked_token(token: Zeroizing<String>, origin: &str) -> Result<Zeroizing<String>, ServeError> {
    if token.chars().count() < ADMIN_TOKEN_CHARS_MIN {
        return Err(ServeError::AdminTokenTooShort {
            origin: origin.to_owned(),
        });
    }
    Ok(token)
}

fn read_tokens_file(path: &Path) -> Result<Vec<TokenEntry>, ServeError> {
    let bad = |reason: String| ServeError::TokensFile {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read(path).map_err(|source| ServeError::File {
        path: path.to_owned(),
        source,
    })?;
    let file: TokensFile = serde_json::from_slice(&text)
        .map_err(|error| bad(format!("not a tokens file: {error}")))?;
    file.tokens
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let role = Role::parse(&entry.role).ok_or_else(|| {
                bad(format!(
                    "tokens[{index}].role: unknown role {:?}",
                    entry.role
                ))
            })?;
            let mut sha256 = [0_u8; 32];
            hex::decode_to_slice(&entry.sha256, &mut sha256)
                .map_err(|_| bad(format!("tokens[{index}].sha256: not 64 hex digits")))?;
            Ok(TokenEntry {
                name: entry.name,
                role,
                sha256,
            })
        })
        .collect()
}

fn create_data_dir(path: &Path) -> Result<(), ServeError> {
    std::fs::create_dir_all(path).map_err(|source| ServeError::File {
        path: path.to_owned(),
        source,
    })
}

async fn wait_for_stop_signal() -> Result<(), ServeError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).map_err(ServeError::Runtime)?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(ServeError::Runtime),
        _ = terminate.recv() => Ok(()),
    }
}
