//! Watchers, their bonds, slashing claims against bonds, and the attestations watchers sign.
//!
//! Owns [`WatcherRecord`], [`BondRecord`], [`SlashingClaimRecord`], [`AttestationRecord`],
//! the moves [`StateMove`] and [`BondMove`], and their methods on [`Store`].
//!
//! States are the protocol's watcher, bond and claim lifecycle states as text; which transition
//! is legal is a protocol rule decided before the store is called. The store makes each change
//! a compare-and-set (`set_*_state(id, from_state, to_state)`), refused with
//! [`RecordError::StateChanged`] when the state moved on. A change that spans rows (a watcher
//! and its bond; a claim, its bond and its watcher) is one transaction of compare-and-sets:
//! all rows move, or none. Documents (bonds, claims,
//! attestations) are canonical bytes, checked again on every read.
//!
//! Never: decides whether a transition is legal, moves value (a bond is a record of a bond,
//! not the bond itself), or returns a document it could not verify.

use crate::error::{StoreError, db, digest_column};
use crate::records::{
    RecordError, canonical_document, compare_and_set_state, set_state, verified_document,
};
use crate::store::{Store, check_page};
use msez_protocol::canonical::CanonicalBytes;

/// Inserts the `&BondRecord` `$record` inside the write transaction `$tx` (the one bond insert).
macro_rules! insert_bond {
    ($tx:ident, $record:expr) => {{
        let record: &BondRecord = $record;
        sqlx::query(
            "INSERT INTO watcher_bonds (bond_id, watcher_id, currency, amount_minor, state, \
             bond) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&record.bond_id)
        .bind(&record.watcher_id)
        .bind(&record.currency)
        .bind(record.amount_minor.to_string())
        .bind(&record.state)
        .bind(record.bond.as_bytes())
        .execute(&mut *$tx)
        .await
        .map_err(db("insert bond"))?;
    }};
}

/// Applies the watcher's `&StateMove` `$watcher` inside the write transaction `$tx` (the
/// watchers-table case of `compare_and_set_state!`).
macro_rules! move_watcher {
    ($tx:ident, $watcher:expr) => {{
        let watcher: &StateMove = $watcher;
        compare_and_set_state!(
            $tx,
            "watchers",
            "watcher_id",
            &watcher.key,
            &watcher.from_state,
            &watcher.to_state
        );
    }};
}

/// Applies the `&BondMove` `$bond` inside the write transaction `$tx`: state and amount are
/// compare-and-set together, or the enclosing function returns
/// [`RecordError::StateChanged`] naming what the row holds now.
macro_rules! move_bond {
    ($tx:ident, $bond:expr) => {{
        let bond: &BondMove = $bond;
        let updated = sqlx::query(
            "UPDATE watcher_bonds SET state = $3, amount_minor = $5 \
             WHERE bond_id = $1 AND state = $2 AND amount_minor = $4",
        )
        .bind(&bond.bond_id)
        .bind(&bond.from_state)
        .bind(&bond.to_state)
        .bind(bond.from_amount_minor.to_string())
        .bind(bond.to_amount_minor.to_string())
        .execute(&mut *$tx)
        .await
        .map_err(db("move bond"))?
        .rows_affected();
        if updated == 0 {
            let current: Option<(String, String)> =
                sqlx::query_as("SELECT state, amount_minor FROM watcher_bonds WHERE bond_id = $1")
                    .bind(&bond.bond_id)
                    .fetch_optional(&mut *$tx)
                    .await
                    .map_err(db("read bond"))?;
            return Err(match current {
                None => RecordError::NotFound {
                    table: "watcher_bonds",
                    key: bond.bond_id.clone(),
                },
                Some((state, amount_minor)) => RecordError::StateChanged {
                    table: "watcher_bonds",
                    key: bond.bond_id.clone(),
                    expected_state: format!(
                        "{} holding {}",
                        bond.from_state, bond.from_amount_minor
                    ),
                    current_state: format!("{state} holding {amount_minor}"),
                },
            });
        }
    }};
}

/// The most attestations one `attestations` call returns; page with `after_attestation_id`.
pub const ATTESTATIONS_PAGE_MAX: u64 = 1_000;

/// The most watchers one `watchers` call returns; page with `after_watcher_id`. 1,000 rows of
/// about 150 bytes keep a page small, like the other registry pages.
pub const WATCHERS_PAGE_MAX: u64 = 1_000;

/// The `watcher_bonds.state` of a bond that still stands behind its watcher: the node's
/// registry writes it when a bond is posted, and fork resolution sums the bonds in this state
/// into a watcher's stake. (Released and forfeited bonds back nothing.)
pub const BOND_STATE_HELD: &str = "held";

/// A row's lifecycle move: it must be in `from_state`, and goes to `to_state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMove {
    /// The row's key.
    pub key: String,
    /// The state it must be in.
    pub from_state: String,
    /// The state it moves to.
    pub to_state: String,
}

