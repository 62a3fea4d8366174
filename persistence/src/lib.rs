//! The durable store of everything MSEZ owns.
//!
//! Owns the [`store::Store`] (one type over two sqlx backends: Postgres in production, SQLite
//! in WAL mode as the embedded default), forward-only migrations with a schema-version table
//! ([`migrate`]), the receipt journal and opaque snapshots ([`journal`]), shard leases with
//! fencing epochs ([`lease`]), the group commit writer ([`group_commit`]) and the other tables
//! MSEZ owns: packs, the VC audit log, idempotency records for Mass calls, checkpoints and the
//! Mass fact cache and checkpoint anchors ([`records`]), corridors and their lifecycle history
//! ([`corridors`]), their forks with both receipts and the decision ([`forks`]), the hash-chained agentic audit trail ([`audit`]), standalone snapshot
//! writes ([`snapshots`]), watchers, bonds, slashing claims and attestations ([`watchers`]),
//! disputes and evidence ([`disputes`]), tensor snapshots and agentic policies
//! ([`compliance`]), credential issuance into the next status-list slot ([`issuance`]) and
//! paged listings of packs and credentials ([`listings`]).
//!
//! Never: holds primitive records (entities, cap tables, payments, identity records, consents)
//! as an authority, decides a domain rule, or returns data it could not verify. It is the only
//! crate with SQL.
//!
//! Read in this order: [`store`], [`journal`], [`lease`], [`group_commit`], [`snapshots`],
//! [`records`], [`corridors`], [`forks`], [`audit`], [`watchers`], [`disputes`], [`compliance`],
//! [`issuance`], [`listings`], [`migrate`], [`error`].

#[macro_use]
pub mod store;
pub mod audit;
pub mod compliance;
pub mod corridors;
pub mod disputes;
pub mod error;
pub mod forks;
pub mod group_commit;
pub mod issuance;
pub mod journal;
pub mod lease;
pub mod listings;
pub mod migrate;
pub mod records;
pub mod snapshots;
pub mod watchers;
