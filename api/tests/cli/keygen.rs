//! `msez keygen`: key files on stdout and on disk (0600, never overwritten).

use super::{Outcome, run};

#[test]
fn keygen_prints_a_multikey_key_file() {
    let out = run(&["keygen"], b"").ok();
    let key: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(key["type"], "Multikey");
    let did = key["controller"].as_str().unwrap();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    assert_eq!(key["id"].as_str().unwrap(), format!("{did}#{}", &did[8..]));
    assert!(key["secretKeyMultibase"].as_str().unwrap().starts_with('z'));
}

#[test]
fn keygen_never_repeats_a_key() {
    assert_ne!(run(&["keygen"], b"").ok(), run(&["keygen"], b"").ok());
}

#[test]
fn keygen_out_writes_owner_only_file_and_prints_did() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zone.key");
    let did = run(&["keygen", "--out", path.to_str().unwrap()], b"").ok();
    assert!(
        did.starts_with("did:key:z6Mk") && did.ends_with('\n'),
        "{did}"
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["controller"].as_str().unwrap(), did.trim_end());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
}

#[test]
fn keygen_out_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zone.key");
    std::fs::write(&path, b"precious").unwrap();
    run(&["keygen", "--out", path.to_str().unwrap()], b"")
        .fails(2, &["--out", "zone.key", "exists"]);
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}
