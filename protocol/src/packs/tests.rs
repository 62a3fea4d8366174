//! Goal: any pack's kind and digest come from one entry point; a wrong digest, bad path or
//! oversized pack is a typed error. Method: fixtures of each kind.

use super::fixtures::{lawpack_files, licensepack_value, regpack_value, single};
use super::*;

#[test]
fn pack_digest_recognises_each_kind() {
    assert_eq!(
        pack_digest(&lawpack_files()).unwrap().kind,
        PackKind::Lawpack
    );
    let regpack = single(regpack::REGPACK_PATH, &regpack_value());
    assert_eq!(pack_digest(&regpack).unwrap().kind, PackKind::Regpack);
    let licensepack = single(licensepack::LICENSEPACK_PATH, &licensepack_value());
    assert_eq!(
        pack_digest(&licensepack).unwrap().kind,
        PackKind::Licensepack
    );
    assert_eq!(pack_digest(&PackFiles::new()), Err(PackError::UnknownKind));
}

#[test]
fn single_document_pack_kind_comes_from_its_type_not_its_name() {
    let named = single("pk-fbr-2026-03.json", &regpack_value());
    let canonical = single(regpack::REGPACK_PATH, &regpack_value());
    assert_eq!(pack_digest(&named), pack_digest(&canonical));
    let not_json = single("notes.json", &serde_json::json!({"type": "Other"}));
    assert_eq!(pack_digest(&not_json), Err(PackError::UnknownKind));
}

#[test]
fn verify_pack_digest_rejects_wrong_digest_naming_field() {
    let files = lawpack_files();
    let right = pack_digest(&files).unwrap().digest;
    assert!(verify_pack_digest(&files, right, "$.digest").is_ok());
    let wrong = Digest::tagged(lawpack::LAWPACK_TAG, b"other");
    assert_eq!(
        verify_pack_digest(&files, wrong, "$.packs.lawpacks[0].digest"),
        Err(PackError::DigestMismatch {
            field: "$.packs.lawpacks[0].digest".into(),
            expected: wrong,
            computed: right,
        })
    );
}

#[test]
fn check_files_rejects_bad_paths() {
    for path in [
        "/abs.xml",
        "a/../b.xml",
        "./a.xml",
        "a//b.xml",
        "a\\b.xml",
        "",
    ] {
        let mut files = lawpack_files();
        files.insert(path.into(), b"<a/>".to_vec());
        assert_eq!(
            check_files(&files),
            Err(PackError::BadPath { path: path.into() }),
            "{path}"
        );
    }
}

#[test]
fn single_file_pack_rejects_extra_file() {
    let mut files = single(regpack::REGPACK_PATH, &regpack_value());
    files.insert("notes.txt".into(), b"x".to_vec());
    assert_eq!(pack_digest(&files), Err(PackError::UnknownKind));
    assert!(matches!(
        regpack::parse_regpack_files(&files),
        Err(PackError::UnexpectedFile { .. })
    ));
}

#[test]
fn pack_files_accepts_limit_and_rejects_limit_plus_one() {
    let mut files: PackFiles = (0..PACK_FILES_MAX)
        .map(|i| (format!("f{i}"), Vec::new()))
        .collect();
    assert_eq!(check_files(&files), Ok(()));
    files.insert("one-more".into(), Vec::new());
    assert_eq!(
        check_files(&files),
        Err(PackError::TooManyFiles {
            count: PACK_FILES_MAX + 1
        })
    );
}

#[test]
fn pack_file_bytes_accepts_limit_and_rejects_limit_plus_one() {
    let mut files = PackFiles::new();
    files.insert("big".into(), vec![0u8; PACK_FILE_BYTES_MAX]);
    assert_eq!(check_files(&files), Ok(()));
    files.insert("big".into(), vec![0u8; PACK_FILE_BYTES_MAX + 1]);
    assert!(matches!(
        check_files(&files),
        Err(PackError::TooLarge { .. })
    ));
}

#[test]
fn pack_path_bytes_accepts_limit_and_rejects_limit_plus_one() {
    let mut files = PackFiles::new();
    files.insert("a".repeat(PACK_PATH_BYTES_MAX), Vec::new());
    assert_eq!(check_files(&files), Ok(()));
    files.insert("a".repeat(PACK_PATH_BYTES_MAX + 1), Vec::new());
    assert!(matches!(
        check_files(&files),
        Err(PackError::TooLarge { .. })
    ));
}

#[test]
fn pack_domain_words_parse_into_the_tensor_domain() {
    // Packs and zone files read the one domain type; every SPEC §10 word round-trips and
    // anything else is rejected naming the path.
    for domain in crate::tensor::Domain::ALL {
        let word = serde_json::json!(domain.as_str());
        assert_eq!(crate::tensor::Domain::parse_word(&word, "$.d"), Ok(domain));
    }
    let error = crate::tensor::Domain::parse_word(&serde_json::json!("tax_law"), "$.d");
    assert!(
        matches!(&error, Err(FieldError::UnknownWord { path, .. }) if path == "$.d"),
        "{error:?}"
    );
}
