//! Netting (SPEC §9): obligations in, a settlement plan of legs out, per currency.
//!
//! Owns [`Obligation`], [`net`], [`NettingPlan`], [`SettlementLeg`], [`CurrencyTotals`],
//! [`SettlementRail`], [`schedule_on_rail`] and the errors [`ObligationError`], [`NettingError`].
//!
//! Multilateral netting computes each party's net position per currency (received − paid) and
//! moves value from net payers to net receivers with a greedy two-pointer walk over both sides,
//! each sorted by amount (largest first) then party id. Every step settles at least one party, so
//! a currency never has more than `payers + receivers − 1` legs, and because the walk depends only
//! on the set of positions the plan is independent of input order. Bilateral netting nets each
//! pair of parties separately (one leg per pair at most).
//!
//! Never: sums across currencies, rounds, or drops a leg. Arithmetic is checked: a currency whose
//! gross exceeds [`AMOUNT_MINOR_MAX`] is an error, so every figure in the plan stays a canonical
//! JSON integer. A leg a rail cannot carry is reported as unsettleable with the reason.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::canonical::INTEGER_MAGNITUDE_MAX;
use crate::currency::{Currency, CurrencyError};
use crate::ids::{EntityId, IdError, ObligationId};

/// The largest amount, and the largest per-currency gross, in minor units: 2^53 − 1, the largest
/// integer canonical JSON carries exactly (SPEC §1). Larger sums are an overflow error.
pub const AMOUNT_MINOR_MAX: u64 = INTEGER_MAGNITUDE_MAX;

/// Basis points in one whole (100%).
const BASIS_POINTS_PER_WHOLE: u128 = 10_000;

/// One payment owed, under an id: the transfer it asks for (payer, payee, amount, currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    obligation_id: ObligationId,
    transfer: SettlementLeg,
}

/// How obligations are netted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NettingMode {
    /// Each pair of parties is netted on its own: at most one leg per pair and currency.
    Bilateral,
    /// All parties are netted together: at most `payers + receivers − 1` legs per currency.
    Multilateral,
}

/// One transfer of the plan. Serialises as `{from_party, to_party, amount, currency}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementLeg {
    from_party: EntityId,
    to_party: EntityId,
    #[serde(rename = "amount")]
    amount_minor: u64,
    currency: Currency,
}

/// Per-currency totals. Serialises as `{gross, net, reduction_bps}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CurrencyTotals {
    #[serde(rename = "gross")]
    gross_minor: u64,
    #[serde(rename = "net")]
    net_minor: u64,
    reduction_bps: u32,
}

/// The result of netting: legs (ordered by currency, then by the netting walk) and per-currency
/// totals keyed by currency code. Serialises as `{legs:[…], currencies:{CODE:{…}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NettingPlan {
    legs: Vec<SettlementLeg>,
    currencies: BTreeMap<Currency, CurrencyTotals>,
}

/// Why one obligation is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObligationError {
    /// The JSON value is not an object.
    #[error("obligation is not a JSON object")]
    NotAnObject,
    /// A required field is absent.
    #[error("field {field} is missing")]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// A field outside the five the format defines.
    #[error("field {field:?} is not part of an obligation")]
    UnknownField {
        /// The field name.
        field: String,
    },
    /// A text field holds something else.
    #[error("field {field} is not a string")]
    NotAString {
        /// The field name.
        field: &'static str,
    },
    /// An id field fails the id rules.
    #[error("field {field}: {source}")]
    Id {
        /// The field name.
        field: &'static str,
        /// The id rule broken.
        source: IdError,
    },
    /// `amount` is not an integer of minor units in 1..=[`AMOUNT_MINOR_MAX`].
    #[error("amount {amount} is not an integer of minor units in 1..={AMOUNT_MINOR_MAX}")]
    Amount {
        /// The value received.
        amount: Number,
    },
    /// `amount` is not a JSON number.
    #[error("amount is not a JSON number")]
    AmountType,
    /// `currency` is not a supported ISO 4217 code.
    #[error("field currency: {source}")]
    Currency {
        /// The currency rule broken.
        source: CurrencyError,
    },
    /// Payer and payee are the same party.
    #[error("obligation {obligation_id}: from_party and to_party are both {party}")]
    SameParty {
        /// The obligation.
        obligation_id: ObligationId,
        /// The party on both sides.
        party: EntityId,
    },
}

