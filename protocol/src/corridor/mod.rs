//! The corridor domain: watchers, forks and the lifecycle of a corridor between zones.
//!
//! Owns [`agreement`] (definition and activation by agreement), [`watcher`] (SPEC §11: registry, bonds, signed attestations, slashing), [`fork`]
//! (SPEC §8: detection, alarm, deterministic resolution, equivocation evidence) and
//! [`lifecycle`] (the corridor state machine and its typed evidence), [`state`] (the ledger a
//! corridor actor keeps: chain plus netting book, its one pure step and its snapshot bytes). Credentials are built and
//! issued through `vc` with its typed subjects; this domain adds the rules around them.
//!
//! Never: reads a clock, draws randomness or looks at a verifier's local time. Every decision
//! is a function of the evidence passed in, so any verifier recomputes the same outcome.

pub mod agreement;
pub mod fork;
pub mod lifecycle;
pub mod state;
pub mod watcher;

use serde_json::Value;

use crate::keys::SigningKey;
use crate::time::Timestamp;
use crate::vc::subjects::CredentialSubject;
use crate::vc::{Credential, CredentialTerms, VcError, issue};

/// Builds and issues a credential of `S`'s type, valid from `issued_at`, with no id, expiry or
/// status entry: the one way this domain issues credentials.
fn issue_typed<S: CredentialSubject>(
    subject: &S,
    issuer: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, VcError> {
    let terms = CredentialTerms::issued_by(*issuer.did(), issued_at);
    issue(&Credential::build(subject, terms)?, issuer, issued_at)
}
