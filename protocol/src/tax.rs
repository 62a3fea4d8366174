//! Tax withholding for the Pakistan deployment: events in, amounts withheld and an FBR IRIS
//! report grouped by statutory section out.
//!
//! Owns [`FilerStatus`], [`WithholdingCategory`], the rate table [`WithholdingRateTable`] (the
//! `withholding_rates` section of a regpack, read by the one parser [`parse_rate_table`]) with
//! the Income Tax Ordinance 2001 table [`WithholdingRateTable::pakistan_ito_2001`], the checked [`RateBook`],
//! [`WithholdingEvent`], [`compute_withholding`], [`iris_report`], the taxpayer numbers [`Ntn`]
//! and [`Cnic`], and [`TaxError`]. Recorded events: [`TaxEventRecord`], [`TaxPeriod`],
//! [`tax_event_trail_id`] and [`iris_report_of_records`] (the statement of what was withheld).
//!
//! Never: uses floating point, rounds silently, or sums across currencies.
//!
//! # Rates
//! Integer basis points per category and filer status. The built-in table (ITO 2001): goods
//! s.153(1)(a) 450/900, services s.153(1)(b) 800/1600, profit on debt s.151 1500/3000,
//! dividends s.150 1500/3000, rent s.155 1500/3000 (filer / non-filer), payments to
//! non-residents s.152 2000 for everyone, sales tax (Sales Tax Act 1990 s.3) 1800 for everyone.
//!
//! **Late filer = non-filer rate.** The Tenth Schedule of the ITO 2001 raises the withholding
//! rates for a person who is not on the Active Taxpayers List (ATL, s.181A); that is where the
//! doubled column comes from. A person who files after the due date is not put on the ATL for
//! the year merely by filing: as we read the Finance Act amendments to s.181A/s.182A, inclusion
//! then needs the ATL surcharge to be paid. Until the zone records the person as a filer, a late
//! filer is not on the ATL, so the withholding agent must apply the non-ATL rate. The table
//! keeps a separate late-filer column so a regpack can encode a different rule; this reading
//! should be confirmed by Pakistani tax counsel before production.
//!
//! # Arithmetic
//! `withheld = ⌊(gross · rate_bps + 5000) / 10000⌋`: the exact product rounded half up to the
//! nearest minor unit (paisa), computed in `u128`, so no intermediate overflows. Amounts and
//! totals stay within ±(2^53−1) (SPEC §1); beyond that is an error.
//!
//! # Jurisdictions
//! A table is looked up for the event's jurisdiction; failing that, for its country, the part
//! before the first `-` (`PK-RSEZ` uses `PK` rules).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::canonical::INTEGER_MAGNITUDE_MAX;
use crate::fields::{FieldError, as_i64_in, as_object, as_word, check_unique, parse_list};
use crate::ids::{EntityId, JurisdictionId};
use crate::time::Timestamp;

/// Largest amount in minor units an event or a total may have: the SPEC §1 integer range.
pub const AMOUNT_MINOR_MAX: u64 = INTEGER_MAGNITUDE_MAX;

/// Most events in one report. One withholding agent's monthly statement rarely passes a few
/// thousand lines; 50,000 bounds the report's memory and the IRIS upload size.
pub const REPORT_EVENTS_MAX: usize = 50_000;

const BPS_FULL: u32 = 10_000;

/// A taxpayer's filing status for the tax year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilerStatus {
    /// On the Active Taxpayers List.
    Filer,
    /// Filed after the due date; not on the ATL until the surcharge is paid.
    LateFiler,
    /// Did not file.
    NonFiler,
}

/// What a payment is, for withholding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithholdingCategory {
    /// Supply of goods.
    Goods,
    /// Rendering of services.
    Services,
    /// Profit on debt (interest).
    ProfitOnDebt,
    /// Dividends.
    Dividend,
    /// Rent of immovable property.
    Rent,
    /// Payments to non-residents.
    CrossBorder,
    /// Sales tax on the supply.
    SalesTax,
}

