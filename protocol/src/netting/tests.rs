//! Netting: laws (conservation, order independence, leg bound) by property test, and each
//! rejection and rail rule by example through one `obligation` builder.

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn obligation(id: &str, from: &str, to: &str, amount_minor: u64, currency: &str) -> Obligation {
    Obligation::new(
        ObligationId::new(id).unwrap(),
        EntityId::new(from).unwrap(),
        EntityId::new(to).unwrap(),
        amount_minor,
        Currency::parse(currency).unwrap(),
    )
    .unwrap()
}

/// Net position per (party, currency) computed straight from the obligations.
fn positions_of_obligations(obligations: &[Obligation]) -> BTreeMap<(String, Currency), i128> {
    let transfers: Vec<SettlementLeg> = obligations.iter().map(|o| o.transfer().clone()).collect();
    positions_of_legs(&transfers)
}

fn positions_of_legs(legs: &[SettlementLeg]) -> BTreeMap<(String, Currency), i128> {
    let mut positions = BTreeMap::new();
    for leg in legs {
        let amount = i128::from(leg.amount_minor());
        *positions
            .entry((leg.from_party().to_string(), leg.currency()))
            .or_insert(0) -= amount;
        *positions
            .entry((leg.to_party().to_string(), leg.currency()))
            .or_insert(0) += amount;
    }
    positions.retain(|_, position| *position != 0);
    positions
}

#[test]
fn netting_plan_matches_the_cli_shape() {
    let input = json!([
        {"obligation_id": "o1", "from_party": "A", "to_party": "B", "amount": 100, "currency": "USD"},
        {"obligation_id": "o2", "from_party": "B", "to_party": "C", "amount": 70, "currency": "USD"},
        {"obligation_id": "o3", "from_party": "C", "to_party": "A", "amount": 50, "currency": "USD"},
        {"obligation_id": "o4", "from_party": "A", "to_party": "B", "amount": 5, "currency": "JPY"}
    ]);
    let plan = netting_plan_from_json(&input).unwrap();
    assert_eq!(
        serde_json::to_value(&plan).unwrap(),
        json!({
            "legs": [
                {"from_party": "A", "to_party": "B", "amount": 5, "currency": "JPY"},
                {"from_party": "A", "to_party": "B", "amount": 30, "currency": "USD"},
                {"from_party": "A", "to_party": "C", "amount": 20, "currency": "USD"}
            ],
            "currencies": {
                "JPY": {"gross": 5, "net": 5, "reduction_bps": 0},
                "USD": {"gross": 220, "net": 50, "reduction_bps": 7727}
            }
        })
    );
}

#[test]
fn netting_never_sums_across_currencies() {
    let plan = net(
        &[
            obligation("o1", "A", "B", 100, "USD"),
            obligation("o2", "B", "A", 100, "EUR"),
        ],
        NettingMode::Multilateral,
    )
    .unwrap();
    assert_eq!(plan.legs().len(), 2);
    assert_eq!(plan.currencies().len(), 2);
}

#[test]
fn netting_bilateral_nets_each_pair_alone() {
    let obligations = [
        obligation("o1", "A", "B", 100, "USD"),
        obligation("o2", "B", "A", 30, "USD"),
        obligation("o3", "B", "C", 100, "USD"),
    ];
    let bilateral = net(&obligations, NettingMode::Bilateral).unwrap();
    assert_eq!(
        bilateral.legs(),
        &[
            SettlementLeg::new(
                EntityId::new("A").unwrap(),
                EntityId::new("B").unwrap(),
                70,
                Currency::parse("USD").unwrap()
            ),
            SettlementLeg::new(
                EntityId::new("B").unwrap(),
                EntityId::new("C").unwrap(),
                100,
                Currency::parse("USD").unwrap()
            ),
        ]
    );
    let multilateral = net(&obligations, NettingMode::Multilateral).unwrap();
    assert_eq!(multilateral.legs().len(), 2);
    assert_eq!(
        multilateral.currencies()[&Currency::parse("USD").unwrap()].net_minor(),
        100
    );
}

