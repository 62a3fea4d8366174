//! Sanctions screening: names and identifiers against a sanctions list, through an index.
//!
//! Owns the list [`SanctionsList`] (the sanctions snapshot section of a regpack, read by the
//! one parser [`parse_sanctions_list`]: entries with names, aliases and identifiers), its
//! [`SanctionsIndex`], the name normaliser
//! [`normalise_name`], the [`ScreeningConfig`], the result [`ScreeningReport`] and
//! [`SanctionsError`].
//!
//! Never: scans the whole list for a query (a query reads only the postings of its own
//! tokens), guesses a transliteration, or uses floating point.
//! Scores are integer basis points, so every verifier computes the same score.
//!
//! # Normalisation
//! Lower-case (Unicode); fold the Latin diacritics and ligatures of the explicit table in
//! [`fold_char`] (`é`→`e`, `ß`→`ss`, `æ`→`ae`, combining marks U+0300–U+036F dropped); drop
//! apostrophes (`O'Brien` → `obrien`); every other non-alphanumeric character separates tokens;
//! runs of separators collapse to one space; no leading or trailing space. Letters of other
//! scripts are kept lower-cased, not transliterated.
//!
//! # Rules, strongest first
//! 1. **Identifier**: same normalised kind and value (kind: lower-case alphanumerics; value:
//!    upper-case alphanumerics, so `AB-123 456` equals `ab123456`). Confirmed, 10000 bps.
//! 2. **Exact name**: the normalised query equals a normalised entry name. Confirmed, 10000 bps.
//! 3. **Token Jaccard**: |Q ∩ N| · 10000 / |Q ∪ N| over distinct tokens, floored, at least the
//!    threshold. A potential match (needs review), scored by the Jaccard value.
//! 4. **Substring**: every token of the shorter of query and entry name appears, contiguous and
//!    in order, in the longer, and the shorter has at least
//!    [`ScreeningConfig::substring_tokens_min`] tokens. Whole tokens only, so `ali` never matches
//!    inside `alison`. A potential match, scored by the Jaccard value.
//!
//! An entry is reported once, under its strongest rule and then highest score.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::fields::{
    FieldError, Fields, as_object, as_text, as_timestamp, check_unique, parse_list, word_enum,
};
use crate::time::Timestamp;

/// Longest name (query or list entry) accepted, in bytes. Real list names with all their parts
/// stay under 300 bytes; 512 leaves room and bounds the work per name.
pub const NAME_LENGTH_BYTES_MAX: usize = 512;

/// Most entries a list may hold. The consolidated UN, OFAC, EU and UK lists together hold under
/// 50,000 entries; 200,000 leaves four times that and bounds the index's memory.
pub const SANCTIONS_ENTRIES_MAX: usize = 200_000;

/// Most names plus identifiers screened in one query. A subject has a legal name, a few
/// aliases and a few identifiers; 64 bounds one query's work.
pub const QUERY_TERMS_MAX: usize = 64;

/// Default Jaccard threshold: 7500 bps admits a 3-token name with one added token (3/4) and
/// rejects two names sharing half their tokens (2/4).
pub const JACCARD_THRESHOLD_BPS_DEFAULT: u32 = 7_500;

/// Default minimum tokens for the substring rule: a single token (`khan`) inside a longer name
/// would flag half a population.
pub const SUBSTRING_TOKENS_MIN_DEFAULT: u32 = 2;

const SCORE_BPS_FULL: u32 = 10_000;

/// SipHash with fixed keys: the index holds no randomness (the protocol crate takes none), and
/// nothing observable depends on iteration order. The list comes from a signed regpack, so
/// adversarial collisions would need the regulator's cooperation.
type FixedState = BuildHasherDefault<DefaultHasher>;
type Map<K, V> = HashMap<K, V, FixedState>;

/// Longest text member of a list other than a name (ids, programmes, identifiers), in bytes.
pub const SANCTIONS_TEXT_BYTES_MAX: usize = 2048;