/// Most rules in one rate table: one per [`WithholdingCategory`].
pub const RATE_RULES_MAX: usize = WithholdingCategory::ALL.len();

/// Longest statutory section label, in bytes (`153(1)(a)`, `STA-1990-3`).
pub const SECTION_BYTES_MAX: usize = 64;

/// One rule of a rate table: `{category, section, filer_rate_bps, late_filer_rate_bps,
/// non_filer_rate_bps}` in a regpack's `withholding_rates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithholdingRule {
    /// What it applies to.
    pub category: WithholdingCategory,
    /// The statutory section, as reported to the authority (`153(1)(a)`).
    pub section: String,
    /// Rate for filers, basis points.
    pub filer_rate_bps: u32,
    /// Rate for late filers, basis points.
    pub late_filer_rate_bps: u32,
    /// Rate for non-filers, basis points.
    pub non_filer_rate_bps: u32,
}

/// A jurisdiction's withholding rates: a regpack's `withholding_rates` under the regpack's
/// jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithholdingRateTable {
    /// The jurisdiction whose rules these are (`PK`).
    pub jurisdiction: JurisdictionId,
    /// One rule per category.
    pub rules: Vec<WithholdingRule>,
}

/// A payment from which tax is withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithholdingEvent {
    /// Unique id of the payment.
    pub event_id: String,
    /// The withholding agent (payer).
    pub payer: EntityId,
    /// The payee's tax number.
    pub payee: TaxpayerId,
    /// The payee's filer status at the time of payment.
    pub payee_filer_status: FilerStatus,
    /// What was paid for.
    pub category: WithholdingCategory,
    /// Gross amount, minor units (paisa for PKR).
    pub gross_amount_minor: u64,
    /// ISO 4217 code.
    pub currency: String,
    /// Where the payment is made (`PK-RSEZ`).
    pub jurisdiction: JurisdictionId,
    /// When it was paid.
    pub occurred_at: Timestamp,
}

/// A payee's tax number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TaxpayerId {
    /// National Tax Number.
    Ntn(Ntn),
    /// Computerised National Identity Card number.
    Cnic(Cnic),
}

/// A National Tax Number: exactly 7 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Ntn(String);

/// A CNIC number: 13 ASCII digits, accepted bare or as `NNNNN-NNNNNNN-N`, held bare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Cnic(String);

/// The amount withheld from one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withholding {
    /// The event.
    pub event_id: String,
    /// The payee.
    pub payee: TaxpayerId,
    /// The statutory section applied.
    pub section: String,
    /// The rate applied, basis points.
    pub rate_bps: u32,
    /// ISO 4217 code.
    pub currency: String,
    /// Gross amount, minor units.
    pub gross_amount_minor: u64,
    /// Tax withheld, minor units.
    pub withheld_amount_minor: u64,
    /// Paid to the payee: gross minus withheld.
    pub net_amount_minor: u64,
}

/// The FBR IRIS withholding statement: one group per (section, currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrisReport {
    /// Groups sorted by section, then currency.
    pub sections: Vec<SectionSummary>,
}

/// The events of one statutory section in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionSummary {
    /// The statutory section.
    pub section: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Events in the group.
    pub event_count: u64,
    /// Sum of gross amounts, minor units.
    pub gross_total_minor: u64,
    /// Sum of tax withheld, minor units.
    pub withheld_total_minor: u64,
    /// The events, sorted by event id.
    pub entries: Vec<Withholding>,
}

/// One tax event as the zone records it: the payment event and the withholding computed on it
/// when it was paid. Recorded events of one jurisdiction and month form one hash-chained trail
/// ([`tax_event_trail_id`]), the input of that month's IRIS statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxEventRecord {
    /// The payment.
    pub event: WithholdingEvent,
    /// What was withheld from it.
    pub withholding: Withholding,
}

