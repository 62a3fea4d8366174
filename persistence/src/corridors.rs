//! Corridor records: definition, agreement set, parties (entity ids only), lifecycle state and
//! the history of its transitions.
//!
//! Owns [`CorridorRecord`], [`CorridorPartiesRecord`], [`LifecycleTransition`],
//! [`CorridorError`] and the `create_corridor`, `corridor`, `corridor_parties`,
//! `transition_corridor` and `corridor_history` methods of [`Store`].
//!
//! Parties are stored as entity ids, in the order given, in the corridor's create transaction:
//! the entity records themselves (names, registration numbers) belong to Mass.
//!
//! The state names are the protocol's lifecycle states as text; which transitions are legal is
//! a protocol rule, decided before the store is called. The store only makes a transition
//! atomic and conditional: it applies when the current state is the one the caller saw (a
//! compare-and-set), and it appends the history row in the same transaction.
//!
//! Never: decides whether a transition is legal, rewrites history, or stores more of a party
//! than its entity id.

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{CorridorId, EntityId};

use crate::error::{StoreError, db};
use crate::store::{Store, check_page, from_db_integer, to_db_integer};

/// The most corridor ids one `corridor_ids` call returns; page with `after`. 1,000 ids is a few
/// tens of kilobytes, and a zone of 10,000 corridors lists in ten pages.
pub const CORRIDOR_IDS_PAGE_MAX: u64 = 1_000;

/// A corridor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorRecord {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The canonical corridor definition.
    pub definition: CanonicalBytes,
    /// The canonical agreement set.
    pub agreement_set: CanonicalBytes,
    /// The entities party to the corridor, in the order given at creation (ids unique).
    pub party_entity_ids: Vec<EntityId>,
    /// The current lifecycle state.
    pub lifecycle_state: String,
    /// When the record last changed (Unix ms, caller's clock).
    pub updated_at_unix_ms: i64,
}

/// One corridor's lifecycle state and parties, as a party listing returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorPartiesRecord {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// Its current lifecycle state.
    pub lifecycle_state: String,
    /// Its parties, in the order given at creation (empty for a corridor created before schema
    /// version 3).
    pub party_entity_ids: Vec<EntityId>,
}

/// One applied lifecycle transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleTransition {
    /// 0 for the first transition, then +1.
    pub transition_index: u64,
    /// The state before.
    pub from_state: String,
    /// The state after.
    pub to_state: String,
    /// When it was applied (Unix ms, caller's clock).
    pub at_unix_ms: i64,
}