/// Why a set of obligations cannot be netted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NettingError {
    /// The input is not a JSON array of obligations.
    #[error("netting input is not a JSON array of obligations")]
    NotAnArray,
    /// One obligation is malformed.
    #[error("obligations[{index}]: {source}")]
    Obligation {
        /// 0-based position in the input.
        index: usize,
        /// What is wrong with it.
        source: ObligationError,
    },
    /// Two obligations share an id.
    #[error("obligation id {obligation_id} appears more than once")]
    DuplicateId {
        /// The repeated id.
        obligation_id: ObligationId,
    },
    /// A currency's gross exceeds [`AMOUNT_MINOR_MAX`].
    #[error("gross of {currency} exceeds {AMOUNT_MINOR_MAX} minor units")]
    GrossOverflow {
        /// The currency whose sum overflowed.
        currency: Currency,
    },
}

impl Obligation {
    /// Checks and builds an obligation: amount in 1..=[`AMOUNT_MINOR_MAX`], distinct parties.
    pub fn new(
        obligation_id: ObligationId,
        from_party: EntityId,
        to_party: EntityId,
        amount_minor: u64,
        currency: Currency,
    ) -> Result<Self, ObligationError> {
        if !(1..=AMOUNT_MINOR_MAX).contains(&amount_minor) {
            return Err(ObligationError::Amount {
                amount: Number::from(amount_minor),
            });
        }
        if from_party == to_party {
            return Err(ObligationError::SameParty {
                obligation_id,
                party: from_party,
            });
        }
        Ok(Self {
            obligation_id,
            transfer: SettlementLeg::new(from_party, to_party, amount_minor, currency),
        })
    }

    /// Parses `{obligation_id, from_party, to_party, amount, currency}` (no other fields).
    pub fn from_json(value: &Value) -> Result<Self, ObligationError> {
        let object = value.as_object().ok_or(ObligationError::NotAnObject)?;
        const FIELDS: [&str; 5] = [
            "obligation_id",
            "from_party",
            "to_party",
            "amount",
            "currency",
        ];
        if let Some(field) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
            return Err(ObligationError::UnknownField {
                field: field.clone(),
            });
        }
        let obligation_id = ObligationId::new(text_field(object, "obligation_id")?)
            .map_err(|source| id_error("obligation_id", source))?;
        let from_party = EntityId::new(text_field(object, "from_party")?)
            .map_err(|source| id_error("from_party", source))?;
        let to_party = EntityId::new(text_field(object, "to_party")?)
            .map_err(|source| id_error("to_party", source))?;
        let amount = match object.get("amount") {
            None => return Err(ObligationError::MissingField { field: "amount" }),
            Some(Value::Number(amount)) => amount,
            Some(_) => return Err(ObligationError::AmountType),
        };
        let amount_minor = amount.as_u64().ok_or_else(|| ObligationError::Amount {
            amount: amount.clone(),
        })?;
        let currency = Currency::parse(text_field(object, "currency")?)
            .map_err(|source| ObligationError::Currency { source })?;
        Self::new(obligation_id, from_party, to_party, amount_minor, currency)
    }

    /// The obligation's id.
    pub fn obligation_id(&self) -> &ObligationId {
        &self.obligation_id
    }

    /// The transfer owed.
    pub fn transfer(&self) -> &SettlementLeg {
        &self.transfer
    }
}

fn text_field<'a>(
    object: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, ObligationError> {
    match object.get(field) {
        None => Err(ObligationError::MissingField { field }),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(ObligationError::NotAString { field }),
    }
}

fn id_error(field: &'static str, source: IdError) -> ObligationError {
    ObligationError::Id { field, source }
}

/// Parses the `msez netting` input: a JSON array of obligations. Errors name the index and field.
pub fn obligations_from_json(value: &Value) -> Result<Vec<Obligation>, NettingError> {
    let items = value.as_array().ok_or(NettingError::NotAnArray)?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Obligation::from_json(item).map_err(|source| NettingError::Obligation { index, source })
        })
        .collect()
}

/// The pure step behind `msez netting`: parse the JSON array, net multilaterally.
pub fn netting_plan_from_json(value: &Value) -> Result<NettingPlan, NettingError> {
    net(&obligations_from_json(value)?, NettingMode::Multilateral)
}

