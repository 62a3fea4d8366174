//! Shard leases with fencing epochs: which process may write which corridors' journals.
//!
//! Owns [`shard_of`], [`Lease`], [`LeaseError`] and the `acquire`/`renew`/`release` methods of
//! [`Store`].
//!
//! Corridors map to shards by a stable hash: the first 8 bytes (big-endian) of
//! `SHA-256("msez.persistence.shard.v1" || 0x00 || corridor_id)`, modulo the shard count. The
//! shard count is fixed in the database when it is created (see `store_settings`), so every
//! process computes the same mapping.
//!
//! Each shard has one lease row: owner, epoch and expiry. Expiry is computed from the
//! database's clock, never a process clock, so clock skew between nodes cannot let two owners
//! both believe they hold a shard. Every grant of a lease increments the epoch (the fencing
//! token), including a re-grant to the same owner name, which fences an earlier incarnation of
//! that owner. Journal writes carry the writer's epoch and are refused unless it equals the
//! shard's current epoch (checked in the same transaction as the write; see
//! [`crate::journal`]). Expiry only makes a lease *acquirable*: a writer whose lease lapsed but
//! was not taken over still holds the current epoch, and no other writer can have written.
//!
//! Never: deletes a lease row (epochs must only grow) or reads the local clock.

use std::time::Duration;

use msez_protocol::digest::{Digest, DomainTag};
use msez_protocol::ids::CorridorId;

use crate::error::{StoreError, db};
use crate::store::{Store, from_db_integer, to_db_integer};

/// Domain tag of the corridor→shard hash.
pub const SHARD_HASH_TAG: DomainTag = DomainTag::new("msez.persistence.shard.v1");

/// The longest lease a caller may ask for. A crashed owner's shards stay unwritable until its
/// lease expires, so this bounds the outage a crash can cause.
pub const LEASE_TTL_MAX: Duration = Duration::from_secs(300);

/// The longest owner name, in bytes; owner names are node ids and appear in every lease row.
pub const OWNER_LENGTH_BYTES_MAX: usize = 128;

/// A granted lease: the caller may write the shard's journals with `epoch` until it is fenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The shard.
    pub shard: u32,
    /// Who holds it.
    pub owner: String,
    /// The fencing epoch every journal write of this holder carries.
    pub epoch: u64,
    /// Database-clock expiry, Unix milliseconds.
    pub expires_at_unix_ms: i64,
}

