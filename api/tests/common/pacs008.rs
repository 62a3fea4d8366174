//! The one check that a pacs.008 document validates against the official ISO 20022 XSD
//! (`xmllint --schema`), shared by every test binary that renders one (included with
//! `#[path]`: test binaries share no library).

/// Asserts that `xml` validates against `shared/vectors/iso20022/pacs.008.001.08.xsd`; fails
/// the test (with xmllint's report) otherwise, and when xmllint is missing.
#[track_caller]
pub fn assert_valid_pacs008(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pacs008.xml");
    std::fs::write(&path, xml).unwrap();
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/iso20022/pacs.008.001.08.xsd");
    let lint = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&path)
        .output()
        .expect("xmllint is required (scripts/test.sh installs libxml2-utils)");
    assert!(
        lint.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&lint.stderr)
    );
}
