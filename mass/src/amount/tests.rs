//! Goal: minor units ↔ wire decimals convert exactly or fail. Method: a round-trip property over
//! the whole range and every exponent, plus table cases at the limits.

use proptest::prelude::*;

use super::*;

proptest! {
    #[test]
    fn minor_units_round_trip_through_the_wire_decimal(
        amount_minor in -AMOUNT_MINOR_ABS_MAX..=AMOUNT_MINOR_ABS_MAX,
        exponent in 0u32..=3,
    ) {
        let decimal = minor_to_decimal(amount_minor, exponent).unwrap();
        prop_assert_eq!(decimal_to_minor(decimal, exponent).unwrap(), amount_minor);
    }

    #[test]
    fn decimal_to_minor_never_panics(decimal in any::<f64>(), exponent in 0u32..=3) {
        let _ = decimal_to_minor(decimal, exponent);
    }
}

#[test]
fn amount_limit_accepts_the_max_and_rejects_one_more() {
    let pkr = CurrencyCode::parse("PKR").unwrap();
    assert!(Money::new(AMOUNT_MINOR_ABS_MAX, pkr).is_ok());
    assert!(Money::new(-AMOUNT_MINOR_ABS_MAX, pkr).is_ok());
    assert_eq!(
        Money::new(AMOUNT_MINOR_ABS_MAX + 1, pkr),
        Err(AmountError::OutOfRange {
            amount_minor: AMOUNT_MINOR_ABS_MAX + 1
        })
    );
    assert!(matches!(
        decimal_to_minor(1e16, 2),
        Err(AmountError::OutOfRange { .. })
    ));
}

#[test]
fn extra_fractional_digits_are_precision_loss() {
    assert_eq!(decimal_to_minor(12.34, 2), Ok(1234));
    assert_eq!(
        decimal_to_minor(12.5, 0),
        Err(AmountError::PrecisionLoss {
            text: "12.5".to_owned(),
            exponent: 0
        })
    );
    assert!(matches!(
        decimal_to_minor(0.001, 2),
        Err(AmountError::PrecisionLoss { .. })
    ));
    assert_eq!(decimal_to_minor(0.001, 3), Ok(1));
    assert_eq!(decimal_to_minor(-7.0, 0), Ok(-7));
    assert_eq!(decimal_to_minor(f64::NAN, 2), Err(AmountError::NotFinite));
}

#[test]
fn unknown_currency_is_an_error() {
    assert!(matches!(
        Money::from_wire(1.0, "XYZ"),
        Err(AmountError::UnknownCurrency { .. })
    ));
    assert_eq!(CurrencyCode::parse("KWD").map(|c| c.exponent()), Ok(3));
}