/// Most aliases, identifiers or programmes on one entry. Published entries carry at most a
/// few dozen; 256 bounds one entry's share of the index.
pub const ENTRY_ITEMS_MAX: usize = 256;

word_enum! {
    /// What a sanctions entry designates.
    SanctionsEntryKind {
        /// A natural person.
        Individual = "individual",
        /// A company or organisation.
        Entity = "entity",
        /// A ship.
        Vessel = "vessel",
        /// An aircraft.
        Aircraft = "aircraft",
    }
}

/// A sanctions list as of one instant: the `sanctions` section of a regpack
/// (`{snapshot_id, as_of, entries}`), read by [`parse_sanctions_list`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanctionsList {
    /// The snapshot's id (`unsc-consolidated-2026-01-01`).
    pub snapshot_id: String,
    /// When the list was taken.
    pub as_of: Timestamp,
    /// The listed parties, ids unique.
    pub entries: Vec<SanctionsEntry>,
}

/// One listed party: `{entry_id, kind, names, identifiers?, programs?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanctionsEntry {
    /// The list's own id for the entry (e.g. an OFAC SDN uid), unique within the list.
    pub entry_id: String,
    /// What it designates.
    pub kind: SanctionsEntryKind,
    /// The names as published: the primary name first, then the aliases.
    pub names: Vec<String>,
    /// Identity documents and registration numbers.
    pub identifiers: Vec<SanctionsIdentifier>,
    /// Sanctions programmes (`SDGT`, `UNSC-1267`).
    pub programs: Vec<String>,
}

/// An identifier such as a passport, CNIC, IMO or registration number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanctionsIdentifier {
    /// What kind of identifier (`passport`, `cnic`, `imo`, ...).
    pub kind: String,
    /// The identifier.
    pub value: String,
}

/// Screening thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreeningConfig {
    /// Token Jaccard threshold, basis points, 1..=10000.
    pub jaccard_threshold_bps: u32,
    /// Minimum tokens of the shorter name for the substring rule, at least 1.
    pub substring_tokens_min: u32,
}

impl ScreeningConfig {
    /// The documented defaults ([`JACCARD_THRESHOLD_BPS_DEFAULT`],
    /// [`SUBSTRING_TOKENS_MIN_DEFAULT`]).
    pub const DEFAULT: Self = Self {
        jaccard_threshold_bps: JACCARD_THRESHOLD_BPS_DEFAULT,
        substring_tokens_min: SUBSTRING_TOKENS_MIN_DEFAULT,
    };
}

/// Which rule matched; ordered strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// Identifier equality (confirmed).
    Identifier,
    /// Normalised name equality (confirmed).
    ExactName,
    /// Token Jaccard at or above the threshold (potential).
    TokenJaccard,
    /// Contiguous whole-token containment (potential).
    Substring,
}

impl MatchRule {
    /// Whether the rule confirms a match (as opposed to flagging one for review).
    pub fn is_confirmed(self) -> bool {
        matches!(self, Self::Identifier | Self::ExactName)
    }
}

/// One matched list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsMatch {
    /// The entry's id.
    pub entry_id: String,
    /// The strongest rule that matched.
    pub rule: MatchRule,
    /// Score, basis points (10000 for identifier and exact matches).
    pub score_bps: u32,
    /// The query term that matched (a name, or `kind:value` of an identifier), as given.
    pub query: String,
    /// The entry's name or identifier that matched, as listed.
    pub matched: String,
}

/// The outcome of screening one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningReport {
    /// Digest of the list screened against (its canonical JSON).
    pub list_digest: Digest,
    /// Entries in that list.
    pub entries_screened: u64,
    /// Matches, strongest rule first, then highest score, then entry id.
    pub matches: Vec<SanctionsMatch>,
}

impl ScreeningReport {
    /// Whether any match is confirmed (identifier or exact name).
    pub fn has_confirmed_match(&self) -> bool {
        self.matches.iter().any(|m| m.rule.is_confirmed())
    }
}