/// A statement period: one calendar month in UTC, written `YYYY-MM`, the period of an FBR IRIS
/// monthly withholding statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaxPeriod(String);

/// Why rates, an event or a tax number are not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    /// A rate above 100%.
    #[error(
        "rate table {jurisdiction}: {field} of {category:?} is {rate_bps} bps; the maximum is 10000"
    )]
    RateOutOfRange {
        /// The table.
        jurisdiction: JurisdictionId,
        /// The category.
        category: WithholdingCategory,
        /// Which rate field.
        field: &'static str,
        /// The value.
        rate_bps: u32,
    },
    /// Two rules for one category.
    #[error("rate table {jurisdiction} has two rules for {category:?}")]
    DuplicateRule {
        /// The table.
        jurisdiction: JurisdictionId,
        /// The category.
        category: WithholdingCategory,
    },
    /// A rule without a section.
    #[error("rate table {jurisdiction}: rule for {category:?} has an empty section")]
    EmptySection {
        /// The table.
        jurisdiction: JurisdictionId,
        /// The category.
        category: WithholdingCategory,
    },
    /// Two tables for one jurisdiction.
    #[error("two rate tables for jurisdiction {jurisdiction}")]
    DuplicateTable {
        /// The jurisdiction.
        jurisdiction: JurisdictionId,
    },
    /// No table for the jurisdiction or its country.
    #[error("event {event_id}: no rate table for jurisdiction {jurisdiction} or {country}")]
    UnknownJurisdiction {
        /// The event.
        event_id: String,
        /// The event's jurisdiction.
        jurisdiction: JurisdictionId,
        /// The country tried after it.
        country: String,
    },
    /// The table has no rule for the category.
    #[error("event {event_id}: rate table {jurisdiction} has no rule for {category:?}")]
    NoRule {
        /// The event.
        event_id: String,
        /// The table used.
        jurisdiction: JurisdictionId,
        /// The category.
        category: WithholdingCategory,
    },
    /// An event without an id.
    #[error("events[{event_index}].event_id is empty")]
    EmptyEventId {
        /// 0-based position.
        event_index: usize,
    },
    /// Two events with one id.
    #[error("event_id {event_id:?} appears twice")]
    DuplicateEvent {
        /// The id.
        event_id: String,
    },
    /// A zero gross amount.
    #[error("event {event_id}: gross_amount_minor is 0")]
    AmountZero {
        /// The event.
        event_id: String,
    },
    /// A gross amount beyond [`AMOUNT_MINOR_MAX`].
    #[error("event {event_id}: gross_amount_minor {amount_minor} exceeds {AMOUNT_MINOR_MAX}")]
    AmountOutOfRange {
        /// The event.
        event_id: String,
        /// The amount.
        amount_minor: u64,
    },
    /// A currency that is not three upper-case letters.
    #[error("event {event_id}: currency {currency:?} is not an ISO 4217 code")]
    Currency {
        /// The event.
        event_id: String,
        /// The value.
        currency: String,
    },
    /// A group total beyond [`AMOUNT_MINOR_MAX`].
    #[error("section {section} ({currency}): total exceeds {AMOUNT_MINOR_MAX} minor units")]
    TotalOverflow {
        /// The section.
        section: String,
        /// The currency.
        currency: String,
    },
    /// More events than [`REPORT_EVENTS_MAX`].
    #[error("report has {event_count} events; the limit is {REPORT_EVENTS_MAX}")]
    TooManyEvents {
        /// Events received.
        event_count: usize,
    },
    /// Not an NTN.
    #[error("ntn {value:?} is not 7 digits")]
    Ntn {
        /// The value.
        value: String,
    },
    /// Not a CNIC.
    #[error("cnic {value:?} is not 13 digits (bare or NNNNN-NNNNNNN-N)")]
    Cnic {
        /// The value.
        value: String,
    },
    /// A recorded withholding belongs to another event than the record's.
    #[error("tax event {event_id} carries the withholding of event {withholding_event_id}")]
    RecordMismatch {
        /// The record's event.
        event_id: String,
        /// The withholding's event.
        withholding_event_id: String,
    },
    /// Not a `YYYY-MM` month.
    #[error("period {value:?} is not a month written YYYY-MM")]
    Period {
        /// The value.
        value: String,
    },
}

