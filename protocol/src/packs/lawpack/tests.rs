//! Goal: the lawpack digest depends on content only (not YAML layout, XML attribute order or
//! line endings) and every structural fault names its file and field. Method: mutate a fixture.

use super::*;
use crate::packs::fixtures::{ACT_XML, lawpack_files};

#[test]
fn lawpack_digest_ignores_layout() {
    let base = parse_lawpack(&lawpack_files()).unwrap();
    let mut files = lawpack_files();
    files.insert(
        MANIFEST_PATH.into(),
        b"# Reformatted\nas_of: '2026-01-01T00:00:00Z'\nversion: \"2026.1\"\nname: Income Tax Ordinance 2001\njurisdiction: PK\nlawpack_id: pk-ito-2001\n".to_vec(),
    );
    files.insert(
        "akn/ito.xml".into(),
        ACT_XML
            .replace('\n', "\r\n")
            .replace(
                r#"eId="sec_153" class="withholding""#,
                r#"class="withholding" eId="sec_153""#,
            )
            .into_bytes(),
    );
    files.insert(
        INDEX_PATH.into(),
        br#"{ "documents": [ {"title":"Income Tax Ordinance, 2001", "path":"akn/ito.xml"} ] }"#
            .to_vec(),
    );
    let reformatted = parse_lawpack(&files).unwrap();
    assert_eq!(base.digest(), reformatted.digest());
    assert_eq!(base.manifest().lawpack_id, "pk-ito-2001");
    assert!(base.fragment("akn/ito.xml", "sec_153").is_some());
}

#[test]
fn lawpack_digest_changes_with_content() {
    let base = parse_lawpack(&lawpack_files()).unwrap();
    let mut files = lawpack_files();
    files.insert(
        "akn/ito.xml".into(),
        ACT_XML.replace("Exports", "Imports").into_bytes(),
    );
    let changed = parse_lawpack(&files).unwrap();
    assert_ne!(base.digest(), changed.digest());
    assert_eq!(
        base.fragment("akn/ito.xml", "sec_153"),
        changed.fragment("akn/ito.xml", "sec_153")
    );
    assert_ne!(
        base.fragment("akn/ito.xml", "sec_154"),
        changed.fragment("akn/ito.xml", "sec_154")
    );
}

#[test]
fn lawpack_digest_recomputes_from_file_digests() {
    let pack = parse_lawpack(&lawpack_files()).unwrap();
    let list: Vec<serde_json::Value> = pack
        .file_digests()
        .iter()
        .map(|(path, digest)| serde_json::json!({"path": path, "sha256": digest.to_hex()}))
        .collect();
    let canonical = CanonicalBytes::new(&serde_json::json!({"files": list})).unwrap();
    assert_eq!(
        pack.digest(),
        Digest::tagged(LAWPACK_TAG, canonical.as_bytes())
    );
}

#[test]
fn parse_lawpack_names_structural_faults() {
    let mut unlisted = lawpack_files();
    unlisted.insert("akn/extra.xml".into(), b"<a/>".to_vec());
    assert!(
        matches!(parse_lawpack(&unlisted), Err(PackError::Field { file, .. }) if file == INDEX_PATH)
    );

    let mut stray = lawpack_files();
    stray.insert("README.md".into(), b"hi".to_vec());
    assert!(matches!(
        parse_lawpack(&stray),
        Err(PackError::UnexpectedFile { .. })
    ));

    let mut missing = lawpack_files();
    missing.remove("akn/ito.xml");
    assert!(
        matches!(parse_lawpack(&missing), Err(PackError::MissingFile { path, .. }) if path == "akn/ito.xml")
    );

    let mut bad_date = lawpack_files();
    bad_date.insert(
        MANIFEST_PATH.into(),
        b"lawpack_id: x\njurisdiction: PK\nname: n\nversion: v\nas_of: yesterday\n".to_vec(),
    );
    let result = parse_lawpack(&bad_date);
    assert!(
        matches!(
            &result,
            Err(PackError::Field { error: FieldError::Timestamp { path, .. }, .. }) if path == "$.as_of"
        ),
        "{result:?}"
    );

    let mut bad_xml = lawpack_files();
    bad_xml.insert("akn/ito.xml".into(), b"<a><b></a>".to_vec());
    assert!(
        matches!(parse_lawpack(&bad_xml), Err(PackError::Xml { file, .. }) if file == "akn/ito.xml")
    );
}
