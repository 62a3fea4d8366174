//! The licence registry the licensing evaluator reads: licences, holders and status by date.
//!
//! Owns [`LicenceList`] (the licence section of a licensepack, as this evaluator needs it),
//! [`Licence`], [`LicenceStatus`], the checked and indexed [`LicenceRegistry`] and
//! [`LicenceError`].
//!
//! Never: decides a licence is in date by reading a clock; `now` is an argument.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::cell::{Finding, Reason};
use super::lattice::ComplianceState;
use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::ids::{EntityId, JurisdictionId};
use crate::time::Timestamp;

/// Licences as listed in a licensepack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceList {
    /// Every licence, any holder.
    pub licences: Vec<Licence>,
}

/// One licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// The licence number, unique within the list.
    pub licence_id: String,
    /// The licence type (`emi`, `trading`, ...), as the licensepack names it.
    pub licence_type: String,
    /// The licensed entity.
    pub holder: EntityId,
    /// The jurisdiction that issued it.
    pub jurisdiction: JurisdictionId,
    /// The regulator's recorded status.
    pub status: LicenceStatus,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity (exclusive); absent means until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Timestamp>,
}

/// A licence's recorded status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    /// In force (subject to its dates).
    Active,
    /// Temporarily not in force.
    Suspended,
    /// Permanently withdrawn.
    Revoked,
}

/// Why a licence list is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenceError {
    /// A licence without a number.
    #[error("licences[{licence_index}].licence_id is empty")]
    EmptyLicenceId {
        /// 0-based position in the list.
        licence_index: usize,
    },
    /// Two licences share a number.
    #[error("licence_id {licence_id:?} appears twice in the licence list")]
    DuplicateLicenceId {
        /// The repeated number.
        licence_id: String,
    },
    /// A validity window that ends before it starts.
    #[error(
        "licence {licence_id:?}: valid_until {valid_until} is not after valid_from {valid_from}"
    )]
    EmptyValidity {
        /// The licence.
        licence_id: String,
        /// Start.
        valid_from: Timestamp,
        /// End.
        valid_until: Timestamp,
    },
    /// The list could not be canonicalised for its digest.
    #[error("licence list cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
}

/// A checked licence list, indexed by holder, with the digest of its canonical JSON.
#[derive(Debug, Clone)]
pub struct LicenceRegistry {
    digest: Digest,
    licences: Vec<Licence>,
    by_holder: BTreeMap<EntityId, Vec<usize>>,
}

impl LicenceRegistry {
    /// Checks and indexes a list.
    pub fn build(list: LicenceList) -> Result<Self, LicenceError> {
        let mut seen = BTreeSet::new();
        let mut by_holder: BTreeMap<EntityId, Vec<usize>> = BTreeMap::new();
        for (licence_index, licence) in list.licences.iter().enumerate() {
            if licence.licence_id.is_empty() {
                return Err(LicenceError::EmptyLicenceId { licence_index });
            }
            if !seen.insert(licence.licence_id.as_str()) {
                return Err(LicenceError::DuplicateLicenceId {
                    licence_id: licence.licence_id.clone(),
                });
            }
            if let Some(valid_until) = licence.valid_until
                && valid_until <= licence.valid_from
            {
                return Err(LicenceError::EmptyValidity {
                    licence_id: licence.licence_id.clone(),
                    valid_from: licence.valid_from,
                    valid_until,
                });
            }
            by_holder
                .entry(licence.holder.clone())
                .or_default()
                .push(licence_index);
        }
        let digest = CanonicalBytes::of(&list)?.digest();
        Ok(Self {
            digest,
            licences: list.licences,
            by_holder,
        })
    }

    /// Digest of the list (its canonical JSON).
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The licences a holder has in a jurisdiction.
    pub fn licences_of<'a>(
        &'a self,
        holder: &EntityId,
        jurisdiction: &'a JurisdictionId,
    ) -> impl Iterator<Item = &'a Licence> + 'a {
        self.by_holder
            .get(holder)
            .into_iter()
            .flatten()
            .filter_map(|&index| self.licences.get(index))
            .filter(move |licence| &licence.jurisdiction == jurisdiction)
    }

    /// The licensing finding for a holder in a jurisdiction at `now`: the worst of its licences
    /// (suspended, revoked or expired is `non_compliant`; not yet valid is `pending`), or
    /// `compliant` when every one is active and in date. `None` when it holds none there.
    pub fn finding(
        &self,
        holder: &EntityId,
        jurisdiction: &JurisdictionId,
        now: Timestamp,
    ) -> Option<Finding> {
        let mut licence_count: u64 = 0;
        let mut worst: Option<Finding> = None;
        for licence in self.licences_of(holder, jurisdiction) {
            licence_count += 1;
            if let Some(problem) = licence_problem(licence, now) {
                worst = Some(match worst {
                    Some(current) => current.meet(problem),
                    None => problem,
                });
            }
        }
        if licence_count == 0 {
            return None;
        }
        Some(worst.unwrap_or(Finding {
            state: ComplianceState::Compliant,
            reason: Reason::LicenceActive { licence_count },
        }))
    }
}

/// What is wrong with one licence at `now`, if anything.
fn licence_problem(licence: &Licence, now: Timestamp) -> Option<Finding> {
    let licence_id = || licence.licence_id.clone();
    if licence.status != LicenceStatus::Active {
        return Some(Finding {
            state: ComplianceState::NonCompliant,
            reason: Reason::LicenceNotActive {
                licence_id: licence_id(),
            },
        });
    }
    if licence.valid_until.is_some_and(|until| until <= now) {
        return Some(Finding {
            state: ComplianceState::NonCompliant,
            reason: Reason::LicenceExpired {
                licence_id: licence_id(),
            },
        });
    }
    if now < licence.valid_from {
        return Some(Finding {
            state: ComplianceState::Pending,
            reason: Reason::LicenceNotYetValid {
                licence_id: licence_id(),
            },
        });
    }
    None
}

#[cfg(test)]
mod tests;