/// Why a lease operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// Another owner holds an unexpired lease on the shard.
    #[error("shard {shard} is held by {owner} at epoch {epoch} until {expires_at_unix_ms}")]
    Held {
        /// The shard.
        shard: u32,
        /// The current holder.
        owner: String,
        /// The current epoch.
        epoch: u64,
        /// When the holder's lease expires (database clock, Unix ms).
        expires_at_unix_ms: i64,
    },
    /// The lease being renewed or released is no longer current: another grant fenced it.
    #[error("lease on shard {shard} at epoch {epoch} was fenced by a newer grant")]
    Fenced {
        /// The shard.
        shard: u32,
        /// The caller's stale epoch.
        epoch: u64,
    },
    /// The shard number is not below the store's shard count.
    #[error("shard {shard} is not below the shard count {shard_count}")]
    ShardOutOfRange {
        /// The shard asked for.
        shard: u32,
        /// The store's shard count.
        shard_count: u32,
    },
    /// The requested time-to-live is zero or above [`LEASE_TTL_MAX`].
    #[error("lease ttl of {ttl_ms} ms is outside 1..={max_ms} ms", max_ms = LEASE_TTL_MAX.as_millis())]
    TtlOutOfRange {
        /// The requested time-to-live.
        ttl_ms: u128,
    },
    /// The owner name is empty or longer than [`OWNER_LENGTH_BYTES_MAX`].
    #[error("owner name of {length_bytes} bytes is outside 1..={OWNER_LENGTH_BYTES_MAX}")]
    OwnerLength {
        /// Its length.
        length_bytes: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The shard of a corridor among `shard_count` shards (see the module docs for the hash).
pub fn shard_of(corridor_id: &CorridorId, shard_count: u32) -> u32 {
    let digest = Digest::tagged(SHARD_HASH_TAG, corridor_id.as_str().as_bytes());
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(digest.as_bytes().get(..8).unwrap_or(&[0u8; 8]));
    let shard = u64::from_be_bytes(prefix) % u64::from(shard_count.max(1));
    // The remainder is below a u32, so the conversion cannot fail.
    u32::try_from(shard).unwrap_or(0)
}

impl Store {
    /// The shard of `corridor_id` under this store's shard count.
    pub fn shard_of(&self, corridor_id: &CorridorId) -> u32 {
        shard_of(corridor_id, self.config.shard_count)
    }

    /// Grants `owner` the lease on `shard` for `ttl` if the shard is free, expired or already
    /// held by `owner`; the grant increments the epoch.
    pub async fn acquire_lease(
        &self,
        shard: u32,
        owner: &str,
        ttl: Duration,
    ) -> Result<Lease, LeaseError> {
        let ttl_ms = self.check_lease_args(shard, owner, ttl)?;
        with_write_tx!(self, |tx, dialect| {
            let sql = format!(
                "INSERT INTO leases (shard, owner, epoch, expires_at_unix_ms) \
                 VALUES ($1, $2, 1, {now} + $3) \
                 ON CONFLICT (shard) DO UPDATE SET owner = excluded.owner, \
                 epoch = leases.epoch + 1, expires_at_unix_ms = excluded.expires_at_unix_ms \
                 WHERE leases.expires_at_unix_ms <= {now} OR leases.owner = excluded.owner \
                 RETURNING epoch, expires_at_unix_ms",
                now = dialect.now_unix_ms
            );
            let granted: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(i64::from(shard))
                .bind(owner)
                .bind(ttl_ms)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("acquire lease"))?;
            match granted {
                Some((epoch, expires_at_unix_ms)) => {
                    Ok(lease_from_columns(shard, owner, epoch, expires_at_unix_ms)?)
                }
                None => {
                    let (holder, epoch, expires_at_unix_ms): (String, i64, i64) = sqlx::query_as(
                        "SELECT owner, epoch, expires_at_unix_ms FROM leases WHERE shard = $1",
                    )
                    .bind(i64::from(shard))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db("read lease holder"))?;
                    Err(LeaseError::Held {
                        shard,
                        owner: holder,
                        epoch: from_db_integer("leases.epoch", epoch)?,
                        expires_at_unix_ms,
                    })
                }
            }
        })
    }

    /// Extends a held lease by `ttl` from now (database clock). Fails with
    /// [`LeaseError::Fenced`] if a newer grant exists.
    pub async fn renew_lease(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError> {
        let ttl_ms = self.check_lease_args(lease.shard, &lease.owner, ttl)?;
        let epoch = to_db_integer("epoch", lease.epoch)?;
        with_write_tx!(self, |tx, dialect| {
            let sql = format!(
                "UPDATE leases SET expires_at_unix_ms = {now} + $4 \
                 WHERE shard = $1 AND owner = $2 AND epoch = $3 \
                 RETURNING epoch, expires_at_unix_ms",
                now = dialect.now_unix_ms
            );
            let renewed: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(i64::from(lease.shard))
                .bind(&lease.owner)
                .bind(epoch)
                .bind(ttl_ms)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("renew lease"))?;
            match renewed {
                Some((epoch, expires_at_unix_ms)) => Ok(lease_from_columns(
                    lease.shard,
                    &lease.owner,
                    epoch,
                    expires_at_unix_ms,
                )?),
                None => Err(LeaseError::Fenced {
                    shard: lease.shard,
                    epoch: lease.epoch,
                }),
            }
        })
    }

    /// Gives a lease up: it expires now and the next grant (to anyone) gets a higher epoch.
    pub async fn release_lease(&self, lease: &Lease) -> Result<(), LeaseError> {
        let epoch = to_db_integer("epoch", lease.epoch)?;
        with_write_tx!(self, |tx, dialect| {
            let sql = format!(
                "UPDATE leases SET expires_at_unix_ms = {now} \
                 WHERE shard = $1 AND owner = $2 AND epoch = $3",
                now = dialect.now_unix_ms
            );
            let released = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(i64::from(lease.shard))
                .bind(&lease.owner)
                .bind(epoch)
                .execute(&mut *tx)
                .await
                .map_err(db("release lease"))?;
            if released.rows_affected() == 1 {
                Ok(())
            } else {
                Err(LeaseError::Fenced {
                    shard: lease.shard,
                    epoch: lease.epoch,
                })
            }
        })
    }

    fn check_lease_args(&self, shard: u32, owner: &str, ttl: Duration) -> Result<i64, LeaseError> {
        if shard >= self.config.shard_count {
            return Err(LeaseError::ShardOutOfRange {
                shard,
                shard_count: self.config.shard_count,
            });
        }
        if owner.is_empty() || owner.len() > OWNER_LENGTH_BYTES_MAX {
            return Err(LeaseError::OwnerLength {
                length_bytes: owner.len(),
            });
        }
        if ttl.is_zero() || ttl > LEASE_TTL_MAX {
            return Err(LeaseError::TtlOutOfRange {
                ttl_ms: ttl.as_millis(),
            });
        }
        // At most LEASE_TTL_MAX (300,000 ms), so the conversion cannot fail.
        Ok(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX))
    }
}

fn lease_from_columns(
    shard: u32,
    owner: &str,
    epoch: i64,
    expires_at_unix_ms: i64,
) -> Result<Lease, StoreError> {
    Ok(Lease {
        shard,
        owner: owner.to_owned(),
        epoch: from_db_integer("leases.epoch", epoch)?,
        expires_at_unix_ms,
    })
}