#[test]
fn netting_rejects_duplicate_ids() {
    let result = net(
        &[
            obligation("o1", "A", "B", 1, "USD"),
            obligation("o1", "A", "B", 1, "USD"),
        ],
        NettingMode::Multilateral,
    );
    assert_eq!(
        result,
        Err(NettingError::DuplicateId {
            obligation_id: ObligationId::new("o1").unwrap()
        })
    );
}

#[test]
fn netting_reports_whichever_of_duplicate_and_overflow_comes_first() {
    let overflow_first = [
        obligation("o1", "A", "B", AMOUNT_MINOR_MAX, "USD"),
        obligation("o2", "B", "A", 1, "USD"),
        obligation("o1", "A", "B", 1, "EUR"),
    ];
    assert_eq!(
        net(&overflow_first, NettingMode::Multilateral),
        Err(NettingError::GrossOverflow { currency: usd() })
    );
    let duplicate_first = [
        obligation("o1", "A", "B", AMOUNT_MINOR_MAX, "USD"),
        obligation("o1", "B", "A", 1, "EUR"),
        obligation("o2", "B", "A", 1, "USD"),
    ];
    assert_eq!(
        net(&duplicate_first, NettingMode::Multilateral),
        Err(NettingError::DuplicateId {
            obligation_id: ObligationId::new("o1").unwrap()
        })
    );
    // The same obligation both repeats an id and overflows: the id is checked first.
    let both_at_once = [
        obligation("o1", "A", "B", AMOUNT_MINOR_MAX, "USD"),
        obligation("o1", "B", "A", 1, "USD"),
    ];
    assert_eq!(
        net(&both_at_once, NettingMode::Bilateral),
        Err(NettingError::DuplicateId {
            obligation_id: ObligationId::new("o1").unwrap()
        })
    );
}

#[test]
fn equal_id_hashes_of_different_ids_are_not_duplicates() {
    let obligations = [
        obligation("o1", "A", "B", 1, "USD"),
        obligation("o2", "A", "B", 1, "USD"),
        obligation("o3", "B", "A", 1, "USD"),
        obligation("o2", "B", "A", 1, "USD"),
    ];
    // Every hash equal, as if all four ids collided: only the real repeat is reported.
    assert_eq!(first_duplicate_id(&obligations[..3], vec![7; 3]), None);
    assert_eq!(
        first_duplicate_id(&obligations, vec![7; 4]).map(ObligationId::as_str),
        Some("o2")
    );
}

#[test]
fn netting_rejects_gross_above_the_limit() {
    let at_limit = [
        obligation("o1", "A", "B", AMOUNT_MINOR_MAX - 1, "USD"),
        obligation("o2", "B", "A", 1, "USD"),
    ];
    let plan = net(&at_limit, NettingMode::Multilateral).unwrap();
    assert_eq!(
        plan.currencies()[&Currency::parse("USD").unwrap()].gross_minor(),
        AMOUNT_MINOR_MAX
    );
    let above = [
        obligation("o1", "A", "B", AMOUNT_MINOR_MAX, "USD"),
        obligation("o2", "B", "A", 1, "USD"),
    ];
    assert_eq!(
        net(&above, NettingMode::Multilateral),
        Err(NettingError::GrossOverflow {
            currency: Currency::parse("USD").unwrap()
        })
    );
}

#[test]
fn obligation_rejects_amount_outside_the_range() {
    let build = |amount_minor| {
        Obligation::new(
            ObligationId::new("o1").unwrap(),
            EntityId::new("A").unwrap(),
            EntityId::new("B").unwrap(),
            amount_minor,
            Currency::parse("USD").unwrap(),
        )
    };
    assert!(build(AMOUNT_MINOR_MAX).is_ok());
    assert!(build(1).is_ok());
    for amount_minor in [0, AMOUNT_MINOR_MAX + 1] {
        assert_eq!(
            build(amount_minor),
            Err(ObligationError::Amount {
                amount: Number::from(amount_minor)
            })
        );
    }
}

