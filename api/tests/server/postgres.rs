//! The node over Postgres in its own schema: readiness turns 503 when the store cannot answer
//! its query and recovers without a restart once the database can answer again.

use std::net::SocketAddr;

use msez_api::server::node::{MassLocation, StoreLocation};
use msez_api::server::{Node, NodeConfig};
use sqlx::Connection;

use super::support::{TestNode, default_knobs, tokens};

fn postgres_url() -> Option<String> {
    match std::env::var("MSEZ_TEST_DATABASE_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("MSEZ_TEST_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!("WARNING: MSEZ_TEST_DATABASE_URL unset: this Postgres test did NOT run");
            None
        }
        Err(_) => panic!("MSEZ_TEST_DATABASE_URL is unset (or set MSEZ_TEST_SKIP_POSTGRES=1)"),
    }
}

async fn execute(url: &str, sql: &str) {
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
}

#[tokio::test]
async fn readiness_on_postgres_turns_503_and_recovers() {
    let Some(url) = postgres_url() else { return };
    let schema = format!("api_readiness_{}_{}", std::process::id(), fastrand_suffix());
    execute(&url, &format!("CREATE SCHEMA {schema}")).await;
    let knobs = default_knobs();
    let node = Node::start(NodeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        store: StoreLocation::Postgres {
            url: url.clone(),
            search_path: Some(schema.clone()),
        },
        mass: MassLocation::Sandbox,
        tokens: tokens(),
        body_bytes_max: knobs.body_bytes_max,
        rate_limit_per_second: knobs.rate_limit_per_second,
        rate_limit_burst: knobs.rate_limit_burst,
        zone: None,
        zone_key: std::sync::Arc::new(msez_protocol::keys::SigningKey::from_seed(&[0x5a; 32])),
        node_name: "test-node".to_owned(),
        hosted_watchers: Vec::new(),
    })
    .await
    .unwrap();
    let node = TestNode::wrap(node);
    assert_eq!(node.get("/health/readiness", None).await.status, 200);
    execute(
        &url,
        &format!("ALTER VIEW {schema}.credential_status_list RENAME TO status_list_gone"),
    )
    .await;
    let down = node.get("/health/readiness", None).await;
    assert_eq!(down.status, 503, "{}", down.text);
    assert_eq!(down.json()["checks"]["store"], "failed");
    execute(
        &url,
        &format!("ALTER VIEW {schema}.status_list_gone RENAME TO credential_status_list"),
    )
    .await;
    let up = node.get("/health/readiness", None).await;
    assert_eq!(up.status, 200, "{}", up.text);
    node.node.shutdown().await.unwrap();
    execute(&url, &format!("DROP SCHEMA {schema} CASCADE")).await;
}

fn fastrand_suffix() -> u64 {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    u64::from_le_bytes(bytes)
}
