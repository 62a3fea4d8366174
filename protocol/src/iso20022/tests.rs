//! pacs.008: every rendered document validates against the official XSD with `xmllint` (the test
//! fails if xmllint is missing), parses back to the same batch, escapes hostile text, and every
//! rejection names its field and rule.

use std::path::PathBuf;
use std::process::Command;

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn xsd_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/iso20022/pacs.008.001.08.xsd")
}

/// Runs `xmllint --noout --schema` on the document; returns whether it validates and the report.
#[track_caller]
fn xmllint(name: &str, xml: &str) -> (bool, String) {
    let file = std::env::temp_dir().join(format!("msez-{name}-{}.xml", std::process::id()));
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd_path())
        .arg(&file)
        .output()
        .expect("xmllint must be installed (apt-get install -y libxml2-utils)");
    std::fs::remove_file(&file).unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn input() -> Value {
    json!({
        "message_id": "MSEZ-20260101-0001",
        "created_at": "2026-01-01T09:30:00Z",
        "settlement_date": "2026-01-02",
        "instructing_agent_bic": "MSEZPKKAXXX",
        "legs": [
            {"leg_id": "leg-1", "amount": 1250, "currency": "USD",
             "debtor": {"name": "Alpha <Trading> & \"Sons\" 'Ltd'", "bic": "ALPHPKKA",
                        "account": "PK36SCBL0000001123456702"},
             "creditor": {"name": "Société Générale Émirats — 東京", "bic": "BETAAEADXXX",
                          "account": "ACC-7781/2"},
             "remittance": "Invoice <INV-1> & fees"},
            {"leg_id": "leg-2", "amount": 5, "currency": "JPY",
             "debtor": {"name": "Gamma KK", "bic": "GAMMJPJT", "account": "JP-0001"},
             "creditor": {"name": "Delta", "bic": "DELTAEAD", "account": "AE070331234567890123456"}},
            {"leg_id": "leg-3", "amount": 1, "currency": "KWD",
             "debtor": {"name": "Kuwait\tTab\nLine", "bic": "KWTBKWKW", "account": "KW-1"},
             "creditor": {"name": "Epsilon", "bic": "EPSIAEAD", "account": "AE-2"},
             "remittance": "fils"}
        ]
    })
}

#[test]
fn pacs008_rendering_validates_against_the_official_xsd() {
    let batch = pacs008_from_json(&input()).unwrap();
    let xml = render_pacs008(&batch).unwrap();
    let (valid, report) = xmllint("pacs008-rendered", &xml);
    assert!(valid, "{report}\n{xml}");
}

#[test]
fn xmllint_rejects_the_invalid_public_samples() {
    let dir = xsd_path().parent().unwrap().to_path_buf();
    for name in ["sample-valid.xml", "sample-minimal.xml"] {
        let xml = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(xmllint(name, &xml).0, "{name} should validate");
    }
    for name in [
        "sample-invalid.xml",
        "sample-invalid-uetr.xml",
        "sample-invalid-amount.xml",
        "sample-invalid-order.xml",
    ] {
        let xml = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!xmllint(name, &xml).0, "{name} should fail");
    }
}

#[test]
fn pacs008_round_trips_through_the_parser() {
    let batch = pacs008_from_json(&input()).unwrap();
    let xml = render_pacs008(&batch).unwrap();
    let parsed = parse_pacs008(&xml).unwrap();
    assert_eq!(parsed.batch, batch);
    let expected: Vec<String> = batch
        .legs
        .iter()
        .map(|leg| uetr_for(&batch.message_id, &leg.leg_id).unwrap())
        .collect();
    assert_eq!(parsed.uetrs, expected);
}

