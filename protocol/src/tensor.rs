//! The compliance tensor (SPEC §10): per subject, jurisdiction and regulatory domain, a
//! compliance state with the evidence behind it, and a Merkle commitment a regulator can check.
//!
//! Owns the 20-domain vocabulary [`Domain`] (the one domain type: packs, zone files and cells
//! all use it) and the submodules:
//! - [`lattice`]: `ComplianceState` and its meet (the combining rule);
//! - [`cell`]: `CellAddress`, `Cell`, `Attestation`, `Reason` and the `Tensor`;
//! - [`licensing`]: the licence registry the licensing evaluator reads;
//! - [`sanctions`]: name normalisation and indexed screening against a sanctions list;
//! - [`evaluators`]: turning a subject's evidence into 20 cells ([`evaluators::evaluate_subject`]);
//! - [`commitment`]: the Merkle root over cells and offline inclusion proofs;
//! - [`offline`]: the pure functions behind `msez tensor evaluate|verify-proof` and
//!   `msez sanctions check`;
//! - [`subject`]: a subject's recorded tensor, the document the zone files per subject.
//!
//! Never: reads a clock (`now` is always an argument), performs I/O, or reports `compliant`
//! without evidence. Missing evidence is `pending`; an expired attestation is `non_compliant`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fields::{FieldError, as_word};

pub mod cell;
pub mod commitment;
pub mod evaluators;
pub mod lattice;
pub mod licensing;
pub mod offline;
pub mod sanctions;
pub mod subject;

/// Number of regulatory domains.
pub const DOMAIN_COUNT: usize = 20;

/// A regulatory domain. The declaration order is SPEC §10's order, and the order cells of one
/// subject and jurisdiction take inside a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// Anti-money-laundering.
    Aml,
    /// Know your customer.
    Kyc,
    /// Sanctions screening.
    Sanctions,
    /// Tax.
    Tax,
    /// Securities regulation.
    Securities,
    /// Corporate law.
    Corporate,
    /// Custody of assets.
    Custody,
    /// Data privacy.
    DataPrivacy,
    /// Licensing.
    Licensing,
    /// Banking regulation.
    Banking,
    /// Payments regulation.
    Payments,
    /// Clearing.
    Clearing,
    /// Settlement.
    Settlement,
    /// Digital assets.
    DigitalAssets,
    /// Employment law.
    Employment,
    /// Immigration.
    Immigration,
    /// Intellectual property.
    Ip,
    /// Consumer protection.
    ConsumerProtection,
    /// Arbitration.
    Arbitration,
    /// Trade (customs, export control).
    Trade,
}

/// Why text is not a domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown compliance domain {found:?}")]
pub struct UnknownDomainError {
    /// The text received.
    pub found: String,
}

impl Domain {
    /// Every domain in SPEC §10 order.
    pub const ALL: [Self; DOMAIN_COUNT] = [
        Self::Aml,
        Self::Kyc,
        Self::Sanctions,
        Self::Tax,
        Self::Securities,
        Self::Corporate,
        Self::Custody,
        Self::DataPrivacy,
        Self::Licensing,
        Self::Banking,
        Self::Payments,
        Self::Clearing,
        Self::Settlement,
        Self::DigitalAssets,
        Self::Employment,
        Self::Immigration,
        Self::Ip,
        Self::ConsumerProtection,
        Self::Arbitration,
        Self::Trade,
    ];

    /// 0-based position in SPEC §10 order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses the domain word in `value`; the error names `path` and lists the 20 words.
    pub fn parse_word(value: &serde_json::Value, path: &str) -> Result<Self, FieldError> {
        let words = Self::ALL.map(Self::as_str);
        let index = as_word(value, path, &words)?;
        Self::ALL
            .get(index)
            .copied()
            .ok_or_else(|| FieldError::WrongType {
                path: path.to_owned(),
                expected: "a compliance domain",
            })
    }

    /// The wire spelling (`data_privacy`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aml => "aml",
            Self::Kyc => "kyc",
            Self::Sanctions => "sanctions",
            Self::Tax => "tax",
            Self::Securities => "securities",
            Self::Corporate => "corporate",
            Self::Custody => "custody",
            Self::DataPrivacy => "data_privacy",
            Self::Licensing => "licensing",
            Self::Banking => "banking",
            Self::Payments => "payments",
            Self::Clearing => "clearing",
            Self::Settlement => "settlement",
            Self::DigitalAssets => "digital_assets",
            Self::Employment => "employment",
            Self::Immigration => "immigration",
            Self::Ip => "ip",
            Self::ConsumerProtection => "consumer_protection",
            Self::Arbitration => "arbitration",
            Self::Trade => "trade",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Domain {
    type Err = UnknownDomainError;

    fn from_str(text: &str) -> Result<Self, UnknownDomainError> {
        Self::ALL
            .into_iter()
            .find(|domain| domain.as_str() == text)
            .ok_or_else(|| UnknownDomainError {
                found: text.to_owned(),
            })
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Domain {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
