//! Screening: normalisation examples, each rule at its edge, list and query checks at their
//! limits, and a property test that the index finds exactly what a naive scan finds.

use proptest::prelude::*;

use super::*;

fn entry(entry_id: &str, names: &[&str]) -> SanctionsEntry {
    SanctionsEntry {
        entry_id: entry_id.into(),
        kind: SanctionsEntryKind::Individual,
        names: names.iter().map(|n| n.to_string()).collect(),
        identifiers: Vec::new(),
        programs: Vec::new(),
    }
}

fn list(entries: Vec<SanctionsEntry>) -> SanctionsList {
    SanctionsList {
        snapshot_id: "test-list".into(),
        as_of: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        entries,
    }
}

fn index(entries: Vec<SanctionsEntry>) -> SanctionsIndex {
    SanctionsIndex::build(list(entries)).unwrap()
}

fn screen_names(index: &SanctionsIndex, names: &[&str]) -> Vec<(String, MatchRule, u32)> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    index
        .screen(&names, &[], ScreeningConfig::DEFAULT)
        .unwrap()
        .matches
        .into_iter()
        .map(|m| (m.entry_id, m.rule, m.score_bps))
        .collect()
}

#[test]
fn normalise_folds_case_diacritics_punctuation_and_space() {
    assert_eq!(
        normalise_name("  José  O'Brien-Smith "),
        "jose obrien smith"
    );
    assert_eq!(normalise_name("STRAßE Æsir"), "strasse aesir");
    assert_eq!(normalise_name("Jose\u{301} Łukasz"), "jose lukasz");
    assert_eq!(normalise_name("AL-QAIDA, (a.k.a.)"), "al qaida a k a");
    assert_eq!(normalise_name("محمد  علي"), "محمد علي");
    assert_eq!(normalise_name("--- ..."), "");
}

#[test]
fn screen_matches_exact_name_and_alias() {
    let index = index(vec![
        entry("E1", &["Ali Hassan Khan", "Abu Ali"]),
        entry("E2", &["Someone Else"]),
    ]);
    assert_eq!(
        screen_names(&index, &["ALI HASSAN-KHAN"]),
        [("E1".to_string(), MatchRule::ExactName, 10_000)]
    );
    assert_eq!(
        screen_names(&index, &["abu  ali"]),
        [("E1".to_string(), MatchRule::ExactName, 10_000)]
    );
}

#[test]
fn screen_jaccard_matches_at_threshold_and_not_below() {
    let index = index(vec![entry("E1", &["Ali Hassan Khan Durrani"])]);
    assert_eq!(
        screen_names(&index, &["Ali Hassan Khan"]),
        [("E1".to_string(), MatchRule::TokenJaccard, 7_500)]
    );
    assert_eq!(screen_names(&index, &["Ali Durrani"]), []);
    assert_eq!(
        screen_names(&index, &["Durrani Khan Hassan Ali"]),
        [("E1".to_string(), MatchRule::TokenJaccard, 10_000)]
    );
}

#[test]
fn screen_substring_needs_contiguous_whole_tokens() {
    let index = index(vec![entry("E1", &["Hassan Khan"]), entry("E2", &["Ali"])]);
    assert_eq!(
        screen_names(&index, &["Muhammad Hassan Khan Durrani Sahib"]),
        [("E1".to_string(), MatchRule::Substring, 4_000)]
    );
    assert_eq!(screen_names(&index, &["Khan Muhammad Hassan Durrani"]), []);
    assert_eq!(screen_names(&index, &["Alison Hassanova Khani"]), []);
    assert_eq!(screen_names(&index, &["Ali Raza Qureshi"]), []);
}

#[test]
fn screen_matches_identifiers_exactly_after_normalising() {
    let mut listed = entry("E1", &["Vessel One"]);
    listed.identifiers.push(SanctionsIdentifier {
        kind: "IMO".into(),
        value: "IMO 9876543".into(),
    });
    let index = index(vec![listed]);
    let query = |kind: &str, value: &str| {
        let identifiers = [SanctionsIdentifier {
            kind: kind.into(),
            value: value.into(),
        }];
        index
            .screen(&[], &identifiers, ScreeningConfig::DEFAULT)
            .unwrap()
            .matches
    };
    let found = query("imo", "imo-9876543");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, MatchRule::Identifier);
    assert_eq!(found[0].matched, "IMO:IMO 9876543");
    assert!(query("passport", "IMO9876543").is_empty());
    assert!(query("imo", "IMO9876544").is_empty());
}