/// Why a list could not be indexed or a query screened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SanctionsError {
    /// More entries than [`SANCTIONS_ENTRIES_MAX`].
    #[error("sanctions list has {entry_count} entries; the limit is {SANCTIONS_ENTRIES_MAX}")]
    TooManyEntries {
        /// Entries received.
        entry_count: usize,
    },
    /// An entry without an id.
    #[error("entries[{entry_index}].entry_id is empty")]
    EmptyEntryId {
        /// 0-based position in the list.
        entry_index: usize,
    },
    /// Two entries share an id.
    #[error("entry_id {entry_id:?} appears twice in the sanctions list")]
    DuplicateEntryId {
        /// The repeated id.
        entry_id: String,
    },
    /// An entry with neither a name nor an identifier can never match.
    #[error("entry {entry_id:?} has no names and no identifiers")]
    EntryWithoutTerms {
        /// The entry.
        entry_id: String,
    },
    /// A name longer than [`NAME_LENGTH_BYTES_MAX`].
    #[error("{field} is {length_bytes} bytes long; the limit is {NAME_LENGTH_BYTES_MAX}")]
    NameTooLong {
        /// Which name (`entries[3].names[1]`, `query.names[0]`).
        field: String,
        /// Length received.
        length_bytes: usize,
    },
    /// A name with no letters or digits.
    #[error("{field} has no letters or digits")]
    NameEmpty {
        /// Which name.
        field: String,
    },
    /// An identifier kind or value with no letters or digits.
    #[error("{field} has no letters or digits")]
    IdentifierEmpty {
        /// Which identifier part.
        field: String,
    },
    /// More query names plus identifiers than [`QUERY_TERMS_MAX`].
    #[error("query has {term_count} names and identifiers; the limit is {QUERY_TERMS_MAX}")]
    TooManyQueryTerms {
        /// Terms received.
        term_count: usize,
    },
    /// A threshold outside its range.
    #[error("jaccard_threshold_bps {threshold_bps} is outside 1..=10000")]
    ThresholdOutOfRange {
        /// The value received.
        threshold_bps: u32,
    },
    /// A substring minimum of zero would match every name.
    #[error("substring_tokens_min must be at least 1")]
    SubstringMinimumZero,
    /// The list could not be canonicalised for its digest.
    #[error("sanctions list cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
}

/// Normalises a name as the module docs describe. The empty string means "no letters or digits".
pub fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for upper in name.chars() {
        for lower in upper.to_lowercase() {
            if is_apostrophe(lower) || is_combining_mark(lower) {
                continue;
            }
            if !lower.is_alphanumeric() {
                pending_space = true;
                continue;
            }
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match fold_char(lower) {
                Some(folded) => out.push_str(folded),
                None => out.push(lower),
            }
        }
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' | '\u{00b4}'
    )
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// The explicit fold table for lower-case Latin letters with diacritics and ligatures.
pub fn fold_char(c: char) -> Option<&'static str> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    };
    Some(folded)
}

/// Normalises an identifier to `(kind, value)`; an empty part had no letters or digits.
fn normalise_identifier(identifier: &SanctionsIdentifier) -> (String, String) {
    let kind = identifier
        .kind
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let value = identifier
        .value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    (kind, value)
}

/// A checked, indexed sanctions list. Building costs one pass over the list; a query then
/// touches only the entries that share a token, the exact-name bucket and the identifier bucket.
#[derive(Debug, Clone)]
pub struct SanctionsIndex {
    list_digest: Digest,
    entries: Vec<SanctionsEntry>,
    names: Vec<IndexedName>,
    token_ids: Map<String, u32>,
    postings: Vec<Vec<u32>>,
    exact: Map<String, Vec<u32>>,
    identifiers: Map<(String, String), Vec<(u32, u32)>>,
}

/// One listed name, tokenised.
#[derive(Debug, Clone)]
struct IndexedName {
    entry_index: u32,
    name_index: u32,
    tokens: Vec<u32>,
    distinct_token_count: u32,
}

