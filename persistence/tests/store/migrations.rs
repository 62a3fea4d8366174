//! Migrations: a reopened store keeps its data, a newer schema is refused with a clear error,
//! and a different shard count is refused.

use msez_persistence::error::StoreError;
use msez_persistence::migrate::supported_schema_version;

use crate::support::{self, Kind, TestDb, backend_tests};

backend_tests!(
    open_refuses_newer_schema,
    open_refuses_other_shard_count,
    reopen_keeps_data_and_version,
);

async fn open_refuses_newer_schema(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    db.execute("INSERT INTO msez_schema_version (version, name) VALUES (999, 'from the future')")
        .await;
    let error = db.reopen(support::config()).await.unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaTooNew { found_version: 999, supported_version }
            if supported_version == supported_schema_version()),
        "{error:?}"
    );
    db.cleanup().await;
}

async fn open_refuses_other_shard_count(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let mut config = support::config();
    config.shard_count = 64;
    let error = db.reopen(config).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::ShardCountMismatch {
                stored: 1_024,
                configured: 64
            }
        ),
        "{error:?}"
    );
    db.cleanup().await;
}

async fn reopen_keeps_data_and_version(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-reopen");
    let epoch = support::lease_one(&db.store, &corridor).await;
    db.store
        .append_batch(&[support::append(&corridor, 0, epoch)])
        .await
        .unwrap();
    let again = db.reopen(support::config()).await.unwrap();
    assert_eq!(again.load(&corridor).await.unwrap().receipt_count(), 1);
    again.close().await;
    db.cleanup().await;
}
