//! The exit-code contract under arbitrary input.
//!
//! Goal: no input makes any offline command panic or break the contract: the exit code is 0, 1 or
//! 2; a failure writes exactly one `msez: ` line to stderr; bad input (2) writes nothing to
//! stdout. Method: valid fixtures made with the commands themselves (a key, a genesis object, a
//! receipt, a signed credential, an export, an MMR proof), then proptest feeds each command its
//! fixture with random byte edits, or plain random bytes, through `main_with` in-process.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::main_with;

/// What one in-process run produced.
struct Ran {
    code: u8,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(args: &[&str], stdin: &[u8]) -> Ran {
    let mut stdin = stdin;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("msez").chain(args.iter().copied());
    let code = main_with(argv, &mut stdin, &mut stdout, &mut stderr);
    Ran {
        code,
        stdout,
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn ok(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let ran = run(args, stdin);
    assert_eq!(ran.code, 0, "fixture {args:?}: {}", ran.stderr);
    ran.stdout
}

fn ok_line(args: &[&str], stdin: &[u8]) -> String {
    String::from_utf8(ok(args, stdin))
        .unwrap()
        .trim_end()
        .to_owned()
}

/// Each command under test with a valid input for it.
struct Fixtures {
    /// Keeps the key file alive for the whole test run.
    _dir: tempfile::TempDir,
    cases: Vec<(Vec<String>, Vec<u8>)>,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(build_fixtures)
}

fn build_fixtures() -> Fixtures {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("zone.key").to_str().unwrap().to_owned();
    let did = ok_line(&["keygen", "--out", &key], b"");
    let genesis = format!(
        r#"{{"tag":"msez.corridor.state.genesis.v1","corridor_id":"corridor.ae-de.1",
        "definition_payload_sha256":"{}","agreement_set_sha256":"{}",
        "lawpack_digest_set":[],"ruleset_digest_set":[]}}"#,
        "11".repeat(32),
        "22".repeat(32)
    );
    let genesis_root = ok_line(&["genesis"], genesis.as_bytes());
    let draft = format!(
        r#"{{"type":"MSEZCorridorStateReceipt","corridor_id":"corridor.ae-de.1","sequence":0,
        "timestamp":"2026-01-01T00:00:00Z","prev_root":"{genesis_root}",
        "lawpack_digest_set":[],"ruleset_digest_set":[]}}"#
    );
    let next_root = ok_line(&["receipt", "next-root"], draft.as_bytes());
    let receipt = draft.replacen(
        "\"sequence\":0,",
        &format!("\"sequence\":0,\"next_root\":\"{next_root}\","),
        1,
    );
    let signed = ok(&["receipt", "sign", "--key", &key], receipt.as_bytes());
    let signed_line = ok(&["canon"], &signed);
    let genesis_line = ok_line(&["canon"], genesis.as_bytes());
    let header = format!(
        r#"{{"type":"MSEZCorridorChainExport","version":1,"genesis":{genesis_line},"genesis_root":"{genesis_root}","receipt_signing_policy":{{"threshold":1,"signers":["{did}"]}}}}"#
    );
    let export = [header.as_bytes(), b"\n", &signed_line, b"\n"].concat();
    let subject = format!(
        r#"{{"entity_id":"entity.acme","jurisdiction_id":"ae.dubai.difc","level":"basic",
        "evidence_digest":"{}","verified_at":"2026-01-01T00:00:00Z"}}"#,
        "44".repeat(32)
    );
    let issue = [
        "vc",
        "issue",
        "--key",
        &key,
        "--type",
        "MSEZKycVerificationCredential",
    ];
    let credential = ok(&issue, subject.as_bytes());
    let next_roots = format!("{genesis_root}\n{next_root}\n{}\n", "33".repeat(32));
    let root = ok_line(&["mmr", "root"], next_roots.as_bytes());
    let proof = ok(&["mmr", "proof", "--index", "1"], next_roots.as_bytes());
    let case = |args: &[&str], input: &[u8]| {
        (
            args.iter().map(|arg| (*arg).to_owned()).collect(),
            input.to_vec(),
        )
    };
    let cases = vec![
        case(&["canon"], genesis.as_bytes()),
        case(&["digest"], genesis.as_bytes()),
        case(&["mmr", "root"], next_roots.as_bytes()),
        case(&["mmr", "proof", "--index", "1"], next_roots.as_bytes()),
        case(&["mmr", "verify", "--root", &root], &proof),
        case(&["receipt", "next-root"], receipt.as_bytes()),
        case(&["receipt", "sign", "--key", &key], receipt.as_bytes()),
        case(&["genesis"], genesis.as_bytes()),
        case(&issue, subject.as_bytes()),
        case(&["vc", "verify"], &credential),
        case(&["chain", "verify"], &export),
    ];
    Fixtures { _dir: dir, cases }
}

/// Applies byte edits: each `(position, kind, byte)` flips, inserts, deletes or truncates.
fn mutate(input: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for &(position, kind, byte) in edits {
        let at = if bytes.is_empty() {
            0
        } else {
            position % bytes.len()
        };
        match kind % 4 {
            0 if !bytes.is_empty() => bytes[at] ^= byte | 1,
            1 => bytes.insert(at, byte),
            2 if !bytes.is_empty() => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[track_caller]
fn check_contract(args: &[String], input: &[u8]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ran = run(&args, input);
    assert!(ran.code <= 2, "{args:?}: exit {}", ran.code);
    if ran.code == 0 {
        return;
    }
    assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {}", ran.stderr);
    assert!(ran.stderr.starts_with("msez: "), "{args:?}: {}", ran.stderr);
    if ran.code == 2 {
        assert!(ran.stdout.is_empty(), "{args:?}: output before exit 2");
    }
}

#[test]
fn fixtures_pass_unchanged() {
    for (args, input) in &fixtures().cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ran = run(&args, input);
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn commands_keep_exit_contract_on_edited_input(
        command_index in 0usize..64,
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..5),
    ) {
        let cases = &fixtures().cases;
        let (args, input) = &cases[command_index % cases.len()];
        check_contract(args, &mutate(input, &edits));
    }

    #[test]
    fn commands_keep_exit_contract_on_arbitrary_bytes(
        command_index in 0usize..64,
        input in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let cases = &fixtures().cases;
        let (args, _) = &cases[command_index % cases.len()];
        check_contract(args, &input);
    }
}
