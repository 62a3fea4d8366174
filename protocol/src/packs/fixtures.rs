//! Test fixtures: small but complete packs, shared by the pack and zone tests.

use serde_json::{Value, json};

use super::PackFiles;

/// An Akoma Ntoso act with two sections.
pub(crate) const ACT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <act name="ito">
    <body>
      <section eId="sec_153" class="withholding">
        <heading>Payments for goods and services</heading>
        <content><p>Tax shall be deducted at 4.5% &amp; more.</p></content>
      </section>
      <section eId="sec_154"><heading>Exports</heading></section>
    </body>
  </act>
</akomaNtoso>
"#;

/// A lawpack with one document.
pub(crate) fn lawpack_files() -> PackFiles {
    let mut files = PackFiles::new();
    files.insert(
        "lawpack.yaml".into(),
        b"lawpack_id: pk-ito-2001\njurisdiction: PK\nname: Income Tax Ordinance 2001\nversion: '2026.1'\nas_of: '2026-01-01T00:00:00Z'\n".to_vec(),
    );
    files.insert(
        "index.json".into(),
        br#"{"documents":[{"path":"akn/ito.xml","title":"Income Tax Ordinance, 2001"}]}"#.to_vec(),
    );
    files.insert("akn/ito.xml".into(), ACT_XML.as_bytes().to_vec());
    files
}

/// A regpack release document (`sequence` 0 unless changed by the caller).
pub(crate) fn regpack_value() -> Value {
    json!({
        "type": "MSEZRegpack",
        "regpack_id": "pk-fbr",
        "jurisdiction": "PK",
        "sequence": 0,
        "issued_at": "2026-01-01T00:00:00Z",
        "sanctions": {"snapshot_id": "unsc-2026-01-01", "as_of": "2026-01-01T00:00:00Z",
            "entries": [{"entry_id": "QDi.001", "kind": "individual",
                         "names": ["Example Person", "E. Person"],
                         "identifiers": [{"kind": "passport", "value": "X1234567"}],
                         "programs": ["UNSC-1267"]}]},
        "regulators": [{"regulator_id": "fbr", "name": "Federal Board of Revenue", "domains": ["tax"]}],
        "reporting_requirements": [{"requirement_id": "wht-monthly", "regulator_id": "fbr",
            "domain": "tax", "frequency": "monthly", "description": "Withholding statement"}],
        "compliance_deadlines": [{"deadline_id": "annual-return-2026", "domain": "tax",
            "due_at": "2026-09-30T23:59:59Z", "description": "Annual return"}],
        "withholding_rates": [
            {"category": "goods", "section": "153(1)(a)", "filer_rate_bps": 450,
             "late_filer_rate_bps": 900, "non_filer_rate_bps": 900},
            {"category": "services", "section": "153(1)(b)", "filer_rate_bps": 800,
             "late_filer_rate_bps": 1600, "non_filer_rate_bps": 1600}]
    })
}

/// A licensepack document.
pub(crate) fn licensepack_value() -> Value {
    json!({
        "type": "MSEZLicensepack",
        "licensepack_id": "pk-secp-licences",
        "jurisdiction": "PK",
        "sequence": 0,
        "issued_at": "2026-01-01T00:00:00Z",
        "licence_types": [{"licence_type_id": "nbfc", "name": "Non-bank finance company",
                           "regulator_id": "secp", "domains": ["licensing", "securities"]}],
        "holders": [{"holder_id": "ent-1", "name": "Acme Finance"}],
        "licences": [{"licence_id": "L-1", "licence_type_id": "nbfc", "holder_id": "ent-1",
            "issued_at": "2025-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
            "status_history": [
                {"status": "active", "effective_at": "2025-01-01T00:00:00Z"},
                {"status": "suspended", "effective_at": "2026-02-01T00:00:00Z"},
                {"status": "active", "effective_at": "2026-03-01T00:00:00Z"}]}]
    })
}

/// A single-document pack.
pub(crate) fn single(path: &str, value: &Value) -> PackFiles {
    let mut files = PackFiles::new();
    files.insert(
        path.into(),
        serde_json::to_vec_pretty(value).unwrap_or_default(),
    );
    files
}