#[test]
fn pacs008_escapes_markup_quotes_and_non_ascii() {
    let xml = render_pacs008(&pacs008_from_json(&input()).unwrap()).unwrap();
    assert!(xml.is_ascii());
    assert!(xml.contains("<Nm>Alpha &lt;Trading&gt; &amp; &quot;Sons&quot; &apos;Ltd&apos;</Nm>"));
    assert!(xml.contains(
        "<Nm>Soci&#xE9;t&#xE9; G&#xE9;n&#xE9;rale &#xC9;mirats &#x2014; &#x6771;&#x4EAC;</Nm>"
    ));
    assert!(xml.contains("<Nm>Kuwait&#x9;Tab&#xA;Line</Nm>"));
}

#[test]
fn pacs008_amounts_use_iso_4217_exponents() {
    let xml = render_pacs008(&pacs008_from_json(&input()).unwrap()).unwrap();
    assert!(xml.contains("<IntrBkSttlmAmt Ccy=\"USD\">12.50</IntrBkSttlmAmt>"));
    assert!(xml.contains("<IntrBkSttlmAmt Ccy=\"JPY\">5</IntrBkSttlmAmt>"));
    assert!(xml.contains("<IntrBkSttlmAmt Ccy=\"KWD\">0.001</IntrBkSttlmAmt>"));
    let usd = Currency::parse("USD").unwrap();
    assert_eq!(parse_amount("12.5", usd), Some(1250));
    assert_eq!(parse_amount("12.500", usd), Some(1250));
    assert_eq!(parse_amount("12.501", usd), None);
    assert_eq!(parse_amount("0.00", usd), None);
    assert_eq!(parse_amount("1.", usd), None);
    assert_eq!(parse_amount("-1", usd), None);
    assert_eq!(
        parse_amount("12", Currency::parse("JPY").unwrap()),
        Some(12)
    );
}

#[test]
fn pacs008_carries_mandatory_fields_and_a_v4_uetr() {
    let batch = pacs008_from_json(&input()).unwrap();
    let xml = render_pacs008(&batch).unwrap();
    for element in [
        "<CreDtTm>2026-01-01T09:30:00Z</CreDtTm>",
        "<IntrBkSttlmDt>2026-01-02</IntrBkSttlmDt>",
        "<ChrgBr>SHAR</ChrgBr>",
        "<NbOfTxs>3</NbOfTxs>",
    ] {
        assert!(xml.contains(element), "{element}");
    }
    let first = uetr_for(&batch.message_id, &batch.legs[0].leg_id).unwrap();
    let second = uetr_for(&batch.message_id, &batch.legs[1].leg_id).unwrap();
    assert!(is_uuid_v4(&first) && is_uuid_v4(&second));
    assert_ne!(first, second);
    assert_eq!(
        first,
        uetr_for(&batch.message_id, &batch.legs[0].leg_id).unwrap()
    );
}

#[test]
fn bic_rejections_give_the_reason() {
    assert!(Bic::parse("DEUTDEFF").is_ok());
    assert!(Bic::parse("DEUTDEFF500").is_ok());
    assert!(Bic::parse("1234DEFF").is_ok());
    assert_eq!(
        Bic::parse("DEUTDEF"),
        Err(BicError::Length {
            bic: "DEUTDEF".to_owned(),
            length_chars: 7
        })
    );
    assert_eq!(
        Bic::parse("DEUTDEFF5000"),
        Err(BicError::Length {
            bic: "DEUTDEFF5000".to_owned(),
            length_chars: 12
        })
    );
    assert_eq!(
        Bic::parse("DEUTdeFF"),
        Err(BicError::Character {
            bic: "DEUTdeFF".to_owned(),
            position: 5,
            found: 'd'
        })
    );
    assert_eq!(
        Bic::parse("DEUT12FF"),
        Err(BicError::CountryCode {
            bic: "DEUT12FF".to_owned(),
            country: "12".to_owned()
        })
    );
    let mut bad = input();
    bad["legs"][1]["creditor"]["bic"] = json!("DELTA");
    let message = pacs008_from_json(&bad).unwrap_err().to_string();
    assert_eq!(
        message,
        "legs[1].creditor.bic: BIC \"DELTA\" has 5 characters; a BIC has 8 or 11"
    );
}