impl TaxPeriod {
    /// The month `at` falls in.
    pub fn of(at: Timestamp) -> Self {
        let mut text = at.to_string();
        text.truncate(7);
        Self(text)
    }

    /// Checks `YYYY-MM` (a real month; no day, no time).
    pub fn parse(value: &str) -> Result<Self, TaxError> {
        let valid = value.len() == 7 && Timestamp::parse(&format!("{value}-01T00:00:00Z")).is_ok();
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(TaxError::Period {
                value: value.to_owned(),
            })
        }
    }

    /// `YYYY-MM`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The trail that holds the recorded tax events of `jurisdiction` in `period`:
/// `tax:<jurisdiction>:<YYYY-MM>`. One trail per monthly statement keeps every statement's
/// read bounded by [`REPORT_EVENTS_MAX`].
pub fn tax_event_trail_id(jurisdiction: &JurisdictionId, period: &TaxPeriod) -> String {
    format!("tax:{jurisdiction}:{period}")
}

impl Ntn {
    /// Checks 7 ASCII digits.
    pub fn parse(value: &str) -> Result<Self, TaxError> {
        if value.len() == 7 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(TaxError::Ntn {
                value: value.to_owned(),
            })
        }
    }

    /// The 7 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Cnic {
    /// Checks 13 ASCII digits, bare or dashed as `NNNNN-NNNNNNN-N`.
    pub fn parse(value: &str) -> Result<Self, TaxError> {
        let bytes = value.as_bytes();
        let dashed =
            bytes.len() == 15 && bytes.get(5) == Some(&b'-') && bytes.get(13) == Some(&b'-');
        let digits: String = if dashed {
            value.chars().filter(|&c| c != '-').collect()
        } else {
            value.to_owned()
        };
        if digits.len() == 13 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(TaxError::Cnic {
                value: value.to_owned(),
            })
        }
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxpayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ntn(ntn) => write!(f, "ntn:{}", ntn.0),
            Self::Cnic(cnic) => write!(f, "cnic:{}", cnic.0),
        }
    }
}

impl<'de> Deserialize<'de> for Ntn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Cnic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl WithholdingCategory {
    /// Every category, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::Goods,
        Self::Services,
        Self::ProfitOnDebt,
        Self::Dividend,
        Self::Rent,
        Self::CrossBorder,
        Self::SalesTax,
    ];

    /// The wire spelling (`profit_on_debt`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Goods => "goods",
            Self::Services => "services",
            Self::ProfitOnDebt => "profit_on_debt",
            Self::Dividend => "dividend",
            Self::Rent => "rent",
            Self::CrossBorder => "cross_border",
            Self::SalesTax => "sales_tax",
        }
    }
}

/// The one reader of a rate table: the array of rules at `path` (a regpack's
/// `withholding_rates`), for `jurisdiction`. Rates are integers in 0..=10000, categories are
/// [`WithholdingCategory`] words and appear at most once, sections are non-empty; errors name
/// the path (`$.withholding_rates[2].filer_rate_bps`).
pub fn parse_rate_table(
    value: &Value,
    path: &str,
    jurisdiction: JurisdictionId,
) -> Result<WithholdingRateTable, FieldError> {
    let rules = parse_list(value, path, RATE_RULES_MAX, parse_rule)?;
    check_unique(rules.iter().map(|rule| rule.category.as_str()), path)?;
    Ok(WithholdingRateTable {
        jurisdiction,
        rules,
    })
}

