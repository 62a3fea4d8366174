//! The domain vocabulary: SPEC §10's order and spelling, parsing and its error.

use super::*;

#[test]
fn domains_follow_spec_order_and_spelling() {
    let spelled: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
    assert_eq!(
        spelled,
        [
            "aml",
            "kyc",
            "sanctions",
            "tax",
            "securities",
            "corporate",
            "custody",
            "data_privacy",
            "licensing",
            "banking",
            "payments",
            "clearing",
            "settlement",
            "digital_assets",
            "employment",
            "immigration",
            "ip",
            "consumer_protection",
            "arbitration",
            "trade"
        ]
    );
    for (position, domain) in Domain::ALL.iter().enumerate() {
        assert_eq!(domain.index(), position);
    }
    assert!(Domain::ALL.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn domain_parses_wire_spelling_and_rejects_unknown() {
    for domain in Domain::ALL {
        assert_eq!(domain.as_str().parse::<Domain>(), Ok(domain));
        let json = serde_json::to_string(&domain).unwrap();
        assert_eq!(serde_json::from_str::<Domain>(&json).unwrap(), domain);
    }
    assert_eq!(
        "Data_Privacy".parse::<Domain>(),
        Err(UnknownDomainError {
            found: "Data_Privacy".into()
        })
    );
    let error = serde_json::from_str::<Domain>("\"gambling\"").unwrap_err();
    assert!(error.to_string().contains("gambling"), "{error}");
}

proptest::proptest! {
    #[test]
    fn domain_and_state_parsers_never_panic(text in ".{0,24}") {
        let _ = text.parse::<Domain>();
        let _ = text.parse::<lattice::ComplianceState>();
    }
}
