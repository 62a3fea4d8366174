//! Digest parsing, formatting and the domain-separated construction of SPEC §1.

use proptest::prelude::*;

use super::*;

#[test]
fn digest_of_canonical_bytes_is_sha256_of_those_bytes() {
    let bytes = CanonicalBytes::parse(br#"{"b":2,"a":1}"#).unwrap();
    // sha256(b'{"a":1,"b":2}'), computed independently with Python's hashlib.
    assert_eq!(
        bytes.digest().to_hex(),
        "43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777"
    );
}

#[test]
fn tagged_digest_separates_tag_and_bytes_with_nul() {
    // sha256(b"msez.test.v1\x00abc"), computed independently with Python's hashlib.
    let tag = DomainTag::new("msez.test.v1");
    assert_eq!(
        Digest::tagged(tag, b"abc").to_hex(),
        "cc42459f6ae8274342d0f34df8e0cae4c6fc303d54b8a4b1070f18d1c88c0b7d"
    );
    assert_ne!(
        Digest::tagged(tag, b"abc"),
        Digest::tagged(DomainTag::new("msez.test.v2"), b"abc")
    );
}

#[test]
fn from_hex_rejects_wrong_length_and_characters() {
    assert_eq!(
        Digest::from_hex("ab"),
        Err(DigestError::Length { length_chars: 2 })
    );
    let upper = "A".repeat(64);
    assert_eq!(
        Digest::from_hex(&upper),
        Err(DigestError::Character {
            found: 'A',
            position: 0
        })
    );
    let mut text = "0".repeat(63);
    text.push('g');
    assert_eq!(
        Digest::from_hex(&text),
        Err(DigestError::Character {
            found: 'g',
            position: 63
        })
    );
    let multibyte = format!("{}é", "0".repeat(63));
    assert!(Digest::from_hex(&multibyte).is_err());
}

#[test]
fn serde_uses_plain_lowercase_hex() {
    let digest = Digest::from_bytes([0xab; 32]);
    let text = serde_json::to_string(&digest).unwrap();
    assert_eq!(text, format!("\"{}\"", "ab".repeat(32)));
    assert_eq!(serde_json::from_str::<Digest>(&text).unwrap(), digest);
    assert!(serde_json::from_str::<Digest>("\"sha256:00\"").is_err());
}

proptest! {
    #[test]
    fn hex_round_trips(bytes in any::<[u8; 32]>()) {
        let digest = Digest::from_bytes(bytes);
        prop_assert_eq!(Digest::from_hex(&digest.to_hex()).unwrap(), digest);
    }

    #[test]
    fn from_hex_never_panics(text in ".{0,80}") {
        let _ = Digest::from_hex(&text);
    }
}