impl SettlementLeg {
    /// Builds a leg. Used by netting and by the ISO 20022 parser.
    pub fn new(
        from_party: EntityId,
        to_party: EntityId,
        amount_minor: u64,
        currency: Currency,
    ) -> Self {
        Self {
            from_party,
            to_party,
            amount_minor,
            currency,
        }
    }

    /// Who pays.
    pub fn from_party(&self) -> &EntityId {
        &self.from_party
    }

    /// Who is paid.
    pub fn to_party(&self) -> &EntityId {
        &self.to_party
    }

    /// The amount in minor units.
    pub fn amount_minor(&self) -> u64 {
        self.amount_minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl CurrencyTotals {
    /// Sum of the obligations' amounts.
    pub fn gross_minor(&self) -> u64 {
        self.gross_minor
    }

    /// Sum of the legs' amounts.
    pub fn net_minor(&self) -> u64 {
        self.net_minor
    }

    /// `(gross − net) × 10000 / gross`, rounded down.
    pub fn reduction_bps(&self) -> u32 {
        self.reduction_bps
    }
}

impl NettingPlan {
    /// The legs, ordered by currency, then by the netting walk.
    pub fn legs(&self) -> &[SettlementLeg] {
        &self.legs
    }

    /// Totals per currency.
    pub fn currencies(&self) -> &BTreeMap<Currency, CurrencyTotals> {
        &self.currencies
    }
}

/// Positions of one currency, indexed by interned party number.
struct CurrencyBook {
    currency: Currency,
    gross_minor: u64,
    position_minor: Vec<i128>,
    /// Bilateral only: signed flow per ordered pair (low party index, high party index),
    /// positive when the lower-indexed party pays the higher.
    pair_flow_minor: HashMap<(u32, u32), i128, IdHashBuilder>,
}

/// Nets `obligations` per currency. Rejects duplicate ids and gross overflow; when an input has
/// both, the error is the one an in-order scan meets first.
///
/// One pass over the input interns each party to a `u32` (a hash map of a few thousand
/// entries), adds the amount to both parties' positions in the obligation's currency book (a
/// short vector: inputs carry a handful of currencies) and records a hash of the obligation id.
/// Duplicate ids are then found by sorting those hashes, not by a million-entry hash set (whose
/// random probes were a third of the time); only when two hashes agree are the ids themselves
/// compared, so a hash collision can cost time but never a wrong answer.
pub fn net(obligations: &[Obligation], mode: NettingMode) -> Result<NettingPlan, NettingError> {
    let hash_builder = IdHashBuilder::new();
    let mut id_hashes: Vec<u64> = Vec::with_capacity(obligations.len());
    let mut party_index: HashMap<&str, u32, IdHashBuilder> = HashMap::with_hasher(hash_builder);
    let mut parties: Vec<&EntityId> = Vec::new();
    let mut books: Vec<CurrencyBook> = Vec::new();
    let mut overflow: Option<(usize, Currency)> = None;
    for (index, obligation) in obligations.iter().enumerate() {
        id_hashes.push(hash_builder.hash_one(obligation.obligation_id.as_str()));
        let transfer = &obligation.transfer;
        let from = intern(&mut party_index, &mut parties, &transfer.from_party);
        let to = intern(&mut party_index, &mut parties, &transfer.to_party);
        let currency = transfer.currency;
        let book = book_of(&mut books, currency, hash_builder);
        if book_add(book, from, to, transfer.amount_minor, mode, parties.len()).is_none() {
            overflow = Some((index, currency));
            break;
        }
    }
    // The scan stopped at an overflow (or ran to the end); a duplicate whose second occurrence
    // comes no later than that point is the error an in-order scan meets first.
    let scanned = overflow.map_or(obligations.len(), |(index, _)| index + 1);
    if let Some(duplicate) =
        first_duplicate_id(obligations.get(..scanned).unwrap_or_default(), id_hashes)
    {
        return Err(NettingError::DuplicateId {
            obligation_id: duplicate.clone(),
        });
    }
    if let Some((_, currency)) = overflow {
        return Err(NettingError::GrossOverflow { currency });
    }
    books.sort_unstable_by_key(|book| book.currency);
    let mut legs = Vec::new();
    let mut currencies = BTreeMap::new();
    for book in &books {
        let first_leg = legs.len();
        match mode {
            NettingMode::Multilateral => multilateral_legs(book, &parties, &mut legs),
            NettingMode::Bilateral => bilateral_legs(book, &parties, &mut legs),
        }
        let net_minor = legs
            .get(first_leg..)
            .unwrap_or_default()
            .iter()
            .map(|leg| leg.amount_minor)
            .sum::<u64>();
        currencies.insert(book.currency, totals(book.gross_minor, net_minor));
    }
    Ok(NettingPlan { legs, currencies })
}

/// The book of `currency`, created on first use.
fn book_of(
    books: &mut Vec<CurrencyBook>,
    currency: Currency,
    hash_builder: IdHashBuilder,
) -> &mut CurrencyBook {
    let position = match books.iter().position(|book| book.currency == currency) {
        Some(position) => position,
        None => {
            books.push(CurrencyBook {
                currency,
                gross_minor: 0,
                position_minor: Vec::new(),
                pair_flow_minor: HashMap::with_hasher(hash_builder),
            });
            books.len() - 1
        }
    };
    // `position` is in range: found above, or the book just pushed.
    &mut books[position]
}

/// Adds one transfer to a currency book; `None` when the currency's gross would pass
/// [`AMOUNT_MINOR_MAX`] (positions are bounded by the gross, so they cannot overflow first).
fn book_add(
    book: &mut CurrencyBook,
    from: u32,
    to: u32,
    amount_minor: u64,
    mode: NettingMode,
    party_count: usize,
) -> Option<()> {
    book.gross_minor = book
        .gross_minor
        .checked_add(amount_minor)
        .filter(|&gross| gross <= AMOUNT_MINOR_MAX)?;
    let amount = i128::from(amount_minor);
    if book.position_minor.len() < party_count {
        book.position_minor.resize(party_count, 0);
    }
    add_position(&mut book.position_minor, from, -amount)?;
    add_position(&mut book.position_minor, to, amount)?;
    if mode == NettingMode::Bilateral {
        let (key, signed) = if from < to {
            ((from, to), amount)
        } else {
            ((to, from), -amount)
        };
        let flow = book.pair_flow_minor.entry(key).or_insert(0);
        *flow = flow.checked_add(signed)?;
    }
    Some(())
}

/// The id of the earliest obligation whose id already appeared before it, if any.
///
/// `id_hashes[i]` is the hash of `obligations[i]`'s id. Sorting the hashes finds whether any
/// two agree; only then are the ids compared, in input order, to name the first repeat exactly
/// (equal hashes of different ids are not duplicates).
fn first_duplicate_id(
    obligations: &[Obligation],
    mut id_hashes: Vec<u64>,
) -> Option<&ObligationId> {
    id_hashes.sort_unstable();
    if !id_hashes.windows(2).any(|pair| pair.first() == pair.last()) {
        return None;
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(obligations.len());
    obligations
        .iter()
        .map(|obligation| &obligation.obligation_id)
        .find(|obligation_id| !seen.insert(obligation_id.as_str()))
}

fn intern<'a>(
    party_index: &mut HashMap<&'a str, u32, IdHashBuilder>,
    parties: &mut Vec<&'a EntityId>,
    party: &'a EntityId,
) -> u32 {
    let next = u32::try_from(parties.len()).unwrap_or(u32::MAX);
    *party_index.entry(party.as_str()).or_insert_with(|| {
        parties.push(party);
        next
    })
}

/// Builds [`IdHasher`]s sharing one random seed.
///
/// Netting hashes every obligation id and two party ids per obligation; std's SipHash was 15%
/// of a million-obligation run. This hasher folds a 64×64→128-bit multiply per 8 bytes, keyed
/// by a seed drawn from std's `RandomState`, so ids crafted to collide cannot be chosen in
/// advance. Nothing in a plan depends on hash order: parties are numbered in input order and
/// legs are sorted.
#[derive(Clone, Copy)]
struct IdHashBuilder {
    seed: u64,
}

/// A word-at-a-time multiply-fold hasher for short id strings (see [`IdHashBuilder`]).
struct IdHasher {
    state: u64,
}

/// An odd 64-bit constant with well-mixed bits (the golden-ratio constant).
const HASH_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

impl IdHashBuilder {
    fn new() -> Self {
        Self {
            seed: std::collections::hash_map::RandomState::new().hash_one(HASH_MULTIPLIER),
        }
    }
}

impl BuildHasher for IdHashBuilder {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher { state: self.seed }
    }
}

/// The high and low halves of the 128-bit product, folded together.
fn fold_multiply(left: u64, right: u64) -> u64 {
    let product = u128::from(left) * u128::from(right);
    (product as u64) ^ ((product >> 64) as u64)
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.state = fold_multiply(self.state ^ word, HASH_MULTIPLIER);
        }
        let tail = chunks.remainder();
        let mut padded = [0u8; 8];
        padded[..tail.len()].copy_from_slice(tail);
        // The length goes in with the tail so "a" and "a\0" differ.
        let word = u64::from_le_bytes(padded) ^ ((bytes.len() as u64) << 56);
        self.state = fold_multiply(self.state ^ word, HASH_MULTIPLIER);
    }

    fn finish(&self) -> u64 {
        fold_multiply(self.state, HASH_MULTIPLIER.rotate_left(32))
    }
}

