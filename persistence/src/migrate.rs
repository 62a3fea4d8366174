//! Forward-only migrations, embedded in the binary and run when a store opens.
//!
//! Owns [`Migration`], the per-dialect migration lists and the schema-version table
//! `msez_schema_version` (one row per applied migration). Opening a database whose highest
//! version is above this build's fails with [`StoreError::SchemaTooNew`] before anything is
//! read or written; an older database is brought forward inside one transaction, so a crash
//! mid-migration leaves the old version intact.
//!
//! Never: edits or reverses a released migration. A change of schema is a new numbered file in
//! `migrations/postgres/` and `migrations/sqlite/`, added to both lists below.

use crate::error::{StoreError, db};
use crate::store::Store;

/// One embedded migration.
#[derive(Debug)]
pub struct Migration {
    /// Strictly increasing from 1.
    pub version: i64,
    /// What the migration does, for the version table.
    pub name: &'static str,
    /// The SQL, possibly several statements.
    pub sql: &'static str,
}

/// Postgres migrations, oldest first.
pub const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "listing_indexes",
        sql: include_str!("../migrations/postgres/0002_listing_indexes.sql"),
    },
    Migration {
        version: 3,
        name: "corridor_parties",
        sql: include_str!("../migrations/postgres/0003_corridor_parties.sql"),
    },
    Migration {
        version: 4,
        name: "corridor_forks",
        sql: include_str!("../migrations/postgres/0004_corridor_forks.sql"),
    },
];

/// SQLite migrations, oldest first; the same versions as [`POSTGRES_MIGRATIONS`].
pub const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "listing_indexes",
        sql: include_str!("../migrations/sqlite/0002_listing_indexes.sql"),
    },
    Migration {
        version: 3,
        name: "corridor_parties",
        sql: include_str!("../migrations/sqlite/0003_corridor_parties.sql"),
    },
    Migration {
        version: 4,
        name: "corridor_forks",
        sql: include_str!("../migrations/sqlite/0004_corridor_forks.sql"),
    },
];

const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS msez_schema_version (\
     version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

/// Brings the store's schema to this build's version and checks the fixed settings.
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    let shard_count = i64::from(store.config.shard_count);
    with_write_tx!(store, |tx, dialect| {
        if let Some(lock) = dialect.migration_lock {
            sqlx::raw_sql(lock)
                .execute(&mut *tx)
                .await
                .map_err(db("lock migrations"))?;
        }
        sqlx::raw_sql(CREATE_VERSION_TABLE)
            .execute(&mut *tx)
            .await
            .map_err(db("create msez_schema_version"))?;
        let found_version: i64 =
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM msez_schema_version")
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read schema version"))?
                .unwrap_or(0);
        let supported_version = dialect.migrations.last().map_or(0, |m| m.version);
        if found_version > supported_version {
            return Err(StoreError::SchemaTooNew {
                found_version,
                supported_version,
            });
        }
        for migration in dialect
            .migrations
            .iter()
            .filter(|m| m.version > found_version)
        {
            sqlx::raw_sql(migration.sql)
                .execute(&mut *tx)
                .await
                .map_err(db("apply migration"))?;
            sqlx::query("INSERT INTO msez_schema_version (version, name) VALUES ($1, $2)")
                .bind(migration.version)
                .bind(migration.name)
                .execute(&mut *tx)
                .await
                .map_err(db("record migration"))?;
        }
        sqlx::query(
            "INSERT INTO store_settings (name, value) VALUES ('shard_count', $1) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(shard_count)
        .execute(&mut *tx)
        .await
        .map_err(db("record shard_count"))?;
        let stored: i64 =
            sqlx::query_scalar("SELECT value FROM store_settings WHERE name = 'shard_count'")
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read shard_count"))?;
        if stored != shard_count {
            return Err(StoreError::ShardCountMismatch {
                stored,
                configured: store.config.shard_count,
            });
        }
    });
    Ok(())
}

/// The schema version this build migrates to.
pub fn supported_schema_version() -> i64 {
    POSTGRES_MIGRATIONS.last().map_or(0, |m| m.version)
}
