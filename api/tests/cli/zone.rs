//! `msez zone validate|lock` and `msez pack digest` over the example zone in
//! `schemas/examples/`: deterministic locks, stale-lock detection (exit 1), bad input (exit 2).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Outcome, run};

/// A private copy of the example zone, so tests can edit packs and write locks.
fn example_zone() -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/examples");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&source, dir.path());
    let zone = dir.path().join("zone.yaml");
    (dir, zone)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn zone_lock_is_deterministic_and_validate_accepts_it() {
    let (_dir, zone) = example_zone();
    let zone_arg = zone.to_str().unwrap();
    let first = run(&["zone", "lock", zone_arg], b"").ok();
    let second = run(&["zone", "lock", zone_arg], b"").ok();
    assert_eq!(first, second);
    let absent: Value =
        serde_json::from_str(&run(&["zone", "validate", zone_arg], b"").ok()).unwrap();
    assert_eq!(absent["lock"], "absent");
    std::fs::write(zone.with_file_name("zone.lock"), &first).unwrap();
    let current: Value =
        serde_json::from_str(&run(&["zone", "validate", zone_arg], b"").ok()).unwrap();
    assert_eq!(current["lock"], "current");
}

#[test]
fn zone_validate_exits_1_when_a_pack_changed_after_locking() {
    let (_dir, zone) = example_zone();
    let zone_arg = zone.to_str().unwrap();
    let lock = run(&["zone", "lock", zone_arg], b"").ok();
    std::fs::write(zone.with_file_name("zone.lock"), &lock).unwrap();
    let index = zone.with_file_name("lawpack").join("index.json");
    let mut text = std::fs::read_to_string(&index).unwrap();
    text = text.replacen('{', "{\"note\": \"amended\", ", 1);
    std::fs::write(&index, text).unwrap();
    let outcome = run(&["zone", "validate", zone_arg], b"");
    // Either the edited index is refused as a pack (2) or the lock is stale (1); it must never
    // pass as current.
    assert_ne!(outcome.status.code(), Some(0), "{}", outcome.stderr_text());
}

#[test]
fn zone_validate_exits_1_on_a_stale_lock() {
    let (_dir, zone) = example_zone();
    let zone_arg = zone.to_str().unwrap();
    std::fs::write(zone.with_file_name("zone.lock"), b"{}\n").unwrap();
    run(&["zone", "validate", zone_arg], b"").fails(1, &["zone.lock", "stale"]);
}

#[test]
fn zone_validate_rejects_an_unknown_domain_naming_the_field() {
    let (_dir, zone) = example_zone();
    let text = std::fs::read_to_string(&zone)
        .unwrap()
        .replace("corporate]", "astrology]");
    std::fs::write(&zone, text).unwrap();
    run(&["zone", "validate", zone.to_str().unwrap()], b"").fails(2, &["domains", "astrology"]);
}

#[test]
fn pack_digest_prints_kind_and_digest_and_ignores_crlf() {
    let (dir, _zone) = example_zone();
    let lawpack = dir.path().join("lawpack");
    let before: Value =
        serde_json::from_str(&run(&["pack", "digest", lawpack.to_str().unwrap()], b"").ok())
            .unwrap();
    assert_eq!(before["kind"], "lawpack");
    let xml = lawpack.join("akn/ito-2001.xml");
    let crlf = std::fs::read_to_string(&xml).unwrap().replace('\n', "\r\n");
    std::fs::write(&xml, crlf).unwrap();
    let after: Value =
        serde_json::from_str(&run(&["pack", "digest", lawpack.to_str().unwrap()], b"").ok())
            .unwrap();
    assert_eq!(before["digest"], after["digest"]);
    let regpack: Value = serde_json::from_str(
        &run(
            &[
                "pack",
                "digest",
                dir.path().join("regpack.json").to_str().unwrap(),
            ],
            b"",
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(regpack["kind"], "regpack");
}

#[test]
fn pack_digest_names_a_missing_path() {
    run(&["pack", "digest", "/nonexistent/pack"], b"").fails(2, &["/nonexistent/pack"]);
}

#[test]
fn mass_sandbox_refuses_an_unset_token_variable() {
    run(
        &[
            "mass-sandbox",
            "--port",
            "0",
            "--token-env",
            "MSEZ_TEST_UNSET_TOKEN_VARIABLE",
        ],
        b"",
    )
    .fails(2, &["--token-env", "MSEZ_TEST_UNSET_TOKEN_VARIABLE"]);
}