fn add_position(positions: &mut [i128], party: u32, delta: i128) -> Option<()> {
    let slot = positions.get_mut(usize::try_from(party).ok()?)?;
    *slot = slot.checked_add(delta)?;
    Some(())
}

/// Gross and net of one currency; net never exceeds gross because netting only cancels flows.
fn totals(gross_minor: u64, net_minor: u64) -> CurrencyTotals {
    debug_assert!(
        net_minor <= gross_minor,
        "net={net_minor} gross={gross_minor}"
    );
    let saved_minor = u128::from(gross_minor.saturating_sub(net_minor));
    let reduction_bps = (saved_minor * BASIS_POINTS_PER_WHOLE)
        .checked_div(u128::from(gross_minor))
        .unwrap_or(0);
    CurrencyTotals {
        gross_minor,
        net_minor,
        reduction_bps: u32::try_from(reduction_bps).unwrap_or(u32::MAX),
    }
}

/// Positions fit in u64 because their magnitude is at most the currency's checked gross.
fn magnitude(position_minor: i128) -> u64 {
    u64::try_from(position_minor.unsigned_abs()).unwrap_or(u64::MAX)
}

fn multilateral_legs(book: &CurrencyBook, parties: &[&EntityId], legs: &mut Vec<SettlementLeg>) {
    let currency = book.currency;
    let mut payers: Vec<(u64, &EntityId)> = Vec::new();
    let mut receivers: Vec<(u64, &EntityId)> = Vec::new();
    for (&position, &party) in book.position_minor.iter().zip(parties) {
        if position < 0 {
            payers.push((magnitude(position), party));
        } else if position > 0 {
            receivers.push((magnitude(position), party));
        }
    }
    let order = |left: &(u64, &EntityId), right: &(u64, &EntityId)| {
        (Reverse(left.0), left.1.as_str()).cmp(&(Reverse(right.0), right.1.as_str()))
    };
    payers.sort_unstable_by(order);
    receivers.sort_unstable_by(order);
    let leg_count_bound = (payers.len() + receivers.len()).saturating_sub(1);
    let first_leg = legs.len();
    let mut payer_iter = payers.into_iter();
    let mut receiver_iter = receivers.into_iter();
    let mut payer = payer_iter.next();
    let mut receiver = receiver_iter.next();
    while let (Some((owed, from)), Some((due, to))) = (payer, receiver) {
        let amount_minor = owed.min(due);
        legs.push(SettlementLeg::new(
            from.clone(),
            to.clone(),
            amount_minor,
            currency,
        ));
        payer = if owed == amount_minor {
            payer_iter.next()
        } else {
            Some((owed - amount_minor, from))
        };
        receiver = if due == amount_minor {
            receiver_iter.next()
        } else {
            Some((due - amount_minor, to))
        };
    }
    debug_assert!(
        payer.is_none() && receiver.is_none(),
        "positions sum to zero"
    );
    debug_assert!(legs.len() - first_leg <= leg_count_bound);
}