#[test]
fn pacs008_input_rejections_name_the_field() {
    let check = |field: &str, value: Value, expected: &str| {
        let mut bad = input();
        let mut cursor = &mut bad;
        for part in field.split('/') {
            cursor = match part.parse::<usize>() {
                Ok(index) => &mut cursor[index],
                Err(_) => &mut cursor[part],
            };
        }
        *cursor = value;
        assert_eq!(pacs008_from_json(&bad).unwrap_err().to_string(), expected);
    };
    check(
        "legs/0/currency",
        json!("XYZ"),
        "legs[0].currency: currency XYZ is not supported; its ISO 4217 exponent is not in the table",
    );
    check(
        "legs/0/amount",
        json!(0),
        "legs[0].amount: amount \"0\" is not a positive USD amount with at most 2 decimals",
    );
    check(
        "legs/0/debtor/name",
        json!("x".repeat(141)),
        "legs[0].debtor.name has 141 characters; at most 140 are allowed",
    );
    check(
        "legs/0/debtor/name",
        json!("bell\u{7}"),
        "legs[0].debtor.name contains U+0007, which XML 1.0 cannot carry",
    );
    check("message_id", json!(""), "message_id is empty");
    check(
        "settlement_date",
        json!("2026-02-30"),
        "settlement_date \"2026-02-30\" is not a calendar date YYYY-MM-DD",
    );
    check(
        "legs/1/leg_id",
        json!("leg-1"),
        "leg id \"leg-1\" appears more than once; EndToEndId must be unique in the batch",
    );
    let mut unknown = input();
    unknown["legs"][0]["memo"] = json!("x");
    assert!(matches!(
        pacs008_from_json(&unknown),
        Err(Iso20022Error::Json { .. })
    ));
}

#[test]
fn pacs008_batch_holds_up_to_the_leg_limit() {
    let template = pacs008_from_json(&input()).unwrap();
    let legs = |count: usize| -> Vec<Pacs008Leg> {
        (0..count)
            .map(|index| Pacs008Leg {
                leg_id: IsoText::new(format!("leg-{index}")).unwrap(),
                ..template.legs[0].clone()
            })
            .collect()
    };
    let build = |count| {
        batch(
            template.message_id.clone(),
            template.created_at,
            template.settlement_date.clone(),
            template.instructing_agent_bic.clone(),
            legs(count),
        )
    };
    assert!(build(PACS008_LEGS_MAX).is_ok());
    assert!(matches!(
        build(PACS008_LEGS_MAX + 1),
        Err(Iso20022Error::LegCount { leg_count }) if leg_count == PACS008_LEGS_MAX + 1
    ));
    assert!(matches!(
        build(0),
        Err(Iso20022Error::LegCount { leg_count: 0 })
    ));
}

#[test]
fn iso_text_holds_up_to_its_limit() {
    assert!(Max35Text::new("é".repeat(35)).is_ok());
    assert_eq!(
        Max35Text::new("é".repeat(36)),
        Err(TextError::TooLong {
            length_chars: 36,
            max_chars: 35
        })
    );
}

#[test]
fn parse_rejects_foreign_roots_and_entities() {
    assert!(matches!(
        parse_pacs008("<Document xmlns=\"urn:other\"/>"),
        Err(Iso20022Error::Root)
    ));
    let xml = render_pacs008(&pacs008_from_json(&input()).unwrap()).unwrap();
    let with_entity = xml.replace("Gamma KK", "Gamma &custom;");
    assert!(matches!(
        parse_pacs008(&with_entity),
        Err(Iso20022Error::UndefinedEntity { .. })
    ));
    let wrong_count = xml.replace("<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>");
    assert!(matches!(
        parse_pacs008(&wrong_count),
        Err(Iso20022Error::TransactionCount { found: 3, .. })
    ));
    let public = std::fs::read_to_string(xsd_path().with_file_name("sample-valid.xml")).unwrap();
    // The public sample carries a +02:00 offset: it reads as the same instant in UTC.
    let parsed = parse_pacs008(&public).unwrap();
    assert_eq!(
        parsed.batch.created_at,
        Timestamp::parse("2024-05-14T07:30:47Z").unwrap()
    );
}