fn parse_rule(value: &Value, path: &str) -> Result<WithholdingRule, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&[
        "category",
        "section",
        "filer_rate_bps",
        "late_filer_rate_bps",
        "non_filer_rate_bps",
    ])?;
    let rate = |key: &str| -> Result<u32, FieldError> {
        let rate_bps = as_i64_in(
            fields.required(key)?,
            &fields.child(key),
            0,
            i64::from(BPS_FULL),
        )?;
        Ok(u32::try_from(rate_bps).unwrap_or(BPS_FULL))
    };
    let words = WithholdingCategory::ALL.map(WithholdingCategory::as_str);
    let category_index = as_word(
        fields.required("category")?,
        &fields.child("category"),
        &words,
    )?;
    let category = WithholdingCategory::ALL
        .get(category_index)
        .copied()
        .ok_or_else(|| FieldError::WrongType {
            path: fields.child("category"),
            expected: "a withholding category",
        })?;
    Ok(WithholdingRule {
        category,
        section: fields.text("section", SECTION_BYTES_MAX)?,
        filer_rate_bps: rate("filer_rate_bps")?,
        late_filer_rate_bps: rate("late_filer_rate_bps")?,
        non_filer_rate_bps: rate("non_filer_rate_bps")?,
    })
}

impl WithholdingRule {
    /// The rate for a filer status.
    pub fn rate_bps(&self, filer_status: FilerStatus) -> u32 {
        match filer_status {
            FilerStatus::Filer => self.filer_rate_bps,
            FilerStatus::LateFiler => self.late_filer_rate_bps,
            FilerStatus::NonFiler => self.non_filer_rate_bps,
        }
    }
}

impl WithholdingRateTable {
    /// The Income Tax Ordinance 2001 table for `PK` (see the module docs for the late-filer
    /// column and the sources).
    pub fn pakistan_ito_2001() -> Result<Self, crate::ids::IdError> {
        let rule = |category, section: &str, filer_rate_bps, non_filer_rate_bps| WithholdingRule {
            category,
            section: section.to_owned(),
            filer_rate_bps,
            late_filer_rate_bps: non_filer_rate_bps,
            non_filer_rate_bps,
        };
        Ok(Self {
            jurisdiction: JurisdictionId::new("PK")?,
            rules: vec![
                rule(WithholdingCategory::Goods, "153(1)(a)", 450, 900),
                rule(WithholdingCategory::Services, "153(1)(b)", 800, 1600),
                rule(WithholdingCategory::ProfitOnDebt, "151", 1500, 3000),
                rule(WithholdingCategory::Dividend, "150", 1500, 3000),
                rule(WithholdingCategory::Rent, "155", 1500, 3000),
                rule(WithholdingCategory::CrossBorder, "152", 2000, 2000),
                rule(WithholdingCategory::SalesTax, "STA-1990-3", 1800, 1800),
            ],
        })
    }
}

/// Checked rate tables by jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateBook {
    tables: BTreeMap<JurisdictionId, BTreeMap<WithholdingCategory, WithholdingRule>>,
}

impl RateBook {
    /// Checks tables: rates within 0..=10000, one rule per category, non-empty sections, one
    /// table per jurisdiction.
    pub fn new(tables: Vec<WithholdingRateTable>) -> Result<Self, TaxError> {
        let mut book = BTreeMap::new();
        for table in tables {
            let mut rules = BTreeMap::new();
            for rule in table.rules {
                check_rule(&table.jurisdiction, &rule)?;
                let category = rule.category;
                if rules.insert(category, rule).is_some() {
                    return Err(TaxError::DuplicateRule {
                        jurisdiction: table.jurisdiction,
                        category,
                    });
                }
            }
            if book.contains_key(&table.jurisdiction) {
                return Err(TaxError::DuplicateTable {
                    jurisdiction: table.jurisdiction,
                });
            }
            book.insert(table.jurisdiction, rules);
        }
        Ok(Self { tables: book })
    }

