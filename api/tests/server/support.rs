//! Starting a node for one test, and one request helper that returns status, headers and body.

use std::net::SocketAddr;

use msez_api::server::auth::{Role, TokenTable};
use msez_api::server::node::{MassLocation, NodeZone, StoreLocation};
use msez_api::server::{Node, NodeConfig};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const ADMIN: &str = "admin-token-0123456789";
pub const OPERATOR: &str = "operator-token-0123456789";
pub const PARTY: &str = "party-token-0123456789";
pub const WATCHER: &str = "watcher-token-0123456789";
pub const REGULATOR: &str = "regulator-token-0123456789";

/// A running node and the temporary directory holding its store.
pub struct TestNode {
    pub node: Node,
    pub client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

/// Knobs a test may turn; everything else is the default test node.
pub struct Knobs {
    pub body_bytes_max: usize,
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
}

pub fn default_knobs() -> Knobs {
    Knobs {
        body_bytes_max: 64 * 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
    }
}

pub fn tokens() -> TokenTable {
    let mut tokens = TokenTable::default();
    tokens.insert_plaintext("admin", Role::ZoneAdmin, ADMIN);
    tokens.insert_plaintext("operator", Role::Operator, OPERATOR);
    tokens.insert_plaintext("party", Role::CorridorParty, PARTY);
    tokens.insert_plaintext("watcher", Role::Watcher, WATCHER);
    tokens.insert_plaintext("regulator", Role::Regulator, REGULATOR);
    tokens
}

/// A reqwest client for tests that talk to a node in another process. reqwest is built without
/// a default TLS provider (see the workspace manifest), and in-process nodes install one through
/// the Mass client; a test with no node in its own process must install it itself, or the client
/// panics depending on which tests ran first.
pub fn http_client(timeout: std::time::Duration) -> reqwest::Client {
    // Err only when a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(timeout).build().unwrap()
}

pub async fn start() -> TestNode {
    start_with(default_knobs()).await
}

/// The test node's configuration over a SQLite store in `dir` (a second node on the same
/// `dir` is the first one restarted).
pub fn config_at(dir: &std::path::Path, knobs: &Knobs) -> NodeConfig {
    NodeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        store: StoreLocation::Sqlite(dir.join(SQLITE_FILE)),
        mass: MassLocation::Sandbox,
        tokens: tokens(),
        body_bytes_max: knobs.body_bytes_max,
        rate_limit_per_second: knobs.rate_limit_per_second,
        rate_limit_burst: knobs.rate_limit_burst,
        zone: None,
        zone_key: std::sync::Arc::new(zone_key()),
        node_name: "test-node".to_owned(),
        hosted_watchers: Vec::new(),
    }
}

/// The store's file name inside a test node's directory.
pub const SQLITE_FILE: &str = "msez.sqlite";

pub async fn start_with(knobs: Knobs) -> TestNode {
    start_node(knobs, None).await
}

/// A node serving the example zone of `schemas/examples/` (jurisdiction `PK-RSEZ`).
pub async fn start_with_zone() -> TestNode {
    start_node(default_knobs(), Some(example_zone())).await
}

/// The example zone and the lock of its packs, read the way `msez serve --zone` reads them.
pub fn example_zone() -> NodeZone {
    let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/examples"));
    let config =
        msez_protocol::zone::parse_zone_config(&std::fs::read(base.join("zone.yaml")).unwrap())
            .unwrap();
    let mut packs = std::collections::BTreeMap::new();
    for pin in &config.packs {
        let path = base.join(&pin.path);
        let mut files = msez_protocol::packs::PackFiles::new();
        if path.is_file() {
            files.insert(pin.path.clone(), std::fs::read(&path).unwrap());
        } else {
            let mut pending = vec![path.clone()];
            while let Some(directory) = pending.pop() {
                for entry in std::fs::read_dir(&directory).unwrap() {
                    let entry = entry.unwrap().path();
                    if entry.is_dir() {
                        pending.push(entry);
                    } else {
                        let key = entry.strip_prefix(&path).unwrap().to_str().unwrap();
                        files.insert(key.to_owned(), std::fs::read(&entry).unwrap());
                    }
                }
            }
        }
        packs.insert(pin.path.clone(), files);
    }
    let lock = msez_protocol::zone::lock_zone(&config, &packs).unwrap();
    let regpack = msez_protocol::packs::regpack::parse_regpack(
        &std::fs::read(base.join("regpack.json")).unwrap(),
    )
    .unwrap();
    NodeZone {
        config,
        lock,
        regpack: Some(regpack),
    }
}

/// A node serving the example zone over the SQLite store in `dir` (which the caller keeps, so
/// a second node can open the same store after the first stopped).
pub async fn start_with_zone_in(dir: &std::path::Path) -> TestNode {
    start_in(dir, default_knobs(), Some(example_zone())).await
}

async fn start_node(knobs: Knobs, zone: Option<NodeZone>) -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let mut node = start_in(dir.path(), knobs, zone).await;
    node._dir = Some(dir);
    node
}

async fn start_in(dir: &std::path::Path, knobs: Knobs, zone: Option<NodeZone>) -> TestNode {
    let config = NodeConfig {
        zone,
        ..config_at(dir, &knobs)
    };
    let node = Node::start(config).await.unwrap();
    TestNode {
        node,
        client: reqwest::Client::new(),
        _dir: None,
    }
}

/// The zone key every test node signs with.
pub fn zone_key() -> msez_protocol::keys::SigningKey {
    msez_protocol::keys::SigningKey::from_seed(&[0x5a; 32])
}

/// One response, read fully.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    /// Asserts the error envelope: status, code, field, and a request id.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.text);
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "body: {}", self.text);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(
            error["request_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
        assert_eq!(
            error.get("field").and_then(Value::as_str),
            field,
            "body: {}",
            self.text
        );
    }
}

impl TestNode {
    /// A node started by the test itself (another store location).
    pub fn wrap(node: Node) -> Self {
        TestNode {
            node,
            client: reqwest::Client::new(),
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.node.base_url(), path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &str) -> Reply {
        self.post_raw(path, token, Some("application/json"), body.to_owned())
            .await
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &str) -> Reply {
        let mut request = self
            .client
            .put(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.delete(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: String,
    ) -> Reply {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        read(request.send().await.unwrap()).await
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply {
        status,
        headers,
        text,
    }
}
