//! One zone node per test: SQLite in a temporary directory, the in-process Mass sandbox, a
//! fixed zone key, and one token per role the scenarios use.

use std::net::SocketAddr;
use std::sync::Arc;

use msez_api::server::auth::{Role, TokenTable};
use msez_api::server::node::{MassLocation, StoreLocation};
use msez_api::server::{Node, NodeConfig};
use msez_protocol::keys::SigningKey;

pub const ADMIN: &str = "scenario-admin-token-0123456789";
pub const OPERATOR: &str = "scenario-operator-token-0123456789";

/// The zone key's seed: the scenario verifies checkpoints against this key's did.
pub const ZONE_KEY_SEED: [u8; 32] = [0x5c; 32];

pub struct TestNode {
    pub node: Node,
    _dir: tempfile::TempDir,
}

pub async fn start() -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let mut tokens = TokenTable::default();
    tokens.insert_plaintext("admin", Role::ZoneAdmin, ADMIN);
    tokens.insert_plaintext("operator", Role::Operator, OPERATOR);
    let node = Node::start(NodeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        store: StoreLocation::Sqlite(dir.path().join("msez.sqlite")),
        mass: MassLocation::Sandbox,
        tokens,
        body_bytes_max: 1024 * 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
        zone: None,
        zone_key: Arc::new(SigningKey::from_seed(&ZONE_KEY_SEED)),
        node_name: "scenario-node".to_owned(),
        hosted_watchers: Vec::new(),
    })
    .await
    .unwrap();
    TestNode { node, _dir: dir }
}