/// A bond's move: its state and its amount, each compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BondMove {
    /// The bond.
    pub bond_id: String,
    /// The state it must be in.
    pub from_state: String,
    /// The state it moves to.
    pub to_state: String,
    /// The amount it must hold, in minor units.
    pub from_amount_minor: i128,
    /// The amount it holds after, in minor units.
    pub to_amount_minor: i128,
}

/// A registered watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherRecord {
    /// The watcher's id.
    pub watcher_id: String,
    /// Its did:key.
    pub did: String,
    /// Its lifecycle state.
    pub state: String,
    /// When it registered (Unix ms, caller's clock).
    pub registered_at_unix_ms: i64,
}

/// A watcher's bond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BondRecord {
    /// The bond's id.
    pub bond_id: String,
    /// The watcher that posted it.
    pub watcher_id: String,
    /// ISO 4217 currency code.
    pub currency: String,
    /// The bonded amount in minor units.
    pub amount_minor: i128,
    /// Its lifecycle state.
    pub state: String,
    /// The canonical bond document.
    pub bond: CanonicalBytes,
}

/// A claim to slash a bond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashingClaimRecord {
    /// The claim's id.
    pub claim_id: String,
    /// The bond it is against.
    pub bond_id: String,
    /// Its lifecycle state.
    pub state: String,
    /// The canonical claim (with its evidence digests).
    pub claim: CanonicalBytes,
}

/// A signed attestation about a subject (a corridor head, a checkpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationRecord {
    /// The attestation's id.
    pub attestation_id: String,
    /// What it attests to.
    pub subject_id: String,
    /// The canonical signed attestation (it names its watcher).
    pub attestation: CanonicalBytes,
    /// When it was made (Unix ms, the watcher's clock).
    pub created_at_unix_ms: i64,
}