#[test]
fn obligation_from_json_names_the_broken_rule() {
    let check = |value: Value, expected: ObligationError| {
        assert_eq!(
            obligations_from_json(&json!([value])),
            Err(NettingError::Obligation {
                index: 0,
                source: expected
            })
        );
    };
    let base = json!({"obligation_id": "o1", "from_party": "A", "to_party": "B",
                      "amount": 10, "currency": "USD"});
    let with = |field: &str, value: Value| {
        let mut object = base.clone();
        object[field] = value;
        object
    };
    check(json!(5), ObligationError::NotAnObject);
    check(
        with("to_party", json!("A")),
        ObligationError::SameParty {
            obligation_id: ObligationId::new("o1").unwrap(),
            party: EntityId::new("A").unwrap(),
        },
    );
    check(
        with("currency", json!("usd")),
        ObligationError::Currency {
            source: CurrencyError::Format {
                text: "usd".to_owned(),
            },
        },
    );
    check(
        with("currency", json!("XXX")),
        ObligationError::Currency {
            source: CurrencyError::Unsupported {
                code: "XXX".to_owned(),
            },
        },
    );
    check(
        with("amount", json!(-5)),
        ObligationError::Amount {
            amount: Number::from(-5),
        },
    );
    check(
        with("amount", json!(1.5)),
        ObligationError::Amount {
            amount: Number::from_f64(1.5).unwrap(),
        },
    );
    check(with("amount", json!("10")), ObligationError::AmountType);
    check(
        with("from_party", json!(7)),
        ObligationError::NotAString {
            field: "from_party",
        },
    );
    check(
        with("memo", json!("x")),
        ObligationError::UnknownField {
            field: "memo".to_owned(),
        },
    );
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("currency");
    check(missing, ObligationError::MissingField { field: "currency" });
    assert_eq!(
        obligations_from_json(&json!({})),
        Err(NettingError::NotAnArray)
    );
    let message = netting_plan_from_json(&json!([with("to_party", json!("A"))]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "obligations[0]: obligation o1: from_party and to_party are both A"
    );
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn leg(from: &str, to: &str, amount_minor: u64, currency: Currency) -> SettlementLeg {
    SettlementLeg::new(
        EntityId::new(from).unwrap(),
        EntityId::new(to).unwrap(),
        amount_minor,
        currency,
    )
}

#[test]
fn schedule_reports_legs_the_rail_cannot_carry() {
    let plan = NettingPlan {
        legs: vec![
            leg("A", "B", 60, usd()),
            leg("C", "D", 50, usd()),
            leg("E", "F", 40, usd()),
            leg("G", "H", 500, usd()),
            leg("A", "B", 1, Currency::parse("EUR").unwrap()),
        ],
        currencies: BTreeMap::new(),
    };
    let rail = SettlementRail {
        limits: BTreeMap::from([(
            usd(),
            RailLimits {
                transfer_max_minor: 100,
                daily_max_minor: 100,
            },
        )]),
    };
    let schedule = schedule_on_rail(&plan, &rail);
    assert_eq!(
        schedule.settleable,
        vec![leg("A", "B", 60, usd()), leg("E", "F", 40, usd())]
    );
    let reasons: Vec<UnsettleableReason> = schedule.unsettleable.iter().map(|u| u.reason).collect();
    assert_eq!(
        reasons,
        vec![
            UnsettleableReason::DailyLimitExceeded {
                amount_minor: 50,
                used_minor: 60,
                daily_max_minor: 100
            },
            UnsettleableReason::TransferMaxExceeded {
                amount_minor: 500,
                transfer_max_minor: 100
            },
            UnsettleableReason::CurrencyNotOnRail {
                currency: Currency::parse("EUR").unwrap()
            },
        ]
    );
}

const PARTIES: [&str; 6] = ["P0", "P1", "P2", "P3", "P4", "P5"];
const CURRENCIES: [&str; 3] = ["USD", "JPY", "KWD"];

fn arbitrary_obligations() -> impl Strategy<Value = Vec<Obligation>> {
    prop::collection::vec((0..6usize, 1..6usize, 1..1_000_000u64, 0..3usize), 0..60).prop_map(
        |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(index, (from, offset, amount, currency))| {
                    obligation(
                        &format!("o{index}"),
                        PARTIES[from],
                        PARTIES[(from + offset) % PARTIES.len()],
                        amount,
                        CURRENCIES[currency],
                    )
                })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn netting_conserves_value_per_party_and_currency(obligations in arbitrary_obligations()) {
        for mode in [NettingMode::Multilateral, NettingMode::Bilateral] {
            let plan = net(&obligations, mode).unwrap();
            prop_assert_eq!(positions_of_legs(plan.legs()), positions_of_obligations(&obligations));
            for (currency, totals) in plan.currencies() {
                let gross: u64 = obligations.iter().filter(|o| o.transfer().currency() == *currency)
                    .map(|o| o.transfer().amount_minor()).sum();
                let net: u64 = plan.legs().iter().filter(|l| l.currency() == *currency)
                    .map(SettlementLeg::amount_minor).sum();
                prop_assert_eq!(totals.gross_minor(), gross);
                prop_assert_eq!(totals.net_minor(), net);
                prop_assert!(totals.reduction_bps() <= 10_000);
            }
        }
    }

    #[test]
    fn netting_is_independent_of_input_order(
        (original, shuffled) in arbitrary_obligations()
            .prop_flat_map(|o| (Just(o.clone()), Just(o).prop_shuffle()))
    ) {
        for mode in [NettingMode::Multilateral, NettingMode::Bilateral] {
            prop_assert_eq!(net(&original, mode).unwrap(), net(&shuffled, mode).unwrap());
        }
    }

    #[test]
    fn netting_legs_stay_within_payers_plus_receivers_minus_one(
        obligations in arbitrary_obligations()
    ) {
        let plan = net(&obligations, NettingMode::Multilateral).unwrap();
        let positions = positions_of_obligations(&obligations);
        for currency in plan.currencies().keys() {
            let parties = positions.keys().filter(|(_, c)| c == currency).count();
            let legs = plan.legs().iter().filter(|l| l.currency() == *currency).count();
            prop_assert!(legs <= parties.saturating_sub(1), "legs={} parties={}", legs, parties);
        }
    }

    #[test]
    fn netting_never_panics_on_arbitrary_json(
        rows in prop::collection::vec(
            (any::<String>(), any::<String>(), "[AB]", any::<i64>(), "[A-Z]{2,4}", any::<bool>()),
            0..20,
        )
    ) {
        let input: Vec<Value> = rows.into_iter().map(|(id, from, to, amount, currency, extra)| {
            let mut object = json!({"obligation_id": id, "from_party": from, "to_party": to,
                                    "amount": amount, "currency": currency});
            if extra { object["amount"] = json!(u64::MAX); }
            object
        }).collect();
        let _outcome = netting_plan_from_json(&Value::Array(input));
    }

    #[test]
    fn schedule_keeps_every_leg(
        obligations in arbitrary_obligations(),
        transfer_max_minor in 1..2_000_000u64,
        daily_max_minor in 1..5_000_000u64,
    ) {
        let plan = net(&obligations, NettingMode::Multilateral).unwrap();
        let rail = SettlementRail { limits: BTreeMap::from([
            (usd(), RailLimits { transfer_max_minor, daily_max_minor }),
        ]) };
        let schedule = schedule_on_rail(&plan, &rail);
        prop_assert_eq!(schedule.settleable.len() + schedule.unsettleable.len(), plan.legs().len());
        let settled: u64 = schedule.settleable.iter().map(SettlementLeg::amount_minor).sum();
        prop_assert!(settled <= daily_max_minor);
    }
}