fn bilateral_legs(book: &CurrencyBook, parties: &[&EntityId], legs: &mut Vec<SettlementLeg>) {
    let currency = book.currency;
    let mut pair_legs: Vec<SettlementLeg> = book
        .pair_flow_minor
        .iter()
        .filter(|&(_, &flow)| flow != 0)
        .filter_map(|(&(low, high), &flow)| {
            let low_party = *parties.get(usize::try_from(low).ok()?)?;
            let high_party = *parties.get(usize::try_from(high).ok()?)?;
            let (from, to) = if flow > 0 {
                (low_party, high_party)
            } else {
                (high_party, low_party)
            };
            Some(SettlementLeg::new(
                from.clone(),
                to.clone(),
                magnitude(flow),
                currency,
            ))
        })
        .collect();
    pair_legs.sort_by(|left, right| {
        (left.from_party.as_str(), left.to_party.as_str())
            .cmp(&(right.from_party.as_str(), right.to_party.as_str()))
    });
    legs.extend(pair_legs);
}

/// Limits of one currency on a settlement rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RailLimits {
    /// The largest single transfer the rail accepts.
    pub transfer_max_minor: u64,
    /// The most the rail moves in this currency in one settlement day.
    pub daily_max_minor: u64,
}

/// A settlement rail (an RTGS link, a correspondent account): the currencies it carries and
/// their limits. A currency absent from `limits` is not carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRail {
    /// Limits per carried currency.
    pub limits: BTreeMap<Currency, RailLimits>,
}