/// Text that XML 1.0 can carry, with the hostile characters over-represented.
/// The rendered batch with its `CreDtTm` text replaced by `created`.
fn with_created(created: &str) -> String {
    let batch = pacs008_from_json(&input()).unwrap();
    let xml = render_pacs008(&batch).unwrap();
    let original = format!("<CreDtTm>{}</CreDtTm>", batch.created_at);
    assert!(xml.contains(&original));
    xml.replace(&original, &format!("<CreDtTm>{created}</CreDtTm>"))
}

#[test]
fn parse_normalises_xsd_date_time_offsets_to_utc() {
    // Each form is one the XSD's ISODateTime accepts (checked with xmllint) and names the same
    // instant as the rendered `Z` form, or the instant given.
    let cases = [
        ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
        ("2026-03-01T15:00:00+05:00", "2026-03-01T10:00:00Z"),
        ("2026-03-01T04:30:00-05:30", "2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00-00:00", "2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00.999+00:00", "2026-03-01T10:00:00Z"),
        ("2026-03-02T00:00:00+14:00", "2026-03-01T10:00:00Z"),
        ("2026-02-28T20:00:00-14:00", "2026-03-01T10:00:00Z"),
        ("2026-03-01T01:00:00+01:00", "2026-03-01T00:00:00Z"),
        ("2026-02-28T24:00:00Z", "2026-03-01T00:00:00Z"),
        ("2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00Z"),
        ("2026-03-01T10:00:00Z \n", "2026-03-01T10:00:00Z"),
    ];
    for (created, utc) in cases {
        let xml = with_created(created);
        let (valid, report) = xmllint("credttm-valid", &xml);
        assert!(valid, "the XSD should accept {created}: {report}");
        let parsed = parse_pacs008(&xml).unwrap();
        assert_eq!(
            parsed.batch.created_at,
            Timestamp::parse(utc).unwrap(),
            "{created}"
        );
    }
}

#[test]
fn parse_rejects_date_times_that_name_no_instant() {
    // Malformed for the XSD, or accepted by it but without a zone (no UTC instant), or out of
    // the protocol's years.
    let cases = [
        ("2026-03-01T10:00:00", "no UTC offset (Z or +hh:mm)", false),
        (
            "2026-03-01T10:00:00+05",
            "the zone is not Z or +hh:mm",
            true,
        ),
        (
            "2026-03-01T10:00:00+0500",
            "the zone is not Z or +hh:mm",
            true,
        ),
        (
            "2026-03-01T10:00:00+14:01",
            "the offset is beyond ±14:00",
            true,
        ),
        (
            "2026-03-01T10:00:00+05:60",
            "the offset is beyond ±14:00",
            true,
        ),
        ("2026-03-01T10:00:00z", "the zone is not Z or +hh:mm", true),
        ("2026-03-01T10:00:00.Z", "malformed fraction", true),
        (
            "2026-03-01t10:00:00Z",
            "not a real date and time in years 0001-9999",
            true,
        ),
        (
            "2026-02-30T10:00:00Z",
            "not a real date and time in years 0001-9999",
            true,
        ),
        (
            "2026-03-01T24:00:01Z",
            "not a real date and time in years 0001-9999",
            true,
        ),
        (
            "2026-03-01T24:00:00.5Z",
            "not a real date and time in years 0001-9999",
            true,
        ),
        (
            "0001-01-01T00:30:00+01:00",
            "outside years 0001-9999 in UTC",
            false,
        ),
        (
            "2026-03-01T10:00Z",
            "not of the form YYYY-MM-DDThh:mm:ss",
            true,
        ),
        ("٢٠٢٦-03-01T10:00:00Z", "the zone is not Z or +hh:mm", true),
    ];
    for (created, reason, xsd_rejects) in cases {
        let xml = with_created(created);
        if xsd_rejects {
            assert!(
                !xmllint("credttm-invalid", &xml).0,
                "the XSD should reject {created}"
            );
        }
        match parse_pacs008(&xml) {
            Err(Iso20022Error::DateTime {
                field: "GrpHdr/CreDtTm",
                reason: got,
                ..
            }) => assert_eq!(got, reason, "{created}"),
            other => panic!("{created}: expected a DateTime error, got {other:?}"),
        }
    }
    let long = format!(
        "2026-03-01T10:00:00.{}Z",
        "0".repeat(ISO_DATE_TIME_BYTES_MAX)
    );
    assert!(matches!(
        parse_iso_date_time("CreDtTm", &long),
        Err(Iso20022Error::DateTime {
            reason: "longer than the limit",
            ..
        })
    ));
}