#[test]
fn screen_reports_each_entry_once_strongest_first() {
    let index = index(vec![
        entry("E2", &["Ali Hassan Khan Durrani"]),
        entry("E1", &["Ali Hassan Khan", "Ali Hassan Khan Sahib"]),
    ]);
    let report = index
        .screen(&["Ali Hassan Khan".into()], &[], ScreeningConfig::DEFAULT)
        .unwrap();
    let found: Vec<(&str, MatchRule)> = report
        .matches
        .iter()
        .map(|m| (m.entry_id.as_str(), m.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("E1", MatchRule::ExactName),
            ("E2", MatchRule::TokenJaccard)
        ]
    );
    assert!(report.has_confirmed_match());
    assert_eq!(report.entries_screened, 2);
}

#[test]
fn build_rejects_bad_entries() {
    let build = |entries| SanctionsIndex::build(list(entries)).unwrap_err();
    assert_eq!(
        build(vec![entry("", &["x"])]),
        SanctionsError::EmptyEntryId { entry_index: 0 }
    );
    assert_eq!(
        build(vec![entry("E1", &["x"]), entry("E1", &["y"])]),
        SanctionsError::DuplicateEntryId {
            entry_id: "E1".into()
        }
    );
    assert_eq!(
        build(vec![entry("E1", &[])]),
        SanctionsError::EntryWithoutTerms {
            entry_id: "E1".into()
        }
    );
    assert_eq!(
        build(vec![entry("E1", &["a", "..."])]),
        SanctionsError::NameEmpty {
            field: "entries[0].names[1]".into()
        }
    );
    let mut bad_identifier = entry("E1", &[]);
    bad_identifier.identifiers.push(SanctionsIdentifier {
        kind: "passport".into(),
        value: "--".into(),
    });
    assert_eq!(
        build(vec![bad_identifier]),
        SanctionsError::IdentifierEmpty {
            field: "entries[0].identifiers[0].value".into()
        }
    );
}

#[test]
fn name_length_is_accepted_at_limit_and_rejected_above() {
    let at_limit = "a".repeat(NAME_LENGTH_BYTES_MAX);
    let above = "a".repeat(NAME_LENGTH_BYTES_MAX + 1);
    let index = index(vec![entry("E1", &[at_limit.as_str()])]);
    assert_eq!(
        screen_names(&index, &[at_limit.as_str()]),
        [("E1".to_string(), MatchRule::ExactName, 10_000)]
    );
    assert_eq!(
        index.screen(std::slice::from_ref(&above), &[], ScreeningConfig::DEFAULT),
        Err(SanctionsError::NameTooLong {
            field: "query.names[0]".into(),
            length_bytes: NAME_LENGTH_BYTES_MAX + 1
        })
    );
    assert!(matches!(
        SanctionsIndex::build(list(vec![entry("E1", &[above.as_str()])])),
        Err(SanctionsError::NameTooLong { .. })
    ));
}

#[test]
fn query_terms_are_accepted_at_limit_and_rejected_above() {
    let index = index(vec![entry("E1", &["x y"])]);
    let names: Vec<String> = (0..QUERY_TERMS_MAX).map(|i| format!("n{i}")).collect();
    assert!(index.screen(&names, &[], ScreeningConfig::DEFAULT).is_ok());
    let identifiers = [SanctionsIdentifier {
        kind: "k".into(),
        value: "v".into(),
    }];
    assert_eq!(
        index.screen(&names, &identifiers, ScreeningConfig::DEFAULT),
        Err(SanctionsError::TooManyQueryTerms {
            term_count: QUERY_TERMS_MAX + 1
        })
    );
}

#[test]
fn entry_count_is_accepted_at_limit_and_rejected_above() {
    let mut entries: Vec<SanctionsEntry> = (0..SANCTIONS_ENTRIES_MAX)
        .map(|i| entry(&format!("E{i}"), &["x"]))
        .collect();
    let index = SanctionsIndex::build(list(entries.clone())).unwrap();
    assert_eq!(index.entry_count(), SANCTIONS_ENTRIES_MAX);
    entries.push(entry("extra", &["x"]));
    assert_eq!(
        SanctionsIndex::build(list(entries)).unwrap_err(),
        SanctionsError::TooManyEntries {
            entry_count: SANCTIONS_ENTRIES_MAX + 1
        }
    );
}

#[test]
fn screen_rejects_out_of_range_config() {
    let index = index(vec![entry("E1", &["x"])]);
    let names = ["x".to_string()];
    for threshold_bps in [0, 10_001] {
        let config = ScreeningConfig {
            jaccard_threshold_bps: threshold_bps,
            ..ScreeningConfig::DEFAULT
        };
        assert_eq!(
            index.screen(&names, &[], config),
            Err(SanctionsError::ThresholdOutOfRange { threshold_bps })
        );
    }
    let config = ScreeningConfig {
        substring_tokens_min: 0,
        ..ScreeningConfig::DEFAULT
    };
    assert_eq!(
        index.screen(&names, &[], config),
        Err(SanctionsError::SubstringMinimumZero)
    );
}

