//! The SQLite half of `append_batch`: multi-row statements drawn from a small fixed set of
//! sizes, so every statement text repeats and the driver's per-connection cache keeps it
//! prepared.
//!
//! A batch's rows are cut into chunks of [`CHUNK_ROWS`] sizes, largest first (1,000 rows are
//! 3×256 + 3×64 + 2×16 + 2×4), so at most five texts exist per statement kind instead of one
//! per batch remainder. Placeholders are anonymous `?`: the driver resolves a named `$N` with
//! SQLite's linear name lookup, which made a 1,280-parameter insert quadratic.
//!
//! Never: decides an item (that is `plan_batch`). The write transaction is `BEGIN IMMEDIATE`
//! on the store's single writer connection, so no other write interleaves with the lease check.

use sqlx::SqliteConnection;

use super::{AppendRequest, BatchView, snapshot_digest};
use crate::error::{StoreError, db};
use crate::store::to_db_integer;

/// Rows per multi-row statement, largest first. 256 rows of 5 values stay far below SQLite's
/// 32,766 bind parameter limit; the ladder ends at 1 so every count can be cut.
const CHUNK_ROWS: [usize; 5] = [256, 64, 16, 4, 1];

/// Reads the epochs of `shards` and the journal rows at `keys`.
pub(super) async fn read_view(
    connection: &mut SqliteConnection,
    shards: &[i64],
    keys: &[(&str, i64)],
) -> Result<BatchView, StoreError> {
    let mut view = BatchView::default();
    for chunk in chunks(shards) {
        let sql = format!(
            "WITH k(shard) AS (VALUES {}) SELECT l.shard, l.epoch FROM leases l \
             JOIN k ON l.shard = k.shard",
            placeholders(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for shard in chunk {
            query = query.bind(*shard);
        }
        let rows = query
            .fetch_all(&mut *connection)
            .await
            .map_err(db("read leases"))?;
        for (shard, epoch) in rows {
            view.insert_lease(shard, epoch)?;
        }
    }
    for chunk in chunks(keys) {
        let sql = format!(
            "WITH k(corridor_id, sequence) AS (VALUES {}) \
             SELECT r.corridor_id, r.sequence, r.next_root FROM receipts r \
             JOIN k ON r.corridor_id = k.corridor_id AND r.sequence = k.sequence",
            placeholders(chunk.len(), 2)
        );
        let mut query = sqlx::query_as::<_, (String, i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql));
        for (corridor_id, sequence) in chunk {
            query = query.bind(*corridor_id).bind(*sequence);
        }
        let rows = query
            .fetch_all(&mut *connection)
            .await
            .map_err(db("read journal keys"))?;
        for (corridor_id, sequence, next_root) in rows {
            view.insert_receipt(corridor_id, sequence, &next_root)?;
        }
    }
    Ok(view)
}

/// Inserts the accepted items' receipts, then their snapshots.
pub(super) async fn insert_accepted(
    connection: &mut SqliteConnection,
    accepted: &[&AppendRequest],
) -> Result<(), StoreError> {
    let mut inserted = 0u64;
    for chunk in chunks(accepted) {
        let sql = format!(
            "INSERT INTO receipts (corridor_id, sequence, next_root, epoch, receipt) \
             VALUES {} ON CONFLICT DO NOTHING",
            placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for request in chunk {
            let record = &request.receipt;
            query = query
                .bind(record.corridor_id.as_str())
                .bind(to_db_integer("sequence", record.sequence)?)
                .bind(record.next_root.as_bytes().as_slice())
                .bind(to_db_integer("epoch", request.epoch)?)
                .bind(record.receipt.as_bytes());
        }
        inserted += query
            .execute(&mut *connection)
            .await
            .map_err(db("insert receipts"))?
            .rows_affected();
    }
    super::check_inserted(accepted.len(), inserted)?;
    for request in accepted {
        let Some(snapshot) = &request.snapshot else {
            continue;
        };
        sqlx::query(
            "INSERT INTO snapshots \
             (corridor_id, receipt_count, head_root, digest, epoch, state) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(request.receipt.corridor_id.as_str())
        .bind(to_db_integer("receipt_count", snapshot.receipt_count)?)
        .bind(snapshot.head_root.as_bytes().as_slice())
        .bind(snapshot_digest(&snapshot.state).as_bytes().as_slice())
        .bind(to_db_integer("epoch", request.epoch)?)
        .bind(snapshot.state.as_slice())
        .execute(&mut *connection)
        .await
        .map_err(db("insert snapshot"))?;
    }
    Ok(())
}

/// Cuts `items` into consecutive chunks whose lengths come from [`CHUNK_ROWS`], largest first.
pub(crate) fn chunks<T>(mut items: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    for size in CHUNK_ROWS {
        while items.len() >= size {
            let (chunk, rest) = items.split_at(size);
            out.push(chunk);
            items = rest;
        }
    }
    debug_assert!(
        items.is_empty(),
        "CHUNK_ROWS ends at 1, so nothing is left over"
    );
    out
}

/// `(?, ?), (?, ?), …`: anonymous placeholders for `row_count` rows of `column_count` values.
pub(crate) fn placeholders(row_count: usize, column_count: usize) -> String {
    let row = format!("({})", vec!["?"; column_count].join(", "));
    vec![row; row_count].join(", ")
}