fn hostile_text(max_chars: usize) -> impl Strategy<Value = String> {
    let hostile = prop::sample::select(vec![
        '<',
        '>',
        '&',
        '"',
        '\'',
        'é',
        '東',
        '\t',
        '\n',
        '\r',
        ' ',
        '\u{10FFFF}',
    ]);
    let any_xml = any::<char>().prop_filter("XML char", |&c| is_xml_char(c));
    prop::collection::vec(prop_oneof![hostile, any_xml], 1..=max_chars)
        .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn pacs008_round_trips_hostile_names(
        debtor in hostile_text(140),
        creditor in hostile_text(140),
        remittance in hostile_text(140),
        leg_id in hostile_text(35),
    ) {
        let mut value = input();
        value["legs"][0]["debtor"]["name"] = json!(debtor);
        value["legs"][0]["creditor"]["name"] = json!(creditor);
        value["legs"][0]["remittance"] = json!(remittance);
        value["legs"][0]["leg_id"] = json!(leg_id);
        let batch = pacs008_from_json(&value).unwrap();
        let xml = render_pacs008(&batch).unwrap();
        prop_assert!(xml.is_ascii());
        prop_assert_eq!(parse_pacs008(&xml).unwrap().batch, batch);
    }

    #[test]
    fn iso_date_time_round_trips_any_instant_under_any_offset(
        unix_seconds in -62_135_596_800i64..253_402_300_799,
        offset_minutes in -840i64..=840,
    ) {
        let instant = Timestamp::from_unix_seconds(unix_seconds).unwrap();
        let Some(local) = instant.checked_add_seconds(offset_minutes * 60) else {
            return Ok(());
        };
        let local_text = local.to_string();
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let magnitude = offset_minutes.abs();
        let text = format!(
            "{}{sign}{:02}:{:02}",
            &local_text[..19],
            magnitude / 60,
            magnitude % 60
        );
        prop_assert_eq!(parse_iso_date_time("CreDtTm", &text).ok(), Some(instant));
    }

    #[test]
    fn iso_date_time_never_panics(text in any::<String>(), tail in "[0-9:+.Z-]{0,12}") {
        let _outcome = parse_iso_date_time("CreDtTm", &text);
        let _outcome = parse_iso_date_time("CreDtTm", &format!("2026-03-01T10:00:00{tail}"));
    }

    #[test]
    fn parse_never_panics_on_arbitrary_input(text in any::<String>()) {
        let _outcome = parse_pacs008(&text);
    }

    #[test]
    fn parse_never_panics_on_mutated_documents(cut in 0usize..4000, insert in any::<String>()) {
        let xml = render_pacs008(&pacs008_from_json(&input()).unwrap()).unwrap();
        let cut = (0..=cut.min(xml.len())).rev().find(|&i| xml.is_char_boundary(i)).unwrap_or(0);
        let mutated = format!("{}{}{}", &xml[..cut], insert, &xml[cut..]);
        let _outcome = parse_pacs008(&mutated);
    }
}