/// Why a corridor operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CorridorError {
    /// No corridor with that id.
    #[error("corridor {corridor_id} is not stored")]
    NotFound {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// The corridor is not in the state the caller expected; nothing changed.
    #[error("corridor {corridor_id} is in state {current_state}, not {expected_state}")]
    StateChanged {
        /// The corridor.
        corridor_id: CorridorId,
        /// The state the caller saw.
        expected_state: String,
        /// The stored state.
        current_state: String,
    },
    /// The fork is not in the status the caller expected (or does not exist); nothing changed.
    #[error("corridor {corridor_id} fork {fork_id} is no longer {expected_status}")]
    ForkStatusChanged {
        /// The corridor.
        corridor_id: CorridorId,
        /// The fork.
        fork_id: String,
        /// The status the caller saw.
        expected_status: String,
    },
    /// Stored bytes are not canonical JSON.
    #[error("corridor {corridor_id} has a stored {column} that is not canonical JSON")]
    NotCanonical {
        /// The corridor.
        corridor_id: CorridorId,
        /// The column.
        column: &'static str,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Inside a write transaction `$tx`: compares the corridor's state with `$from_state`, moves it
/// to `$to_state` and appends the history row; evaluates to `Result<LifecycleTransition,
/// CorridorError>`. A macro because each backend's transaction is its own type; it is the one
/// place a corridor's state changes, whatever else the transaction writes (a fork record).
macro_rules! apply_transition {
    ($tx:ident, $corridor_id:expr, $from_state:expr, $to_state:expr, $at_unix_ms:expr) => {{
        let corridor_id: &CorridorId = $corridor_id;
        let from_state: &str = $from_state;
        let to_state: &str = $to_state;
        let at_unix_ms: i64 = $at_unix_ms;
        let current: Option<String> =
            sqlx::query_scalar("SELECT lifecycle_state FROM corridors WHERE corridor_id = $1")
                .bind(corridor_id.as_str())
                .fetch_optional(&mut *$tx)
                .await
                .map_err(db("read corridor state"))?;
        match current {
            None => Err(CorridorError::NotFound {
                corridor_id: corridor_id.clone(),
            }),
            Some(current_state) if current_state != from_state => {
                Err(CorridorError::StateChanged {
                    corridor_id: corridor_id.clone(),
                    expected_state: from_state.to_owned(),
                    current_state,
                })
            }
            Some(_) => {
                sqlx::query(
                    "UPDATE corridors SET lifecycle_state = $2, updated_at_unix_ms = $3 \
                     WHERE corridor_id = $1",
                )
                .bind(corridor_id.as_str())
                .bind(to_state)
                .bind(at_unix_ms)
                .execute(&mut *$tx)
                .await
                .map_err(db("update corridor state"))?;
                let index: i64 = sqlx::query_scalar(
                    "INSERT INTO corridor_lifecycle_history \
                     (corridor_id, transition_index, from_state, to_state, at_unix_ms) \
                     SELECT $1, COALESCE(MAX(transition_index) + 1, 0), $2, $3, $4 \
                     FROM corridor_lifecycle_history WHERE corridor_id = $1 \
                     RETURNING transition_index",
                )
                .bind(corridor_id.as_str())
                .bind(from_state)
                .bind(to_state)
                .bind(at_unix_ms)
                .fetch_one(&mut *$tx)
                .await
                .map_err(db("insert corridor transition"))?;
                Ok(LifecycleTransition {
                    transition_index: from_db_integer("transition_index", index)?,
                    from_state: from_state.to_owned(),
                    to_state: to_state.to_owned(),
                    at_unix_ms,
                })
            }
        }
    }};
}
pub(crate) use apply_transition;

impl Store {
    /// Stores a new corridor and its parties in one transaction (the primary key refuses a
    /// second corridor with the same id; the unique key a party named twice).
    pub async fn create_corridor(&self, record: &CorridorRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO corridors (corridor_id, definition, agreement_set, \
                 lifecycle_state, updated_at_unix_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(record.corridor_id.as_str())
            .bind(record.definition.as_bytes())
            .bind(record.agreement_set.as_bytes())
            .bind(&record.lifecycle_state)
            .bind(record.updated_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("insert corridor"))?;
            for (party_index, entity_id) in record.party_entity_ids.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO corridor_parties (corridor_id, party_index, entity_id) \
                     VALUES ($1, $2, $3)",
                )
                .bind(record.corridor_id.as_str())
                .bind(to_db_integer("party_index", party_index as u64)?)
                .bind(entity_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db("insert corridor party"))?;
            }
        });
        Ok(())
    }

    /// A stored corridor.
    pub async fn corridor(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<Option<CorridorRecord>, CorridorError> {
        let row: Option<(Vec<u8>, Vec<u8>, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT definition, agreement_set, lifecycle_state, updated_at_unix_ms \
                 FROM corridors WHERE corridor_id = $1",
            )
            .bind(corridor_id.as_str())
            .fetch_optional(pool)
            .await
            .map_err(db("read corridor"))?
        });
        let Some((definition, agreement_set, lifecycle_state, updated_at_unix_ms)) = row else {
            return Ok(None);
        };
        let canonical = |column: &'static str, bytes: &[u8]| match CanonicalBytes::parse(bytes) {
            Ok(parsed) if parsed.as_bytes() == bytes => Ok(parsed),
            _ => Err(CorridorError::NotCanonical {
                corridor_id: corridor_id.clone(),
                column,
            }),
        };
        let party_rows: Vec<String> = with_reader!(self, |pool, _dialect| {
            sqlx::query_scalar(
                "SELECT entity_id FROM corridor_parties WHERE corridor_id = $1 \
                 ORDER BY party_index",
            )
            .bind(corridor_id.as_str())
            .fetch_all(pool)
            .await
            .map_err(db("read corridor parties"))?
        });
        Ok(Some(CorridorRecord {
            corridor_id: corridor_id.clone(),
            definition: canonical("definition", &definition)?,
            agreement_set: canonical("agreement_set", &agreement_set)?,
            party_entity_ids: party_rows
                .into_iter()
                .map(party_entity_id)
                .collect::<Result<_, _>>()?,
            lifecycle_state,
            updated_at_unix_ms,
        }))
    }

    /// Up to `corridor_count_max` (≤ [`CORRIDOR_IDS_PAGE_MAX`]) corridors after `after`, in id
    /// order, each with its lifecycle state and parties; pass the last corridor seen as `after`
    /// for the next page. A page of 1,000 corridors of at most a few dozen parties each stays a
    /// few megabytes.
    pub async fn corridor_parties(
        &self,
        after: Option<&CorridorId>,
        corridor_count_max: u64,
    ) -> Result<Vec<CorridorPartiesRecord>, StoreError> {
        let limit = check_page(corridor_count_max, CORRIDOR_IDS_PAGE_MAX)?;
        // One row per party (a corridor without parties yields one row with a NULL party).
        let rows: Vec<(String, String, Option<String>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT c.corridor_id, c.lifecycle_state, p.entity_id \
                 FROM (SELECT corridor_id, lifecycle_state FROM corridors \
                       WHERE ($1 IS NULL OR corridor_id > $1) \
                       ORDER BY corridor_id LIMIT $2) c \
                 LEFT JOIN corridor_parties p ON p.corridor_id = c.corridor_id \
                 ORDER BY c.corridor_id, p.party_index",
            )
            .bind(after.map(CorridorId::as_str))
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("list corridor parties"))?
        });
        let mut page: Vec<CorridorPartiesRecord> = Vec::new();
        for (corridor_id, lifecycle_state, entity_id) in rows {
            let same = page
                .last()
                .is_some_and(|last| last.corridor_id.as_str() == corridor_id);
            if !same {
                page.push(CorridorPartiesRecord {
                    corridor_id: CorridorId::new(corridor_id.clone()).map_err(|_| {
                        StoreError::IdColumnInvalid {
                            column: "corridors.corridor_id",
                            value: corridor_id,
                        }
                    })?,
                    lifecycle_state,
                    party_entity_ids: Vec::new(),
                });
            }
            if let (Some(entity_id), Some(current)) = (entity_id, page.last_mut()) {
                current.party_entity_ids.push(party_entity_id(entity_id)?);
            }
        }
        debug_assert!(page.len() as u64 <= corridor_count_max);
        Ok(page)
    }

    /// Moves a corridor from `from_state` to `to_state` and records the transition, both in
    /// one transaction; refused with [`CorridorError::StateChanged`] if the state moved on.
    pub async fn transition_corridor(
        &self,
        corridor_id: &CorridorId,
        from_state: &str,
        to_state: &str,
        at_unix_ms: i64,
    ) -> Result<LifecycleTransition, CorridorError> {
        with_write_tx!(self, |tx, _dialect| {
            apply_transition!(tx, corridor_id, from_state, to_state, at_unix_ms)
        })
    }

    /// Up to `count_max` (≤ [`CORRIDOR_IDS_PAGE_MAX`]) stored corridor ids after `after`, in
    /// id order; pass the last id seen as `after` for the next page.
    pub async fn corridor_ids(
        &self,
        after: Option<&CorridorId>,
        count_max: u64,
    ) -> Result<Vec<CorridorId>, StoreError> {
        let limit = check_page(count_max, CORRIDOR_IDS_PAGE_MAX)?;
        let rows: Vec<String> = with_reader!(self, |pool, _dialect| {
            sqlx::query_scalar(
                "SELECT corridor_id FROM corridors WHERE ($1 IS NULL OR corridor_id > $1) \
                 ORDER BY corridor_id LIMIT $2",
            )
            .bind(after.map(CorridorId::as_str))
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("list corridors"))?
        });
        rows.into_iter()
            .map(|text| {
                CorridorId::new(text.clone()).map_err(|_| StoreError::IdColumnInvalid {
                    column: "corridors.corridor_id",
                    value: text,
                })
            })
            .collect()
    }

    /// Every transition of a corridor, oldest first.
    pub async fn corridor_history(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<Vec<LifecycleTransition>, StoreError> {
        let rows: Vec<(i64, String, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT transition_index, from_state, to_state, at_unix_ms \
                 FROM corridor_lifecycle_history WHERE corridor_id = $1 \
                 ORDER BY transition_index",
            )
            .bind(corridor_id.as_str())
            .fetch_all(pool)
            .await
            .map_err(db("read corridor history"))?
        });
        rows.into_iter()
            .map(|(index, from_state, to_state, at_unix_ms)| {
                Ok(LifecycleTransition {
                    transition_index: from_db_integer("transition_index", index)?,
                    from_state,
                    to_state,
                    at_unix_ms,
                })
            })
            .collect()
    }
}

fn party_entity_id(text: String) -> Result<EntityId, StoreError> {
    EntityId::new(text.clone()).map_err(|_| StoreError::IdColumnInvalid {
        column: "corridor_parties.entity_id",
        value: text,
    })
}
