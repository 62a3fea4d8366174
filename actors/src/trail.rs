//! The write-ahead journal that entity and arbitration actors keep in the store's hash-chained
//! audit trail: one canonical JSON entry per accepted change, appended before the change is
//! applied, replayed on hydrate.
//!
//! Owns [`journal_entry`]. Never: applies a change, or swallows a storage failure (it is an
//! [`ActorFailure`], so the actor restarts from the durable trail).

use msez_persistence::store::Store;
use msez_protocol::canonical::CanonicalBytes;
use msez_runtime::ActorFailure;
use serde_json::Value;

/// Appends `entry` to trail `trail_id`; `subject` names the actor's key in failures
/// (`entity E-1`, `dispute D-7`).
pub(crate) async fn journal_entry(
    store: &Store,
    trail_id: &str,
    subject: &str,
    entry: &Value,
) -> Result<(), ActorFailure> {
    let canonical = CanonicalBytes::new(entry)
        .map_err(|error| ActorFailure::new(format!("{subject} entry: {error}")))?;
    store
        .append_audit_entry(trail_id, &canonical)
        .await
        .map_err(|error| ActorFailure::new(format!("journal {subject}: {error}")))?;
    Ok(())
}