/// A query name, normalised and tokenised against the index's vocabulary.
struct QueryName<'a> {
    original: &'a str,
    normalised: String,
    /// Token ids in order; `None` for a token the list never uses.
    tokens: Vec<Option<u32>>,
    distinct_token_count: u32,
}

impl SanctionsIndex {
    /// Checks and indexes a list.
    pub fn build(list: SanctionsList) -> Result<Self, SanctionsError> {
        if list.entries.len() > SANCTIONS_ENTRIES_MAX {
            return Err(SanctionsError::TooManyEntries {
                entry_count: list.entries.len(),
            });
        }
        let list_digest = CanonicalBytes::of(&list)?.digest();
        let mut index = Self {
            list_digest,
            entries: Vec::new(),
            names: Vec::new(),
            token_ids: Map::default(),
            postings: Vec::new(),
            exact: Map::default(),
            identifiers: Map::default(),
        };
        let mut seen_ids = std::collections::BTreeSet::new();
        for (entry_index, entry) in list.entries.iter().enumerate() {
            check_entry(entry_index, entry)?;
            if !seen_ids.insert(entry.entry_id.as_str()) {
                return Err(SanctionsError::DuplicateEntryId {
                    entry_id: entry.entry_id.clone(),
                });
            }
            index.add_entry(entry_index, entry)?;
        }
        index.entries = list.entries;
        Ok(index)
    }

    fn add_entry(
        &mut self,
        entry_index: usize,
        entry: &SanctionsEntry,
    ) -> Result<(), SanctionsError> {
        let entry_u32 = small_index(entry_index);
        for (name_index, name) in entry.names.iter().enumerate() {
            let field = || format!("entries[{entry_index}].names[{name_index}]");
            let normalised = checked_normalised(name, field)?;
            let name_position = small_index(self.names.len());
            let tokens: Vec<u32> = normalised
                .split(' ')
                .map(|token| self.intern(token))
                .collect();
            let mut distinct = tokens.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for &token in &distinct {
                if let Some(posting) = self.postings.get_mut(token as usize) {
                    posting.push(name_position);
                }
            }
            self.exact
                .entry(normalised)
                .or_default()
                .push(name_position);
            self.names.push(IndexedName {
                entry_index: entry_u32,
                name_index: small_index(name_index),
                tokens,
                distinct_token_count: small_index(distinct.len()),
            });
        }
        for (identifier_index, identifier) in entry.identifiers.iter().enumerate() {
            let field = format!("entries[{entry_index}].identifiers[{identifier_index}]");
            let key = checked_identifier(identifier, &field)?;
            self.identifiers
                .entry(key)
                .or_default()
                .push((entry_u32, small_index(identifier_index)));
        }
        Ok(())
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.token_ids.get(token) {
            return id;
        }
        let id = small_index(self.postings.len());
        self.token_ids.insert(token.to_owned(), id);
        self.postings.push(Vec::new());
        id
    }

    /// Digest of the list (its canonical JSON).
    pub fn list_digest(&self) -> Digest {
        self.list_digest
    }

