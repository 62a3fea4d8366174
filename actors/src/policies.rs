//! The zone's agentic policies over time: loading the set in force at start, and writing a new
//! version (or a retirement) of one policy and putting the new set in force at once.
//!
//! Owns [`zone_policy_set`], [`PolicyBook`] (the writer, held by the zone), [`PolicyWritten`],
//! [`PolicyInForce`], [`PolicyLoadError`] and [`PolicyWriteError`].
//!
//! The store holds immutable versions per policy id (`Store::put_policy`); the set in force is
//! `msez_protocol::agentic::versions::compose_policy_set` over the baseline
//! ([`crate::agentic::baseline_policy_set`]) and the latest version of every id. A write is
//! serialised by the book: it composes the set the new version would produce first (a version
//! that cannot compose is refused and nothing is written), writes version `latest + 1`, then
//! hands the composed set to the agentic actor. Another node sharing the store sees the new
//! version at its next start.
//!
//! Never: edits a stored version, puts a set in force that was not composed from the store's
//! versions, or decides what a policy means (the protocol does).

use std::collections::BTreeMap;
use std::sync::Arc;

use msez_persistence::error::StoreError;
use msez_persistence::records::RecordError;
use msez_persistence::store::Store;
use msez_protocol::agentic::policy::{Policy, PolicyError, PolicyId, PolicySet};
use msez_protocol::agentic::versions::{PolicyVersion, compose_policy_set, parse_policy_version};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::fields::FieldError;

use crate::agentic::{AgenticHandle, baseline_policy_set};

/// Why the zone's policy set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadError {
    /// The store could not list the policy versions.
    #[error("policy versions unreadable: {0}")]
    Store(#[from] StoreError),
    /// A stored version is not a policy version document.
    #[error("stored policy {policy_id} version {version}: {source}")]
    Version {
        /// The policy id of the row.
        policy_id: String,
        /// The version of the row.
        version: u64,
        /// Why it does not parse.
        #[source]
        source: PolicyError,
    },
    /// A stored version's document names another policy id than its row.
    #[error("stored policy {policy_id} version {version} holds policy {document_policy_id}")]
    IdMismatch {
        /// The policy id of the row.
        policy_id: String,
        /// The version of the row.
        version: u64,
        /// The id inside the document.
        document_policy_id: String,
    },
    /// The composed set breaks a set bound (too many policies).
    #[error("policy set: {0}")]
    Compose(PolicyError),
}

/// Why a policy version was not written.
#[derive(Debug, thiserror::Error)]
pub enum PolicyWriteError {
    /// The set with this version would not compose (for example more than `POLICIES_MAX`).
    #[error("policy {policy_id}: {source}")]
    Invalid {
        /// The policy.
        policy_id: PolicyId,
        /// Why.
        #[source]
        source: PolicyError,
    },
    /// A retirement of a policy that is not in force.
    #[error("policy {policy_id} is not in force")]
    NotInForce {
        /// The policy.
        policy_id: PolicyId,
    },
    /// Another writer stored this version first (another node); nothing was written.
    #[error("policy {policy_id} version {version} was written concurrently; read it and retry")]
    Conflict {
        /// The policy.
        policy_id: PolicyId,
        /// The version both wrote.
        version: u64,
    },
    /// The stored versions do not load.
    #[error(transparent)]
    Load(#[from] PolicyLoadError),
    /// The store failed.
    #[error("policy store: {0}")]
    Store(String),
}

/// A version that was written and is now in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWritten {
    /// The policy.
    pub policy_id: PolicyId,
    /// Its new version.
    pub version: u64,
    /// Digest of the stored version document.
    pub digest: Digest,
}

/// One policy of the set in force, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInForce {
    /// The policy.
    pub policy: Policy,
    /// The stored version in force; `None` for a baseline policy no version has changed.
    pub version: Option<u64>,
}

/// The set in force at start: the baseline composed with the latest stored version of every
/// policy id.
pub async fn zone_policy_set(store: &Store) -> Result<PolicySet, PolicyLoadError> {
    let baseline = baseline_policy_set().map_err(PolicyLoadError::Compose)?;
    let latest = latest_versions(store).await?;
    compose_policy_set(
        baseline.policies(),
        latest.into_values().map(|(_, version)| version).collect(),
    )
    .map_err(PolicyLoadError::Compose)
}