impl Store {
    /// Registers a watcher (the primary key refuses a second one with the same id).
    pub async fn register_watcher(&self, record: &WatcherRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO watchers (watcher_id, did, state, registered_at_unix_ms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&record.watcher_id)
            .bind(&record.did)
            .bind(&record.state)
            .bind(record.registered_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("insert watcher"))?;
        });
        Ok(())
    }

    /// A registered watcher.
    pub async fn watcher(&self, watcher_id: &str) -> Result<Option<WatcherRecord>, StoreError> {
        let row: Option<(String, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT did, state, registered_at_unix_ms FROM watchers WHERE watcher_id = $1",
            )
            .bind(watcher_id)
            .fetch_optional(pool)
            .await
            .map_err(db("read watcher"))?
        });
        Ok(
            row.map(|(did, state, registered_at_unix_ms)| WatcherRecord {
                watcher_id: watcher_id.to_owned(),
                did,
                state,
                registered_at_unix_ms,
            }),
        )
    }

    /// Up to `count_max` (≤ [`WATCHERS_PAGE_MAX`]) watchers in id order after
    /// `after_watcher_id`.
    pub async fn watchers(
        &self,
        after_watcher_id: Option<&str>,
        count_max: u64,
    ) -> Result<Vec<WatcherRecord>, StoreError> {
        let limit = check_page(count_max, WATCHERS_PAGE_MAX)?;
        let rows: Vec<(String, String, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT watcher_id, did, state, registered_at_unix_ms FROM watchers \
                 WHERE ($1 IS NULL OR watcher_id > $1) ORDER BY watcher_id LIMIT $2",
            )
            .bind(after_watcher_id)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read watchers"))?
        });
        Ok(rows
            .into_iter()
            .map(
                |(watcher_id, did, state, registered_at_unix_ms)| WatcherRecord {
                    watcher_id,
                    did,
                    state,
                    registered_at_unix_ms,
                },
            )
            .collect())
    }

    /// Posts a bond: moves its watcher (`watcher.key`) and records the bond, in one
    /// transaction. Refused with [`RecordError::StateChanged`] when the watcher moved on, with
    /// nothing written.
    pub async fn bond_watcher(
        &self,
        watcher: &StateMove,
        bond: &BondRecord,
    ) -> Result<(), RecordError> {
        debug_assert_eq!(watcher.key, bond.watcher_id);
        with_write_tx!(self, |tx, _dialect| {
            move_watcher!(tx, watcher);
            insert_bond!(tx, bond);
        });
        Ok(())
    }

    /// Moves a watcher and its bond together (leaving: the bond is released), in one
    /// transaction; nothing moves when either row moved on.
    pub async fn move_watcher_and_bond(
        &self,
        watcher: &StateMove,
        bond: &BondMove,
    ) -> Result<(), RecordError> {
        with_write_tx!(self, |tx, _dialect| {
            move_watcher!(tx, watcher);
            move_bond!(tx, bond);
        });
        Ok(())
    }

    /// Executes a slashing claim: moves the claim, takes the slash from the bond and moves the
    /// watcher, in one transaction; nothing moves when any row moved on (a claim executed
    /// twice, a bond slashed meanwhile).
    pub async fn execute_slashing_claim(
        &self,
        claim: &StateMove,
        watcher: &StateMove,
        bond: &BondMove,
    ) -> Result<(), RecordError> {
        with_write_tx!(self, |tx, _dialect| {
            compare_and_set_state!(
                tx,
                "slashing_claims",
                "claim_id",
                &claim.key,
                &claim.from_state,
                &claim.to_state
            );
            move_bond!(tx, bond);
            move_watcher!(tx, watcher);
        });
        Ok(())
    }

    /// The registered watcher with this did; the lowest watcher id when several rows name it.
    pub async fn watcher_by_did(&self, did: &str) -> Result<Option<WatcherRecord>, StoreError> {
        let row: Option<(String, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT watcher_id, state, registered_at_unix_ms FROM watchers WHERE did = $1 \
                 ORDER BY watcher_id LIMIT 1",
            )
            .bind(did)
            .fetch_optional(pool)
            .await
            .map_err(db("read watcher by did"))?
        });
        Ok(
            row.map(|(watcher_id, state, registered_at_unix_ms)| WatcherRecord {
                watcher_id,
                did: did.to_owned(),
                state,
                registered_at_unix_ms,
            }),
        )
    }

    /// Moves a watcher from `from_state` to `to_state` if it is still in `from_state`.
    pub async fn set_watcher_state(
        &self,
        watcher_id: &str,
        from_state: &str,
        to_state: &str,
    ) -> Result<(), RecordError> {
        set_state(
            self,
            "watchers",
            "watcher_id",
            watcher_id,
            from_state,
            to_state,
        )
        .await
    }

    /// Records a bond of a registered watcher (the foreign key refuses an unknown watcher, the
    /// primary key a second bond with the same id).
    pub async fn put_bond(&self, record: &BondRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            insert_bond!(tx, record);
        });
        Ok(())
    }

    /// Every bond of a watcher, by bond id.
    pub async fn bonds(&self, watcher_id: &str) -> Result<Vec<BondRecord>, StoreError> {
        let rows: Vec<(String, String, String, String, Vec<u8>)> =
            with_reader!(self, |pool, _dialect| {
                sqlx::query_as(
                    "SELECT bond_id, currency, amount_minor, state, bond FROM watcher_bonds \
                     WHERE watcher_id = $1 ORDER BY bond_id",
                )
                .bind(watcher_id)
                .fetch_all(pool)
                .await
                .map_err(db("read bonds"))?
            });
        rows.into_iter()
            .map(|(bond_id, currency, amount_text, state, bond)| {
                let amount_minor =
                    amount_text
                        .parse::<i128>()
                        .map_err(|_| StoreError::AmountNotInteger {
                            bond_id: bond_id.clone(),
                            amount_text: amount_text.clone(),
                        })?;
                let bond = canonical_document("watcher_bonds", &bond_id, &bond)?;
                Ok(BondRecord {
                    bond_id,
                    watcher_id: watcher_id.to_owned(),
                    currency,
                    amount_minor,
                    state,
                    bond,
                })
            })
            .collect()
    }

    /// Moves a bond from `from_state` to `to_state` if it is still in `from_state`.
    pub async fn set_bond_state(
        &self,
        bond_id: &str,
        from_state: &str,
        to_state: &str,
    ) -> Result<(), RecordError> {
        set_state(
            self,
            "watcher_bonds",
            "bond_id",
            bond_id,
            from_state,
            to_state,
        )
        .await
    }

    /// Records a slashing claim against a stored bond (foreign key) under a new id.
    pub async fn put_slashing_claim(&self, record: &SlashingClaimRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO slashing_claims (claim_id, bond_id, state, digest, claim) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&record.claim_id)
            .bind(&record.bond_id)
            .bind(&record.state)
            .bind(record.claim.digest().as_bytes().as_slice())
            .bind(record.claim.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert slashing claim"))?;
        });
        Ok(())
    }

    /// One slashing claim by id, rehashed.
    pub async fn slashing_claim(
        &self,
        claim_id: &str,
    ) -> Result<Option<SlashingClaimRecord>, StoreError> {
        let row: Option<(String, String, Vec<u8>, Vec<u8>)> =
            with_reader!(self, |pool, _dialect| {
                sqlx::query_as(
                    "SELECT bond_id, state, digest, claim FROM slashing_claims \
                     WHERE claim_id = $1",
                )
                .bind(claim_id)
                .fetch_optional(pool)
                .await
                .map_err(db("read slashing claim"))?
            });
        row.map(|(bond_id, state, digest, claim)| {
            let digest = digest_column("slashing_claims.digest", &digest)?;
            let claim = verified_document("slashing_claims", claim_id.to_owned(), &claim, &digest)?;
            Ok(SlashingClaimRecord {
                claim_id: claim_id.to_owned(),
                bond_id,
                state,
                claim,
            })
        })
        .transpose()
    }

    /// Every slashing claim against a bond, by claim id, each rehashed.
    pub async fn slashing_claims(
        &self,
        bond_id: &str,
    ) -> Result<Vec<SlashingClaimRecord>, StoreError> {
        let rows: Vec<(String, String, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT claim_id, state, digest, claim FROM slashing_claims \
                 WHERE bond_id = $1 ORDER BY claim_id",
            )
            .bind(bond_id)
            .fetch_all(pool)
            .await
            .map_err(db("read slashing claims"))?
        });
        rows.into_iter()
            .map(|(claim_id, state, digest, claim)| {
                let digest = digest_column("slashing_claims.digest", &digest)?;
                let claim =
                    verified_document("slashing_claims", claim_id.clone(), &claim, &digest)?;
                Ok(SlashingClaimRecord {
                    claim_id,
                    bond_id: bond_id.to_owned(),
                    state,
                    claim,
                })
            })
            .collect()
    }

    /// Moves a slashing claim from `from_state` to `to_state` if it is still in `from_state`.
    pub async fn set_slashing_claim_state(
        &self,
        claim_id: &str,
        from_state: &str,
        to_state: &str,
    ) -> Result<(), RecordError> {
        set_state(
            self,
            "slashing_claims",
            "claim_id",
            claim_id,
            from_state,
            to_state,
        )
        .await
    }

    /// Records an attestation. Recording the same one again is idempotent; a different
    /// attestation under the same id is refused with [`RecordError::Conflict`].
    pub async fn put_attestation(&self, record: &AttestationRecord) -> Result<(), RecordError> {
        let digest = record.attestation.digest();
        with_write_tx!(self, |tx, _dialect| {
            let inserted = sqlx::query(
                "INSERT INTO attestations (attestation_id, subject_id, digest, attestation, \
                 created_at_unix_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(&record.attestation_id)
            .bind(&record.subject_id)
            .bind(digest.as_bytes().as_slice())
            .bind(record.attestation.as_bytes())
            .bind(record.created_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("insert attestation"))?
            .rows_affected();
            if inserted == 0 {
                let stored: (String, Vec<u8>, i64) = sqlx::query_as(
                    "SELECT subject_id, digest, created_at_unix_ms FROM attestations \
                     WHERE attestation_id = $1",
                )
                .bind(&record.attestation_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read stored attestation"))?;
                let same = stored.0 == record.subject_id
                    && digest_column("attestations.digest", &stored.1)? == digest
                    && stored.2 == record.created_at_unix_ms;
                if !same {
                    return Err(RecordError::Conflict {
                        table: "attestations",
                        key: record.attestation_id.clone(),
                    });
                }
            }
        });
        Ok(())
    }

    /// Up to `count_max` (≤ [`ATTESTATIONS_PAGE_MAX`]) attestations of a subject, oldest
    /// first, each rehashed; pass the last id seen as `after_attestation_id` for the next page
    /// (an id that is not stored gives an empty page).
    pub async fn attestations(
        &self,
        subject_id: &str,
        after_attestation_id: Option<&str>,
        count_max: u64,
    ) -> Result<Vec<AttestationRecord>, StoreError> {
        let limit = check_page(count_max, ATTESTATIONS_PAGE_MAX)?;
        // The page key is (created_at_unix_ms, attestation_id) of the last row seen.
        let rows: Vec<(String, Vec<u8>, Vec<u8>, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT a.attestation_id, a.digest, a.attestation, a.created_at_unix_ms \
                 FROM attestations a WHERE a.subject_id = $1 AND ($2 IS NULL OR \
                 (a.created_at_unix_ms, a.attestation_id) > \
                 (SELECT p.created_at_unix_ms, p.attestation_id FROM attestations p \
                  WHERE p.attestation_id = $2)) \
                 ORDER BY a.created_at_unix_ms, a.attestation_id LIMIT $3",
            )
            .bind(subject_id)
            .bind(after_attestation_id)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read attestations"))?
        });
        rows.into_iter()
            .map(
                |(attestation_id, digest, attestation, created_at_unix_ms)| {
                    let digest = digest_column("attestations.digest", &digest)?;
                    let attestation = verified_document(
                        "attestations",
                        attestation_id.clone(),
                        &attestation,
                        &digest,
                    )?;
                    Ok(AttestationRecord {
                        attestation_id,
                        subject_id: subject_id.to_owned(),
                        attestation,
                        created_at_unix_ms,
                    })
                },
            )
            .collect()
    }
}
