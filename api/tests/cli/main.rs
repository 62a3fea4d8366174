//! The `msez` binary, driven as a user drives it: real process, arguments, standard streams,
//! files and exit codes.
//!
//! Goal: every offline command keeps its contract: the documented output on success, exit 1
//! with a one-line reason on a verification failure, exit 2 with a one-line reason naming the
//! field on bad input. Method: one module per command group; each test runs the binary cargo
//! built for this package (`CARGO_BIN_EXE_msez`) through `run`, the one place that spawns it.
//! Cross-checks against an independent implementation live in the `msez-tests` crate.

// The workspace lints forbid panics in library code; clippy exempts `#[test]` functions but not
// the helper functions of a test binary, which are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod canon;
mod chain;
mod compliance;
mod corridor;
mod help;
mod keygen;
mod mmr;
#[path = "../common/pacs008.rs"]
mod pacs008;
mod receipt;
mod vc;
mod zone;

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Checks on what one run of the binary produced (`std::process::Output`).
pub trait Outcome {
    /// Asserts success with nothing on stderr, and returns standard output as text.
    fn ok(&self) -> String;
    /// Asserts exit `code` and a single stderr line, starting `msez: `, that contains every
    /// piece of `expected`.
    fn fails(&self, code: i32, expected: &[&str]);
    /// Standard error as text.
    fn stderr_text(&self) -> String;
}

impl Outcome for Output {
    #[track_caller]
    fn ok(&self) -> String {
        assert_eq!(
            self.status.code(),
            Some(0),
            "msez failed: {}",
            self.stderr_text()
        );
        assert!(
            self.stderr.is_empty(),
            "stderr on success: {}",
            self.stderr_text()
        );
        String::from_utf8(self.stdout.clone()).unwrap()
    }

    #[track_caller]
    fn fails(&self, code: i32, expected: &[&str]) {
        let stderr = self.stderr_text();
        assert_eq!(
            self.status.code(),
            Some(code),
            "exit code; stderr: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one stderr line: {stderr}");
        assert!(stderr.starts_with("msez: "), "stderr: {stderr}");
        for piece in expected {
            assert!(stderr.contains(piece), "stderr lacks {piece:?}: {stderr}");
        }
    }

    fn stderr_text(&self) -> String {
        String::from_utf8(self.stderr.clone()).unwrap()
    }
}

/// Runs `msez ARGS` with `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msez"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child_stdin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Write from a thread so that a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        // A command that exits early closes its stdin; that is its business, not a failure.
        let _ = child_stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}