/// The latest stored version of every policy id, with its version number.
async fn latest_versions(
    store: &Store,
) -> Result<BTreeMap<PolicyId, (u64, PolicyVersion)>, PolicyLoadError> {
    let mut latest = BTreeMap::new();
    for record in store.latest_policies().await? {
        let version_error = |source| PolicyLoadError::Version {
            policy_id: record.policy_id.clone(),
            version: record.version,
            source,
        };
        let document = msez_protocol::canonical::parse(record.policy.as_bytes())
            .map_err(|error| version_error(FieldError::Json { error }.into()))?;
        let version = parse_policy_version(&document, "$").map_err(version_error)?;
        if version.policy_id().as_str() != record.policy_id {
            return Err(PolicyLoadError::IdMismatch {
                policy_id: record.policy_id,
                version: record.version,
                document_policy_id: version.policy_id().to_string(),
            });
        }
        latest.insert(version.policy_id().clone(), (record.version, version));
    }
    Ok(latest)
}

/// Writes policy versions and puts the composed set in force. Cheap to clone.
#[derive(Clone)]
pub struct PolicyBook {
    store: Store,
    agentic: AgenticHandle,
    /// An async mutex: a write holds it across its store reads and writes, so two writes never
    /// compose from the same versions and the last set put in force is the newest.
    writes: Arc<tokio::sync::Mutex<()>>,
}

impl PolicyBook {
    /// A book writing to `store` and putting sets in force in `agentic`.
    pub fn new(store: Store, agentic: AgenticHandle) -> PolicyBook {
        PolicyBook {
            store,
            agentic,
            writes: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The set in force, each policy with the stored version it comes from.
    pub async fn in_force(&self) -> Result<Vec<PolicyInForce>, PolicyLoadError> {
        let latest = latest_versions(&self.store).await?;
        let set = self.agentic.policies();
        Ok(set
            .policies()
            .iter()
            .map(|policy| PolicyInForce {
                version: latest.get(&policy.policy_id).map(|(number, _)| *number),
                policy: policy.clone(),
            })
            .collect())
    }

    /// Whether `policy_id` is a baseline policy (so it exists without a stored version).
    pub fn is_baseline(&self, policy_id: &PolicyId) -> bool {
        baseline_policy_set()
            .is_ok_and(|set| set.policies().iter().any(|p| &p.policy_id == policy_id))
    }

    /// Writes `version` as the next version of its policy and puts the new set in force.
    pub async fn write(&self, version: PolicyVersion) -> Result<PolicyWritten, PolicyWriteError> {
        let _serialised = self.writes.lock().await;
        let policy_id = version.policy_id().clone();
        let mut latest = latest_versions(&self.store).await?;
        let baseline = baseline_policy_set().map_err(PolicyLoadError::Compose)?;
        let current = compose(&baseline, &latest).map_err(PolicyLoadError::Compose)?;
        let in_force = current.policies().iter().any(|p| p.policy_id == policy_id);
        if matches!(version, PolicyVersion::Retired { .. }) && !in_force {
            return Err(PolicyWriteError::NotInForce { policy_id });
        }
        let number = latest.get(&policy_id).map_or(1, |(number, _)| number + 1);
        let document = CanonicalBytes::new(&version.to_value()).map_err(|error| {
            PolicyWriteError::Invalid {
                policy_id: policy_id.clone(),
                source: FieldError::Json { error }.into(),
            }
        })?;
        latest.insert(policy_id.clone(), (number, version));
        let next = compose(&baseline, &latest).map_err(|source| PolicyWriteError::Invalid {
            policy_id: policy_id.clone(),
            source,
        })?;
        let digest = match self
            .store
            .put_policy(policy_id.as_str(), number, &document)
            .await
        {
            Ok(digest) => digest,
            Err(RecordError::Conflict { .. }) => {
                return Err(PolicyWriteError::Conflict {
                    policy_id,
                    version: number,
                });
            }
            Err(error) => return Err(PolicyWriteError::Store(error.to_string())),
        };
        self.agentic.replace_policies(next);
        Ok(PolicyWritten {
            policy_id,
            version: number,
            digest,
        })
    }
}

fn compose(
    baseline: &PolicySet,
    latest: &BTreeMap<PolicyId, (u64, PolicyVersion)>,
) -> Result<PolicySet, PolicyError> {
    compose_policy_set(
        baseline.policies(),
        latest
            .values()
            .map(|(_, version)| version.clone())
            .collect(),
    )
}
