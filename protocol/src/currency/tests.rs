//! Currency table: sorted for binary search, exponents as ISO 4217 defines, bad codes rejected.

use super::*;

#[test]
fn currency_table_is_sorted_and_unique() {
    for pair in SUPPORTED_CURRENCIES.windows(2) {
        assert!(pair[0].0 < pair[1].0, "{:?} before {:?}", pair[0], pair[1]);
    }
}

#[test]
fn currency_parse_finds_every_table_entry() {
    for &(code, exponent) in SUPPORTED_CURRENCIES {
        let currency = Currency::parse(code).unwrap();
        assert_eq!((currency.code(), currency.exponent()), (code, exponent));
    }
}

#[test]
fn currency_exponents_match_iso_4217() {
    assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
    assert_eq!(Currency::parse("USD").unwrap().exponent(), 2);
    assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
}

#[test]
fn currency_parse_rejects_bad_and_unknown_codes() {
    for text in ["usd", "US", "USDX", "", "U$D", "ÄBC"] {
        assert_eq!(
            Currency::parse(text),
            Err(CurrencyError::Format {
                text: text.to_owned()
            })
        );
    }
    assert_eq!(
        Currency::parse("XXX"),
        Err(CurrencyError::Unsupported {
            code: "XXX".to_owned()
        })
    );
}

#[test]
fn currency_serde_round_trips_as_code() {
    let currency: Currency = serde_json::from_str("\"KWD\"").unwrap();
    assert_eq!(serde_json::to_string(&currency).unwrap(), "\"KWD\"");
    assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
}