    /// The rule for an event: its jurisdiction's table, else its country's.
    pub fn rule_for(&self, event: &WithholdingEvent) -> Result<&WithholdingRule, TaxError> {
        let country = rules_country(&event.jurisdiction);
        let (jurisdiction, table) = self
            .tables
            .get_key_value(&event.jurisdiction)
            .or_else(|| {
                self.tables
                    .iter()
                    .find(|(jurisdiction, _)| jurisdiction.as_str() == country)
            })
            .ok_or_else(|| TaxError::UnknownJurisdiction {
                event_id: event.event_id.clone(),
                jurisdiction: event.jurisdiction.clone(),
                country: country.to_owned(),
            })?;
        table.get(&event.category).ok_or_else(|| TaxError::NoRule {
            event_id: event.event_id.clone(),
            jurisdiction: jurisdiction.clone(),
            category: event.category,
        })
    }
}

fn check_rule(jurisdiction: &JurisdictionId, rule: &WithholdingRule) -> Result<(), TaxError> {
    if rule.section.is_empty() {
        return Err(TaxError::EmptySection {
            jurisdiction: jurisdiction.clone(),
            category: rule.category,
        });
    }
    let rates = [
        ("filer_rate_bps", rule.filer_rate_bps),
        ("late_filer_rate_bps", rule.late_filer_rate_bps),
        ("non_filer_rate_bps", rule.non_filer_rate_bps),
    ];
    match rates.into_iter().find(|&(_, rate_bps)| rate_bps > BPS_FULL) {
        Some((field, rate_bps)) => Err(TaxError::RateOutOfRange {
            jurisdiction: jurisdiction.clone(),
            category: rule.category,
            field,
            rate_bps,
        }),
        None => Ok(()),
    }
}

/// The country whose rules a jurisdiction falls back to: the part before the first `-`.
pub fn rules_country(jurisdiction: &JurisdictionId) -> &str {
    let text = jurisdiction.as_str();
    text.split('-').next().unwrap_or(text)
}

/// Tax withheld on `gross_amount_minor` at `rate_bps`, rounded half up (module docs).
pub fn withheld_minor(gross_amount_minor: u64, rate_bps: u32) -> Option<u64> {
    let product = u128::from(gross_amount_minor).checked_mul(u128::from(rate_bps))?;
    let rounded = product.checked_add(u128::from(BPS_FULL / 2))? / u128::from(BPS_FULL);
    u64::try_from(rounded).ok()
}

/// The withholding on one event.
pub fn compute_withholding(
    book: &RateBook,
    event: &WithholdingEvent,
) -> Result<Withholding, TaxError> {
    check_event(event)?;
    let rule = book.rule_for(event)?;
    let rate_bps = rule.rate_bps(event.payee_filer_status);
    let out_of_range = || TaxError::AmountOutOfRange {
        event_id: event.event_id.clone(),
        amount_minor: event.gross_amount_minor,
    };
    let withheld_amount_minor =
        withheld_minor(event.gross_amount_minor, rate_bps).ok_or_else(out_of_range)?;
    let net_amount_minor = event
        .gross_amount_minor
        .checked_sub(withheld_amount_minor)
        .ok_or_else(out_of_range)?;
    Ok(Withholding {
        event_id: event.event_id.clone(),
        payee: event.payee.clone(),
        section: rule.section.clone(),
        rate_bps,
        currency: event.currency.clone(),
        gross_amount_minor: event.gross_amount_minor,
        withheld_amount_minor,
        net_amount_minor,
    })
}