    /// Entries in the list.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Screens names and identifiers of one subject.
    pub fn screen(
        &self,
        names: &[String],
        identifiers: &[SanctionsIdentifier],
        config: ScreeningConfig,
    ) -> Result<ScreeningReport, SanctionsError> {
        check_config(config)?;
        let term_count = names.len().saturating_add(identifiers.len());
        if term_count > QUERY_TERMS_MAX {
            return Err(SanctionsError::TooManyQueryTerms { term_count });
        }
        let mut best: Map<u32, SanctionsMatch> = Map::default();
        for (identifier_index, identifier) in identifiers.iter().enumerate() {
            let field = format!("query.identifiers[{identifier_index}]");
            let key = checked_identifier(identifier, &field)?;
            for &(entry_index, listed_index) in self.identifiers.get(&key).into_iter().flatten() {
                let entry = self.entry(entry_index);
                let matched = entry
                    .and_then(|entry| entry.identifiers.get(listed_index as usize))
                    .map(|listed| format!("{}:{}", listed.kind, listed.value))
                    .unwrap_or_default();
                let found = SanctionsMatch {
                    entry_id: entry.map(|e| e.entry_id.clone()).unwrap_or_default(),
                    rule: MatchRule::Identifier,
                    score_bps: SCORE_BPS_FULL,
                    query: format!("{}:{}", identifier.kind, identifier.value),
                    matched,
                };
                keep_best(&mut best, entry_index, found);
            }
        }
        for (name_index, name) in names.iter().enumerate() {
            let query = self.query_name(name, name_index)?;
            self.screen_name(&query, config, &mut best);
        }
        let mut matches: Vec<SanctionsMatch> = best.into_values().collect();
        matches.sort_by(|a, b| {
            (a.rule, std::cmp::Reverse(a.score_bps), &a.entry_id).cmp(&(
                b.rule,
                std::cmp::Reverse(b.score_bps),
                &b.entry_id,
            ))
        });
        Ok(ScreeningReport {
            list_digest: self.list_digest,
            entries_screened: self.entries.len() as u64,
            matches,
        })
    }

    fn query_name<'a>(
        &self,
        name: &'a str,
        name_index: usize,
    ) -> Result<QueryName<'a>, SanctionsError> {
        let normalised = checked_normalised(name, || format!("query.names[{name_index}]"))?;
        let mut distinct: Vec<&str> = normalised.split(' ').collect();
        distinct.sort_unstable();
        distinct.dedup();
        let distinct_token_count = small_index(distinct.len());
        let tokens = normalised
            .split(' ')
            .map(|token| self.token_ids.get(token).copied())
            .collect();
        Ok(QueryName {
            original: name,
            normalised,
            tokens,
            distinct_token_count,
        })
    }

    fn screen_name(
        &self,
        query: &QueryName<'_>,
        config: ScreeningConfig,
        best: &mut Map<u32, SanctionsMatch>,
    ) {
        for &name_position in self.exact.get(&query.normalised).into_iter().flatten() {
            self.record(
                query,
                name_position,
                MatchRule::ExactName,
                SCORE_BPS_FULL,
                best,
            );
        }
        let mut known: Vec<u32> = query.tokens.iter().flatten().copied().collect();
        known.sort_unstable();
        known.dedup();
        for (name_position, shared_count) in self.shared_counts(&known) {
            let Some(listed) = self.names.get(name_position as usize) else {
                continue;
            };
            let union = query.distinct_token_count + listed.distinct_token_count - shared_count;
            let score_bps = jaccard_bps(shared_count, union);
            if score_bps >= config.jaccard_threshold_bps {
                self.record(
                    query,
                    name_position,
                    MatchRule::TokenJaccard,
                    score_bps,
                    best,
                );
            } else if contains_contiguously(query, listed, shared_count, config) {
                self.record(query, name_position, MatchRule::Substring, score_bps, best);
            }
        }
    }

    /// For every listed name that contains a query token: (name position, distinct query
    /// tokens it contains). Postings are ascending without repeats (names are added in order),
    /// so a k-way merge counts them without hashing; k is the query's distinct known tokens.
    fn shared_counts(&self, known: &[u32]) -> Vec<(u32, u32)> {
        let mut lists: Vec<&[u32]> = known
            .iter()
            .filter_map(|&token| self.postings.get(token as usize))
            .map(Vec::as_slice)
            .collect();
        let mut counts = Vec::new();
        while let Some(lowest) = lists.iter().filter_map(|list| list.first()).min().copied() {
            let mut shared_count = 0;
            for list in &mut lists {
                if let Some((&head, rest)) = list.split_first()
                    && head == lowest
                {
                    *list = rest;
                    shared_count += 1;
                }
            }
            counts.push((lowest, shared_count));
        }
        counts
    }

    fn record(
        &self,
        query: &QueryName<'_>,
        name_position: u32,
        rule: MatchRule,
        score_bps: u32,
        best: &mut Map<u32, SanctionsMatch>,
    ) {
        let Some(listed) = self.names.get(name_position as usize) else {
            return;
        };
        let entry = self.entry(listed.entry_index);
        let found = SanctionsMatch {
            entry_id: entry.map(|e| e.entry_id.clone()).unwrap_or_default(),
            rule,
            score_bps,
            query: query.original.to_owned(),
            matched: entry
                .and_then(|e| e.names.get(listed.name_index as usize))
                .cloned()
                .unwrap_or_default(),
        };
        keep_best(best, listed.entry_index, found);
    }

    fn entry(&self, entry_index: u32) -> Option<&SanctionsEntry> {
        self.entries.get(entry_index as usize)
    }
}

