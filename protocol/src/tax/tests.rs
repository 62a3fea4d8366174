//! Withholding: the ITO 2001 table, rounding, jurisdiction fallback, the IRIS grouping, tax
//! number validation, and every limit at its edge.

use proptest::prelude::*;

use super::*;

fn book() -> RateBook {
    RateBook::new(vec![WithholdingRateTable::pakistan_ito_2001().unwrap()]).unwrap()
}

fn event(
    event_id: &str,
    category: WithholdingCategory,
    status: FilerStatus,
    gross: u64,
) -> WithholdingEvent {
    WithholdingEvent {
        event_id: event_id.into(),
        payer: EntityId::new("payer-1").unwrap(),
        payee: TaxpayerId::Ntn(Ntn::parse("1234567").unwrap()),
        payee_filer_status: status,
        category,
        gross_amount_minor: gross,
        currency: "PKR".into(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        occurred_at: Timestamp::parse("2026-03-01T00:00:00Z").unwrap(),
    }
}

/// The one place tests compute a single withholding: (section, rate, withheld).
#[track_caller]
fn check(category: WithholdingCategory, status: FilerStatus, gross: u64) -> (String, u32, u64) {
    let withholding =
        compute_withholding(&book(), &event("ev-1", category, status, gross)).unwrap();
    assert_eq!(
        withholding.net_amount_minor + withholding.withheld_amount_minor,
        gross
    );
    (
        withholding.section,
        withholding.rate_bps,
        withholding.withheld_amount_minor,
    )
}

#[test]
fn pakistan_table_applies_ito_2001_rates() {
    use FilerStatus::*;
    use WithholdingCategory::*;
    let cases = [
        (Goods, Filer, "153(1)(a)", 450),
        (Goods, NonFiler, "153(1)(a)", 900),
        (Services, Filer, "153(1)(b)", 800),
        (Services, NonFiler, "153(1)(b)", 1600),
        (ProfitOnDebt, Filer, "151", 1500),
        (ProfitOnDebt, NonFiler, "151", 3000),
        (Dividend, Filer, "150", 1500),
        (Dividend, NonFiler, "150", 3000),
        (Rent, Filer, "155", 1500),
        (Rent, NonFiler, "155", 3000),
        (CrossBorder, Filer, "152", 2000),
        (CrossBorder, NonFiler, "152", 2000),
        (SalesTax, Filer, "STA-1990-3", 1800),
        (SalesTax, NonFiler, "STA-1990-3", 1800),
    ];
    for (category, status, section, rate_bps) in cases {
        let withheld = u64::from(rate_bps) * 100;
        assert_eq!(
            check(category, status, 1_000_000),
            (section.to_string(), rate_bps, withheld),
            "{category:?} {status:?}"
        );
    }
}

#[test]
fn late_filer_pays_the_non_filer_rate() {
    for rule in WithholdingRateTable::pakistan_ito_2001().unwrap().rules {
        assert_eq!(
            rule.late_filer_rate_bps, rule.non_filer_rate_bps,
            "{:?}",
            rule.category
        );
    }
    assert_eq!(
        check(
            WithholdingCategory::Services,
            FilerStatus::LateFiler,
            10_000
        )
        .1,
        1600
    );
}

#[test]
fn withheld_rounds_half_up_to_minor_unit() {
    assert_eq!(withheld_minor(1, 450), Some(0));
    assert_eq!(withheld_minor(12, 450), Some(1));
    assert_eq!(withheld_minor(100, 50), Some(1));
    assert_eq!(withheld_minor(100, 49), Some(0));
    assert_eq!(withheld_minor(u64::MAX, 10_000), Some(u64::MAX));
}

#[test]
fn jurisdiction_falls_back_to_country_and_prefers_exact_table() {
    assert_eq!(
        rules_country(&JurisdictionId::new("PK-RSEZ").unwrap()),
        "PK"
    );
    assert_eq!(rules_country(&JurisdictionId::new("AE").unwrap()), "AE");
    let mut zone = WithholdingRateTable::pakistan_ito_2001().unwrap();
    zone.jurisdiction = JurisdictionId::new("PK-RSEZ").unwrap();
    zone.rules
        .retain(|rule| rule.category == WithholdingCategory::Goods);
    zone.rules[0].filer_rate_bps = 0;
    let book = RateBook::new(vec![
        WithholdingRateTable::pakistan_ito_2001().unwrap(),
        zone,
    ])
    .unwrap();
    let goods = event("ev-1", WithholdingCategory::Goods, FilerStatus::Filer, 1000);
    assert_eq!(compute_withholding(&book, &goods).unwrap().rate_bps, 0);
    let services = event(
        "ev-2",
        WithholdingCategory::Services,
        FilerStatus::Filer,
        1000,
    );
    assert!(matches!(
        compute_withholding(&book, &services),
        Err(TaxError::NoRule { .. })
    ));
    let mut foreign = goods;
    foreign.jurisdiction = JurisdictionId::new("AE-DIFC").unwrap();
    assert!(matches!(
        compute_withholding(&book, &foreign),
        Err(TaxError::UnknownJurisdiction { country, .. }) if country == "AE"
    ));
}

#[test]
fn rate_book_rejects_bad_tables() {
    let table = || WithholdingRateTable::pakistan_ito_2001().unwrap();
    let mut high = table();
    high.rules[1].late_filer_rate_bps = 10_001;
    assert!(matches!(
        RateBook::new(vec![high]),
        Err(TaxError::RateOutOfRange {
            field: "late_filer_rate_bps",
            rate_bps: 10_001,
            ..
        })
    ));
    let mut full = table();
    full.rules[1].late_filer_rate_bps = 10_000;
    assert!(RateBook::new(vec![full]).is_ok());
    let mut twice = table();
    twice.rules.push(twice.rules[0].clone());
    assert!(matches!(
        RateBook::new(vec![twice]),
        Err(TaxError::DuplicateRule { .. })
    ));
    assert!(matches!(
        RateBook::new(vec![table(), table()]),
        Err(TaxError::DuplicateTable { .. })
    ));
    let mut unnamed = table();
    unnamed.rules[0].section.clear();
    assert!(matches!(
        RateBook::new(vec![unnamed]),
        Err(TaxError::EmptySection { .. })
    ));
}

#[test]
fn amount_is_accepted_at_limit_and_rejected_above_or_zero() {
    let book = book();
    let at_limit = event(
        "ev-1",
        WithholdingCategory::Goods,
        FilerStatus::Filer,
        AMOUNT_MINOR_MAX,
    );
    assert!(compute_withholding(&book, &at_limit).is_ok());
    let above = event(
        "ev-1",
        WithholdingCategory::Goods,
        FilerStatus::Filer,
        AMOUNT_MINOR_MAX + 1,
    );
    assert_eq!(
        compute_withholding(&book, &above),
        Err(TaxError::AmountOutOfRange {
            event_id: "ev-1".into(),
            amount_minor: AMOUNT_MINOR_MAX + 1
        })
    );
    let zero = event("ev-1", WithholdingCategory::Goods, FilerStatus::Filer, 0);
    assert_eq!(
        compute_withholding(&book, &zero),
        Err(TaxError::AmountZero {
            event_id: "ev-1".into()
        })
    );
    let mut currency = event("ev-1", WithholdingCategory::Goods, FilerStatus::Filer, 1);
    currency.currency = "pkr".into();
    assert!(matches!(
        compute_withholding(&book, &currency),
        Err(TaxError::Currency { .. })
    ));
}

#[test]
fn report_groups_by_section_and_currency_with_totals() {
    let mut usd = event(
        "ev-3",
        WithholdingCategory::Goods,
        FilerStatus::Filer,
        10_000,
    );
    usd.currency = "USD".into();
    let events = vec![
        event(
            "ev-2",
            WithholdingCategory::Goods,
            FilerStatus::NonFiler,
            10_000,
        ),
        event(
            "ev-4",
            WithholdingCategory::Rent,
            FilerStatus::Filer,
            20_000,
        ),
        usd,
        event(
            "ev-1",
            WithholdingCategory::Goods,
            FilerStatus::Filer,
            10_000,
        ),
    ];
    let report = iris_report(&book(), &events).unwrap();
    let groups: Vec<(&str, &str, u64, u64, u64)> = report
        .sections
        .iter()
        .map(|s| {
            (
                s.section.as_str(),
                s.currency.as_str(),
                s.event_count,
                s.gross_total_minor,
                s.withheld_total_minor,
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("153(1)(a)", "PKR", 2, 20_000, 1_350),
            ("153(1)(a)", "USD", 1, 10_000, 450),
            ("155", "PKR", 1, 20_000, 3_000),
        ]
    );
    let ids: Vec<&str> = report.sections[0]
        .entries
        .iter()
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, ["ev-1", "ev-2"]);
}

#[test]
fn report_rejects_duplicates_empty_ids_and_overflowing_totals() {
    let book = book();
    let same = event("ev-1", WithholdingCategory::Goods, FilerStatus::Filer, 1);
    assert_eq!(
        iris_report(&book, &[same.clone(), same]),
        Err(TaxError::DuplicateEvent {
            event_id: "ev-1".into()
        })
    );
    let unnamed = event("", WithholdingCategory::Goods, FilerStatus::Filer, 1);
    assert_eq!(
        iris_report(&book, &[unnamed]),
        Err(TaxError::EmptyEventId { event_index: 0 })
    );
    let big = |id: &str| {
        event(
            id,
            WithholdingCategory::Goods,
            FilerStatus::Filer,
            AMOUNT_MINOR_MAX,
        )
    };
    assert!(matches!(
        iris_report(&book, &[big("ev-1"), big("ev-2")]),
        Err(TaxError::TotalOverflow { .. })
    ));
}

#[test]
fn report_event_count_is_accepted_at_limit_and_rejected_above() {
    let book = book();
    let mut events: Vec<WithholdingEvent> = (0..REPORT_EVENTS_MAX)
        .map(|i| {
            event(
                &format!("ev-{i}"),
                WithholdingCategory::Goods,
                FilerStatus::Filer,
                100,
            )
        })
        .collect();
    let report = iris_report(&book, &events).unwrap();
    assert_eq!(report.sections[0].event_count, REPORT_EVENTS_MAX as u64);
    events.push(event(
        "ev-extra",
        WithholdingCategory::Goods,
        FilerStatus::Filer,
        100,
    ));
    assert_eq!(
        iris_report(&book, &events),
        Err(TaxError::TooManyEvents {
            event_count: REPORT_EVENTS_MAX + 1
        })
    );
}

#[test]
fn tax_numbers_validate_ntn_and_cnic() {
    assert_eq!(Ntn::parse("1234567").unwrap().as_str(), "1234567");
    for bad in ["123456", "12345678", "123456a", "1234567-8", ""] {
        assert_eq!(Ntn::parse(bad), Err(TaxError::Ntn { value: bad.into() }));
    }
    assert_eq!(
        Cnic::parse("3520212345671").unwrap().as_str(),
        "3520212345671"
    );
    assert_eq!(
        Cnic::parse("35202-1234567-1").unwrap().as_str(),
        "3520212345671"
    );
    for bad in [
        "352021234567",
        "35202-1234567-",
        "3520-21234567-1",
        "35202_1234567_1",
        "352021234567x",
    ] {
        assert_eq!(Cnic::parse(bad), Err(TaxError::Cnic { value: bad.into() }));
    }
    let payee: TaxpayerId = serde_json::from_str(r#"{"cnic":"35202-1234567-1"}"#).unwrap();
    assert_eq!(payee.to_string(), "cnic:3520212345671");
    assert!(serde_json::from_str::<TaxpayerId>(r#"{"ntn":"12"}"#).is_err());
}

fn record(event: WithholdingEvent) -> TaxEventRecord {
    let withholding = compute_withholding(&book(), &event).unwrap();
    TaxEventRecord { event, withholding }
}

#[test]
fn recorded_report_keeps_the_withholding_of_the_day_it_was_paid() {
    let events = vec![
        event(
            "ev-1",
            WithholdingCategory::Goods,
            FilerStatus::Filer,
            10_000,
        ),
        event(
            "ev-2",
            WithholdingCategory::Rent,
            FilerStatus::NonFiler,
            20_000,
        ),
    ];
    let records: Vec<TaxEventRecord> = events.iter().cloned().map(record).collect();
    assert_eq!(
        iris_report_of_records(&records).unwrap(),
        iris_report(&book(), &events).unwrap()
    );
    // A rate change after payment does not rewrite the statement of what was withheld.
    let mut doubled = WithholdingRateTable::pakistan_ito_2001().unwrap();
    for rule in &mut doubled.rules {
        rule.filer_rate_bps *= 2;
    }
    let later = RateBook::new(vec![doubled]).unwrap();
    assert_ne!(
        iris_report(&later, &events).unwrap(),
        iris_report_of_records(&records).unwrap()
    );
    let mut mismatched = records.clone();
    mismatched[0].withholding.event_id = "ev-9".into();
    assert!(matches!(
        iris_report_of_records(&mismatched),
        Err(TaxError::RecordMismatch { .. })
    ));
    let repeated = vec![records[0].clone(), records[0].clone()];
    assert!(matches!(
        iris_report_of_records(&repeated),
        Err(TaxError::DuplicateEvent { .. })
    ));
    let record_value = serde_json::to_value(&records[0]).unwrap();
    assert_eq!(
        serde_json::from_value::<TaxEventRecord>(record_value).unwrap(),
        records[0]
    );
}

#[test]
fn period_is_the_utc_month_and_names_one_trail() {
    let at = Timestamp::parse("2026-03-31T23:59:59Z").unwrap();
    let period = TaxPeriod::of(at);
    assert_eq!(period.as_str(), "2026-03");
    assert_eq!(TaxPeriod::parse("2026-03").unwrap(), period);
    let next = TaxPeriod::of(at.checked_add_seconds(1).unwrap());
    assert_eq!(next.as_str(), "2026-04");
    for bad in ["2026-13", "2026-3", "2026-03-01", "26-03", "", "2026_03"] {
        assert!(
            matches!(TaxPeriod::parse(bad), Err(TaxError::Period { .. })),
            "{bad}"
        );
    }
    let pk = JurisdictionId::new("PK-RSEZ").unwrap();
    assert_eq!(tax_event_trail_id(&pk, &period), "tax:PK-RSEZ:2026-03");
}

proptest! {
    #[test]
    fn withheld_is_nearest_minor_unit_rounding_half_up(gross in 0u64..=AMOUNT_MINOR_MAX, rate_bps in 0u32..=10_000) {
        let withheld = withheld_minor(gross, rate_bps).unwrap();
        let exact_times_10000 = u128::from(gross) * u128::from(rate_bps);
        let rounded_times_10000 = u128::from(withheld) * 10_000;
        // Half up: exact - 5000 <= rounded*10000 < exact + 5000... written without negatives.
        prop_assert!(rounded_times_10000 + 5_000 > exact_times_10000);
        prop_assert!(rounded_times_10000 <= exact_times_10000 + 5_000);
        prop_assert!(withheld <= gross);
    }

    #[test]
    fn report_is_independent_of_event_order(
        specs in proptest::collection::vec((0usize..7, 0usize..3, 1u64..1_000_000), 1..30),
    ) {
        let categories = [
            WithholdingCategory::Goods, WithholdingCategory::Services, WithholdingCategory::ProfitOnDebt,
            WithholdingCategory::Dividend, WithholdingCategory::Rent, WithholdingCategory::CrossBorder,
            WithholdingCategory::SalesTax,
        ];
        let statuses = [FilerStatus::Filer, FilerStatus::LateFiler, FilerStatus::NonFiler];
        let events: Vec<WithholdingEvent> = specs
            .iter()
            .enumerate()
            .map(|(i, &(c, s, gross))| event(&format!("ev-{i:03}"), categories[c], statuses[s], gross))
            .collect();
        let forward = iris_report(&book(), &events).unwrap();
        let mut reversed = events.clone();
        reversed.reverse();
        prop_assert_eq!(&forward, &iris_report(&book(), &reversed).unwrap());
        let gross_sum: u64 = forward.sections.iter().map(|s| s.gross_total_minor).sum();
        prop_assert_eq!(gross_sum, specs.iter().map(|s| s.2).sum::<u64>());
    }

    #[test]
    fn tax_number_parsers_never_panic(text in ".{0,20}") {
        let _ = Ntn::parse(&text);
        let _ = Cnic::parse(&text);
    }
}
