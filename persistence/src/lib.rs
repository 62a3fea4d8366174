//! The durable store of everything MSEZ owns.
//!
//! Will own: the `Store` trait and its Postgres and SQLite implementations (sqlx), forward-only
//! migrations, receipt journals, snapshots, checkpoints, leases with fencing epochs, the group
//! commit writer, the VC audit log, tensor snapshots and idempotency records for Mass calls.
//!
//! Never: holds primitive records (entities, cap tables, payments, identity records, consents)
//! as an authority, decides a domain rule, or returns data it could not verify.
//!
//! Status: no code yet; the persistence issue fills this crate.