/// Jaccard in basis points, floored; `union` is never 0 for non-empty names.
fn jaccard_bps(shared_count: u32, union: u32) -> u32 {
    let scaled = u64::from(shared_count) * u64::from(SCORE_BPS_FULL);
    u32::try_from(scaled / u64::from(union.max(1))).unwrap_or(SCORE_BPS_FULL)
}

/// The substring rule: every token of the shorter name occurs, contiguous and in order, in the
/// longer one. `shared_count` (distinct shared tokens) lets most candidates be rejected without
/// looking at the sequences.
fn contains_contiguously(
    query: &QueryName<'_>,
    listed: &IndexedName,
    shared_count: u32,
    config: ScreeningConfig,
) -> bool {
    let listed_is_shorter = listed.distinct_token_count <= query.distinct_token_count;
    let shorter_distinct = if listed_is_shorter {
        listed.distinct_token_count
    } else {
        query.distinct_token_count
    };
    if shared_count < shorter_distinct {
        return false;
    }
    let listed_tokens: Vec<Option<u32>> = listed.tokens.iter().copied().map(Some).collect();
    let (shorter, longer) = if listed_is_shorter {
        (listed_tokens.as_slice(), query.tokens.as_slice())
    } else {
        (query.tokens.as_slice(), listed_tokens.as_slice())
    };
    if (shorter.len() as u64) < u64::from(config.substring_tokens_min) {
        return false;
    }
    if shorter.iter().any(Option::is_none) {
        return false;
    }
    longer
        .windows(shorter.len())
        .any(|window| window == shorter)
}

fn keep_best(best: &mut Map<u32, SanctionsMatch>, entry_index: u32, found: SanctionsMatch) {
    // The full key makes the kept match independent of the order candidates arrive in.
    let strength = |m: &SanctionsMatch| {
        (
            m.rule,
            std::cmp::Reverse(m.score_bps),
            m.query.clone(),
            m.matched.clone(),
        )
    };
    let keeps_current = best
        .get(&entry_index)
        .is_some_and(|current| strength(current) <= strength(&found));
    if !keeps_current {
        best.insert(entry_index, found);
    }
}

fn check_config(config: ScreeningConfig) -> Result<(), SanctionsError> {
    if !(1..=SCORE_BPS_FULL).contains(&config.jaccard_threshold_bps) {
        return Err(SanctionsError::ThresholdOutOfRange {
            threshold_bps: config.jaccard_threshold_bps,
        });
    }
    if config.substring_tokens_min == 0 {
        return Err(SanctionsError::SubstringMinimumZero);
    }
    Ok(())
}

fn check_entry(entry_index: usize, entry: &SanctionsEntry) -> Result<(), SanctionsError> {
    if entry.entry_id.is_empty() {
        return Err(SanctionsError::EmptyEntryId { entry_index });
    }
    if entry.names.is_empty() && entry.identifiers.is_empty() {
        return Err(SanctionsError::EntryWithoutTerms {
            entry_id: entry.entry_id.clone(),
        });
    }
    Ok(())
}

