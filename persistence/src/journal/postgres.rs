//! The Postgres half of `append_batch`: a fixed number of statements per batch, whatever its size.
//!
//! Every statement here is one fixed SQL text that takes its rows as arrays (`UNNEST`), so the
//! driver prepares it once per connection and Postgres reuses its plan; a batch of 1,000 items
//! costs four round trips (lease read, journal key read, receipt insert, snapshot insert).
//!
//! Never: decides an item (that is `plan_batch`), or reads the leases without locking them: the
//! `FOR SHARE` row lock makes a concurrent lease grant (an `UPDATE` of the row) wait for this
//! batch's commit, so no grant can slip between the epoch check and the insert.

use sqlx::PgConnection;

use super::{AppendRequest, BatchView, snapshot_digest};
use crate::error::{StoreError, db};
use crate::store::to_db_integer;

/// Reads the epochs of `shards` (locking their lease rows until commit) and the journal rows
/// at `keys`.
pub(super) async fn read_view(
    connection: &mut PgConnection,
    shards: &[i64],
    keys: &[(&str, i64)],
) -> Result<BatchView, StoreError> {
    let mut view = BatchView::default();
    let leases: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT shard, epoch FROM leases WHERE shard = ANY($1) ORDER BY shard FOR SHARE",
    )
    .bind(shards)
    .fetch_all(&mut *connection)
    .await
    .map_err(db("read leases"))?;
    for (shard, epoch) in leases {
        view.insert_lease(shard, epoch)?;
    }
    let (corridor_ids, sequences): (Vec<&str>, Vec<i64>) = keys.iter().copied().unzip();
    // The lateral subquery is a primary-key probe per key, whatever the planner thinks of the
    // array's size.
    let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT k.corridor_id, k.sequence, r.next_root \
         FROM UNNEST($1::text[], $2::bigint[]) AS k(corridor_id, sequence) \
         CROSS JOIN LATERAL (SELECT next_root FROM receipts \
             WHERE corridor_id = k.corridor_id AND sequence = k.sequence) AS r",
    )
    .bind(&corridor_ids)
    .bind(&sequences)
    .fetch_all(&mut *connection)
    .await
    .map_err(db("read journal keys"))?;
    for (corridor_id, sequence, next_root) in rows {
        view.insert_receipt(corridor_id, sequence, &next_root)?;
    }
    Ok(view)
}

/// Inserts the accepted items' receipts and snapshots, one statement each.
pub(super) async fn insert_accepted(
    connection: &mut PgConnection,
    accepted: &[&AppendRequest],
) -> Result<(), StoreError> {
    if accepted.is_empty() {
        return Ok(());
    }
    let mut corridor_ids = Vec::with_capacity(accepted.len());
    let mut sequences = Vec::with_capacity(accepted.len());
    let mut next_roots = Vec::with_capacity(accepted.len());
    let mut epochs = Vec::with_capacity(accepted.len());
    let mut receipts = Vec::with_capacity(accepted.len());
    for request in accepted {
        let record = &request.receipt;
        corridor_ids.push(record.corridor_id.as_str());
        sequences.push(to_db_integer("sequence", record.sequence)?);
        next_roots.push(record.next_root.as_bytes().as_slice());
        epochs.push(to_db_integer("epoch", request.epoch)?);
        receipts.push(record.receipt.as_bytes());
    }
    let inserted = sqlx::query(
        "INSERT INTO receipts (corridor_id, sequence, next_root, epoch, receipt) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bytea[], $4::bigint[], $5::bytea[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&corridor_ids)
    .bind(&sequences)
    .bind(&next_roots)
    .bind(&epochs)
    .bind(&receipts)
    .execute(&mut *connection)
    .await
    .map_err(db("insert receipts"))?
    .rows_affected();
    super::check_inserted(accepted.len(), inserted)?;
    insert_snapshots(connection, accepted).await
}

async fn insert_snapshots(
    connection: &mut PgConnection,
    accepted: &[&AppendRequest],
) -> Result<(), StoreError> {
    let mut corridor_ids = Vec::new();
    let mut receipt_counts = Vec::new();
    let mut head_roots = Vec::new();
    let mut digests = Vec::new();
    let mut epochs = Vec::new();
    let mut states = Vec::new();
    for request in accepted {
        let Some(snapshot) = &request.snapshot else {
            continue;
        };
        corridor_ids.push(request.receipt.corridor_id.as_str());
        receipt_counts.push(to_db_integer("receipt_count", snapshot.receipt_count)?);
        head_roots.push(snapshot.head_root.as_bytes().to_vec());
        digests.push(snapshot_digest(&snapshot.state).as_bytes().to_vec());
        epochs.push(to_db_integer("epoch", request.epoch)?);
        states.push(snapshot.state.as_slice());
    }
    if corridor_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO snapshots (corridor_id, receipt_count, head_root, digest, epoch, state) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bytea[], $4::bytea[], \
             $5::bigint[], $6::bytea[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&corridor_ids)
    .bind(&receipt_counts)
    .bind(&head_roots)
    .bind(&digests)
    .bind(&epochs)
    .bind(&states)
    .execute(&mut *connection)
    .await
    .map_err(db("insert snapshots"))?;
    Ok(())
}