/// The rules of the module docs applied by scanning every name: the oracle for the index.
fn naive_screen(
    entries: &[SanctionsEntry],
    names: &[String],
    config: ScreeningConfig,
) -> Vec<(String, MatchRule, u32, String, String)> {
    let mut best: Vec<(String, MatchRule, u32, String, String)> = Vec::new();
    for entry in entries {
        let mut found: Vec<(MatchRule, u32, String, String)> = Vec::new();
        for query in names {
            let q = normalise_name(query);
            for listed in &entry.names {
                let n = normalise_name(listed);
                let q_tokens: Vec<&str> = q.split(' ').collect();
                let n_tokens: Vec<&str> = n.split(' ').collect();
                let q_set: std::collections::BTreeSet<&str> = q_tokens.iter().copied().collect();
                let n_set: std::collections::BTreeSet<&str> = n_tokens.iter().copied().collect();
                let shared = q_set.intersection(&n_set).count() as u64;
                let union = (q_set.len() + n_set.len()) as u64 - shared;
                let score = (shared * 10_000 / union) as u32;
                let (shorter, longer) = if n_set.len() <= q_set.len() {
                    (&n_tokens, &q_tokens)
                } else {
                    (&q_tokens, &n_tokens)
                };
                let rule = if q == n {
                    Some((MatchRule::ExactName, 10_000))
                } else if score >= config.jaccard_threshold_bps {
                    Some((MatchRule::TokenJaccard, score))
                } else if shorter.len() as u32 >= config.substring_tokens_min
                    && longer.windows(shorter.len()).any(|w| w == &shorter[..])
                {
                    Some((MatchRule::Substring, score))
                } else {
                    None
                };
                if let Some((rule, score)) = rule {
                    found.push((rule, score, query.clone(), listed.clone()));
                }
            }
        }
        found.sort_by(|a, b| {
            (a.0, std::cmp::Reverse(a.1), &a.2, &a.3).cmp(&(
                b.0,
                std::cmp::Reverse(b.1),
                &b.2,
                &b.3,
            ))
        });
        if let Some((rule, score, query, matched)) = found.into_iter().next() {
            best.push((entry.entry_id.clone(), rule, score, query, matched));
        }
    }
    best.sort_by(|a, b| {
        (a.1, std::cmp::Reverse(a.2), &a.0).cmp(&(b.1, std::cmp::Reverse(b.2), &b.0))
    });
    best
}

fn name_strategy() -> impl Strategy<Value = String> {
    let words = [
        "ali", "Khan", "HASSAN", "José", "jose", "o'brien", "al", "muhammad", "straße",
    ];
    proptest::collection::vec(proptest::sample::select(words.to_vec()), 1..5)
        .prop_map(|words| words.join(" "))
}

proptest! {
    #[test]
    fn screen_equals_naive_scan(
        listed in proptest::collection::vec(proptest::collection::vec(name_strategy(), 1..3), 1..12),
        queries in proptest::collection::vec(name_strategy(), 1..3),
        threshold_bps in 1u32..=10_000,
        substring_tokens_min in 1u32..4,
    ) {
        let entries: Vec<SanctionsEntry> = listed
            .into_iter()
            .enumerate()
            .map(|(i, names)| SanctionsEntry {
                names,
                ..entry(&format!("E{i:02}"), &[])
            })
            .collect();
        let config = ScreeningConfig { jaccard_threshold_bps: threshold_bps, substring_tokens_min };
        let index = SanctionsIndex::build(list(entries.clone())).unwrap();
        let got: Vec<(String, MatchRule, u32, String, String)> = index
            .screen(&queries, &[], config)
            .unwrap()
            .matches
            .into_iter()
            .map(|m| (m.entry_id, m.rule, m.score_bps, m.query, m.matched))
            .collect();
        prop_assert_eq!(got, naive_screen(&entries, &queries, config));
    }

    #[test]
    fn screen_never_panics_on_arbitrary_names(names in proptest::collection::vec(".{0,80}", 0..4)) {
        let index = index(vec![entry("E1", &["Ali Hassan Khan"])]);
        let _ = index.screen(&names, &[], ScreeningConfig::DEFAULT);
    }

    #[test]
    fn normalise_is_idempotent(name in ".{0,60}") {
        let once = normalise_name(&name);
        prop_assert_eq!(normalise_name(&once), once.clone());
    }
}