/// Why a leg cannot settle on a rail today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsettleableReason {
    /// The rail does not carry the leg's currency.
    #[error("rail does not carry {currency}")]
    CurrencyNotOnRail {
        /// The leg's currency.
        currency: Currency,
    },
    /// The leg exceeds the rail's single-transfer maximum.
    #[error(
        "amount {amount_minor} exceeds the rail's single-transfer maximum {transfer_max_minor}"
    )]
    TransferMaxExceeded {
        /// The leg's amount.
        amount_minor: u64,
        /// The rail's maximum.
        transfer_max_minor: u64,
    },
    /// Settling the leg would pass the rail's daily limit.
    #[error(
        "amount {amount_minor} on top of {used_minor} already scheduled exceeds the daily limit {daily_max_minor}"
    )]
    DailyLimitExceeded {
        /// The leg's amount.
        amount_minor: u64,
        /// Already scheduled today in this currency.
        used_minor: u64,
        /// The rail's daily limit.
        daily_max_minor: u64,
    },
}

/// A leg that cannot settle, with the reason. It stays in the report; it is never dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsettleableLeg {
    /// The leg.
    pub leg: SettlementLeg,
    /// Why it cannot settle.
    pub reason: UnsettleableReason,
}

/// A plan's legs split into those the rail settles today and those it cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RailSchedule {
    /// Legs within every limit, in plan order.
    pub settleable: Vec<SettlementLeg>,
    /// Legs that cannot settle, in plan order, each with its reason.
    pub unsettleable: Vec<UnsettleableLeg>,
}

/// Applies a rail's limits to a plan's legs in plan order (first fit: a leg that would pass the
/// daily limit is reported and later, smaller legs may still fit). Legs are never split: a
/// partial leg would break the conservation of the plan.
pub fn schedule_on_rail(plan: &NettingPlan, rail: &SettlementRail) -> RailSchedule {
    let mut used_minor: BTreeMap<Currency, u64> = BTreeMap::new();
    let mut schedule = RailSchedule {
        settleable: Vec::new(),
        unsettleable: Vec::new(),
    };
    for leg in &plan.legs {
        let used = used_minor.entry(leg.currency).or_insert(0);
        match check_leg(leg, rail, *used) {
            Ok(next_used) => {
                *used = next_used;
                schedule.settleable.push(leg.clone());
            }
            Err(reason) => schedule.unsettleable.push(UnsettleableLeg {
                leg: leg.clone(),
                reason,
            }),
        }
    }
    debug_assert_eq!(
        schedule.settleable.len() + schedule.unsettleable.len(),
        plan.legs.len()
    );
    schedule
}

fn check_leg(
    leg: &SettlementLeg,
    rail: &SettlementRail,
    used_minor: u64,
) -> Result<u64, UnsettleableReason> {
    let limits = rail
        .limits
        .get(&leg.currency)
        .ok_or(UnsettleableReason::CurrencyNotOnRail {
            currency: leg.currency,
        })?;
    if leg.amount_minor > limits.transfer_max_minor {
        return Err(UnsettleableReason::TransferMaxExceeded {
            amount_minor: leg.amount_minor,
            transfer_max_minor: limits.transfer_max_minor,
        });
    }
    used_minor
        .checked_add(leg.amount_minor)
        .filter(|&total| total <= limits.daily_max_minor)
        .ok_or(UnsettleableReason::DailyLimitExceeded {
            amount_minor: leg.amount_minor,
            used_minor,
            daily_max_minor: limits.daily_max_minor,
        })
}

#[cfg(test)]
mod tests;
