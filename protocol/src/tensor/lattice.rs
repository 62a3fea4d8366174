//! The compliance lattice (SPEC §10): five states on a chain, worst to best
//! `non_compliant < pending < not_applicable < exempt < compliant`.
//!
//! Owns [`ComplianceState`] and the lattice operations [`ComplianceState::meet`] (worst of two,
//! the combining rule) and [`ComplianceState::join`] (best of two, needed only to state the
//! absorption law), plus [`meet_all`] with its fail-closed empty case.
//!
//! Never: treats "no evidence" as good. The meet of nothing is `pending`, not `compliant`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One compliance state. The derived order is the lattice order (worst first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceState {
    /// A rule is broken (a sanctions hit, an expired attestation, a suspended licence).
    NonCompliant,
    /// Evidence is missing or under review; fail closed.
    Pending,
    /// The domain does not apply to this subject in this jurisdiction.
    NotApplicable,
    /// The domain applies but the subject is exempt.
    Exempt,
    /// The subject meets the domain's rules.
    Compliant,
}

/// Why text is not a compliance state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown compliance state {found:?}; expected one of non_compliant, pending, not_applicable, exempt, compliant"
)]
pub struct UnknownStateError {
    /// The text received.
    pub found: String,
}

impl ComplianceState {
    /// Every state, worst first.
    pub const ALL: [Self; 5] = [
        Self::NonCompliant,
        Self::Pending,
        Self::NotApplicable,
        Self::Exempt,
        Self::Compliant,
    ];

    /// The worse of two states: the lattice meet, and the rule for combining evidence.
    pub fn meet(self, other: Self) -> Self {
        self.min(other)
    }

    /// The better of two states: the lattice join.
    pub fn join(self, other: Self) -> Self {
        self.max(other)
    }

    /// Whether a gate that requires this domain lets the subject through: `not_applicable`,
    /// `exempt` and `compliant` pass; `pending` and `non_compliant` do not (fail closed).
    pub fn passes(self) -> bool {
        self >= Self::NotApplicable
    }

    /// The wire spelling (`non_compliant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NonCompliant => "non_compliant",
            Self::Pending => "pending",
            Self::NotApplicable => "not_applicable",
            Self::Exempt => "exempt",
            Self::Compliant => "compliant",
        }
    }
}

/// The meet of any number of states; the meet of none is `pending` (fail closed, SPEC §10).
pub fn meet_all(states: impl IntoIterator<Item = ComplianceState>) -> ComplianceState {
    states
        .into_iter()
        .reduce(ComplianceState::meet)
        .unwrap_or(ComplianceState::Pending)
}

impl fmt::Display for ComplianceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ComplianceState {
    type Err = UnknownStateError;

    fn from_str(text: &str) -> Result<Self, UnknownStateError> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownStateError {
                found: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests;