fn checked_normalised(name: &str, field: impl Fn() -> String) -> Result<String, SanctionsError> {
    if name.len() > NAME_LENGTH_BYTES_MAX {
        return Err(SanctionsError::NameTooLong {
            field: field(),
            length_bytes: name.len(),
        });
    }
    let normalised = normalise_name(name);
    if normalised.is_empty() {
        return Err(SanctionsError::NameEmpty { field: field() });
    }
    Ok(normalised)
}

fn checked_identifier(
    identifier: &SanctionsIdentifier,
    field: &str,
) -> Result<(String, String), SanctionsError> {
    let (kind, value) = normalise_identifier(identifier);
    if kind.is_empty() {
        return Err(SanctionsError::IdentifierEmpty {
            field: format!("{field}.kind"),
        });
    }
    if value.is_empty() {
        return Err(SanctionsError::IdentifierEmpty {
            field: format!("{field}.value"),
        });
    }
    Ok((kind, value))
}

/// The one reader of a sanctions list document (`{snapshot_id, as_of, entries}`), whether it
/// is a regpack's `sanctions` section or a tensor input's; errors name the path
/// (`$.sanctions.entries[3].names[0]`). An entry needs at least one name or identifier.
pub fn parse_sanctions_list(value: &Value, path: &str) -> Result<SanctionsList, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["snapshot_id", "as_of", "entries"])?;
    let entries_path = fields.child("entries");
    let entries = parse_list(
        fields.required("entries")?,
        &entries_path,
        SANCTIONS_ENTRIES_MAX,
        parse_entry,
    )?;
    check_unique(entries.iter().map(|e| e.entry_id.as_str()), &entries_path)?;
    Ok(SanctionsList {
        snapshot_id: fields.text("snapshot_id", SANCTIONS_TEXT_BYTES_MAX)?,
        as_of: as_timestamp(fields.required("as_of")?, &fields.child("as_of"))?,
        entries,
    })
}

fn parse_entry(value: &Value, path: &str) -> Result<SanctionsEntry, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["entry_id", "kind", "names", "identifiers", "programs"])?;
    let identifiers = match fields.optional("identifiers") {
        None => Vec::new(),
        Some(list) => parse_list(
            list,
            &fields.child("identifiers"),
            ENTRY_ITEMS_MAX,
            |item, item_path| {
                let identifier = as_object(item, item_path)?;
                identifier.only(&["kind", "value"])?;
                Ok::<_, FieldError>(SanctionsIdentifier {
                    kind: identifier.text("kind", SANCTIONS_TEXT_BYTES_MAX)?,
                    value: identifier.text("value", SANCTIONS_TEXT_BYTES_MAX)?,
                })
            },
        )?,
    };
    let names = texts(&fields, "names", NAME_LENGTH_BYTES_MAX)?;
    if names.is_empty() && identifiers.is_empty() {
        // An entry with nothing to match on can never be found; it is a publishing error.
        return Err(FieldError::Empty {
            path: fields.child("names"),
        });
    }
    Ok(SanctionsEntry {
        entry_id: fields.text("entry_id", SANCTIONS_TEXT_BYTES_MAX)?,
        kind: SanctionsEntryKind::parse_word(fields.required("kind")?, &fields.child("kind"))?,
        names,
        identifiers,
        programs: texts(&fields, "programs", SANCTIONS_TEXT_BYTES_MAX)?,
    })
}

/// The optional list of texts at `key` (absent is empty), each at most `limit_bytes`.
fn texts(fields: &Fields<'_>, key: &str, limit_bytes: usize) -> Result<Vec<String>, FieldError> {
    match fields.optional(key) {
        None => Ok(Vec::new()),
        Some(list) => parse_list(list, &fields.child(key), ENTRY_ITEMS_MAX, |item, path| {
            as_text(item, path, limit_bytes)
        }),
    }
}

/// Positions inside a list bounded by [`SANCTIONS_ENTRIES_MAX`] and [`NAME_LENGTH_BYTES_MAX`]
/// always fit in `u32`.
fn small_index(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