fn check_event(event: &WithholdingEvent) -> Result<(), TaxError> {
    if event.gross_amount_minor == 0 {
        return Err(TaxError::AmountZero {
            event_id: event.event_id.clone(),
        });
    }
    if event.gross_amount_minor > AMOUNT_MINOR_MAX {
        return Err(TaxError::AmountOutOfRange {
            event_id: event.event_id.clone(),
            amount_minor: event.gross_amount_minor,
        });
    }
    let currency_ok =
        event.currency.len() == 3 && event.currency.bytes().all(|b| b.is_ascii_uppercase());
    if !currency_ok {
        return Err(TaxError::Currency {
            event_id: event.event_id.clone(),
            currency: event.currency.clone(),
        });
    }
    Ok(())
}

/// The IRIS statement for a set of events: withholding per event, grouped by (section,
/// currency), groups and entries in a fixed order whatever the input order.
pub fn iris_report(book: &RateBook, events: &[WithholdingEvent]) -> Result<IrisReport, TaxError> {
    check_report_events(events.iter())?;
    let withholdings = events
        .iter()
        .map(|event| compute_withholding(book, event))
        .collect::<Result<Vec<_>, _>>()?;
    group_withholdings(withholdings)
}

/// The IRIS statement of recorded tax events: each event's withholding as it was computed when
/// it was paid (a later change of rates does not rewrite a filed statement), grouped as
/// [`iris_report`] groups.
pub fn iris_report_of_records(records: &[TaxEventRecord]) -> Result<IrisReport, TaxError> {
    check_report_events(records.iter().map(|record| &record.event))?;
    for record in records {
        if record.withholding.event_id != record.event.event_id {
            return Err(TaxError::RecordMismatch {
                event_id: record.event.event_id.clone(),
                withholding_event_id: record.withholding.event_id.clone(),
            });
        }
    }
    group_withholdings(
        records
            .iter()
            .map(|record| record.withholding.clone())
            .collect(),
    )
}

/// At most [`REPORT_EVENTS_MAX`] events, each with a non-empty id used once.
fn check_report_events<'a>(
    events: impl ExactSizeIterator<Item = &'a WithholdingEvent>,
) -> Result<(), TaxError> {
    if events.len() > REPORT_EVENTS_MAX {
        return Err(TaxError::TooManyEvents {
            event_count: events.len(),
        });
    }
    let mut seen = BTreeSet::new();
    for (event_index, event) in events.enumerate() {
        if event.event_id.is_empty() {
            return Err(TaxError::EmptyEventId { event_index });
        }
        if !seen.insert(event.event_id.as_str()) {
            return Err(TaxError::DuplicateEvent {
                event_id: event.event_id.clone(),
            });
        }
    }
    Ok(())
}

fn group_withholdings(withholdings: Vec<Withholding>) -> Result<IrisReport, TaxError> {
    let mut groups: BTreeMap<(String, String), Vec<Withholding>> = BTreeMap::new();
    for withholding in withholdings {
        groups
            .entry((withholding.section.clone(), withholding.currency.clone()))
            .or_default()
            .push(withholding);
    }
    let sections = groups
        .into_iter()
        .map(|((section, currency), entries)| summarise(section, currency, entries))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IrisReport { sections })
}

fn summarise(
    section: String,
    currency: String,
    mut entries: Vec<Withholding>,
) -> Result<SectionSummary, TaxError> {
    entries.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    let total = |amount: fn(&Withholding) -> u64| {
        entries
            .iter()
            .try_fold(0u64, |sum, entry| sum.checked_add(amount(entry)))
            .filter(|&sum| sum <= AMOUNT_MINOR_MAX)
    };
    let (Some(gross_total_minor), Some(withheld_total_minor)) = (
        total(|entry| entry.gross_amount_minor),
        total(|entry| entry.withheld_amount_minor),
    ) else {
        return Err(TaxError::TotalOverflow { section, currency });
    };
    Ok(SectionSummary {
        section,
        currency,
        event_count: entries.len() as u64,
        gross_total_minor,
        withheld_total_minor,
        entries,
    })
}

#[cfg(test)]
mod tests;
