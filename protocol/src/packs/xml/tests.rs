//! Goal: equivalent documents canonicalise to the same bytes; fragments are digested per eId;
//! hostile or malformed input is a typed error, never a panic. Method: pairs of documents.

use proptest::prelude::*;

use super::*;
use crate::packs::fixtures::ACT_XML;

#[track_caller]
fn same(a: &str, b: &str) {
    assert_eq!(
        canonicalize(a.as_bytes()).unwrap(),
        canonicalize(b.as_bytes()).unwrap()
    );
}

#[test]
fn canonicalize_ignores_attribute_order_quotes_and_empty_form() {
    same(
        r#"<a x="1" y='2'><b/></a>"#,
        r#"<a y="2"  x='1'><b></b></a>"#,
    );
    assert_eq!(
        canonicalize(br#"<a y="2" x="1"><b/></a>"#).unwrap().bytes,
        br#"<a x="1" y="2"><b></b></a>"#.to_vec()
    );
}

#[test]
fn canonicalize_ignores_line_endings_comments_and_declaration() {
    let crlf = ACT_XML.replace('\n', "\r\n");
    same(ACT_XML, &crlf);
    let commented = ACT_XML.replace("<body>", "<body><!-- note -->");
    same(ACT_XML, &commented);
    same("<?xml version=\"1.0\"?>\n<a>t</a>\n", "<a>t</a>");
}

#[test]
fn canonicalize_resolves_references_and_cdata() {
    same("<a>&#x41;&lt;&amp;</a>", "<a><![CDATA[A<&]]></a>");
    assert_eq!(
        canonicalize(b"<a>A&lt;&amp;</a>").unwrap().bytes,
        b"<a>A&lt;&amp;</a>".to_vec()
    );
}

#[test]
fn canonicalize_distinguishes_text_changes() {
    let changed = ACT_XML.replace("4.5%", "5%");
    let a = canonicalize(ACT_XML.as_bytes()).unwrap();
    let b = canonicalize(changed.as_bytes()).unwrap();
    assert_ne!(a.bytes, b.bytes);
    // Only the changed section's fragment digest moves.
    assert_ne!(a.fragments["sec_153"], b.fragments["sec_153"]);
    assert_eq!(a.fragments["sec_154"], b.fragments["sec_154"]);
}

#[test]
fn fragment_digest_is_tagged_digest_of_element_bytes() {
    let canonical = canonicalize(br#"<a><s eId="x" k="v">t</s></a>"#).unwrap();
    assert_eq!(
        canonical.fragments["x"],
        Digest::tagged(FRAGMENT_TAG, br#"<s eId="x" k="v">t</s>"#)
    );
}

#[test]
fn canonicalize_rejects_hostile_and_malformed_input() {
    type Case<'a> = (&'a [u8], fn(&XmlError) -> bool);
    let cases: [Case<'_>; 7] = [
        (b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", |e| {
            matches!(e, XmlError::DocType)
        }),
        (b"<a>&nbsp;</a>", |e| {
            matches!(e, XmlError::UnknownEntity { .. })
        }),
        (b"<a x=\"1\" x=\"2\"/>", |e| {
            matches!(
                e,
                XmlError::DuplicateAttribute { .. } | XmlError::Syntax { .. }
            )
        }),
        (b"<a><s eId=\"x\"/><s eId=\"x\"/></a>", |e| {
            matches!(e, XmlError::DuplicateEId { .. })
        }),
        (b"<a><b></a>", |e| matches!(e, XmlError::Syntax { .. })),
        (b"<a/><b/>", |e| matches!(e, XmlError::RootElement)),
        (b"\xff<a/>", |e| {
            matches!(e, XmlError::InvalidUtf8 { offset: 0 })
        }),
    ];
    for (input, expected) in cases {
        let error = canonicalize(input).unwrap_err();
        assert!(
            expected(&error),
            "{:?}: {error:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn canonicalize_depth_accepts_limit_and_rejects_limit_plus_one() {
    let nested = |depth: usize| "<a>".repeat(depth) + &"</a>".repeat(depth);
    assert!(canonicalize(nested(XML_DEPTH_MAX).as_bytes()).is_ok());
    assert_eq!(
        canonicalize(nested(XML_DEPTH_MAX + 1).as_bytes()),
        Err(XmlError::TooDeep)
    );
}

proptest! {
    #[test]
    fn canonicalize_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = canonicalize(&bytes);
    }

    #[test]
    fn canonicalize_never_panics_on_xmlish_text(text in "[<>/a-c=\"' &;#x0-9!\\[\\]\r\n-]{0,80}") {
        let _ = canonicalize(text.as_bytes());
    }

    #[test]
    fn canonical_form_is_a_fixed_point(text in "[a-c ]{0,10}", value in "[a-c&<\"]{0,6}") {
        let escaped = value.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        let text_escaped = text.replace('&', "&amp;");
        let input = format!("<r b=\"{escaped}\" a=\"1\"><s>{text_escaped}</s></r>");
        let once = canonicalize(input.as_bytes()).unwrap();
        let twice = canonicalize(&once.bytes).unwrap();
        prop_assert_eq!(once, twice);
    }
}
